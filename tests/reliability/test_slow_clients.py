"""Slow and hostile clients cannot take `newsbot serve` offline (issue 13, finding 2).

Fifty clients drip their headers or their bodies a byte at a time into the real served app
(one worker, as `serve_env` sets it); meanwhile /healthz and a signed /facts must answer
within a second (of what the same request takes without them, on the same machine at
the same moment), and each slow client is cut off with 408 once its deadline has passed.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from bot.front import BODY_DEADLINE_S, HEADER_DEADLINE_S
from tests.reliability.conftest import Served, command_form, serve_env, signed_headers
from tests.slack_stand_in import SlackStandIn

SLOW_CLIENTS = 50
ANSWER_WITHIN_S = 1.0
DRIP_EVERY_S = 0.2  # the pace of the drip (not a wait: nothing is waited for here)


@contextmanager
def dripping_clients(port: int, count: int) -> Iterator[list[socket.socket]]:
    """``count`` connections, half dripping headers and half a body, one byte per tick."""
    clients: list[socket.socket] = []
    stop = threading.Event()
    headers = b"POST /slack/events HTTP/1.1\r\nHost: newsbot\r\n"
    body_head = headers + b"Content-Type: application/x-www-form-urlencoded\r\n"
    body_head += b"Content-Length: 4000\r\n\r\ncommand=/facts&text="
    for n in range(count):
        client = socket.create_connection(("127.0.0.1", port), timeout=30)
        client.sendall(headers if n % 2 == 0 else body_head)
        clients.append(client)

    def drip() -> None:
        while not stop.wait(DRIP_EVERY_S):  # paces the drip; the test never waits on it
            for n, client in enumerate(clients):
                try:
                    client.send(b"X-Drip: y\r\n" if n % 2 == 0 else b"a")
                except OSError:  # cut off by the server: as it should be
                    continue

    dripper = threading.Thread(target=drip, daemon=True)
    dripper.start()
    try:
        yield clients
    finally:
        stop.set()
        dripper.join(timeout=10)
        for client in clients:
            client.close()


def timed_request(served: Served, method: str, path: str, body: bytes, headers: dict) -> float:
    """Seconds until the whole answer is in (the connection gives up after 15 s)."""
    connection = served.connection()
    started = time.monotonic()
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        data = response.read()
    finally:
        connection.close()
    assert response.status == 200, data
    return time.monotonic() - started


def read_until_closed(client: socket.socket) -> bytes:
    """Everything the server sends before closing (bounded by the socket's timeout)."""
    received = b""
    try:
        while chunk := client.recv(4096):
            received += chunk
    except ConnectionResetError:
        # The server closed while this client was still dripping: its kernel may answer the
        # next byte with a reset. What it had sent before (the 408) was received all the same.
        pass
    return received


def slowest_answer(served: Served, rounds: int = 5) -> float:
    """The slowest of ``rounds`` answers to /healthz and to a signed /facts, in seconds."""
    times = []
    for _ in range(rounds):
        times.append(timed_request(served, "GET", "/healthz", b"", {}))
        form = command_form("/facts", "545")
        times.append(timed_request(served, "POST", "/slack/events", form, signed_headers(form)))
    return max(times)


@pytest.mark.slow
def test_fifty_slow_clients_do_not_stop_health_checks_or_commands(
    serve, tmp_path: Path, slack: SlackStandIn
) -> None:
    served: Served = serve(serve_env(tmp_path, slack, WEB_THREADS="8"))
    # The same requests without slow clients, before and after them, on the same machine at
    # the same moment: what answering costs while other jobs share the cores. The slow
    # clients may add less than ANSWER_WITHIN_S to that; on an idle machine a quiet answer
    # takes milliseconds, so this is issue 13's "within a second". A server held up by the
    # drippers answers only when their 5 s deadline cuts them off, far above either bound.
    quiet = slowest_answer(served)
    with dripping_clients(served.port, SLOW_CLIENTS) as clients:
        while_dripping = slowest_answer(served)
        # Dripping does not extend a deadline: each slow client is answered 408 and closed,
        # the header drippers after HEADER_DEADLINE_S, the body drippers after at most
        # HEADER_DEADLINE_S + BODY_DEADLINE_S (each socket waits at most 30 s for it).
        started = time.monotonic()
        answers = [read_until_closed(client) for client in clients]
        assert time.monotonic() - started < HEADER_DEADLINE_S + BODY_DEADLINE_S + 5
    quiet = max(quiet, slowest_answer(served))
    assert while_dripping < quiet + ANSWER_WITHIN_S, (while_dripping, quiet)
    for answer in answers:
        assert answer.startswith(b"HTTP/1.1 408 "), answer[:80]
    assert "Traceback" not in served.text()
