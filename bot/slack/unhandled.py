"""Requests no listener handles: answered 2xx, and where a person acted, told what to do instead.

Slack shows a person an error for a non-2xx answer to a click, and retries an event answered
with one. A button on a reminder posted before an upgrade, another app's shortcut sent to this
URL by a misconfigured manifest, or an event subscription the app does not use must therefore
all be acknowledged. Bolt answers them 404 with a multi-line warning; the app asks Bolt to hand
them to its error handler instead (``raise_error_for_unhandled_request``), which calls
:func:`answer_unhandled`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from slack_bolt import BoltResponse

from bot.slack.listeners import reply_message
from bot.slack.services import Services

# Words for the request's one log line (bot.web sets a fresh dict around each request): that
# no listener handled it, or why it was refused.
REQUEST_NOTES: ContextVar[dict[str, str] | None] = ContextVar("newsbot_notes", default=None)


def note(key: str, value: str) -> None:
    notes = REQUEST_NOTES.get()
    if notes is not None:
        notes[key] = value


WHAT_THERE_IS = "Type `/facts help` to see what Newsbot answers."
OLD_CONTROL = (
    "That button or menu is from an older Newsbot message (or another app's) and does "
    "nothing now. Run the command again for fresh buttons. " + WHAT_THERE_IS
)
NO_SHORTCUT = "Newsbot has no such shortcut (it may have been removed in an update). " + (
    WHAT_THERE_IS
)
OLD_FORM = "That form is from an older version of Newsbot and nothing was saved. " + (WHAT_THERE_IS)
# Interactions with a response_url: what the person is told, by payload type.
TOLD = {
    "block_actions": OLD_CONTROL,
    "interactive_message": OLD_CONTROL,
    "message_action": NO_SHORTCUT,
    "dialog_submission": OLD_FORM,
}
# Menus ask for their options: an empty list is a valid answer, an error is not.
OPTION_REQUESTS = frozenset({"block_suggestion", "dialog_suggestion"})


def kind_of(body: dict[str, Any]) -> str:
    if "command" in body:
        return "slash_command"
    if body.get("type") == "event_callback":
        event = body.get("event")
        return f"event:{event.get('type') if isinstance(event, dict) else '?'}"
    return str(body.get("type") or "unknown")


def answer_unhandled(
    body: dict[str, Any],
    services: Services | None,
    tell: Callable[[str, dict[str, Any]], None],
) -> BoltResponse:
    """The acknowledgement for a request no listener took; ``tell(url, message)`` posts to a
    response_url after the acknowledgement (never before: Slack waits 3 seconds at most)."""
    kind = kind_of(body)
    note("listener", "none")
    if kind == "slash_command" and services is not None:
        # A command the manifest gained before the code did: the router lists what there is.
        reply = services.router.handle(
            str(body.get("command", "")),
            str(body.get("text") or ""),
            str(body.get("user_id", "")),
            services.clock(),
        )
        return _json(reply_message(reply, services.render))
    if kind in OPTION_REQUESTS:
        return _json({"options": []})
    response_url = body.get("response_url")
    if kind in TOLD and isinstance(response_url, str) and response_url:
        tell(
            response_url,
            {"text": TOLD[kind], "response_type": "ephemeral", "replace_original": False},
        )
    return BoltResponse(status=200, body="")


def _json(data: dict[str, Any]) -> BoltResponse:
    return BoltResponse(
        status=200, body=json.dumps(data), headers={"content-type": "application/json"}
    )
