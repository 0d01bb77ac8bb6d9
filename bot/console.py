"""The local console: the same router as Slack, read from stdin, printed as text."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TextIO

from bot.desk.access import CONSOLE_EDITORS, CONSOLE_USER
from bot.desk.model import Desk, FollowUpBook, plural

QUIT = {"quit", "exit", ":q", "/quit", "/exit"}


def split_command(line: str) -> tuple[str, str]:
    """``"/quote cruelty"`` -> ``("/quote", "cruelty")``; no slash means ``/facts``."""
    line = line.strip()
    if not line.startswith("/"):
        return "/facts", line
    command, _, text = line.partition(" ")
    return command.lower(), text.strip()


def banner(desk: Desk) -> str:
    counts = desk.counts()
    facts = sum(counts[k] for k in ("quote", "figure", "finding", "statement"))
    return (
        f"Newsbot console: {desk.newsroom.name}, {plural(facts, 'fact')} "
        f"({plural(counts['quote'], 'quote')}, {plural(counts['figure'], 'figure')}), "
        f"{plural(counts['followups'], 'follow-up')} from {desk.path}.\n"
        "Try: /facts 545   /quote cruelty   /figure   /followups   /source white-house-response\n"
        "Type `help` for more, `quit` or Ctrl-D to leave.\n"
    )


def console(
    desk: Desk,
    book: FollowUpBook,
    stdin: TextIO,
    out: TextIO,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> int:
    """Answer one command a line until EOF or ``quit``; exit 0."""
    from bot.replies.router import Router
    from bot.replies.text import render_text

    router = Router(desk, book, editors=CONSOLE_EDITORS)  # local: the desk's own machine
    read_line = _prompting_reader() if stdin.isatty() and stdin is sys.stdin else stdin.readline
    out.write(banner(desk))
    while True:
        line = read_line()
        if not line:
            break
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.lower() in QUIT:
            break
        if line.lower() in {"help", "?"}:
            line = "/facts help"
        command, text = split_command(line)
        reply = router.handle(command, text, CONSOLE_USER, clock())
        out.write(render_text(reply).rstrip("\n") + "\n\n")
        out.flush()
    return 0


def _prompting_reader() -> Callable[[], str]:
    """At a terminal: a prompt with line editing and history (readline, where Python has it)."""
    with contextlib.suppress(ImportError):  # not on every platform's Python
        import readline  # noqa: F401  (importing it is what gives input() editing)

    def read() -> str:
        try:
            return input("newsbot> ") + "\n"
        except EOFError:
            print()
            return ""

    return read
