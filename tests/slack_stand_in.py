"""A local stand-in for Slack's Web API and response_url endpoints.

It binds 127.0.0.1 on port 0, records every call, and answers the way Slack's API
reference shows: ``{"ok": true, ...}`` bodies, ``{"ok": false, "error": ...}`` for
errors (HTTP 200), HTTP 429 with ``Retry-After`` for rate limits, and whatever fault a
test scripts (HTTP 5xx, a dropped connection, a slow answer).
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

Json = dict[str, Any]


@dataclass
class Call:
    method: str  # "chat.postMessage", or "response_url" for posts to a response URL
    params: Json  # form fields or JSON body
    headers: dict[str, str]
    path: str


@dataclass
class Fault:
    status: int = 200  # 429, 500, 503, ...
    body: Json | None = None  # e.g. {"ok": False, "error": "channel_not_found"}
    retry_after: int | None = None
    drop: bool = False  # close the connection without answering
    drop_after: bool = False  # do the work (store a message), then close without answering
    delay: float = 0.0  # seconds before answering (for client timeouts)
    # Answer only once this is set (at most a minute): a slow Slack the test controls, so
    # nothing depends on which side of a delay a loaded machine happens to land.
    hold: threading.Event | None = None


@dataclass
class SlackStandIn:
    team_id: str = "T0NEWSROOM"
    bot_user_id: str = "U0NEWSBOT"
    socket_url: str | None = None  # what apps.connections.open returns
    # users.info answers for these ids (display names); others get user_not_found.
    users: dict[str, str] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    _faults: dict[str, deque[Fault]] = field(default_factory=dict)
    _handlers: dict[str, Callable[[Json], Json]] = field(default_factory=dict)
    _ts: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _messages: list[Json] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None

    # --- life cycle -------------------------------------------------------------------------

    def start(self) -> SlackStandIn:
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                stand_in._handle(self)

            def do_GET(self) -> None:
                stand_in._handle(self)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> SlackStandIn:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._server is not None, "start() the stand-in first"
        return int(self._server.server_address[1])

    @property
    def api_url(self) -> str:
        """The value for SLACK_API_URL / WebClient(base_url=...)."""
        return f"http://127.0.0.1:{self.port}/api/"

    def response_url(self, name: str = "1") -> str:
        """A response_url to put in a slash command or interaction payload."""
        return f"http://127.0.0.1:{self.port}/response/{name}"

    # --- scripting --------------------------------------------------------------------------

    def fail(self, method: str, *faults: Fault) -> None:
        """Answer the next calls of ``method`` with these faults, in order."""
        with self._lock:
            self._faults.setdefault(method, deque()).extend(faults)

    def on(self, method: str, handler: Callable[[Json], Json]) -> None:
        """Answer ``method`` with ``handler(params)`` instead of the default."""
        self._handlers[method] = handler

    def calls_to(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method]

    def methods(self) -> list[str]:
        with self._lock:
            return [c.method for c in self.calls]

    def clear(self) -> None:
        with self._lock:
            self.calls.clear()

    # --- serving ----------------------------------------------------------------------------

    def _handle(self, request: BaseHTTPRequestHandler) -> None:
        length = int(request.headers.get("Content-Length") or 0)
        raw = request.rfile.read(length) if length else b""
        path = urlsplit(request.path).path
        params = _parse_body(raw, request.headers.get("Content-Type", ""))
        query = parse_qs(urlsplit(request.path).query)
        for key, values in query.items():
            params.setdefault(key, values[-1])
        if path.startswith("/response/"):
            method = "response_url"
        elif path.startswith("/api/"):
            method = path[len("/api/") :]
        else:
            method = path
        call = Call(method, params, {k.lower(): v for k, v in request.headers.items()}, path)
        with self._lock:
            self.calls.append(call)
            queue = self._faults.get(method)
            fault = queue.popleft() if queue else None
        if fault is not None:
            if fault.delay:
                time.sleep(fault.delay)
            if fault.hold is not None:
                fault.hold.wait(60)
            if fault.drop or fault.drop_after:
                if fault.drop_after:
                    self._answer(call)  # Slack got it; the answer is lost on the way back
                request.close_connection = True
                request.connection.close()
                return
            if fault.status != 200 or fault.body is not None:
                headers = {}
                if fault.retry_after is not None:
                    headers["Retry-After"] = str(fault.retry_after)
                body = (
                    fault.body if fault.body is not None else {"ok": False, "error": "fatal_error"}
                )
                if fault.status == 429 and fault.body is None:
                    body = {"ok": False, "error": "ratelimited"}
                _send(request, fault.status, body, headers)
                return
        _send(request, 200, self._answer(call))

    def _answer(self, call: Call) -> Json:
        if call.method == "response_url":
            return {"ok": True}
        if call.method in self._handlers:
            return self._handlers[call.method](call.params)
        token = call.headers.get("authorization", "") or str(call.params.get("token", ""))
        if not token:
            return {"ok": False, "error": "not_authed"}
        if call.method == "auth.test":
            return {
                "ok": True,
                "url": "https://newsroom.example.slack.com/",
                "team": "Newsroom",
                "user": "newsbot",
                "team_id": self.team_id,
                "user_id": self.bot_user_id,
                "bot_id": "B0NEWSBOT",
            }
        if call.method == "chat.postMessage":
            channel = str(call.params.get("channel", ""))
            if not channel:
                return {"ok": False, "error": "channel_not_found"}
            ts = f"{1700000000 + next(self._ts)}.000100"
            message = {
                "type": "message",
                "ts": ts,
                "user": self.bot_user_id,
                "text": call.params.get("text", ""),
                "blocks": _maybe_json(call.params.get("blocks")),
                "metadata": _maybe_json(call.params.get("metadata")),
                "channel": channel,
            }
            with self._lock:
                self._messages.append(message)
            return {"ok": True, "channel": channel, "ts": ts, "message": message}
        if call.method == "chat.update":
            return self._update(call.params)
        if call.method == "users.info":
            user = str(call.params.get("user", ""))
            if user not in self.users:
                return {"ok": False, "error": "user_not_found"}
            name = self.users[user]
            profile = {"display_name": name, "real_name": name}
            return {"ok": True, "user": {"id": user, "real_name": name, "profile": profile}}
        if call.method == "conversations.history":
            channel = call.params.get("channel")
            with self._lock:
                found = [m for m in reversed(self._messages) if m["channel"] == channel]
            if str(call.params.get("include_all_metadata", "")).lower() not in {"1", "true"}:
                found = [{k: v for k, v in m.items() if k != "metadata"} for m in found]
            return {"ok": True, "messages": found, "has_more": False}
        if call.method in {"views.open", "views.publish", "views.update", "views.push"}:
            view = _maybe_json(call.params.get("view")) or {}
            return {"ok": True, "view": {"id": "V0VIEW", **view}}
        if call.method == "chat.postEphemeral":
            return {"ok": True, "message_ts": f"{1700000000 + next(self._ts)}.000200"}
        if call.method == "apps.connections.open":
            if self.socket_url is None:
                return {"ok": False, "error": "invalid_auth"}
            return {"ok": True, "url": self.socket_url}
        return {"ok": True}

    def _update(self, params: Json) -> Json:
        """chat.update as Slack documents it: the message in place, or message_not_found."""
        channel, ts = str(params.get("channel", "")), str(params.get("ts", ""))
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        if not params.get("text") and not params.get("blocks"):
            return {"ok": False, "error": "no_text"}
        with self._lock:
            message = next(
                (m for m in self._messages if m["channel"] == channel and m["ts"] == ts), None
            )
            if message is None:
                return {"ok": False, "error": "message_not_found"}
            message["text"] = params.get("text", "")
            message["blocks"] = _maybe_json(params.get("blocks"))
            message["edited"] = {"user": self.bot_user_id, "ts": f"{1700000000 + next(self._ts)}"}
            shown = {k: v for k, v in message.items() if k != "channel"}
        return {"ok": True, "channel": channel, "ts": ts, "text": shown["text"], "message": shown}

    def posted_messages(self) -> list[Json]:
        with self._lock:
            return [dict(m) for m in self._messages]

    def message(self, channel: str, ts: str) -> Json | None:
        """The message as the channel shows it now (after any chat.update)."""
        with self._lock:
            found = [m for m in self._messages if m["channel"] == channel and m["ts"] == ts]
        return dict(found[0]) if found else None


def _parse_body(raw: bytes, content_type: str) -> Json:
    if not raw:
        return {}
    text = raw.decode("utf-8", "replace")
    if "json" in content_type:
        try:
            loaded = json.loads(text)
        except ValueError:
            return {"_raw": text}
        return loaded if isinstance(loaded, dict) else {"_raw": loaded}
    return {k: v[-1] for k, v in parse_qs(text, keep_blank_values=True).items()}


def _maybe_json(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _send(
    request: BaseHTTPRequestHandler, status: int, body: Json, headers: dict[str, str] | None = None
) -> None:
    data = json.dumps(body).encode()
    request.send_response(status)
    request.send_header("Content-Type", "application/json; charset=utf-8")
    request.send_header("Content-Length", str(len(data)))
    for key, value in (headers or {}).items():
        request.send_header(key, value)
    request.end_headers()
    request.wfile.write(data)
