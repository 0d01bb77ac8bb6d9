"""``/figure [query]``: key figures with value, unit, "as of" and a staleness warning."""

from __future__ import annotations

from datetime import datetime

from bot.replies.command import Command
from bot.replies.context import ReplyContext
from bot.replies.reply import Heading, More, Note, Part, Reply
from bot.replies.search_replies import RESULT_LIMIT, search_reply

NAME = "/figure"


def answer(context: ReplyContext, query: str, user: str, now: datetime) -> Reply:
    if not query:
        return all_figures(context, now)
    return search_reply(context, NAME, query, {"figure"}, "figures", user, now)


def all_figures(context: ReplyContext, now: datetime) -> Reply:
    figures, today = context.desk.figures(), context.today(now)
    if not figures:
        message = "No key figures on this desk yet. `/facts` shows what there is."
        return Reply((Note(message),), text=message, command=NAME, shareable=False)
    parts: list[Part] = [Heading("Key figures")]
    parts.extend(context.fact_card(f, today) for f in figures[:RESULT_LIMIT])
    if len(figures) > RESULT_LIMIT:
        parts.append(More(len(figures) - RESULT_LIMIT))
    text = f"{len(figures)} key figure{'s' if len(figures) != 1 else ''}"
    return Reply(tuple(parts), text=text, command=NAME, meta=context.meta())


COMMAND = Command(
    name=NAME,
    summary="key figures with their date and a warning when they are old",
    usage=(
        "`/figure` lists the key figures.\n"
        "`/figure WORDS` finds figures with their value, unit and date; old figures are flagged.\n"
        "Example: `/figure parents`"
    ),
    handler=answer,
    position=30,
)
