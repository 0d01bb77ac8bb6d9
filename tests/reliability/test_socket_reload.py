"""Live edits in Socket Mode (issue 16): `newsbot socket` notices a changed facts.yaml, checks
it and answers from the new desk; a broken edit leaves the old desk answering, its problem
logged once with file and line. Driven over a local stand-in for Slack's WebSocket.
"""

from __future__ import annotations

import io
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.desk.load import load_desk
from bot.socket_mode import run_socket
from tests.reliability.conftest import REPORTER, TEAM, desk_folder
from tests.reliability.test_live_reload import NEW_LABEL, OLD_LABEL, edit
from tests.reliability.test_socket_connect import PATIENT, log, socket_settings  # noqa: F401
from tests.slack_stand_in import SlackStandIn
from tests.socket_stand_in import SocketLink, slash_command_envelope, socket_link

WAIT_S = 60.0  # generous: two cores shared by the suite
LOOK_EVERY_S = 0.05  # how often the watcher looks at the files (it polls their stat)


def wait_for(written: io.StringIO, pattern: str, count: int = 1) -> re.Match[str]:
    """The ``count``-th line of the log matching ``pattern``, once it is there."""
    deadline = time.monotonic() + WAIT_S
    while len(found := list(re.finditer(pattern, written.getvalue()))) < count:
        assert time.monotonic() < deadline, f"no {pattern!r} in:\n{written.getvalue()}"
        time.sleep(0.02)
    return found[count - 1]


class Asker:
    def __init__(self, link: SocketLink, slack: SlackStandIn) -> None:
        self.link, self.slack, self.sent = link, slack, 0

    def figure(self) -> str:
        self.sent += 1
        envelope_id = f"e{self.sent}"
        self.link.send(
            slash_command_envelope(
                envelope_id,
                "/figure",
                "parents",
                user=REPORTER,
                team=TEAM,
                response_url=self.slack.response_url(envelope_id),
            )
        )
        return str(self.link.ack_for(envelope_id))


@pytest.fixture
def socket_served(
    slack: SlackStandIn,
    tmp_path: Path,
    log: io.StringIO,  # noqa: F811
) -> Iterator[tuple[Asker, Path]]:
    facts = desk_folder(tmp_path)
    stop, codes = threading.Event(), []
    with socket_link(slack) as link:
        runner = threading.Thread(
            target=lambda: codes.append(
                run_socket(
                    socket_settings(slack, tmp_path), load_desk(facts), stop, PATIENT, LOOK_EVERY_S
                )
            )
        )
        runner.start()
        try:
            wait_for(log, "connected in Socket Mode")
            yield Asker(link, slack), facts
        finally:
            stop.set()
            runner.join(timeout=WAIT_S)
    assert codes == [0]


def test_a_changed_desk_answers_in_socket_mode_without_a_restart(
    socket_served: tuple[Asker, Path],
    log: io.StringIO,  # noqa: F811
) -> None:
    ask, facts = socket_served
    assert "Parents not located" in ask.figure()
    edit(facts, OLD_LABEL, NEW_LABEL)
    wait_for(log, "answering from desk version")
    answer = ask.figure()
    assert "Parents still unaccounted for" in answer and "Parents not located" not in answer


def test_a_broken_edit_leaves_the_old_desk_answering_in_socket_mode(
    socket_served: tuple[Asker, Path],
    log: io.StringIO,  # noqa: F811
) -> None:
    ask, facts = socket_served
    assert "Parents not located" in ask.figure()
    good = facts.read_text(encoding="utf-8")
    line = good[: good.index(OLD_LABEL)].count("\n") + 1
    facts.write_text(good.replace(OLD_LABEL, "label: [unclosed", 1), encoding="utf-8")
    found = wait_for(log, r"desk problem: (\S+):(\d+):(\d+): ")
    assert found[1].endswith("facts.yaml") and abs(int(found[2]) - line) <= 1
    assert "Parents not located" in ask.figure()

    # Saved again with the same problem: checked again, and not logged a second time.
    facts.write_text(facts.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    wait_for(log, "checking the desk", count=2)
    assert log.getvalue().count("desk problem:") == 1
    assert "Parents not located" in ask.figure()
    facts.write_text(good.replace(OLD_LABEL, NEW_LABEL, 1), encoding="utf-8")
    wait_for(log, "answering from desk version")
    assert "Parents still unaccounted for" in ask.figure()
