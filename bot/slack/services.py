"""What the listeners need, handed to them through Bolt's context (see app.attach_services)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from bot.config import Settings
from bot.desk.model import Desk, FollowUpBook
from bot.replies.blocks import render_blocks
from bot.replies.followups import States
from bot.replies.reply import Reply

Blocks = list[dict[str, Any]]
CONTEXT_KEY = "newsbot"


class RouterLike(Protocol):
    """bot.replies.router.Router, as the Slack adapter uses it."""

    def handle(self, command: str, text: str, user: str, now: datetime) -> Reply: ...

    def states(self, now: datetime) -> States:
        """Every follow-up's status, or the curated ones marked not live if the book is down."""
        ...


def utc_now() -> datetime:
    return datetime.now(UTC)


def no_reminders() -> Mapping[str, datetime]:
    return {}


@dataclass(frozen=True)
class Services:
    settings: Settings
    desk: Desk
    book: FollowUpBook
    router: RouterLike
    render: Callable[[Reply], Blocks] = render_blocks
    clock: Callable[[], datetime] = utc_now
    next_runs: Callable[[], Mapping[str, datetime]] = no_reminders

    def __deepcopy__(self, memo: dict[int, Any]) -> Services:
        # Bolt deep-copies the context for lazy listeners; the desk, the database and the
        # router are shared by design, and a copied book would swallow the writes.
        return self

    def may_edit(self, user_id: str) -> bool:
        return self.settings.may_edit(user_id)


def services_of(context: Mapping[str, Any]) -> Services:
    services = context[CONTEXT_KEY]
    assert isinstance(services, Services)
    return services
