"""``/quote [query]``: quotes, word for word, with their speaker; with no query, who is quoted."""

from __future__ import annotations

from datetime import datetime

from bot.replies.command import Command
from bot.replies.context import ReplyContext
from bot.replies.reply import Heading, More, Note, Part, Reply
from bot.replies.search_replies import search_reply

NAME = "/quote"
SPEAKER_LIMIT = 30


def answer(context: ReplyContext, query: str, user: str, now: datetime) -> Reply:
    if not query:
        return speakers(context)
    return search_reply(context, NAME, query, {"quote"}, "quotes", user, now)


def speakers(context: ReplyContext) -> Reply:
    """Who is quoted, each speaker once however their quotes' records phrase them."""
    ranked = context.desk.quoted_speakers()
    if not ranked:
        message = "No quotes on this desk yet. `/facts` shows what there is."
        return Reply((Note(message),), text=message, command=NAME, shareable=False)
    lines = [
        f"• {speaker}: {n} quote{'s' if n != 1 else ''}" for speaker, n in ranked[:SPEAKER_LIMIT]
    ]
    parts: list[Part] = [
        Heading("Who is quoted"),
        Note("\n".join(lines)),
        Note("`/quote WORDS` finds their words; `by:` takes any of their names: `/quote by:oig`."),
    ]
    if len(ranked) > SPEAKER_LIMIT:
        parts.append(More(len(ranked) - SPEAKER_LIMIT, "add words to narrow it down"))
    text = f"{len(ranked)} people and bodies are quoted"
    return Reply(tuple(parts), text=text, command=NAME, meta=context.meta())


COMMAND = Command(
    name=NAME,
    summary="quotes, word for word, with who said them",
    usage=(
        "`/quote` lists who is quoted.\n"
        "`/quote WORDS` finds quotes, word for word, with who said them and where.\n"
        "Examples: `/quote cruelty`, `/quote by:oig`"
    ),
    handler=answer,
    position=20,
)
