"""Operations: honest health checks, and logs that keep a newsroom's notes out (issue 13).

Each test runs the real `newsbot serve` in a subprocess on a real SQLite file.
"""

from __future__ import annotations

import json
import logging
import socket
import threading
from pathlib import Path
from urllib.parse import urlencode

import pytest

from bot.store.db import Database
from tests import slack_requests
from tests.reliability.conftest import (
    EDITOR,
    FOLLOWUP,
    HEALTH_DETAILS,
    HEALTH_TOKEN,
    SECRET,
    TEAM,
    TOKEN,
    Answer,
    Served,
    block_actions,
    interaction_form,
    serve_env,
    view_submission,
)
from tests.slack_stand_in import SlackStandIn

CONCURRENT_CHECKS = 8


def health_checks_at_once(served: Served, count: int, headers: dict | None = None) -> list[Answer]:
    """``count`` GET /healthz released together, each on its own connection."""
    together = threading.Barrier(count)
    answers: list[Answer] = []
    lock = threading.Lock()

    def check() -> None:
        together.wait(timeout=30)
        answer = served.request("GET", "/healthz", headers=headers)
        with lock:
            answers.append(answer)

    threads = [threading.Thread(target=check) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a health check never answered"
    return answers


@pytest.mark.slow
def test_concurrent_health_checks_all_say_ok_on_a_healthy_database(
    serve, tmp_path: Path, slack: SlackStandIn
) -> None:
    served: Served = serve(serve_env(tmp_path, slack))
    for _ in range(10):  # rounds of overlapping checks, as a platform and an operator make
        answers = health_checks_at_once(served, CONCURRENT_CHECKS)
        assert [a.status for a in answers] == [200] * CONCURRENT_CHECKS, answers
    assert "unreachable" not in served.text() and "ping" not in served.text()


@pytest.mark.slow
def test_public_health_shows_status_and_desk_only_details_need_the_token(
    serve, tmp_path: Path, slack: SlackStandIn
) -> None:
    served: Served = serve(serve_env(tmp_path, slack))
    public = served.request("GET", "/healthz")
    assert public.status == 200
    body = public.json()
    assert body.keys() == {"status", "desk"} and body["status"] == "ok"
    assert len(body["desk"]) == 12
    for wrong in ("Bearer nope", f"Basic {HEALTH_TOKEN}", HEALTH_TOKEN, f"Bearer {HEALTH_TOKEN}x"):
        answer = served.request("GET", "/healthz", headers={"Authorization": wrong})
        assert answer.json() == body, wrong
    details = served.request("GET", "/healthz", headers=HEALTH_DETAILS).json()
    assert details["desk"] == body["desk"]
    assert details["facts"]["figure"] == 1 and details["database"]["reachable"] is True
    assert "next_reminders" in details and "last_delivery" in details


# --- a DEBUG run, grepped for what must never be logged -----------------------------------

ADDED_NOTE = "ask Senator Quimby's aide about the sealed memo"
RESOLUTION_NOTE = "Source X confirmed memo is genuine off the record"
MODAL_NOTE = "Counsel declined privately, call back Tuesday"
LEGACY_TOKEN = "LegacyVerificationT0kenZQ"


def form(command: str, text: str, response_url: str, user: str = EDITOR) -> bytes:
    fields = slack_requests.slash_command_fields(
        command, text, user=user, team=TEAM, response_url=response_url
    )
    fields["token"] = LEGACY_TOKEN
    return urlencode(fields).encode()


@pytest.mark.slow
def test_a_debug_run_logs_no_note_reply_response_url_or_token(
    serve, tmp_path: Path, slack: SlackStandIn
) -> None:
    env = serve_env(tmp_path, slack, LOG_LEVEL="DEBUG", LOG_FORMAT="json")
    served: Served = serve(env)
    urls = [slack.response_url(f"secret-path-{n}") for n in range(8)]
    assert served.post(form("/followups", f"add {ADDED_NOTE}", urls[0])).status == 200
    resolve = f"resolve {FOLLOWUP} {RESOLUTION_NOTE}"
    assert served.post(form("/followups", resolve, urls[1])).status == 200
    for n, (command, text) in enumerate(
        [("/source", FOLLOWUP), ("/followups", "all"), ("/facts", "545"), ("/facts", "memo")], 2
    ):
        answer = served.post(form(command, text, urls[n]))
        assert answer.status == 200
    # The replies really carried the note: it is the log that must not.
    assert RESOLUTION_NOTE in served.post(form("/source", FOLLOWUP, urls[6])).body.decode()
    click = block_actions("followup_reopen", FOLLOWUP, response_url=urls[7])
    click["token"] = LEGACY_TOKEN
    assert served.post(interaction_form(click)).status == 200
    submission = view_submission(FOLLOWUP, MODAL_NOTE)
    submission["token"] = LEGACY_TOKEN
    assert served.post(interaction_form(submission)).status == 200
    assert served.stop() == 0
    printed = served.text()
    assert '"level": "debug"' in printed  # it really ran at DEBUG
    assert '"command": "/followups"' in printed  # and logged the requests
    assert "resolve white-house-response" in printed  # what was asked, without the note
    for secret in (ADDED_NOTE, "sealed memo", RESOLUTION_NOTE, "off the record", MODAL_NOTE):
        assert secret not in printed, secret
    for secret in (*urls, "secret-path", "/response/", LEGACY_TOKEN, TOKEN, SECRET):
        assert secret not in printed, secret
    assert "response_url" not in printed
    assert json.dumps(ADDED_NOTE)[1:-1] not in printed


def test_an_outage_is_one_warning_however_many_checks_wait_on_it(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Accepts connections and never says a word: a stalled server behind a live kernel.
    silent = socket.create_server(("127.0.0.1", 0))
    database = Database(f"postgresql+psycopg://u@127.0.0.1:{silent.getsockname()[1]}/newsbot")
    caplog.set_level(logging.INFO, logger="bot.store.db")
    try:
        answers: list[bool] = []
        checks = [
            threading.Thread(target=lambda: answers.append(database.ping(timeout=0.5)))
            for _ in range(CONCURRENT_CHECKS)
        ]
        for check in checks:
            check.start()
        for check in checks:
            check.join(timeout=30)
        answers += [database.ping(timeout=0.5) for _ in range(3)]  # the outage goes on
    finally:
        database.dispose()
        silent.close()
    assert answers == [False] * (CONCURRENT_CHECKS + 3)
    warnings = [r for r in caplog.records if r.name == "bot.store.db"]
    assert [r.levelno for r in warnings] == [logging.WARNING], [r.getMessage() for r in warnings]
    assert "database unreachable" in warnings[0].getMessage()
