"""The Procfile run the way a platform runs it, from a copy of the repository installed without -e.

The copy holds the tracked files with their current contents (what `git push` would ship once
committed), installed with pip into a target directory like a buildpack does, then each line
runs as `sh -c "<line>"` with only the platform's kind of environment: PORT, config vars, PATH.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import queue
import shutil
import signal
import socket
import subprocess
import sys
import time
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from packaging.requirements import Requirement

from bot.runtime import default_workers
from tests.slack.conftest import REPORTER, SECRET, TEAM, sign
from tests.slack_stand_in import SlackStandIn
from tests.socket_stand_in import slash_command_envelope, socket_mode
from tests.waiting import wait_for

ROOT = Path(__file__).resolve().parent.parent.parent
BOT_TOKEN = "xoxb-smoke-0000-secret"
APP_TOKEN = "xapp-1-smoke-0000-secret"
HEALTH_TOKEN = "smoke-health-token-0000"
# Seconds for a cold interpreter to import everything and bind PORT: Heroku's boot timeout.
# Waits return as soon as the app is up (13 s once on a two-core machine shared by a team).
START_DEADLINE = 60.0
STOP_DEADLINE = 10.0
WORKERS = default_workers()  # what the platforms' grace allows us, with room to spare


@dataclass(frozen=True)
class Deployed:
    app: Path  # the build directory: the platform's cwd
    site: Path  # where pip installed the package and its `newsbot` script


def tracked_files() -> list[str]:
    listed = subprocess.run(
        ["git", "-C", str(ROOT), "ls-files", "-z"], capture_output=True, check=True
    )
    return [name for name in listed.stdout.decode().split("\0") if name]


def untracked_code() -> list[str]:
    """New files under bot/ that a clone of HEAD would lack (named when the smoke test fails)."""
    listed = subprocess.run(
        ["git", "-C", str(ROOT), "ls-files", "--others", "--exclude-standard", "bot"],
        capture_output=True,
        text=True,
        check=True,
    )
    return listed.stdout.split()


@pytest.fixture(scope="module")
def deployed(tmp_path_factory: pytest.TempPathFactory) -> Deployed:
    base = tmp_path_factory.mktemp("deploy")
    app, site = base / "app", base / "site"
    for name in tracked_files():
        source = ROOT / name
        if source.is_file():  # tracked but deleted in the working tree: not shipped
            (app / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, app / name)
    # What a buildpack does with requirements.txt's final ".", without -e; the dependencies
    # and build backend are the ones already in this venv (no network, no build isolation).
    require_build_backend()
    pip = [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation"]
    installed = subprocess.run(
        [*pip, "--no-index", "--disable-pip-version-check", "--target", str(site), str(app)],
        capture_output=True,
        text=True,
    )
    assert installed.returncode == 0, f"pip install failed:\n{installed.stderr}"
    return Deployed(app, site)


def require_build_backend() -> None:
    """pyproject's build-system.requires, installed here: without them pip's error is cryptic."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    for text in pyproject["build-system"]["requires"]:
        wanted = Requirement(text)
        try:
            have = version(wanted.name)
        except PackageNotFoundError:
            have = "none"
        assert have != "none" and wanted.specifier.contains(have), (
            f"the smoke test builds without isolation and needs {text} in this venv "
            f"(found {have}): pip install '{text}'"
        )


def procfile(app: Path) -> dict[str, str]:
    lines = (app / "Procfile").read_text().splitlines()
    entries = (line.split(":", 1) for line in lines if line.strip() and not line.startswith("#"))
    return {name.strip(): command.strip() for name, command in entries}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def platform_env(deployed: Deployed, tmp_path: Path, **config: str) -> dict[str, str]:
    """Config vars plus what a dyno has: no venv on PATH, the package found in the slug."""
    return {
        "PATH": f"{deployed.site / 'bin'}:/usr/local/bin:/usr/bin:/bin",
        "PYTHONPATH": str(deployed.site),
        "HOME": str(tmp_path),
        "LANG": "C.UTF-8",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'newsbot.db'}",
        "LOG_FORMAT": "json",
        **config,
    }


def run_line(line: str, cwd: Path, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    # Its own process group, so SIGTERM reaches every process as a platform's stop does.
    with log.open("wb") as out:
        return subprocess.Popen(
            ["sh", "-c", line], cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip


def stop_and_wait(process: subprocess.Popen[bytes]) -> tuple[int, float]:
    started = time.monotonic()
    os.killpg(process.pid, signal.SIGTERM)
    code = process.wait(timeout=STOP_DEADLINE + 5)
    return code, time.monotonic() - started


@contextlib.contextmanager
def running(process: subprocess.Popen[bytes]) -> Iterator[subprocess.Popen[bytes]]:
    """Never leave a server behind, whatever the test asserts."""
    try:
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def json_lines(log: Path) -> list[dict[str, Any]]:
    """Every line the process wrote, each of which must be one JSON object."""
    entries = []
    for line in log.read_text().splitlines():
        if line.strip():
            entry = json.loads(line)  # a plain-text line among the JSON ones fails here
            assert isinstance(entry, dict), line
            entries.append(entry)
    return entries


def explain(log: Path) -> str:
    missing = untracked_code()
    hint = f"; untracked under bot/ (git add them): {missing}" if missing else ""
    return f"log:\n{log.read_text()}{hint}"


def request(port: int, method: str, path: str, body: bytes = b"", headers: dict | None = None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def wait_for_health(
    port: int, process: subprocess.Popen[bytes], log: Path, headers: dict | None = None
) -> dict[str, Any]:
    deadline = time.monotonic() + START_DEADLINE
    while time.monotonic() < deadline:
        assert process.poll() is None, f"exited with {process.returncode}; {explain(log)}"
        try:
            status, body = request(port, "GET", "/healthz", headers=headers)
        except OSError:  # not listening yet
            time.sleep(0.05)
            continue
        if status == 200:
            return json.loads(body)
    raise AssertionError(f"/healthz did not answer 200 within {START_DEADLINE}s; {explain(log)}")


def signed_command(port: int, command: str, text: str, response_url: str) -> dict[str, Any]:
    form = urlencode(
        {
            "command": command,
            "text": text,
            "user_id": REPORTER,
            "team_id": TEAM,
            "channel_id": "C0NEWSDESK",
            "response_url": response_url,
            "trigger_id": "1337.42.abcd",
        }
    ).encode()
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": sign(form, timestamp),
    }
    status, body = request(port, "POST", "/slack/events", form, headers)
    assert status == 200, body
    return json.loads(body)


def assert_no_secrets(log: Path, *secrets: str) -> None:
    text = log.read_text()
    for secret in (SECRET, BOT_TOKEN, APP_TOKEN, HEALTH_TOKEN, *secrets):
        assert secret not in text


# --- web -------------------------------------------------------------------------------------


@pytest.mark.slow
def test_web_line_serves_health_and_a_sourced_answer_then_stops_on_sigterm(
    deployed: Deployed, slack: SlackStandIn, tmp_path: Path
) -> None:
    port, log = free_port(), tmp_path / "web.log"
    env = platform_env(
        deployed,
        tmp_path,
        PORT=str(port),
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=slack.api_url,
        NEWSBOT_HEALTH_TOKEN=HEALTH_TOKEN,
    )
    web = run_line(procfile(deployed.app)["web"], deployed.app, env, log)
    with running(web):
        health = wait_for_health(port, web, log, {"Authorization": f"Bearer {HEALTH_TOKEN}"})
        answer = signed_command(port, "/facts", "545", slack.response_url())
        # Every worker has booted before the stop (a worker still booting when another has
        # already stopped would find the scheduler free, rightly, and take it).
        wait_for(lambda: log.read_text().count('"event": "started"') == WORKERS, timeout=30)
        code, seconds = stop_and_wait(web)

    assert health["database"] == {"reachable": True, "kind": "sqlite"}
    assert health["facts"]["figure"] >= 1
    shown = json.dumps(answer["blocks"], ensure_ascii=False)
    assert answer["response_type"] == "ephemeral"
    assert "At least 545 parents" in shown and "Axios, 14 Jan 2021" in shown
    assert code == 0 and seconds < STOP_DEADLINE, explain(log)

    entries = json_lines(log)
    # One worker per core by default (this machine has WORKERS), each with its start-up line;
    # one of them posts the reminders and the others stand by.
    starts = [e for e in entries if e.get("event") == "started"]
    assert len(starts) == WORKERS, [e["msg"] for e in starts]
    for started in starts:
        assert started["mode"] == "http" and started["database"] == "sqlite"
        assert started["facts"]["figure"] >= 1 and started["next_reminder"]
    assert sorted(s["scheduler"] for s in starts) == [False] * (WORKERS - 1) + [True]
    [served] = [e for e in entries if e.get("request_id")]
    assert served["command"] == "/facts" and served["query"] == "545"
    assert served["status"] == 200 and served["outcome"] == "ok"
    assert isinstance(served["latency_ms"], float)
    assert any(e["msg"] == "stopped" for e in entries)
    assert not [e for e in entries if e["level"] == "error"]
    assert_no_secrets(log, slack.response_url())


def test_the_installed_package_is_the_one_running(deployed: Deployed, tmp_path: Path) -> None:
    """Not the developer's editable checkout, which would hide a file missing from the build."""
    found = subprocess.run(
        ["sh", "-c", "command -v newsbot"],
        env=platform_env(deployed, tmp_path),
        capture_output=True,
        text=True,
        check=True,
    )
    assert found.stdout.strip() == str(deployed.site / "bin" / "newsbot")
    imported = subprocess.run(
        [sys.executable, "-c", "import bot; print(bot.__file__)"],
        cwd=tmp_path,
        env=platform_env(deployed, tmp_path),
        capture_output=True,
        text=True,
        check=True,
    )
    assert Path(imported.stdout.strip()).is_relative_to(deployed.site)


# --- release ---------------------------------------------------------------------------------


def test_release_line_passes_the_shipped_facts(deployed: Deployed, tmp_path: Path) -> None:
    release = subprocess.run(
        ["sh", "-c", procfile(deployed.app)["release"]],
        cwd=deployed.app,
        env=platform_env(deployed, tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert release.returncode == 0, release.stderr
    assert "facts.yaml: ok" in release.stdout


def test_release_line_stops_a_deploy_with_a_misquote(deployed: Deployed, tmp_path: Path) -> None:
    build = tmp_path / "build"
    shutil.copytree(deployed.app / "seeds", build / "seeds")
    lines = (deployed.app / "facts.yaml").read_text().splitlines(keepends=True)
    number = next(i for i, line in enumerate(lines, 1) if "could not be located" in line)
    lines[number - 1] = lines[number - 1].replace("could not be located", "could not be found")
    (build / "facts.yaml").write_text("".join(lines))

    release = subprocess.run(
        ["sh", "-c", procfile(deployed.app)["release"]],
        cwd=build,
        env=platform_env(deployed, tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert release.returncode == 1
    assert f"facts.yaml:{number}:" in release.stdout + release.stderr
    assert "Traceback" not in release.stderr


# --- worker ----------------------------------------------------------------------------------


@pytest.mark.slow
def test_worker_line_answers_over_socket_mode_then_stops_on_sigterm(
    deployed: Deployed, slack: SlackStandIn, tmp_path: Path
) -> None:
    envelope = slash_command_envelope(
        "c9b3e8e1-smoke",
        "/facts",
        "545",
        user=REPORTER,
        team=TEAM,
        response_url=slack.response_url(),
    )
    log = tmp_path / "worker.log"
    with socket_mode(slack, envelope) as acks:
        env = platform_env(
            deployed,
            tmp_path,
            SLACK_BOT_TOKEN=BOT_TOKEN,
            SLACK_APP_TOKEN=APP_TOKEN,
            SLACK_API_URL=slack.api_url,
        )
        worker = run_line(procfile(deployed.app)["worker"], deployed.app, env, log)
        with running(worker):
            try:
                ack = acks.get(timeout=START_DEADLINE)
            except queue.Empty:
                raise AssertionError(f"no ack; {explain(log)}") from None
            code, seconds = stop_and_wait(worker)

    assert ack["envelope_id"] == "c9b3e8e1-smoke"
    assert "At least 545 parents" in json.dumps(ack["payload"]["blocks"])
    assert code == 0 and seconds < STOP_DEADLINE, explain(log)
    entries = json_lines(log)
    [started] = [e for e in entries if e.get("event") == "started"]
    assert started["mode"] == "socket"
    [served] = [e for e in entries if e.get("request_id")]
    assert served["mode"] == "socket" and served["command"] == "/facts"
    assert served["query"] == "545" and served["status"] == 200
    assert_no_secrets(log, slack.response_url())
