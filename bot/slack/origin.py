"""Where a click came from, and redrawing that message so everyone sees the new status.

A button on a message in a channel (a reminder post, a shared reply) changes what everyone
in the channel should see, so the message itself is edited with chat.update. The Resolve
modal carries the message it was opened from in its private_metadata, since Slack's
view_submission does not say.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.desk.model import FollowUpState
from bot.replies.corrections import with_followup
from bot.replies.people import people_in_states
from bot.slack.people import names_for
from bot.slack.services import Services

log = logging.getLogger(__name__)

METADATA_LIMIT = 3000  # Slack's limit for a view's private_metadata


@dataclass(frozen=True, slots=True)
class Origin:
    """The surface a button was clicked on."""

    home: bool = False
    channel: str | None = None
    ts: str | None = None
    ephemeral: bool = False
    response_url: str | None = None
    # A private reply's command and query (from its button), to redraw it after the modal.
    replay: tuple[str, str] | None = None

    @property
    def channel_message(self) -> bool:
        """A message everyone in the channel sees, which chat.update can edit."""
        return not self.home and not self.ephemeral and bool(self.channel and self.ts)


def origin_of(body: dict[str, Any]) -> Origin:
    container = body.get("container") or {}
    if container.get("type") == "view" or (body.get("view") or {}).get("type") == "home":
        return Origin(home=True)
    channel = container.get("channel_id") or (body.get("channel") or {}).get("id")
    return Origin(
        channel=str(channel) if channel else None,
        ts=str(container["message_ts"]) if container.get("message_ts") else None,
        ephemeral=bool(container.get("is_ephemeral")),
        response_url=body.get("response_url") or None,
    )


def modal_metadata(followup_id: str, origin: Origin) -> str:
    """The follow-up id and the origin, for the Resolve modal's private_metadata."""
    data = {
        "id": followup_id,
        "home": origin.home,
        "channel": origin.channel,
        "ts": origin.ts,
        "ephemeral": origin.ephemeral,
        "url": origin.response_url,
    }
    if origin.replay is not None:
        data["c"], data["q"] = origin.replay
    text = json.dumps(data, separators=(",", ":"))
    if len(text) > METADATA_LIMIT:  # an absurd response_url: the message is not redrawn
        text = json.dumps({"id": followup_id}, separators=(",", ":"))
    return text


def read_modal_metadata(text: object) -> tuple[str, Origin | None]:
    """(follow-up id, origin); a modal opened before origins were kept carries the bare id."""
    if not isinstance(text, str):
        return "", None
    try:
        data = json.loads(text)
    except ValueError:
        return text, None
    if not isinstance(data, dict):
        return text, None
    origin = Origin(
        home=bool(data.get("home")),
        channel=_text(data.get("channel")),
        ts=_text(data.get("ts")),
        ephemeral=bool(data.get("ephemeral")),
        response_url=_text(data.get("url")),
        replay=_replay(data),
    )
    return str(data.get("id") or ""), origin


def _replay(data: dict[str, Any]) -> tuple[str, str] | None:
    """The command and query as written down (the caller checks they may be replayed)."""
    command, query = data.get("c"), data.get("q", "")
    if isinstance(command, str) and isinstance(query, str):
        return command, query
    return None


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def redraw_in_channel(
    client: WebClient,
    services: Services,
    origin: Origin,
    state: FollowUpState,
    message: dict[str, Any] | None,
) -> bool:
    """Edit the channel message the click came from to show ``state``; False if it could
    not be (no such card in it, Slack refused): the caller then tells the clicker instead."""
    if not origin.channel_message or origin.channel is None or origin.ts is None:
        return False
    blocks, text = _message_now(client, services, origin, message)
    if blocks is None:
        return False
    now = services.clock()
    names = names_for(client, people_in_states([state]))
    redrawn = with_followup(blocks, services.desk, state, services.desk.today(now), names)
    if redrawn is None:
        return False
    try:
        client.chat_update(
            channel=origin.channel, ts=origin.ts, blocks=redrawn, text=text, parse="none"
        )
    except (SlackApiError, SlackClientError, OSError) as exc:
        log.warning("could not redraw %s %s after a click: %s", origin.channel, origin.ts, exc)
        return False
    if services.said is not None:
        services.said.replace_blocks(origin.channel, origin.ts, blocks=redrawn, now=now)
    return True


def _message_now(
    client: WebClient, services: Services, origin: Origin, message: dict[str, Any] | None
) -> tuple[list[dict[str, Any]] | None, str]:
    """The message's blocks and text: as the click carried them, else from the record, else
    from the channel's history."""
    if message and isinstance(message.get("blocks"), list):
        return list(message["blocks"]), str(message.get("text") or "")
    assert origin.channel is not None and origin.ts is not None
    said = services.said.find(origin.channel, origin.ts) if services.said is not None else None
    if said is not None:
        return said.blocks, said.text
    return _from_history(client, origin.channel, origin.ts)


def _from_history(
    client: WebClient, channel: str, ts: str
) -> tuple[list[dict[str, Any]] | None, str]:
    try:
        page = client.conversations_history(channel=channel, latest=ts, inclusive=True, limit=1)
    except (SlackApiError, SlackClientError, OSError) as exc:
        log.warning("could not read %s %s to redraw it: %s", channel, ts, exc)
        return None, ""
    for found in page.get("messages") or []:
        if found.get("ts") == ts and isinstance(found.get("blocks"), list):
            return list(found["blocks"]), str(found.get("text") or "")
    return None, ""
