"""A worker is replaced after WEB_MAX_REQUESTS answers, and no request is lost to it.

A worker copies the pages of the desk it reads (they were shared with the master until it
wrote to them, if only to count a reference), so its memory grows with its age; replacing it
after a number of answers bounds that. The replacement is gunicorn's: the old worker answers
what it holds, with ``Connection: close``, and exits; the master forks a new one.
"""

from __future__ import annotations

import http.client
import re
from pathlib import Path

import pytest

from tests.reliability.conftest import REPORTER, Served, command_form, serve_env, signed_headers
from tests.slack_stand_in import SlackStandIn
from tests.waiting import wait_for

LIMIT = 10  # gunicorn adds up to a tenth: 10 or 11 answers a worker


def booted(served: Served) -> list[str]:
    return re.findall(r"Booting worker with pid: (\d+)", served.text())


@pytest.mark.slow
def test_a_worker_is_replaced_after_its_answers_and_every_request_is_answered(
    serve, tmp_path: Path, slack: SlackStandIn
) -> None:
    served = serve(serve_env(tmp_path, slack, WEB_CONCURRENCY="1", WEB_MAX_REQUESTS=str(LIMIT)))
    wait_for(lambda: len(booted(served)) == 1)
    body = command_form("/figure", "parents", user=REPORTER)
    client = http.client.HTTPConnection("127.0.0.1", served.port, timeout=15)
    closes = 0
    try:
        for _ in range(4 * LIMIT):  # http.client connects again after a Connection: close
            client.request("POST", "/slack/events", body, signed_headers(body))
            answer = client.getresponse()
            assert answer.status == 200 and b"Parents" in answer.read()
            closes += answer.getheader("Connection") == "close"
    finally:
        client.close()
    try:
        wait_for(lambda: len(booted(served)) >= 4)  # the first and three replacements at least
    except AssertionError:
        raise AssertionError(served.text()[-3000:]) from None
    pids = booted(served)
    assert len(set(pids)) == len(pids)
    assert closes >= 3  # each old worker's last answer closed its connection
    assert served.text().count("restarting it (WEB_MAX_REQUESTS)") >= 3
