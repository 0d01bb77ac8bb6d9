"""Replies credit words the way the article does (issue 10): a quote is a speaker's words in
quotation marks; a finding, statement or figure is the publisher's, under a byline; figures
keep their qualifier; citations name publisher, date and headline and never a file."""

from __future__ import annotations

import json

import pytest

from bot.replies.blocks import render_blocks
from bot.replies.reply import FactCard
from bot.replies.router import Router
from bot.replies.text import render_text
from tests.replies.desks import NOW

HEADLINE = 'DOJ watchdog report underscores chaos of "zero tolerance" immigration policy'


def both(router: Router, command: str, text: str) -> tuple[str, str]:
    """What the console prints and what Slack receives (as JSON text), for one command."""
    reply = router.handle(command, text, "U1", NOW)
    return render_text(reply), json.dumps(render_blocks(reply), ensure_ascii=False)


def test_a_paraphrased_statement_is_the_publishers_words_under_a_byline(router: Router) -> None:
    text, blocks = both(router, "/facts", "spokesperson")
    assert "\n  A DOJ spokesperson said that while the agency" in text
    assert "“A DOJ spokesperson" not in text and "“A DOJ spokesperson" not in blocks
    assert "— Axios, paraphrasing a DOJ spokesperson · Axios, 14 Jan 2021" in text
    assert "— Axios, paraphrasing a DOJ spokesperson" in blocks


def test_a_finding_is_the_publisher_summarizing_the_report(router: Router) -> None:
    text, _ = both(router, "/facts", "underestimated")
    assert "— Axios, summarizing the Justice Department inspector general's report" in text


def test_the_report_quotes_about_sessions_are_credited_to_the_report(router: Router) -> None:
    reply = router.handle("/quote", "promised resources", "U1", NOW)
    (card,) = [p for p in reply.parts if isinstance(p, FactCard)]
    assert card.fact.id == "sessions-promised-resources"
    text = render_text(reply)
    assert "“promised additional resources”" in text
    assert "— The Justice Department inspector general's report · Axios" in text
    assert "Jeff Sessions" not in text.split("“promised additional resources”")[1]


def test_quote_lists_each_speaker_once(router: Router) -> None:
    text, _ = both(router, "/quote", "")
    listed = [line for line in text.splitlines() if line.startswith("• ")]
    assert listed == [
        "• The Justice Department inspector general's report: 5 quotes",
        "• Democratic chairs on the House Oversight and Judiciary Committees: 2 quotes",
    ]


def test_by_matches_any_alias_of_the_speaker(router: Router) -> None:
    for alias in ("oig", "report", '"inspector general"'):
        reply = router.handle("/quote", f"by:{alias}", "U1", NOW)
        ids = {p.fact.id for p in reply.parts if isinstance(p, FactCard)}
        assert "sessions-prosecute-as-many" in ids and "chairs-chaos-cruelty" not in ids, alias


def test_a_figure_keeps_its_qualifier_everywhere(router: Router) -> None:
    for command, query in (("/figure", ""), ("/facts", "545"), ("/facts", "")):
        text, blocks = both(router, command, query)
        assert "at least 545 parents · Parents not located" in text, command
        assert "at least 545 parents · Parents not located" in blocks, command


@pytest.mark.parametrize(
    "command, query",
    [
        ("/facts", "545"),
        ("/facts", "cruelty"),
        ("/facts", ""),
        ("/quote", "sessions"),
        ("/figure", ""),
        ("/followups", ""),
        ("/facts", "white house"),
    ],
)
def test_citations_name_publisher_date_and_headline_never_a_file(
    router: Router, command: str, query: str
) -> None:
    text, blocks = both(router, command, query)
    for shown in (text, blocks):
        assert "seeds/" not in shown and ".txt" not in shown
        assert "Axios, 14 Jan 2021" in shown
    assert f"Axios, 14 Jan 2021: “{HEADLINE}”" in text
    assert "Axios, 14 Jan 2021: _DOJ watchdog report underscores chaos of" in blocks


def test_source_shows_editors_the_file_the_credit_and_the_inferred_year(router: Router) -> None:
    text, blocks = both(router, "/source", "parents-not-located")
    assert "File: seeds/000_8c36c7995ecb0c4b.txt" in text
    assert "`seeds/000_8c36c7995ecb0c4b.txt`" in blocks
    assert 'As of: the article says "as of October"; the year 2020 is inferred' in text
    text, _ = both(router, "/source", "sessions-promised-resources")
    assert "The source credits them to: “the report” (source line 13), in the list's lead-in" in (
        text
    )
    assert "About: Jeff Sessions, Former Attorney General" in text


def test_follow_ups_say_no_asked_age_the_article_does_not_give(router: Router) -> None:
    text, blocks = both(router, "/followups", "")
    assert "asked" not in text and "days ago" not in text and "asked" not in blocks
    # The publisher's sentence that shows the question is open, not a quotation.
    assert "\n  The White House did not immediately respond to a request for comment." in text


def test_the_publishers_own_writer_is_named_as_the_source_names_her(router: Router) -> None:
    text, _ = both(router, "/facts", "chronicles")
    assert "— Axios' Stef Kight · Axios, 14 Jan 2021" in text
    assert "paraphrasing Stef Kight" not in text
