"""Requests that do not come from Slack, or come broken: 401, 413, 400, never a 500, and the
server stays healthy. tests/slack/test_http.py proves the basic cases (wrong secret, stale
timestamp, tampered body, no headers, malformed bodies, 70 KB body); these add the rest.
"""

from __future__ import annotations

import io
import socket
import time
from pathlib import Path

import pytest

from bot.web import MAX_BODY_BYTES
from tests.reliability.conftest import (
    FORM,
    HEALTH_DETAILS,
    InProcess,
    Served,
    command_form,
    serve_env,
    sign,
)
from tests.slack_stand_in import SlackStandIn

BODY = command_form("/followups", "add Call the mayor", user="U0EDITOR1")


def headers(ts: str, signature: str | None = None) -> dict[str, str]:
    return {
        "Content-Type": FORM,
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": signature if signature is not None else sign(BODY, ts),
    }


@pytest.mark.parametrize(
    "case",
    [
        "future",
        "only-timestamp",
        "only-signature",
        "empty-signature",
        "v1-scheme",
        "uppercase-hex",
        "timestamp-not-a-number",
        "timestamp-negative",
        "timestamp-huge",
        "timestamp-with-spaces",
        "signature-not-ascii",
        "signed-other-body",
    ],
)
def test_unsigned_or_badly_signed_requests_get_401_and_change_nothing(
    in_process: InProcess, case: str
) -> None:
    now = str(int(time.time()))
    good = sign(BODY, now)
    sent = {
        "future": headers(str(int(time.time()) + 6 * 60)),
        "only-timestamp": {"Content-Type": FORM, "X-Slack-Request-Timestamp": now},
        "only-signature": {"Content-Type": FORM, "X-Slack-Signature": good},
        "empty-signature": headers(now, ""),
        "v1-scheme": headers(now, good.replace("v0=", "v1=")),
        "uppercase-hex": headers(now, good.upper()),
        "timestamp-not-a-number": headers("soon", sign(BODY, "soon")),
        "timestamp-negative": headers("-1", sign(BODY, "-1")),
        "timestamp-huge": headers("9" * 40, sign(BODY, "9" * 40)),
        "timestamp-with-spaces": headers(f" {now} ", sign(BODY, f" {now} ")),
        "signature-not-ascii": headers(now, "v0=é" + good[4:]),
        "signed-other-body": headers(now, sign(BODY + b"&x=1", now)),
    }[case]
    before = len(in_process.book.added_followups())
    answer = in_process.call("POST", "/slack/events", BODY, sent)
    assert answer.status == 401, answer.body
    assert b"invalid" in answer.body and b"Traceback" not in answer.body
    assert len(in_process.book.added_followups()) == before


class Clock:
    """Stands in for the ``time`` module in bot.web: only the wall clock is moved."""

    def __init__(self, now: float) -> None:
        self.now = now

    def time(self) -> float:
        return self.now

    def __getattr__(self, name: str) -> object:
        return getattr(time, name)


def test_a_replayed_request_is_refused_once_the_five_minute_window_has_passed(
    in_process: InProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Slack's scheme has no nonce: inside the window a copy is accepted (the reply is
    read-only here); after it, the same bytes and signature are refused."""
    sent_at = int(time.time())
    clock = Clock(sent_at)
    monkeypatch.setattr("bot.web.time", clock)
    body = command_form("/figure", "545")
    captured = {
        "Content-Type": FORM,
        "X-Slack-Request-Timestamp": str(sent_at),
        "X-Slack-Signature": sign(body, str(sent_at)),
    }
    assert in_process.call("POST", "/slack/events", body, captured).status == 200
    clock.now = sent_at + 5 * 60 + 1
    assert in_process.call("POST", "/slack/events", body, captured).status == 401


class Exploding(io.RawIOBase):
    def read(self, size: int = -1) -> bytes:
        raise AssertionError("the body was read")


@pytest.mark.parametrize("length", [str(MAX_BODY_BYTES + 1), "1000000000", "99999999999999999999"])
def test_an_oversized_body_is_refused_before_it_is_read(in_process: InProcess, length: str) -> None:
    status: list[str] = []
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/slack/events",
        "CONTENT_LENGTH": length,
        "CONTENT_TYPE": FORM,
        "wsgi.input": Exploding(),
    }
    in_process.wsgi(environ, lambda line, headers, exc=None: status.append(line))
    assert status == ["413 Content Too Large"]


@pytest.mark.parametrize(
    "body, content_type",
    [
        (b"payload=%7B%22type%22%3A%22block_actions%22%2C", FORM),  # cut-off JSON
        (b"payload=null", FORM),
        (b'payload={"type": 7}', FORM),
        pytest.param(b"payload=" + b"%5B" * 5000, FORM, id="deep-payload"),
        pytest.param(b"[" * 5000, "application/json", id="deep-json"),
        (b"a=1&&&b", FORM),
        (b"%ZZ", FORM),
        (b"command=%2Ffacts&text=x", FORM),  # no user
        (b'{"type": "event_callback"', "application/json"),
        (b'"a string"', "application/json"),
        (b"{" * 10_000, "application/json"),
        (b"\xef\xbb\xbf{}", "application/json"),  # a BOM
        (b"\xc3\x28", FORM),  # invalid UTF-8
    ],
)
def test_signed_but_malformed_bodies_get_400(
    in_process: InProcess, body: bytes, content_type: str
) -> None:
    answer = in_process.call(
        "POST", "/slack/events", body, headers_for(body, content_type=content_type)
    )
    assert answer.status == 400, answer.body
    assert in_process.call("GET", "/healthz").status == 200


def headers_for(body: bytes, content_type: str) -> dict[str, str]:
    ts = str(int(time.time()))
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": sign(body, ts),
    }


# --- over a real socket, against `newsbot serve` ------------------------------------------


def raw_exchange(served: Served, request: bytes, timeout: float = 5.0) -> bytes:
    with socket.create_connection(("127.0.0.1", served.port), timeout=timeout) as sock:
        sock.sendall(request)
        chunks = []
        while True:
            try:
                chunk = sock.recv(65536)
            except TimeoutError:
                break
            if not chunk:
                break
            chunks.append(chunk)
            if b"\r\n\r\n" in b"".join(chunks):
                break
        return b"".join(chunks)


@pytest.mark.slow
def test_the_server_survives_hostile_requests_and_stays_healthy(
    serve, tmp_path: Path, slack: SlackStandIn
) -> None:
    served: Served = serve(serve_env(tmp_path, slack))
    # A plain request first: what an answer costs on this machine at this moment.
    started = time.monotonic()
    assert raw_exchange(served, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").startswith(
        b"HTTP/1.1 200"
    )
    quiet = time.monotonic() - started
    started = time.monotonic()
    # Announces a gigabyte and sends none of it: answered at once, not after a read timeout.
    reply = raw_exchange(
        served,
        b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: " + FORM.encode() + b"\r\n"
        b"Content-Length: 1000000000\r\n\r\n",
    )
    assert reply.startswith(b"HTTP/1.1 413"), reply
    # Under 2 s more than the plain request (milliseconds on an idle machine); a server that
    # waited for the body would answer only at its 10 s body deadline.
    assert time.monotonic() - started < quiet + 2
    garbage = [
        b"GARBAGE\r\n\r\n",
        b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
        b"POST /slack/events HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        b"GET /" + b"a" * 10_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
        b"POST /slack/events HTTP/1.1\r\nHost: x\r\n" + b"X-A: b\r\n" * 200 + b"\r\n",
    ]
    for request in garbage:
        reply = raw_exchange(served, request)
        assert not reply.startswith(b"HTTP/1.1 5"), (request[:60], reply[:200])
    body = command_form("/figure", "545")
    unsigned = served.request("POST", "/slack/events", body, {"Content-Type": FORM})
    assert unsigned.status == 401
    assert served.post(body).status == 200
    health = served.request("GET", "/healthz", headers=HEALTH_DETAILS)
    assert health.status == 200 and health.json()["database"]["reachable"] is True
    assert "Traceback" not in served.text()
