"""Who a reply names: the Slack users a channel post must show by name, not mention."""

from __future__ import annotations

from collections.abc import Iterable

from bot.desk.model import FollowUpEvent, FollowUpState
from bot.replies.reply import FollowUpCard, Part, Reply, SourceCard


def people_in(reply: Reply) -> list[str]:
    """Every Slack user id the reply's cards show (owners, who added, who changed), once."""
    seen: dict[str, None] = {}
    for part in reply.parts:
        seen.update((user, None) for user in _people_of(part) if user)
    return list(seen)


def people_in_states(states: Iterable[FollowUpState]) -> list[str]:
    """Every Slack user id follow-up cards of ``states`` would show, once."""
    return people_in(Reply(tuple(FollowUpCard(state, None) for state in states), ""))


def _people_of(part: Part) -> list[str | None]:
    states: list[FollowUpState] = []
    events: Iterable[FollowUpEvent] = ()
    if isinstance(part, FollowUpCard):
        states.append(part.state)
    elif isinstance(part, SourceCard):
        states.extend([part.followup] if part.followup is not None else [])
        events = part.history
    found: list[str | None] = [e.user for e in events]
    for state in states:
        found += [state.item.owner, state.item.added_by, *(e.user for e in state.history)]
    return found
