"""Help that helps (issue 12): `help` lists every command with an example, `help followups`
and `/followups help` explain that command; plain words after any command are a question."""

from __future__ import annotations

import io
import re

import pytest

from bot.console import console
from bot.replies.commands import COMMANDS
from bot.replies.help import example_of
from bot.replies.reply import FactCard, FollowUpCard, Note, Reply
from bot.replies.router import Router
from bot.replies.text import render_text
from bot.store.memory import MemoryBook
from tests.replies.desks import NOW, shipped_desk

FOLLOWUPS_USAGE = next(c.usage for c in COMMANDS if c.name == "/followups")


@pytest.fixture(scope="module")
def router() -> Router:
    return Router(shipped_desk(), MemoryBook())


def notes(reply: Reply) -> list[str]:
    return [p.text for p in reply.parts if isinstance(p, Note)]


def test_help_lists_every_command_with_an_example_that_works(router: Router) -> None:
    reply = router.handle("/facts", "help", "U1", NOW)
    listed = "\n".join(notes(reply))
    for command in COMMANDS:
        example = example_of(command)
        assert f"`{example}`: {command.summary}" in listed
        assert example.startswith(command.name + " ")
        typed, _, text = example.partition(" ")
        answered = router.handle(typed, text, "U1", NOW)
        assert answered.ok, f"{example} does not answer: {render_text(answered)}"


def test_help_in_the_console_lists_every_command() -> None:
    out = io.StringIO()
    console(shipped_desk(), MemoryBook(), io.StringIO("help\n"), out, clock=lambda: NOW)
    text = out.getvalue()
    for command in COMMANDS:
        assert f"`{example_of(command)}`: {command.summary}" in text


@pytest.mark.parametrize(
    ("command", "text"),
    [
        ("/facts", "help followups"),
        ("/facts", "help /followups"),
        ("/quote", "followups help"),
        ("/followups", "help"),
    ],
)
def test_help_followups_explains_that_command(router: Router, command: str, text: str) -> None:
    reply = router.handle(command, text, "U1", NOW)
    assert FOLLOWUPS_USAGE in notes(reply)
    assert reply.command == "/followups" and reply.ok
    assert "showing results" not in render_text(reply)


def test_help_followups_in_the_console_is_not_searched() -> None:
    out = io.StringIO()
    console(shipped_desk(), MemoryBook(), io.StringIO("help followups\n"), out, clock=lambda: NOW)
    assert "/followups: how to use it" in out.getvalue()
    assert "held" not in out.getvalue()


def first_card_id(reply: Reply) -> str | None:
    for part in reply.parts:
        if isinstance(part, FactCard):
            return part.fact.id
        if isinstance(part, FollowUpCard):
            return part.state.item.id
    return None


@pytest.mark.parametrize(
    ("command", "text", "expected"),
    [
        ("/followups", "did the white house respond", "white-house-response"),
        ("/source", "when was the report released", "sessions-underestimated"),
        ("/source", "how many parents were not located?", "parents-not-located"),
    ],
)
def test_plain_words_after_any_command_are_a_facts_question(
    router: Router, command: str, text: str, expected: str
) -> None:
    reply = router.handle(command, text, "U1", NOW)
    assert first_card_id(reply) == expected
    assert reply.command == "/facts"  # Share replays it as the question it was


def test_sub_commands_and_ids_keep_their_meaning(router: Router) -> None:
    typo = router.handle("/followups", "resolv white-house-response", "U1", NOW)
    assert "Did you mean `/followups resolve`?" in "\n".join(notes(typo))
    source = router.handle("/source", "parents-not-located", "U1", NOW)
    assert source.command == "/source" and source.ok
    near = render_text(router.handle("/source", "parents-not-locatd", "U1", NOW))
    assert re.search(r"Did you mean `parents-not-located`", near)
