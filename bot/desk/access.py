"""Who may use the bot, who may change follow-ups and read their notes: one owner for the rules.

Follow-up notes are a newsroom's unpublished reporting ("confirmed off the record"), so the
defaults are closed where it matters:

- ``NEWSBOT_EDITORS`` names who may change follow-ups and read their notes and history. Unset
  means nobody (from Slack); ``*`` means everyone, said out loud. The console and
  ``newsbot ask`` run on the desk's own machine and are their own editor (``CONSOLE_USER``).
- ``NEWSBOT_READERS`` names the users, and the channels, in which the bot answers at all.
  Unset means the whole workspace (``NEWSBOT_TEAM_ID`` limits which workspace).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

EVERYONE = "*"
CONSOLE_USER = "console"  # the user the console and `newsbot ask` act as
CONSOLE_EDITORS = frozenset({CONSOLE_USER})

_USER_ID = re.compile(r"^[UW][A-Z0-9]{1,30}$")
_CHANNEL_ID = re.compile(r"^[CGD][A-Z0-9]{1,30}$")

NOBODY_EDITS = (
    "Nobody can change follow-ups from Slack yet: the desk has not named its editors. "
    "Whoever runs Newsbot can set NEWSBOT_EDITORS to the editors' Slack member IDs "
    "(comma separated, or * for everyone) and restart it. "
    "You can still see follow-ups with `/followups` and `/followups all`."
)
EDITORS_ONLY = (
    "Sorry, only the desk's editors can change follow-ups. Ask an editor, or type "
    "`/followups list` to see where things stand."
)
NOT_A_READER = (
    "Sorry, Newsbot is not open to you here: this desk has limited who may use it. "
    "Ask the person who runs Newsbot to add you (or this channel) to NEWSBOT_READERS."
)
NOTES_FOR_EDITORS = "Notes and the history of changes are shown to the desk's editors."


def may_edit(editors: frozenset[str], user: str) -> bool:
    """Whether ``user`` may change follow-ups (and read their notes and history)."""
    return EVERYONE in editors or (bool(user) and user in editors)


def editors_refusal(editors: frozenset[str]) -> str:
    """What a person who may not change follow-ups is told: how to fix it when nobody may."""
    return NOBODY_EDITS if not editors else EDITORS_ONLY


def may_use(readers: frozenset[str], user: str, channel: str = "") -> bool:
    """Whether the bot answers ``user`` (in ``channel``, where there is one)."""
    if not readers:
        return True
    return (bool(user) and user in readers) or (bool(channel) and channel in readers)


def parse_editors(text: str) -> frozenset[str] | str:
    """``U1,U2`` or ``*``: the editors, or what is wrong with the text."""
    ids = _split(text)
    wrong = [i for i in ids if i != EVERYONE and not _USER_ID.match(i)]
    if wrong:
        return (
            f"{wrong[0]!r} is not a Slack member ID: use IDs such as U0123ABCD (in Slack, a "
            "profile's ⋮ menu > Copy member ID), comma separated, or * for everyone"
        )
    return frozenset(ids)


def parse_readers(text: str) -> frozenset[str] | str:
    """Member IDs and/or channel IDs: the readers, or what is wrong with the text."""
    ids = _split(text)
    wrong = [i for i in ids if not (_USER_ID.match(i) or _CHANNEL_ID.match(i))]
    if wrong:
        return (
            f"{wrong[0]!r} is not a Slack member or channel ID: use IDs such as U0123ABCD "
            "(a profile's ⋮ menu > Copy member ID) or C0123ABCD (a channel's details, at the "
            "bottom), comma separated; leave it unset to let the whole workspace in"
        )
    return frozenset(ids)


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def describe(ids: Iterable[str]) -> str:
    """For the start-up line: how many are named, never who."""
    named = sorted(ids)
    if EVERYONE in named:
        return "everyone"
    return f"{len(named)} named" if named else "nobody"
