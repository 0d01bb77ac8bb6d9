"""Live edits (issue 16): the real `newsbot serve` notices a changed facts.yaml, checks it and
swaps it in whole, while signed slash commands keep arriving at concurrency 8.

No request is lost, every answer is wholly the old desk's or wholly the new one's, and a
broken edit leaves the old desk serving with its problems logged once, with file and line.
"""

from __future__ import annotations

import signal
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.reliability.conftest import (
    REPORTER,
    Answer,
    Served,
    command_form,
    serve_env,
)
from tests.slack_stand_in import SlackStandIn

CONCURRENCY = 8
OLD_LABEL = "label: Parents not located"
NEW_LABEL = "label: Parents still unaccounted for"
WAIT_S = 60.0  # generous: two cores shared by a whole team


def figure_reply(served: Served) -> Answer:
    return served.post(command_form("/figure", "parents", user=REPORTER))


def desk_version(served: Served) -> str:
    version = served.request("GET", "/healthz").json()["desk"]
    assert isinstance(version, str)
    return version


def wait_for_version(served: Served, unlike: str) -> str:
    """The desk version once it differs from ``unlike`` (gunicorn's new workers serve it)."""
    deadline = time.monotonic() + WAIT_S
    while (version := desk_version(served)) == unlike:
        assert time.monotonic() < deadline, "the desk was never reloaded:\n" + served.text()
        time.sleep(0.1)
    return version


def edit(facts: Path, old: str, new: str) -> None:
    text = facts.read_text(encoding="utf-8")
    assert old in text
    facts.write_text(text.replace(old, new, 1), encoding="utf-8")


class Load:
    """Signed `/figure parents` at concurrency 8 until stopped; every answer is kept."""

    def __init__(self, served: Served) -> None:
        self.served = served
        self.answers: list[Answer] = []
        self.errors: list[str] = []
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(CONCURRENCY)

    def __enter__(self) -> Load:
        for _ in range(CONCURRENCY):
            self._pool.submit(self._send_until_stopped)
        return self

    def _send_until_stopped(self) -> None:
        while not self._stop.is_set():
            try:
                answer = figure_reply(self.served)
            except OSError as error:
                with self._lock:
                    self.errors.append(f"{type(error).__name__}: {error}")
                continue
            with self._lock:
                self.answers.append(answer)

    def count(self, body: bytes) -> int:
        with self._lock:
            return sum(1 for a in self.answers if a.body == body)

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._pool.shutdown(wait=True)


@pytest.mark.slow
def test_a_reload_under_load_loses_no_request_and_never_mixes_desks(
    serve, tmp_path: Path, slack: SlackStandIn
) -> None:
    served: Served = serve(serve_env(tmp_path, slack, WEB_CONCURRENCY="2"))
    facts = tmp_path / "facts.yaml"
    before, old_version = figure_reply(served), desk_version(served)
    assert before.status == 200 and b"Parents not located" in before.body

    with Load(served) as load:
        edit(facts, OLD_LABEL, NEW_LABEL)
        new_version = wait_for_version(served, old_version)
        after = figure_reply(served)
        deadline = time.monotonic() + WAIT_S
        while load.count(after.body) < 50:  # the load keeps running on the new desk
            assert time.monotonic() < deadline, served.text()
            time.sleep(0.05)

    assert b"Parents still unaccounted for" in after.body
    assert load.errors == [], served.text()[-6000:]
    statuses = Counter(a.status for a in load.answers)
    assert statuses == {200: len(load.answers)}, statuses
    bodies = Counter(a.body for a in load.answers)
    assert set(bodies) == {before.body, after.body}, "an answer from neither desk"
    assert len(new_version) == 12 and new_version != old_version
    assert "reloaded the desk" in served.text()


@pytest.mark.slow
def test_a_broken_edit_leaves_the_old_desk_serving_and_is_logged_once(
    serve, tmp_path: Path, slack: SlackStandIn
) -> None:
    served: Served = serve(serve_env(tmp_path, slack, WEB_CONCURRENCY="2"))
    facts = tmp_path / "facts.yaml"
    good = facts.read_text(encoding="utf-8")
    before, old_version = figure_reply(served), desk_version(served)
    line = good[: good.index(OLD_LABEL)].count("\n") + 1
    facts.write_text(good.replace(OLD_LABEL, "label: [unclosed", 1), encoding="utf-8")

    found = served.wait_for_line(r"desk problem: (\S+):(\d+):(\d+): ", timeout=WAIT_S)
    assert found[1].endswith("facts.yaml") and abs(int(found[2]) - line) <= 1
    assert served.wait_for_line("still serving version " + old_version)
    assert figure_reply(served).body == before.body
    assert desk_version(served) == old_version

    # The same broken file again (a save without changes): not logged a second time.
    hups, logged = served.text().count("Handling signal: hup"), served.text().count("desk problem:")
    served.process.send_signal(signal.SIGHUP)
    deadline = time.monotonic() + WAIT_S
    while served.text().count("Handling signal: hup") == hups:
        assert time.monotonic() < deadline, served.text()
        time.sleep(0.05)
    assert served.text().count("desk problem:") == logged
    assert figure_reply(served).body == before.body

    facts.write_text(good.replace(OLD_LABEL, NEW_LABEL, 1), encoding="utf-8")
    wait_for_version(served, old_version)
    assert b"Parents still unaccounted for" in figure_reply(served).body


@pytest.mark.slow
def test_sighup_with_an_unchanged_desk_keeps_the_workers(
    serve, tmp_path: Path, slack: SlackStandIn
) -> None:
    served: Served = serve(serve_env(tmp_path, slack))
    version = desk_version(served)
    served.process.send_signal(signal.SIGHUP)
    served.wait_for_line("the desk is unchanged", timeout=WAIT_S)
    assert desk_version(served) == version
    assert "Booting worker" in served.text() and served.text().count("Booting worker") == 1
