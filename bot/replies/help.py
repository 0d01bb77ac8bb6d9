"""Help built from the registry of commands: ``help`` lists every command with an example,
``help followups`` (or ``/followups help``) explains one."""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.replies.context import CommandHelp, ReplyContext
from bot.replies.reply import Heading, Note, Part, Reply

# Plain words are a /facts question, so `help` on its own is `/facts help`: it lists them all.
HOME_COMMAND = "/facts"
_EXAMPLE = re.compile(r"`(/[a-z]+ [^`]+)`")
_PLACEHOLDER = re.compile(r"\b[A-Z]{2,}\b")


def example_of(command: CommandHelp) -> str:
    """The first example in the command's usage that a user could type as it is."""
    for found in _EXAMPLE.findall(command.usage):
        if found.startswith(command.name + " ") and not _PLACEHOLDER.search(found):
            return str(found)
    return command.name


def topic(query: str, commands: Iterable[CommandHelp]) -> str | None:
    """``help followups``, ``help /followups`` or ``followups help`` -> ``/followups``."""
    words = query.casefold().split()
    if len(words) != 2 or "help" not in words:
        return None
    asked = words[1] if words[0] == "help" else words[0]
    asked = asked.lstrip("/").removesuffix("s")
    return next((c.name for c in commands if c.name[1:].removesuffix("s") == asked), None)


def help_reply(context: ReplyContext, name: str) -> Reply:
    """`/NAME help`; for /facts, which plain words go to, every command too."""
    if name != HOME_COMMAND:
        return context.help_reply(name)
    ordered = sorted(context.commands.values(), key=lambda c: (c.position, c.name))
    lines = "\n".join(f"`{example_of(c)}`: {c.summary}" for c in ordered)
    parts: tuple[Part, ...] = (
        Heading("Newsbot: every command"),
        Note(
            "Ask the way you would ask a colleague: `how many parents were not located?`, "
            "`what did horowitz say`, `when was the report released`. In Slack, after "
            "`/facts`; in the console, just type it."
        ),
        Note(lines),
        Note("`help COMMAND` explains one, e.g. `help followups` or `/followups help`."),
        Heading(f"{name}: how to use it"),
        Note(context.commands[name].usage),
    )
    text = f"How to use {name}, and every other command"
    return Reply(parts, text=text, shareable=False, command=name)
