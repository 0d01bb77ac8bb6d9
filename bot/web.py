"""The WSGI app: ``POST /slack/events`` through Bolt, ``GET /healthz``, nothing else.

Before Bolt sees a request this checks what Bolt 1.30 gets wrong or leaves to the server:
an oversized body is refused unread (413), the signature is checked (401), and a signed
body Bolt could not parse is refused (400) instead of crashing Bolt into a 500.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import logging
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

from bot.config import Settings

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

logger = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
# Slack's payloads are a few KB; a large body is not from Slack and is not read.
MAX_BODY_BYTES = 64 * 1024
MAX_CLOCK_SKEW_SECONDS = 5 * 60  # Slack's rule against replayed requests
Health = Callable[[], tuple[int, dict[str, Any]]]
_REASONS = {
    200: "OK",
    400: "Bad Request",
    401: "Unauthorized",
    404: "Not Found",
    405: "Method Not Allowed",
    411: "Length Required",
    413: "Content Too Large",
    503: "Service Unavailable",
}


def malformed_reason(body: str, content_type: str) -> str | None:
    """Why Bolt could not handle this signed body, or None when it can.

    Mirrors Bolt's own parsing (slack_bolt.request.internals.parse_body) so that every body
    let through parses the same way there.
    """
    if content_type == "application/json" or body.startswith("{"):
        return _json_object_reason(body, "body")
    try:
        fields = dict(parse_qsl(body, keep_blank_values=True, strict_parsing=True))
    except ValueError:
        return "the body is not form-encoded"
    if "payload" in fields:
        return _json_object_reason(fields["payload"], "payload")
    if "command" in fields:
        missing = [k for k in ("command", "text", "user_id") if k not in fields]
        return f"the slash command has no {', '.join(missing)}" if missing else None
    if fields.get("ssl_check") == "1":
        return None
    return "the form is neither a slash command nor an interaction payload"


def signature_ok(secret: str, raw: bytes, timestamp: str, signature: str, now: float) -> bool:
    """Slack's v0 scheme over the raw bytes; any odd header is simply not valid.

    (slack_sdk's SignatureVerifier raises on a non-numeric timestamp or a non-UTF-8 body.)
    """
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12):
        return False
    if abs(now - int(timestamp)) > MAX_CLOCK_SKEW_SECONDS:
        return False
    base = b"v0:" + timestamp.encode() + b":" + raw
    expected = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace"))


def _json_object_reason(text: str, what: str) -> str | None:
    try:
        data = json.loads(text)
    except ValueError:
        return f"the {what} is not JSON"
    if not isinstance(data, dict) or not isinstance(data.get("type"), str):
        return f"the {what} is not a Slack payload (no type)"
    return None


def make_wsgi_app(settings: Settings, app: App, health: Health) -> WSGIApplication:
    settings.require("SLACK_SIGNING_SECRET")
    secret = settings.slack_signing_secret or ""
    bolt = SlackRequestHandler(app, path=EVENTS_PATH)

    def newsbot_wsgi(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "GET")
        if path == HEALTH_PATH:
            if method not in {"GET", "HEAD"}:
                return _send(start_response, 405, {"error": "use GET"}, allow="GET, HEAD")
            status, data = health()
            return _send(start_response, status, data, head=method == "HEAD")
        if path != EVENTS_PATH:
            return _send(start_response, 404, {"error": "not found"})
        if method != "POST":
            return _send(start_response, 405, {"error": "use POST"}, allow="POST")
        return _slack_request(environ, start_response, secret, bolt)

    return newsbot_wsgi


def _slack_request(
    environ: WSGIEnvironment,
    start_response: StartResponse,
    secret: str,
    bolt: SlackRequestHandler,
) -> Iterable[bytes]:
    length_text = str(environ.get("CONTENT_LENGTH") or "").strip()
    if not length_text.isdigit():
        return _send(start_response, 411, {"error": "Content-Length required"})
    if int(length_text) > MAX_BODY_BYTES:
        return _send(start_response, 413, {"error": "body too large"})
    raw = environ["wsgi.input"].read(int(length_text))
    timestamp = str(environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP", ""))
    signature = str(environ.get("HTTP_X_SLACK_SIGNATURE", ""))
    if not signature_ok(secret, raw, timestamp, signature, time.time()):
        return _send(start_response, 401, {"error": "invalid request"})
    try:
        body = raw.decode("utf-8")
    except UnicodeDecodeError:
        return _send(start_response, 400, {"error": "the body is not UTF-8"})
    content_type = str(environ.get("CONTENT_TYPE", "")).split(";")[0].strip().lower()
    reason = malformed_reason(body, content_type)
    if reason is not None:
        logger.warning("refused a signed but malformed request: %s", reason)
        return _send(start_response, 400, {"error": reason})
    # Bolt reads the body again and checks the signature itself too.
    forwarded = {**environ, "wsgi.input": io.BytesIO(raw), "CONTENT_LENGTH": str(len(raw))}
    return bolt(forwarded, start_response)


def _send(
    start_response: StartResponse,
    status: int,
    data: dict[str, Any],
    *,
    allow: str | None = None,
    head: bool = False,
) -> list[bytes]:
    payload = json.dumps(data, default=str).encode()
    headers = [
        ("Content-Type", "application/json; charset=utf-8"),
        ("Content-Length", str(len(payload))),
        ("Cache-Control", "no-store"),
    ]
    if allow:
        headers.append(("Allow", allow))
    start_response(f"{status} {_REASONS.get(status, 'Error')}", headers)
    return [] if head else [payload]
