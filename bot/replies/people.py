"""Who a reply names: the Slack users a channel post must show by name, not mention."""

from __future__ import annotations

from collections.abc import Iterable

from bot.desk.model import FollowUpState
from bot.replies.reply import FollowUpCard, Reply, SourceCard


def people_in(reply: Reply) -> list[str]:
    """Every Slack user id the reply's cards show (owners, who added, who changed), once."""
    seen: dict[str, None] = {}
    for part in reply.parts:
        states: Iterable[FollowUpState] = ()
        if isinstance(part, FollowUpCard):
            states = (part.state,)
        elif isinstance(part, SourceCard) and part.followup is not None:
            states = (part.followup,)
        for state in states:
            users = [state.item.owner, state.item.added_by, *(e.user for e in state.history)]
            seen.update((u, None) for u in users if u)
        if isinstance(part, SourceCard):
            seen.update((e.user, None) for e in part.history)
    return list(seen)
