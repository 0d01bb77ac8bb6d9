"""What the listeners need, handed to them through Bolt's context (see app.attach_services)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bot.config import Settings
from bot.desk.model import Desk, FollowUpBook
from bot.replies.blocks import fallback_text, message_json, render_blocks
from bot.replies.reply import Reply
from bot.replies.router import Router
from bot.store.said import SaidStore

Blocks = list[dict[str, Any]]
CONTEXT_KEY = "newsbot"


def utc_now() -> datetime:
    return datetime.now(UTC)


def no_reminders() -> Mapping[str, datetime]:
    return {}


@dataclass(frozen=True)
class Services:
    settings: Settings
    desk: Desk
    book: FollowUpBook
    router: Router  # also the context follow-up changes are decided in
    render: Callable[[Reply], Blocks] = render_blocks
    clock: Callable[[], datetime] = utc_now
    next_runs: Callable[[], Mapping[str, datetime]] = no_reminders
    said: SaidStore | None = None  # the record of posted messages (None: nothing recorded)

    def message_json(self, reply: Reply) -> str:
        """The reply as a response body's JSON (kept per reply: bot.replies.blocks)."""
        if self.render is render_blocks:
            return message_json(reply)
        blocks = self.render(reply)
        return json.dumps(
            {"response_type": reply.visibility, "text": fallback_text(reply), "blocks": blocks}
        )

    def __deepcopy__(self, memo: dict[int, Any]) -> Services:
        # Bolt deep-copies the context for lazy listeners; the desk, the database and the
        # router are shared by design, and a copied book would swallow the writes.
        return self


def services_of(context: Mapping[str, Any]) -> Services:
    services = context[CONTEXT_KEY]
    assert isinstance(services, Services)
    return services
