"""Bolt listeners: plain functions with Bolt's injected arguments, registered in app.py.

Replies to commands are built before ``ack`` and returned in the HTTP response itself;
anything that calls Slack (views.open, views.publish, response_url) runs after ``ack``
as a Bolt lazy listener, wrapped by :func:`after_ack` so a failure is logged with its
traceback and the user is told.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from typing import Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.webhook import WebhookClient

from bot.desk.model import Action
from bot.replies import commands
from bot.replies.blocks import escape_mrkdwn, fallback_text, notice_block, shared_by
from bot.replies.changes import Refused, apply_change, check_change, confirmation
from bot.replies.home import home_reply
from bot.replies.modals import LINK_BLOCK, NOTE_BLOCK, read_resolution, resolve_modal
from bot.replies.reply import Reply
from bot.replies.visibility import without_notes
from bot.request_ids import reference_id
from bot.slack.client import API_TIMEOUT_SECONDS, retry_handlers
from bot.slack.services import Blocks, Services, services_of

logger = logging.getLogger(__name__)

SHARE_ACTION = "share_reply"
RESOLVE_ACTION = "followup_resolve"
REOPEN_ACTION = "followup_reopen"
SNOOZE_ACTIONS = {
    "followup_snooze_1d": timedelta(days=1),
    "followup_snooze_1w": timedelta(weeks=1),
}
FOLLOWUP_ACTIONS = (RESOLVE_ACTION, REOPEN_ACTION, *SNOOZE_ACTIONS)


# --- helpers ------------------------------------------------------------------------------


def reply_message(reply: Reply, render: Callable[[Reply], Blocks]) -> dict[str, Any]:
    return {
        "text": fallback_text(reply),
        "blocks": render(reply),
        "response_type": reply.visibility,
    }


def post_to_response_url(
    url: str | None, message: dict[str, Any], timeout: int = API_TIMEOUT_SECONDS
) -> bool:
    """True when Slack accepted the message; False (logged) when it did not or may not have.
    ``timeout`` is the Web API client's (see bot.slack.client.make_client), so tests can
    shorten it."""
    return send_to_response_url(url, message, timeout) == "sent"


def send_to_response_url(
    url: str | None, message: dict[str, Any], timeout: int = API_TIMEOUT_SECONDS
) -> str:
    """``sent``, ``refused`` (Slack answered, and not with 200) or ``unknown`` (the connection
    failed: Slack may have posted it).

    A message for the channel is retried only when Slack said it was rate limited, which means
    it was not posted: a dropped connection or a 5xx after Slack accepted it would post it twice.
    """
    if not url:
        return "refused"
    public = message.get("response_type") == "in_channel"
    handlers: list[RetryHandler] = (
        [RateLimitErrorRetryHandler(max_retry_count=2)] if public else retry_handlers()
    )
    webhook = WebhookClient(url, timeout=timeout, retry_handlers=handlers)
    try:
        response = webhook.send_dict(message)
    except OSError as error:  # URLError, connection reset, timeout
        logger.warning("response_url post failed: %s", type(error).__name__)
        return "unknown"
    if response.status_code != 200:
        logger.warning(
            "response_url post refused: HTTP %s %s", response.status_code, response.body[:100]
        )
        return "refused"
    return "sent"


def user_of(body: dict[str, Any]) -> str:
    user = body.get("user") or {}
    return str(user.get("id", "")) if isinstance(user, dict) else ""


def from_home(body: dict[str, Any]) -> bool:
    return (body.get("container") or {}).get("type") == "view" or body.get("view", {}).get(
        "type"
    ) == "home"


def publish_home(client: WebClient, services: Services, user: str, notice: str = "") -> None:
    now = services.clock()
    states = services.router.states(now)
    today = services.desk.today(now)
    editor = services.router.may_edit(user)
    reply = home_reply(
        services.desk, states.items, services.next_runs(), today, live=states.live, editor=editor
    )
    if not editor:
        reply = without_notes(reply)
    if notice:  # one block of the view's budget is the notice's
        reply = replace(reply, max_blocks=reply.max_blocks - 1)
    blocks = services.render(reply)
    if notice:
        blocks = [notice_block(notice), *blocks]
    client.views_publish(user_id=user, view={"type": "home", "blocks": blocks})


def tell(body: dict[str, Any], client: WebClient, services: Services, text: str) -> None:
    """A short private message where the user clicked: the message's thread, or Home."""
    if from_home(body) or not body.get("response_url"):
        publish_home(client, services, user_of(body), notice=text)
        return
    post_to_response_url(
        body.get("response_url"),
        {"text": text, "response_type": "ephemeral", "replace_original": False},
        client.timeout,
    )


def after_ack(func: Callable[..., None]) -> Callable[..., None]:
    """Bolt logs a failing lazy listener in one line without a traceback and tells nobody."""

    @functools.wraps(func)
    def run(**kwargs: Any) -> None:
        try:
            func(**kwargs)
        except Exception:
            ref = reference_id()
            logger.exception("%s failed (ref %s)", func.__name__, ref)
            body = kwargs.get("body") or {}
            client = kwargs.get("client")
            post_to_response_url(
                body.get("response_url"),
                {"text": apology(ref), "response_type": "ephemeral", "replace_original": False},
                client.timeout if isinstance(client, WebClient) else API_TIMEOUT_SECONDS,
            )

    return run


def apology(ref: str) -> str:
    return f"Sorry, something went wrong on our side (reference `{ref}`). Please try again."


def changes_something(payload: dict[str, Any]) -> bool:
    """Whether running this request twice could change or post something twice: a command
    whose text records a change (the registry says which), a click (Share, Resolve, Snooze,
    Reopen) or a modal."""
    if "command" in payload:
        command = commands.find(str(payload.get("command")))
        return command is not None and command.changes(str(payload.get("text") or ""))
    return payload.get("type") in {"block_actions", "view_submission"}


# --- slash commands -----------------------------------------------------------------------


def answer_command(ack: Ack, command: dict[str, Any], context: BoltContext) -> None:
    """Every slash command: the router's reply, returned in the acknowledgement itself."""
    services = services_of(context)
    reply = services.router.handle(
        str(command.get("command", "")),
        str(command.get("text") or ""),
        str(command.get("user_id", "")),
        services.clock(),
    )
    ack(**reply_message(reply, services.render))


def acknowledge(ack: Ack) -> None:
    ack()


# --- Share in channel ---------------------------------------------------------------------


def read_share_value(value: object) -> tuple[str, str] | None:
    """The command and query a Share button replays, if they are ones it may replay."""
    try:
        data = json.loads(value) if isinstance(value, str) else None
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    name, query = data.get("c"), data.get("q", "")
    command = commands.find(name) if isinstance(name, str) else None
    if command is None or not isinstance(query, str) or command.changes(query):
        return None
    return command.name, query


@after_ack
def share_reply(
    body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    services = services_of(context)
    user = user_of(body)
    request = read_share_value(action.get("value"))
    if request is None:
        tell(body, client, services, "That Share button no longer works: run the command again.")
        return
    reply = services.router.handle(request[0], request[1], user, services.clock())
    if not reply.ok:
        tell(body, client, services, fallback_text(reply))
        return
    # Whoever shares, the channel never sees follow-up notes or history.
    shared = without_notes(replace(reply, visibility="in_channel", shareable=False))
    message = {
        "text": fallback_text(shared),
        "blocks": [*services.render(shared), shared_by(user)],
        "response_type": "in_channel",
        "replace_original": False,
    }
    outcome = send_to_response_url(body.get("response_url"), message, client.timeout)
    if outcome != "sent":
        tell_share_failed(body, client, user, maybe_posted=outcome == "unknown")


def tell_share_failed(
    body: dict[str, Any], client: WebClient, user: str, *, maybe_posted: bool = False
) -> None:
    """The response_url refused the share (or the connection dropped): say so through the
    Web API instead."""
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get(
        "channel_id"
    )
    text = (
        "I may not have shared that: the connection to Slack dropped. Please check the "
        "channel before pressing *Share in channel* again."
        if maybe_posted
        else "I couldn't share that in the channel: Slack didn't accept it. "
        "Run the command again and press *Share in channel* once more."
    )
    try:
        client.chat_postEphemeral(channel=str(channel or ""), user=user, text=text)
    except (SlackApiError, OSError) as error:
        logger.warning("could not tell %s that a share failed: %s", user, error)


# --- follow-up buttons --------------------------------------------------------------------


@after_ack
def followup_button(
    body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    """Resolve opens the modal; Snooze and Reopen record the change and confirm it."""
    services = services_of(context)
    user, followup_id = user_of(body), str(action.get("value") or "")
    action_id = str(action.get("action_id", ""))
    now = services.clock()
    if action_id == RESOLVE_ACTION:
        checked = check_change(services.router, user, followup_id, Action.RESOLVED, now)
        if isinstance(checked, Refused):
            tell(body, client, services, escape_mrkdwn(checked.message))
            return
        view = resolve_modal(checked.item.id, checked.item.title)
        client.views_open(trigger_id=body.get("trigger_id"), view=view)
        return
    if action_id in SNOOZE_ACTIONS:
        until = now + SNOOZE_ACTIONS[action_id]
        outcome = apply_change(services.router, user, followup_id, Action.SNOOZED, now, until=until)
    else:
        outcome = apply_change(services.router, user, followup_id, Action.REOPENED, now)
    if isinstance(outcome, Refused):
        tell(body, client, services, escape_mrkdwn(outcome.message))
        return
    show_change(body, client, services, confirmation(outcome))


def show_change(body: dict[str, Any], client: WebClient, services: Services, text: str) -> None:
    """Home is republished; a message is redrawn from its Share button, or confirmed."""
    if from_home(body):
        publish_home(client, services, user_of(body), notice=text)
        return
    replay = read_share_value(_share_value_in(body.get("message") or {}))
    if replay is not None:
        reply = services.router.handle(replay[0], replay[1], user_of(body), services.clock())
        message = {**reply_message(reply, services.render), "replace_original": True}
        if post_to_response_url(body.get("response_url"), message, client.timeout):
            return
    tell(body, client, services, text)


def _share_value_in(message: dict[str, Any]) -> str | None:
    for block in message.get("blocks") or []:
        for element in block.get("elements") or [] if isinstance(block, dict) else []:
            if isinstance(element, dict) and element.get("action_id") == SHARE_ACTION:
                value = element.get("value")
                return value if isinstance(value, str) else None
    return None


# --- the Resolve modal --------------------------------------------------------------------


def submit_resolution(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext
) -> None:
    """Checked again here: a forged submission must change nothing."""
    services = services_of(context)
    resolution = read_resolution(modal_value(view, NOTE_BLOCK), modal_value(view, LINK_BLOCK))
    if isinstance(resolution, dict):
        ack(response_action="errors", errors=resolution)
        return
    outcome = apply_change(
        services.router,
        user_of(body),
        str(view.get("private_metadata", "")),
        Action.RESOLVED,
        services.clock(),
        note=resolution.note,
        link=resolution.link,
    )
    if isinstance(outcome, Refused):  # e.g. resolved by someone else while the modal was open
        ack(response_action="errors", errors={NOTE_BLOCK: outcome.message.replace("`", "")})
        return
    ack()


def modal_value(view: dict[str, Any], block_id: str) -> str:
    """What was typed into one of the modal's inputs ("" when the payload has no such input)."""
    values = view.get("state", {}).get("values", {})
    field = values.get(block_id, {}).get(block_id, {}) if isinstance(values, dict) else {}
    value = field.get("value") if isinstance(field, dict) else None
    return value if isinstance(value, str) else ""


@after_ack
def refresh_home_after_resolution(
    body: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    """The modal may have been opened from Home, which would otherwise show the item as open.

    Slack's view_submission does not say where the modal came from, and Home is per user, so
    the resolver's Home is republished: it shows the current state. A refused submission
    changed nothing, so it needs no refresh.
    """
    services = services_of(context)
    if services.router.may_edit(user_of(body)):
        publish_home(client, services, user_of(body))


# --- App Home -----------------------------------------------------------------------------


@after_ack
def open_home(event: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    if event.get("tab", "home") != "home":
        return
    publish_home(client, services_of(context), str(event.get("user", "")))
