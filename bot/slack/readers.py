"""NEWSBOT_READERS: the bot answers only the users, and in the channels, it names.

Anyone else is acknowledged (Slack must get its 2xx) and told politely, in the reply to a
command, through the response_url of a click, or on their Home tab, which is replaced so that
nothing published there before the desk limited its readers stays visible.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from concurrent.futures import Executor
from typing import Any

from slack_bolt import BoltResponse
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.config import Settings
from bot.desk.access import NOT_A_READER
from bot.replies.blocks import notice_block
from bot.slack.listeners import post_to_response_url
from bot.slack.unhandled import note

logger = logging.getLogger(__name__)


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def who_and_where(body: Mapping[str, Any]) -> tuple[str, str]:
    """The Slack user and the channel a request comes from (either may be empty)."""
    event = _mapping(body.get("event"))
    return _user_in(body, event), _channel_in(body, event)


def _user_in(body: Mapping[str, Any], event: Mapping[str, Any]) -> str:
    user = (
        body.get("user_id")
        or _mapping(body.get("user")).get("id")
        or (body.get("user") if isinstance(body.get("user"), str) else None)
        or event.get("user")
    )
    return str(user or "")


def _channel_in(body: Mapping[str, Any], event: Mapping[str, Any]) -> str:
    channel = (
        body.get("channel_id")
        or _mapping(body.get("channel")).get("id")
        or _mapping(body.get("container")).get("channel_id")
    )
    if event.get("type") != "app_home_opened":
        channel = channel or event.get("channel")
    return str(channel or "")


def readers_middleware(
    settings: Settings, after_ack: Executor
) -> Callable[..., BoltResponse | None]:
    def refuse_non_readers(
        body: dict[str, Any], client: WebClient, next: Callable[[], None]
    ) -> BoltResponse | None:
        user, channel = who_and_where(body)
        if settings.may_use(user, channel):
            next()
            return None
        note("refused", "not a reader")
        return _refusal(body, user, client, after_ack)

    return refuse_non_readers


def _refusal(
    body: Mapping[str, Any], user: str, client: WebClient, after_ack: Executor
) -> BoltResponse:
    if "command" in body:
        data = {"response_type": "ephemeral", "text": NOT_A_READER}
        return BoltResponse(
            status=200, body=json.dumps(data), headers={"content-type": "application/json"}
        )
    response_url = body.get("response_url")
    event = _mapping(body.get("event"))
    if isinstance(response_url, str) and response_url:
        message = {"text": NOT_A_READER, "response_type": "ephemeral", "replace_original": False}
        after_ack.submit(post_to_response_url, response_url, message)
    elif event.get("type") == "app_home_opened" and user:
        after_ack.submit(_publish_refusal, client, user)
    return BoltResponse(status=200, body="")


def _publish_refusal(client: WebClient, user: str) -> None:
    view = {"type": "home", "blocks": [notice_block(NOT_A_READER)]}
    try:
        client.views_publish(user_id=user, view=view)
    except (SlackApiError, OSError) as error:
        logger.warning("could not publish the refusal on %s's Home: %s", user, error)
