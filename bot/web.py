"""The WSGI handler: ``POST /slack/events`` through Bolt, ``GET /healthz``, nothing else.

Before Bolt sees a request this checks what Bolt 1.30 gets wrong or leaves to the server:
an oversized body is refused unread (413), Slack's ``ssl_check`` is answered without a
signature (Slack sends it unsigned), the signature is checked (401), a signed body Bolt could
not parse is refused (400) instead of crashing Bolt into a 500, an event Slack retries is
acknowledged without running it again, and an exact replay of a request that changes
something is acknowledged without running it twice. The body is parsed once, here, and Bolt
is handed the parsed payload (:func:`bolt_request`).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import unquote

from slack_bolt import App, BoltRequest, BoltResponse

from bot.config import Settings
from bot.request_ids import REQUEST_ID, new_request_id
from bot.slack.listeners import changes_something
from bot.slack.unhandled import REQUEST_NOTES

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

logger = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
# Most of Slack's payloads are a few KB, but a click on a message sends the whole message
# back (up to 50 blocks of 3,000 characters, or a Home view's 100), JSON- and then
# percent-encoded: several hundred KB. Anything larger is not from Slack and is not read.
MAX_BODY_BYTES = 1024 * 1024  # bot/front.py reads up to the same limit
MAX_CLOCK_SKEW_SECONDS = 5 * 60  # Slack's rule against replayed requests
MAX_LOGGED_QUERY = 200  # a query is a few words; a pasted paragraph is not log material
MAX_LOGGED_NAME = 100
ALREADY_DONE = (
    "Slack delivered that request twice; it was carried out once. "
    "Type `/followups` to see where things stand."
)
Health = Callable[[], tuple[int, dict[str, Any]]]
# What /healthz shows anyone: a platform's check needs the status, an operator comparing
# machines the desk version. Counts, channel ids, message ts and errors need the token.
PUBLIC_HEALTH = ("status", "desk")
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


def parse_slack_body(body: str, content_type: str) -> dict[str, Any] | str:
    """The payload of a signed body, shaped as Bolt's own parsing would shape it
    (slack_bolt.request.internals.parse_body), or why Bolt could not handle it."""
    if content_type == "application/json" or body.startswith("{"):
        return _json_object(body, "body")
    try:
        fields = parse_form(body)
    except ValueError:
        return "the body is not form-encoded"
    if "payload" in fields:
        return _interaction(fields["payload"])
    if "command" in fields:
        missing = [k for k in ("command", "text", "user_id") if k not in fields]
        return f"the slash command has no {', '.join(missing)}" if missing else dict(fields)
    if fields.get("ssl_check") == "1":
        return {**fields, "type": "ssl_check"}
    return "the form is neither a slash command nor an interaction payload"


def parse_form(body: str) -> dict[str, str]:
    """``dict(parse_qsl(body, keep_blank_values=True, strict_parsing=True))``, the same fields
    in about half the time (every Slack request is parsed here: issue 17's profile). ValueError
    for a field without "=" (an empty one too), as parse_qsl raises."""
    fields: dict[str, str] = {}
    if not body:
        return fields
    for field in body.split("&"):
        name, equals, value = field.partition("=")
        if not equals:
            raise ValueError(f"bad form field: {field[:40]!r}")
        # Most of Slack's fields need no decoding: look before calling (a call per field
        # was half of this function's cost).
        if "%" in name or "+" in name:
            name = _unquote_plus(name)
        if "%" in value or "+" in value:
            value = _unquote_plus(value)
        fields[name] = value
    return fields


def _unquote_plus(text: str) -> str:
    if "+" in text:
        text = text.replace("+", " ")
    return _unquote(text) if "%" in text else text


# Every way to write an escape of an ASCII character ("%2F", "%2f"): such a byte is a whole
# UTF-8 character on its own, so it can be replaced in the text directly.
_ASCII_ESCAPES = {
    f"{high}{low}": chr(code)
    for code in range(128)
    for high in {f"{code >> 4:X}", f"{code >> 4:x}"}
    for low in {f"{code & 15:X}", f"{code & 15:x}"}
}


def _unquote(text: str) -> str:
    """``urllib.parse.unquote(text)``, in a third of the time when every escape is of an
    ASCII character (Slack's URLs and command names: "%2F", "%3A"); unquote itself otherwise."""
    head, *escaped = text.split("%")
    parts = [head]
    for part in escaped:
        character = _ASCII_ESCAPES.get(part[:2])
        if character is None:
            return unquote(text)
        parts += (character, part[2:])
    return "".join(parts)


def malformed_reason(body: str, content_type: str) -> str | None:
    """Why Bolt could not handle this signed body, or None when it can."""
    parsed = parse_slack_body(body, content_type)
    return parsed if isinstance(parsed, str) else None


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


def _json_object(text: str, what: str) -> dict[str, Any] | str:
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):  # deeply nested JSON exhausts the parser's stack
        return f"the {what} is not JSON"
    if not isinstance(data, dict) or not isinstance(data.get("type"), str):
        return f"the {what} is not a Slack payload (no type)"
    return data


def _interaction(text: str) -> dict[str, Any] | str:
    """An interaction payload with the shape Bolt 1.30 relies on without checking.

    Bolt raises inside its own error handling (an uncaught 500) on a ``block_actions``
    without actions or a view payload whose view has no type.
    """
    payload = _json_object(text, "payload")
    if isinstance(payload, str):
        return payload
    kind = payload["type"]
    actions = payload.get("actions")
    if kind == "block_actions" and not (
        isinstance(actions, list) and actions and all(isinstance(a, dict) for a in actions)
    ):
        return "the block_actions payload has no actions"
    view = payload.get("view")
    if kind.startswith("view_") and not (
        isinstance(view, dict) and isinstance(view.get("type"), str)
    ):
        return f"the {kind} payload has no view"
    return payload


def bolt_request(payload: dict[str, Any], environ: WSGIEnvironment) -> BoltRequest:
    """The request as Bolt dispatches it, with the payload parsed here rather than again.

    BoltRequest takes a parsed ``dict`` body only outside its "http" mode, whose one other
    effect is to skip Bolt's signature check: that check is off anyway, since this module
    made it before (see bot/slack/bolt_app.py). Parsing once also keeps a slash command whose
    text says "payload" a slash command: Bolt 1.30 takes any form body containing that word
    for an interaction.
    """
    headers: dict[str, str | Sequence[str]] = {
        key[5:].lower().replace("_", "-"): str(value)
        for key, value in environ.items()
        if key.startswith("HTTP_")
    }
    headers["content-type"] = str(environ.get("CONTENT_TYPE", ""))
    query = str(environ.get("QUERY_STRING", ""))
    return BoltRequest(body=payload, query=query, headers=headers, mode="socket_mode")


def _send_bolt_response(start_response: StartResponse, response: BoltResponse) -> list[bytes]:
    body = response.body.encode("utf-8")
    headers = [
        (name, value)
        for name, values in response.headers.items()
        if name.lower() != "content-length"
        for value in values
    ]
    headers.append(("Content-Length", str(len(body))))
    start_response(f"{response.status} {HTTPStatus(response.status).phrase}", headers)
    return [body]


def _health_token_ok(environ: WSGIEnvironment, token: str | None) -> bool:
    """``Authorization: Bearer <NEWSBOT_HEALTH_TOKEN>``; without a token set, never."""
    if not token:
        return False
    given = str(environ.get("HTTP_AUTHORIZATION", ""))
    return hmac.compare_digest(given.encode("utf-8", "replace"), f"Bearer {token}".encode())


class SharedSeen(Protocol):
    def first_time(self, signature: str, expires: datetime, now: datetime) -> bool: ...


class ReplayGuard:
    """Signatures of requests that change something, kept while Slack would still accept them.

    A signature covers the timestamp and the exact body, and Slack sends each request once
    (an event it retries is marked, and handled apart): the same signature twice inside the
    5-minute window is a replay. Kept in this process's memory and, with ``shared`` (the
    database, bot/store/seen.py), for every process: a replay sent to another worker or
    machine is caught there.
    """

    def __init__(self, shared: SharedSeen | None = None, most: int = 100_000) -> None:
        self._lock = threading.Lock()
        self._seen: dict[str, float] = {}  # signature -> when it stops being accepted
        self._most = most
        self._shared = shared

    def first_time(self, signature: str, timestamp: int, now: float) -> bool:
        expires = timestamp + MAX_CLOCK_SKEW_SECONDS
        with self._lock:
            if signature in self._seen:
                return False
            if len(self._seen) >= self._most:
                self._seen = {k: t for k, t in self._seen.items() if t >= now}
            if len(self._seen) >= self._most:  # still full: forget the oldest
                self._seen.pop(next(iter(self._seen)))
            self._seen[signature] = expires
        if self._shared is None:
            return True
        return self._shared.first_time(
            signature, datetime.fromtimestamp(expires, UTC), datetime.fromtimestamp(now, UTC)
        )


def make_wsgi_handler(
    settings: Settings, app: App, health: Health, seen: SharedSeen | None = None
) -> WSGIApplication:
    """The WSGI callable gunicorn serves: Slack's requests to the Bolt ``app``, checked first,
    and ``/healthz`` answered from ``health``. SettingsError without SLACK_SIGNING_SECRET."""
    settings.require("SLACK_SIGNING_SECRET")
    secret = settings.slack_signing_secret or ""
    guard = ReplayGuard(seen)

    def newsbot_wsgi(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "GET")
        if path == HEALTH_PATH:
            if method not in {"GET", "HEAD"}:
                return _send(start_response, 405, {"error": "use GET"}, allow="GET, HEAD")
            status, data = health()
            if not _health_token_ok(environ, settings.health_token):
                data = {k: data[k] for k in PUBLIC_HEALTH if k in data}
            return _send(start_response, status, data, head=method == "HEAD")
        if path != EVENTS_PATH:
            return _send(start_response, 404, {"error": "not found"})
        if method != "POST":
            return _send(start_response, 405, {"error": "use POST"}, allow="POST")
        return _slack_request(environ, start_response, _Checks(secret, app, guard))

    return newsbot_wsgi


class _Checks:
    """What every Slack request is checked against, shared by the requests of one app."""

    def __init__(self, secret: str, app: App, guard: ReplayGuard) -> None:
        self.secret = secret
        self.app = app
        self.guard = guard


def _slack_request(
    environ: WSGIEnvironment, start_response: StartResponse, checks: _Checks
) -> Iterable[bytes]:
    """One Slack request through Bolt, logged in one line whatever the outcome."""
    started = time.perf_counter()
    request_id = new_request_id()
    statuses: list[int] = []

    def recording_start_response(status: str, headers: list[tuple[str, str]], *exc: Any) -> Any:
        statuses.append(int(status.split(" ", 1)[0]))
        return start_response(status, headers, *exc)

    payload: dict[str, Any] = {}
    notes: dict[str, str] = {}
    token = REQUEST_ID.set(request_id)
    noting = REQUEST_NOTES.set(notes)
    try:
        return _verified_request(environ, recording_start_response, checks, payload, notes)
    finally:
        REQUEST_NOTES.reset(noting)
        REQUEST_ID.reset(token)
        log_slack_request(
            request_id,
            "http",
            payload,
            statuses[-1] if statuses else 500,
            time.perf_counter() - started,
            retry=str(environ.get("HTTP_X_SLACK_RETRY_NUM", "")),
            notes=notes,
        )


def _verified_request(
    environ: WSGIEnvironment,
    start_response: StartResponse,
    checks: _Checks,
    payload: dict[str, Any],
    notes: dict[str, str],
) -> Iterable[bytes]:
    """Checks, then Bolt; fills ``payload`` once the request is known to come from Slack."""
    length_text = str(environ.get("CONTENT_LENGTH") or "").strip()
    if not length_text.isdigit():
        return _send(start_response, 411, {"error": "Content-Length required"})
    if int(length_text) > MAX_BODY_BYTES:
        return _send(start_response, 413, {"error": "body too large"})
    raw = environ["wsgi.input"].read(int(length_text))
    if is_ssl_check(raw):
        # Slack checks the certificate with an unsigned form; nothing runs, nothing is read.
        payload["type"] = "ssl_check"
        return _send_empty(start_response)
    timestamp = str(environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP", ""))
    signature = str(environ.get("HTTP_X_SLACK_SIGNATURE", ""))
    now = time.time()
    if not signature_ok(checks.secret, raw, timestamp, signature, now):
        return _send(start_response, 401, {"error": "invalid request"})
    try:
        body = raw.decode("utf-8")
    except UnicodeDecodeError:
        return _send(start_response, 400, {"error": "the body is not UTF-8"})
    content_type = str(environ.get("CONTENT_TYPE", "")).split(";")[0].strip().lower()
    parsed = parse_slack_body(body, content_type)
    if isinstance(parsed, str):
        logger.warning("refused a signed but malformed request: %s", parsed)
        return _send(start_response, 400, {"error": parsed})
    payload.update(parsed)
    return _run_once(
        environ, start_response, checks, parsed, notes, (signature, int(timestamp), now)
    )


def _run_once(
    environ: WSGIEnvironment,
    start_response: StartResponse,
    checks: _Checks,
    parsed: dict[str, Any],
    notes: dict[str, str],
    signed: tuple[str, int, float],  # signature, timestamp, when it was checked
) -> Iterable[bytes]:
    """A verified request through Bolt, unless it is a retry or replay of one already run."""
    if environ.get("HTTP_X_SLACK_RETRY_NUM") and parsed.get("type") == "event_callback":
        # Slack retries an event it thinks was missed; the first delivery was acknowledged
        # at once and its work is done or under way: running it again would repeat it.
        notes["skipped"] = "retry"
        return _send_empty(start_response)
    if changes_something(parsed) and not checks.guard.first_time(*signed):
        notes["skipped"] = "replay"
        return _already_done(start_response, parsed)
    try:
        response = checks.app.dispatch(bolt_request(parsed, environ))
        return _send_bolt_response(start_response, response)
    except Exception:
        # Bolt's own error path can raise; answer as a server, never with a bare crash.
        logger.exception("Bolt failed on a verified request (reference %s)", REQUEST_ID.get())
        return _send(start_response, 500, {"error": "internal error", "ref": REQUEST_ID.get()})


def is_ssl_check(raw: bytes) -> bool:
    """Slack's certificate check: ``ssl_check=1`` (and its token), no command or payload."""
    if b"ssl_check=1" not in raw or len(raw) > 1000:
        return False
    try:
        fields = parse_form(raw.decode("ascii"))
    except (UnicodeDecodeError, ValueError):
        return False
    return fields.get("ssl_check") == "1" and not {"command", "payload"} & fields.keys()


def _already_done(start_response: StartResponse, parsed: dict[str, Any]) -> list[bytes]:
    if "command" in parsed:
        return _send(start_response, 200, {"response_type": "ephemeral", "text": ALREADY_DONE})
    return _send_empty(start_response)


def _send_empty(start_response: StartResponse) -> list[bytes]:
    start_response("200 OK", [("Content-Length", "0"), ("Cache-Control", "no-store")])
    return []


# --- the request log ----------------------------------------------------------------------


def describe_request(payload: Mapping[str, Any]) -> dict[str, str]:
    """What a Slack request asked for, for the log.

    Only named fields are picked: never the legacy verification token, a response_url (it
    lets anyone post to the channel for 30 minutes), a trigger id or a message body. The
    query typed after a slash command is kept, since it is what an operator needs.
    An empty payload means the request was refused before it was known to come from Slack.
    """
    if not payload:
        return {"kind": "unverified", "command": "-"}
    user, team = _who(payload)
    described = {"kind": "slash_command" if "command" in payload else str(payload.get("type"))}
    described["command"] = _what(payload)
    if "command" in payload:
        described["query"] = loggable_query(str(payload["command"]), str(payload.get("text", "")))
    if user:
        described["user"] = user
    if team:
        described["team"] = team
    return {k: v[:MAX_LOGGED_NAME] if k != "query" else v for k, v in described.items()}


# Words after these are a newsroom's unpublished notes or drafts: the log keeps what was
# asked (the sub-command and the follow-up id), never the text.
_PRIVATE_TEXT = {"/followups": {"add": 1, "resolve": 2}, "/check": {"": 0}}


def loggable_query(command: str, text: str) -> str:
    """The query as the request log keeps it: search words yes, notes and drafts no."""
    private = _PRIVATE_TEXT.get(command)
    words = text.split()
    if private is None or not words:
        return text[:MAX_LOGGED_QUERY]
    keep = private.get(words[0].lower(), private.get(""))
    if keep is None or len(words) <= keep:
        return text[:MAX_LOGGED_QUERY]
    kept = " ".join(words[:keep])
    withheld = f"({len(text) - len(kept)} characters not logged)"
    return f"{kept} {withheld}" if kept else withheld


def _what(payload: Mapping[str, Any]) -> str:
    kind = payload.get("type")
    if "command" in payload:
        return str(payload["command"])
    if kind == "block_actions":
        actions = payload.get("actions") or []
        return ",".join(str(a.get("action_id", "")) for a in actions if isinstance(a, dict))
    if kind in {"view_submission", "view_closed"}:
        return str(_mapping(payload.get("view")).get("callback_id", ""))
    if kind in {"shortcut", "message_action"}:
        return str(payload.get("callback_id", ""))
    if kind == "event_callback":
        return str(_mapping(payload.get("event")).get("type", ""))
    return str(kind)


def _who(payload: Mapping[str, Any]) -> tuple[str, str]:
    """Slack IDs (not names) of the user and workspace: not secret, and needed to help someone."""
    user = payload.get("user_id") or _mapping(payload.get("user")).get("id")
    user = user or _mapping(payload.get("event")).get("user")
    team = payload.get("team_id") or _mapping(payload.get("team")).get("id")
    return str(user or ""), str(team or "")


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def log_slack_request(
    request_id: str,
    mode: str,
    payload: Mapping[str, Any],
    status: int,
    seconds: float,
    *,
    retry: str = "",
    notes: Mapping[str, str] | None = None,
) -> None:
    """One line per Slack request: id, what was asked, outcome and latency; ``notes`` say
    what was skipped (a retry, a replay) or that no listener handled it."""
    level = logging.ERROR if status >= 500 else logging.INFO
    if not logger.isEnabledFor(level):
        return
    described = describe_request(payload)
    outcome = "ok" if status < 400 else "refused" if status < 500 else "error"
    fields: dict[str, Any] = {
        "request_id": request_id,
        "mode": mode,
        **described,
        "status": status,
        "outcome": outcome,
        "latency_ms": round(seconds * 1000, 1),
    }
    if retry:
        fields["retry"] = retry
    fields.update(notes or {})
    # As logger.log does, less its search of the stack for the caller's file and line (a
    # tenth of a served request's CPU, issue 17: no format prints them), with the message
    # written out here, so no handler formats it again, and the fields set as makeRecord's
    # extra sets them, less its check that none is a LogRecord attribute: these never are.
    message = f"{described['command']} {status} {outcome}"
    record = logging.getLogRecordFactory()(logger.name, level, __file__, 0, message, None, None)
    record.__dict__.update(fields)
    logger.handle(record)


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
