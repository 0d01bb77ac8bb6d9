"""What each command does and how to type it: shown by ``/COMMAND help`` and after mistakes."""

from __future__ import annotations

COMMANDS: tuple[str, ...] = ("/facts", "/quote", "/figure", "/followups", "/source")

SUMMARY: dict[str, str] = {
    "/facts": "search quotes, figures, findings and follow-ups",
    "/quote": "quotes, word for word, with who said them",
    "/figure": "key figures with their date and a warning when they are old",
    "/followups": "what we are still waiting for, and its status",
    "/source": "where a fact or follow-up comes from, and what happened to it",
}

USAGE: dict[str, str] = {
    "/facts": (
        "`/facts` shows an overview of the desk.\n"
        "`/facts WORDS` finds the best matches across quotes, figures, findings and follow-ups.\n"
        'Use "double quotes" for a phrase, and filters: `kind:figure`, `tag:oig`, '
        "`by:horowitz` (who said it), `source:ID`.\n"
        "Examples: `/facts 545`, `/facts separated parents`, `/facts kind:quote by:chairs`"
    ),
    "/quote": (
        "`/quote` lists who is quoted.\n"
        "`/quote WORDS` finds quotes, word for word, with who said them and where.\n"
        "Examples: `/quote cruelty`, `/quote by:sessions`"
    ),
    "/figure": (
        "`/figure` lists the key figures.\n"
        "`/figure WORDS` finds figures with their value, unit and date; old figures are flagged.\n"
        "Example: `/figure parents`"
    ),
    "/followups": (
        "`/followups` (or `/followups list`) shows what is still open.\n"
        "`/followups all` shows every follow-up, resolved and snoozed too.\n"
        "`/followups add TEXT` adds one, e.g. `/followups add DHS count of reunified families`.\n"
        "`/followups resolve ID NOTE` closes one, e.g. "
        "`/followups resolve white-house-response Statement at 4pm briefing`.\n"
        "`/followups snooze ID 3d` hides one for a while (`12h`, `3d`, `1w`; at most `26w`).\n"
        "`/followups reopen ID` opens a resolved or snoozed one again."
    ),
    "/source": (
        "`/source ID` shows where a fact or follow-up comes from: the sentence inside its "
        "paragraph, the published source, and every change made to it.\n"
        "The ID is at the bottom of every answer, e.g. `/source parents-not-located`."
    ),
}


def overview_help() -> str:
    """One line a command, for the overview and for unknown commands."""
    return "\n".join(f"`{name}`: {SUMMARY[name]}" for name in COMMANDS) + (
        "\nAdd `help` after any command to learn more, e.g. `/facts help`."
    )
