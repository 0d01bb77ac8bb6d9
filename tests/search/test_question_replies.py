"""The questions of issue 12 as a reporter types them, answered through the router: the first
card, the header and the honest miss they see."""

from __future__ import annotations

import pytest

from bot.desk.model import Fact
from bot.replies.reply import FactCard, FollowUpCard, Note, Reply, Suggestions
from bot.replies.router import Router
from bot.replies.text import render_text
from bot.store.memory import MemoryBook
from tests.replies.desks import NOW, shipped_desk


@pytest.fixture(scope="module")
def router() -> Router:
    return Router(shipped_desk(), MemoryBook())


def first_id(reply: Reply) -> str | None:
    for part in reply.parts:
        if isinstance(part, FactCard):
            return part.fact.id
        if isinstance(part, FollowUpCard):
            return part.state.item.id
    return None


def notes(reply: Reply) -> str:
    return "\n".join(p.text for p in reply.parts if isinstance(p, Note))


@pytest.mark.parametrize(
    ("command", "text", "expected"),
    [
        ("/facts", "how many parents were not located?", "parents-not-located"),
        ("/figure", "how many parents were not located?", "parents-not-located"),
        ("/facts", "what did horowitz say", "sessions-underestimated"),
        ("/facts", "when was the report released", "sessions-underestimated"),
        ("/facts", "how many children are still separated", "thought-bubble-kight"),
        ("/facts", "DOJ's role", "doj-spokesperson-no-role"),
        ("/facts", "many parents", "parents-not-located"),
        ("/quote", '"reckless disregard"', "chairs-chaos-cruelty"),
    ],
)
def test_each_question_of_the_issue_gets_the_right_first_answer(
    router: Router, command: str, text: str, expected: str
) -> None:
    reply = router.handle(command, text, "U1", NOW)
    assert first_id(reply) == expected, render_text(reply)


def test_sessions_with_a_doubled_possessive_answers_about_sessions(router: Router) -> None:
    reply = router.handle("/facts", "sessions's", "U1", NOW)
    cards = [p for p in reply.parts if isinstance(p, FactCard)]
    # The report's words about Sessions are tagged and marked about him, not his (issue 10).
    assert cards and all(
        "sessions" in f"{c.fact.quote} {' '.join(s.name for s in c.fact.about)}".lower()
        or "sessions" in c.fact.tags
        for c in cards
    )
    assert "6 items for “sessions's”." in notes(reply)


def test_a_name_the_desk_lacks_gets_an_honest_miss_and_no_unrelated_words(
    router: Router,
) -> None:
    reply = router.handle("/quote", "rosenstein", "U1", NOW)
    assert notes(reply).splitlines()[0] == "Nothing on rosenstein in this desk."
    assert not [p for p in reply.parts if isinstance(p, Suggestions)]
    assert not reply.shareable
    capitalised = router.handle("/quote", "Rosenstein", "U1", NOW)
    assert render_text(capitalised).startswith("Nothing on Rosenstein in this desk.")


def test_a_miss_inside_a_longer_question_shows_the_question(router: Router) -> None:
    reply = router.handle("/facts", "what did Rosenstein say about separations?", "U1", NOW)
    assert notes(reply).splitlines()[0] == (
        "Nothing on Rosenstein in this desk "
        "(you asked “what did Rosenstein say about separations?”)."
    )
    assert first_id(reply) is None


def test_did_you_mean_appears_only_for_close_words_of_the_desk(router: Router) -> None:
    reply = router.handle("/figure", "sesions", "U1", NOW)
    suggestions = [p for p in reply.parts if isinstance(p, Suggestions)]
    assert suggestions and suggestions[0].terms[0] == "sessions"


@pytest.mark.parametrize("typed", ['"reckless disregard"', "“reckless disregard”"])
def test_the_header_quotes_a_quoted_query_once(router: Router, typed: str) -> None:
    reply = router.handle("/quote", typed, "U1", NOW)
    assert "1 quote for “reckless disregard”." in notes(reply)
    assert reply.text == "1 quote for “reckless disregard”"
    assert "““" not in render_text(reply) and "””" not in render_text(reply)


def test_a_partial_match_says_which_words_it_dropped(router: Router) -> None:
    reply = router.handle("/facts", "cruelty toward toddlers", "U1", NOW)
    assert first_id(reply) == "chairs-chaos-cruelty"
    assert "nothing in this desk mentions toddlers, so these match the rest" in notes(reply)


def test_a_partial_match_of_words_the_desk_has_names_what_the_first_answer_lacks(
    router: Router,
) -> None:
    reply = router.handle("/facts", "cruelty of prosecutions", "U1", NOW)
    first = next(p.fact for p in reply.parts if isinstance(p, FactCard))
    assert isinstance(first, Fact)
    said = notes(reply)
    assert "no item has every word: the first leaves out" in said
    left_out = said.split("the first leaves out ", 1)[1].split(".")[0]
    assert left_out in {"cruelty", "prosecutions"}
    assert left_out[:6] not in first.quote.lower()
