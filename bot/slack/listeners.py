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
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import timedelta
from typing import Any

from slack_bolt import Ack, BoltContext, BoltResponse
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.webhook import WebhookClient
from sqlalchemy.exc import SQLAlchemyError

from bot.desk.model import Action
from bot.replies import commands
from bot.replies.blocks import escape_mrkdwn, fallback_text, notice_block, shared_by
from bot.replies.changes import EDITORS_ONLY, Refused, apply_change, check_change, confirmation
from bot.replies.cited import Via, citations
from bot.replies.home import home_reply
from bot.replies.modals import (
    LINK_BLOCK,
    NOTE_BLOCK,
    read_resolution,
    refused_modal,
    resolve_modal,
)
from bot.replies.people import people_in
from bot.replies.reply import Reply
from bot.replies.visibility import without_notes
from bot.request_ids import reference_id
from bot.slack.client import API_TIMEOUT_SECONDS, retry_handlers, without_blind_retries
from bot.slack.origin import (
    modal_metadata,
    origin_of,
    read_modal_metadata,
    redraw_in_channel,
)
from bot.slack.people import names_for
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
CHANGE_ACTIONS = (REOPEN_ACTION, *SNOOZE_ACTIONS)  # recorded at once (Resolve opens a modal)


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


def answer_command(command: dict[str, Any], context: BoltContext) -> BoltResponse:
    """Every slash command: the router's reply, returned as the acknowledgement itself (a
    listener's BoltResponse is Bolt's answer, over HTTP and Socket Mode alike)."""
    services = services_of(context)
    reply = services.router.handle(
        str(command.get("command", "")),
        str(command.get("text") or ""),
        str(command.get("user_id", "")),
        services.clock(),
        str(command.get("channel_id", "")),  # a story's channel answers from it first
    )
    return BoltResponse(status=200, body=services.message_json(reply), headers=JSON_HEADERS)


# What Bolt's ack() sends with a dict.
JSON_HEADERS: dict[str, str | Sequence[str]] = {"content-type": "application/json;charset=utf-8"}


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
    return _replayable(data.get("c"), data.get("q", ""))


def read_followup_value(value: object) -> tuple[str, tuple[str, str] | None]:
    """A follow-up button's value: the follow-up id, and the private reply's command and
    query when the button carries them (and they may be replayed)."""
    text = value if isinstance(value, str) else ""
    if not text.startswith("{"):
        return text, None
    try:
        data = json.loads(text)
    except ValueError:
        return text, None
    if not isinstance(data, dict) or not isinstance(data.get("id"), str):
        return text, None
    return data["id"], _replayable(data.get("c"), data.get("q", ""))


def _replayable(name: object, query: object) -> tuple[str, str] | None:
    command = commands.find(name) if isinstance(name, str) else None
    if command is None or not isinstance(query, str) or command.changes(query):
        return None
    return command.name, query


@after_ack
def share_reply(
    body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    """Post the reply in the channel (chat.postMessage, so it can be corrected later; the
    response_url where the bot is not a member), then take the Share button off the private
    reply so it is not shared twice."""
    services = services_of(context)
    user = user_of(body)
    request = read_share_value(action.get("value"))
    if request is None:
        tell(body, client, services, "That Share button no longer works: run the command again.")
        return
    here = origin_of(body).channel or ""  # a story's channel answers from that story first
    reply = services.router.handle(request[0], request[1], user, services.clock(), here)
    if not reply.ok:
        tell(body, client, services, fallback_text(reply))
        return
    # Whoever shares, the channel never sees follow-up notes or history.
    shared = without_notes(replace(reply, visibility="in_channel", shareable=False))
    shared = replace(shared, people=names_for(client, people_in(shared)))
    blocks = [*services.render(shared), shared_by(user)]
    text = fallback_text(shared)
    channel = origin_of(body).channel
    try:
        ts = post_in_channel(client, channel, text, blocks)
    except ShareUnconfirmed:
        tell_share_failed(body, client, user, SHARE_UNCONFIRMED)
        return
    if ts is not None:
        record_share(services, str(channel), ts, "chat.postMessage", text, blocks)
    else:  # the bot is not in the channel: the response_url can still post there
        message = {"text": text, "blocks": blocks, "response_type": "in_channel"}
        sent = send_to_response_url(
            body.get("response_url"), {**message, "replace_original": False}, client.timeout
        )
        if sent != "sent":
            told = SHARE_UNCONFIRMED if sent == "unknown" else SHARE_FAILED
            tell_share_failed(body, client, user, told)
            return
        record_share(services, str(channel or ""), None, "response_url", text, blocks)
    unshareable = {**reply_message(replace(reply, shareable=False), services.render)}
    post_to_response_url(
        body.get("response_url"), {**unshareable, "replace_original": True}, client.timeout
    )


class ShareUnconfirmed(Exception):
    """Slack did not say whether it posted the share (a timeout, a 5xx, a dropped line)."""


def post_in_channel(
    client: WebClient, channel: str | None, text: str, blocks: Blocks
) -> str | None:
    """chat.postMessage; None when Slack refused it (the bot is not in the channel, a DM),
    so the response_url may post it instead. Raises ShareUnconfirmed when Slack may have
    posted it: posting again, either way, could show it twice. Only a 429 is retried (it
    means nothing was posted)."""
    if not channel:
        return None
    try:
        response = without_blind_retries(client).chat_postMessage(
            channel=channel, text=text, blocks=blocks, unfurl_links=False, unfurl_media=False
        )
    except SlackApiError as error:
        if getattr(error.response, "status_code", 200) == 200:
            logger.info("share in %s refused: %s", channel, error.response.get("error"))
            return None
        raise ShareUnconfirmed(str(error)) from error
    except (SlackClientError, OSError) as error:
        raise ShareUnconfirmed(str(error)) from error
    return str(response["ts"])


def record_share(
    services: Services, channel: str, ts: str | None, via: Via, text: str, blocks: Blocks
) -> None:
    """Keep the shared message for corrections; a failure here never undoes the share."""
    if services.said is None:
        return
    now = services.clock()
    added = [s.item for s in services.router.states(now).items]
    try:
        services.said.record(
            channel=channel,
            ts=ts,
            via=via,
            purpose="share",
            text=text,
            blocks=blocks,
            items=citations(blocks, services.desk, added),
            now=now,
        )
    except SQLAlchemyError:
        logger.warning("could not record a share in %s for corrections", channel)


SHARE_FAILED = (
    "I couldn't share that here: Slack didn't let me post in this conversation (I can post "
    "only where I'm a member). Invite me with `/invite @Newsbot`, or copy the text above."
)


SHARE_UNCONFIRMED = (
    "I may not have shared that: Slack didn't confirm it. Please check the channel before "
    "pressing *Share in channel* again, so it isn't posted twice."
)


def tell_share_failed(body: dict[str, Any], client: WebClient, user: str, text: str) -> None:
    """Say privately, where the user is, that the share did not go through (the response_url
    works in DMs and private channels; chat.postEphemeral needs the bot there)."""
    if post_to_response_url(
        body.get("response_url"),
        {"text": text, "response_type": "ephemeral", "replace_original": False},
        client.timeout,
    ):
        return
    channel = origin_of(body).channel
    try:
        client.chat_postEphemeral(channel=str(channel or ""), user=user, text=text)
    except (SlackApiError, OSError) as error:
        logger.warning("could not tell %s that a share failed: %s", user, error)


# --- follow-up buttons --------------------------------------------------------------------


def open_resolve_modal(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    """Resolve: views.open goes first, on a path of its own, before anything slow (a
    trigger_id lasts 3 s, and work after ack may be queued behind slow Home publishes).
    Whether the item may be resolved is checked once the modal is open."""
    services = services_of(context)
    if services.router.may_edit(user_of(body)):
        followup_id, replay = read_followup_value(action.get("value"))
        trigger_work().submit(open_then_check, client, services, body, followup_id, replay)
    ack()


@after_ack
def resolve_refused(body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    """A non-editor pressed Resolve: no modal, a private word instead."""
    services = services_of(context)
    if not services.router.may_edit(user_of(body)):
        tell(body, client, services, escape_mrkdwn(EDITORS_ONLY))


def open_then_check(
    client: WebClient,
    services: Services,
    body: dict[str, Any],
    followup_id: str,
    replay: tuple[str, str] | None = None,
) -> None:
    try:
        item = services.desk.followup(followup_id)
        title = item.title if item is not None else f"Follow-up {followup_id}"
        metadata = modal_metadata(followup_id, replace(origin_of(body), replay=replay))
        view = resolve_modal(followup_id, title, metadata)
        opened = client.views_open(trigger_id=body.get("trigger_id"), view=view)
        checked = check_change(
            services.router, user_of(body), followup_id, Action.RESOLVED, services.clock()
        )
        if isinstance(checked, Refused):
            view_id = (opened.get("view") or {}).get("id")
            client.views_update(view_id=view_id, view=refused_modal(checked.message))
    except Exception:  # a worker thread of our own: nobody else would log it or say so
        ref = reference_id()
        logger.exception("opening the Resolve modal failed (ref %s)", ref)
        tell(body, client, services, apology(ref))


def trigger_work() -> ThreadPoolExecutor:
    """Threads for work a trigger_id waits on, kept apart from Bolt's work after ack."""
    global _TRIGGER_WORK
    with _TRIGGER_LOCK:
        if _TRIGGER_WORK is None:
            _TRIGGER_WORK = ThreadPoolExecutor(max_workers=4, thread_name_prefix="newsbot-trigger")
        return _TRIGGER_WORK


_TRIGGER_WORK: ThreadPoolExecutor | None = None
_TRIGGER_LOCK = threading.Lock()


@after_ack
def followup_button(
    body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    """Snooze and Reopen record the change, then redraw the message everyone sees (or Home,
    or the private reply), or confirm it privately."""
    services = services_of(context)
    user = user_of(body)
    followup_id, replay = read_followup_value(action.get("value"))
    action_id = str(action.get("action_id", ""))
    now = services.clock()
    if action_id in SNOOZE_ACTIONS:
        until = now + SNOOZE_ACTIONS[action_id]
        outcome = apply_change(services.router, user, followup_id, Action.SNOOZED, now, until=until)
    else:
        outcome = apply_change(services.router, user, followup_id, Action.REOPENED, now)
    if isinstance(outcome, Refused):
        tell(body, client, services, escape_mrkdwn(outcome.message))
        return
    origin = origin_of(body)
    if origin.channel_message and redraw_in_channel(
        client, services, origin, outcome.after, body.get("message")
    ):
        return
    text = confirmation(outcome, services.desk.newsroom.timezone)
    show_change(body, client, services, text, replay)


def show_change(
    body: dict[str, Any],
    client: WebClient,
    services: Services,
    text: str,
    replay: tuple[str, str] | None = None,
) -> None:
    """Home is republished; a private reply is redrawn by running its command again (from
    its Share button, or what its follow-up button carries), or the change is confirmed."""
    if from_home(body):
        publish_home(client, services, user_of(body), notice=text)
        return
    replay = read_share_value(_share_value_in(body.get("message") or {})) or replay
    url = body.get("response_url")
    if not redraw_private(client, services, user_of(body), url, replay, text):
        tell(body, client, services, text)


def redraw_private(
    client: WebClient,
    services: Services,
    user: str,
    response_url: object,
    replay: tuple[str, str] | None,
    notice: str = "",
) -> bool:
    """Replace a private reply with its command run again, so it shows what changed, under
    ``notice`` (our mrkdwn: what the click did, since the item may have left the list)."""
    checked = _replayable(*replay) if replay else None
    if checked is None or not isinstance(response_url, str) or not response_url:
        return False
    reply = services.router.handle(checked[0], checked[1], user, services.clock())
    reply = replace(reply, max_blocks=reply.max_blocks - 1) if notice else reply
    message = {**reply_message(reply, services.render), "replace_original": True}
    if notice:
        message["blocks"] = [notice_block(notice), *message["blocks"]]
    return post_to_response_url(response_url, message, client.timeout)


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
        read_modal_metadata(view.get("private_metadata"))[0],
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
    body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    """Show the resolution where the Resolve button was: the channel message it was on is
    redrawn for everyone, a private reply is redrawn for the resolver (the modal carries
    where the button was); otherwise the resolver's Home is republished, since a modal
    opened from Home would leave it showing the item open."""
    services = services_of(context)
    user = user_of(body)
    if not services.router.may_edit(user):
        return  # a refused submission changed nothing
    followup_id, origin = read_modal_metadata(view.get("private_metadata"))
    states = services.router.states(services.clock())
    state = next((s for s in states.items if s.item.id == followup_id), None)
    if origin is None or state is None:
        publish_home(client, services, user)
        return
    if origin.channel_message and redraw_in_channel(client, services, origin, state, None):
        return
    notice = f"Resolved *{escape_mrkdwn(state.item.title)}*."
    if origin.ephemeral and redraw_private(
        client, services, user, origin.response_url, origin.replay, notice
    ):
        return
    publish_home(client, services, user)


# --- App Home -----------------------------------------------------------------------------


@after_ack
def open_home(event: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    if event.get("tab", "home") != "home":
        return
    publish_home(client, services_of(context), str(event.get("user", "")))
