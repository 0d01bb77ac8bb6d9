"""The command line as a newcomer uses it: real subprocesses, the shipped facts file."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NEWSBOT = [sys.executable, "-m", "bot"]


def run(
    *args: str, stdin: str = "", cwd: Path = ROOT, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    base = {
        k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "NEWSBOT_", "DATABASE"))
    }
    base["PYTHONPATH"] = str(ROOT)
    return subprocess.run(
        [*NEWSBOT, *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**base, **(env or {})},
        timeout=60,
    )


@pytest.fixture
def db(tmp_path: Path) -> dict[str, str]:
    return {"DATABASE_URL": f"sqlite:///{tmp_path / 'newsbot.db'}"}


def test_no_credentials_starts_the_console_and_exits_0_at_eof(db: dict[str, str]) -> None:
    result = run(stdin="/facts 545\n/quote cruelty\n", env=db)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Newsbot console: Immigration desk")
    assert "Try: /facts 545" in result.stdout
    assert "545" in result.stdout and "parents-not-located" in result.stdout
    assert "the chaos, cruelty, and reckless disregard for vulnerable children" in result.stdout
    assert "Traceback" not in result.stderr


def test_console_quit_stops_reading(db: dict[str, str]) -> None:
    result = run("console", stdin="quit\n/facts 545\n", env=db)
    assert result.returncode == 0
    assert "parents-not-located" not in result.stdout


def test_console_follow_up_life_cycle_persists_in_the_database(db: dict[str, str]) -> None:
    first = run(
        "console",
        stdin="/followups add Ask HHS for the reunification count\n"
        "/followups resolve white-house-response Press office declined on 15 Jan\n",
        env=db,
    )
    assert first.returncode == 0, first.stderr
    later = run("ask", "/followups", env=db)
    assert "Ask HHS for the reunification count" in later.stdout
    assert "White House response to the OIG report" not in later.stdout
    history = run("ask", "/source white-house-response", env=db)
    assert "Press office declined on 15 Jan" in history.stdout


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("/facts 545", "At least 545 parents"),
        ("/quote cruelty", "Democratic chairs on the House Oversight and Judiciary Committees"),
        ("/followups", "The White House did not immediately respond to a request for comment."),
    ],
)
def test_ask_gives_sourced_answers(line: str, expected: str, db: dict[str, str]) -> None:
    result = run("ask", line, env=db)
    assert result.returncode == 0, result.stderr
    assert expected in result.stdout
    assert "Axios" in result.stdout and "14 Jan 2021" in result.stdout


def test_ask_json_prints_block_kit(db: dict[str, str]) -> None:
    import json

    result = run("ask", "/facts 545", "--json", env=db)
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["response_type"] == "ephemeral"
    assert 0 < len(payload["blocks"]) <= 50


def test_check_passes_on_the_shipped_file() -> None:
    result = run("check")
    assert result.returncode == 0, result.stderr
    assert "facts.yaml: ok" in result.stdout


def test_weekday_numbers_pass_check_and_schedule_monday_to_friday(tmp_path: Path) -> None:
    text = (ROOT / "facts.yaml").read_text(encoding="utf-8")
    assert 'cron: "0 9 * * mon-fri"' in text
    (tmp_path / "seeds").symlink_to(ROOT / "seeds")
    (tmp_path / "facts.yaml").write_text(
        text.replace('cron: "0 9 * * mon-fri"', 'cron: "0 9 * * 1-5"'), encoding="utf-8"
    )
    facts = str(tmp_path / "facts.yaml")
    checked = run("--facts", facts, "check")
    assert checked.returncode == 0, checked.stderr
    # From Saturday 5 Dec 2026: the week of 09:00 New York posts is Monday to Friday.
    preview = run("--facts", facts, "schedule", "--days", "7", "--now", "2026-12-05T12:00:00+00:00")
    assert preview.returncode == 0, preview.stderr
    days = [line.split()[0] for line in preview.stdout.splitlines() if "09:00" in line]
    assert days == ["Mon", "Tue", "Wed", "Thu", "Fri"], preview.stdout


def test_check_names_the_line_of_a_changed_quote(tmp_path: Path) -> None:
    text = (ROOT / "facts.yaml").read_text(encoding="utf-8")
    broken = text.replace("the chaos, cruelty, and reckless", "the chaos, cruelty, and careless")
    line = next(i for i, t in enumerate(broken.splitlines(), 1) if "careless" in t)
    (tmp_path / "seeds").symlink_to(ROOT / "seeds")
    (tmp_path / "facts.yaml").write_text(broken, encoding="utf-8")
    result = run("check", str(tmp_path / "facts.yaml"))
    assert result.returncode == 1
    assert f"facts.yaml:{line}:" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_usage_exits_2_with_a_message() -> None:
    result = run("frobnicate")
    assert result.returncode == 2
    assert "invalid choice" in result.stderr
    bad_env = run("check", env={"PORT": "eighty"})
    assert bad_env.returncode == 2
    assert bad_env.stderr.strip() == "newsbot: PORT='eighty': use a port number between 0 and 65535"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("schedule", "--days", "99999999999"), "--days must be between 1 and 366"),
        (("schedule", "--days", "0"), "--days must be between 1 and 366"),
        (("schedule", "--now", "9999-12-31T00:00:00+00:00"), "use a year between 1970 and 9000"),
        (("schedule", "--now", "tomorrow"), "use ISO 8601"),
        (("schedule", "--now", "2026-11-30T09:00:00"), "add a UTC offset"),
    ],
)
def test_schedule_preview_bad_flags_are_one_line(args: tuple[str, ...], message: str) -> None:
    result = run(*args)
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr


def test_a_non_numeric_web_concurrency_is_one_line_not_a_traceback(db: dict[str, str]) -> None:
    result = run("serve", env={**db, **SLACK_ENV, "WEB_CONCURRENCY": "auto"})
    assert result.returncode == 2
    assert "WEB_CONCURRENCY='auto': use a whole number of 1 or more" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_negative_web_max_requests_is_one_line_not_a_traceback(db: dict[str, str]) -> None:
    result = run("serve", env={**db, **SLACK_ENV, "WEB_MAX_REQUESTS": "-1"})
    assert result.returncode == 2
    assert "WEB_MAX_REQUESTS='-1': use a whole number of 0 or more" in result.stderr
    assert "Traceback" not in result.stderr


def test_socket_mode_ignores_web_concurrency_and_stops_on_sigterm(db: dict[str, str]) -> None:
    """Socket Mode has no web workers: WEB_CONCURRENCY=auto does not stop it starting. Nothing
    listens at SLACK_API_URL, so it retries with pauses of 2 s and more; rather than wait them
    out, the test stops it (as the platform does) once its first attempt is logged."""
    env = {**db, **SLACK_ENV, "WEB_CONCURRENCY": "auto"}
    process = start("socket", env=env)
    try:
        logged = read_stderr_until(process, "Socket Mode attempt 1 of")
        assert "Socket Mode attempt 1 of" in logged, logged
        process.send_signal(signal.SIGTERM)
        _, rest = process.communicate(timeout=60)
    finally:
        process.kill()
        process.wait()
    assert process.returncode == 0, logged + rest
    assert "Traceback" not in logged + rest


SLACK_ENV = {
    "SLACK_BOT_TOKEN": "xoxb-1-2-3",
    "SLACK_SIGNING_SECRET": "s",
    "SLACK_APP_TOKEN": "xapp-1-2",
    "SLACK_API_URL": "http://127.0.0.1:9/api/",  # nothing listens: each attempt fails fast
}


def start(*args: str, env: dict[str, str]) -> subprocess.Popen[str]:
    base = {
        k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "NEWSBOT_", "DATABASE"))
    }
    return subprocess.Popen(
        [*NEWSBOT, *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**base, "PYTHONPATH": str(ROOT), **env},
    )


def read_stderr_until(process: subprocess.Popen[str], marker: str, within: float = 60) -> str:
    """Lines of stderr until one holds ``marker`` (or the process ends, or ``within`` s)."""
    import select

    assert process.stderr is not None
    seen, deadline = "", time.monotonic() + within
    while marker not in seen and time.monotonic() < deadline:
        if select.select([process.stderr], [], [], 0.5)[0]:
            line = process.stderr.readline()
            if not line:
                break
            seen += line
    return seen


def test_serve_without_secret_names_the_variable(db: dict[str, str]) -> None:
    result = run("serve", env={**db, "SLACK_BOT_TOKEN": "xoxb-1-2-3"})
    assert result.returncode == 2
    assert "SLACK_SIGNING_SECRET is not set" in result.stderr
    assert "xoxb-1-2-3" not in result.stderr


def test_extract_drafts_entries_from_the_seed() -> None:
    result = run("extract", "seeds/000_8c36c7995ecb0c4b.txt")
    assert result.returncode == 0, result.stderr
    assert "did not immediately respond" in result.stdout
    assert "545" in result.stdout


def test_at_a_terminal_the_console_prompts_and_exits_on_ctrl_d(db: dict[str, str]) -> None:
    import pty
    import select

    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE"))},
        **db,
        "PYTHONPATH": str(ROOT),
    }
    pid, fd = pty.fork()
    if pid == 0:  # the child: newsbot on a terminal
        os.chdir(ROOT)
        os.execve(sys.executable, [*NEWSBOT, "console"], env)

    def read_until(marker: str, count: int) -> str:
        seen, deadline = "", time.monotonic() + 30
        while seen.count(marker) < count and time.monotonic() < deadline:
            if select.select([fd], [], [], 0.5)[0]:
                seen += os.read(fd, 65536).decode("utf-8", "replace")
        return seen

    assert "newsbot> " in read_until("newsbot> ", 1)
    os.write(fd, b"/facts 545\n")
    answered = read_until("newsbot> ", 1)
    assert "parents-not-located" in answered
    os.write(fd, b"\x04")  # Ctrl-D at an empty prompt
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    assert os.waitstatus_to_exitcode(status) == 0
