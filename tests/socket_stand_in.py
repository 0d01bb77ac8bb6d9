"""A local stand-in for Slack's Socket Mode WebSocket: sends one envelope, collects the acks."""

from __future__ import annotations

import json
import queue
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from websockets.sync.server import ServerConnection, serve

from tests import slack_requests
from tests.slack_stand_in import SlackStandIn


def slash_command_envelope(
    envelope_id: str, command: str, text: str, *, user: str, team: str, response_url: str
) -> dict[str, Any]:
    """A slash command as Socket Mode delivers it."""
    fields = slack_requests.slash_command_fields(
        command, text, user=user, team=team, response_url=response_url
    )
    return {
        "envelope_id": envelope_id,
        "type": "slash_commands",
        "accepts_response_payload": True,
        "payload": fields,
    }


@contextmanager
def socket_mode(slack: SlackStandIn, envelope: dict[str, Any]) -> Iterator[queue.Queue[Any]]:
    """Serve a WebSocket on 127.0.0.1 port 0 that ``apps.connections.open`` points to.

    Each connection gets Slack's ``hello`` and then ``envelope``; every message the app
    sends back (its acks) lands in the yielded queue.
    """
    acks: queue.Queue[Any] = queue.Queue()

    def session(connection: ServerConnection) -> None:
        connection.send(json.dumps({"type": "hello", "num_connections": 1}))
        connection.send(json.dumps(envelope))
        for message in connection:
            acks.put(json.loads(message))

    with _serving(slack, session):
        yield acks


@contextmanager
def _serving(slack: SlackStandIn, session: Callable[[ServerConnection], None]) -> Iterator[None]:
    """A WebSocket server on 127.0.0.1 port 0 running ``session`` for each connection, with
    ``apps.connections.open`` pointing to it, until the block ends."""
    with serve(session, "127.0.0.1", 0) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        slack.socket_url = f"ws://127.0.0.1:{server.socket.getsockname()[1]}/link"
        try:
            yield
        finally:
            server.shutdown()


class SocketLink:
    """The open WebSocket of :func:`socket_link`: envelopes go out as the test sends them."""

    def __init__(self) -> None:
        self.outbox: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self.acks: queue.Queue[Any] = queue.Queue()

    def send(self, envelope: dict[str, Any]) -> None:
        self.outbox.put(envelope)

    def ack_for(self, envelope_id: str, timeout: float = 30.0) -> dict[str, Any]:
        """The app's ack of ``envelope_id`` (acks of other envelopes are kept in order)."""
        while True:
            ack = self.acks.get(timeout=timeout)
            if ack.get("envelope_id") == envelope_id:
                return dict(ack)


@contextmanager
def socket_link(slack: SlackStandIn) -> Iterator[SocketLink]:
    """Like :func:`socket_mode`, but each envelope is sent when the test calls ``send``."""
    link = SocketLink()

    def session(connection: ServerConnection) -> None:
        connection.send(json.dumps({"type": "hello", "num_connections": 1}))

        def forward() -> None:
            while (envelope := link.outbox.get()) is not None:
                connection.send(json.dumps(envelope))

        threading.Thread(target=forward, daemon=True).start()
        for message in connection:
            link.acks.put(json.loads(message))

    with _serving(slack, session):
        try:
            yield link
        finally:
            link.outbox.put(None)
