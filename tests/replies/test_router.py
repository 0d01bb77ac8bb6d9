"""Every command and sub-command through the router, as a user would type them."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.desk.model import Action, Desk, Status
from bot.desk.search import SearchIndex
from bot.replies.blocks import reply_to_json
from bot.replies.reply import (
    FactCard,
    FollowUpCard,
    Heading,
    More,
    Note,
    Reply,
    SourceCard,
    Suggestions,
)
from bot.replies.router import Router
from bot.replies.text import render_text
from bot.store.memory import MemoryBook
from tests.replies.conftest import EVERYONE
from tests.replies.desks import NOW, BrokenBook, figure, make_desk

EDITOR = "U0EDITOR1"


def cards(reply: Reply, kind: type) -> list:  # type: ignore[type-arg]
    return [p for p in reply.parts if isinstance(p, kind)]


def notes(reply: Reply) -> str:
    return "\n".join(p.text for p in reply.parts if isinstance(p, Note))


# --- /facts ---------------------------------------------------------------------------------


def test_facts_545_answers_with_the_sourced_figure_first(router: Router) -> None:
    reply = router.handle("/facts", "545", "U1", NOW)
    first = cards(reply, FactCard)[0]
    assert first.fact.id == "parents-not-located"
    assert first.source.publisher == "Axios"
    assert reply.ok and reply.shareable
    assert (reply.command, reply.query) == ("/facts", "545")
    text = render_text(reply)
    # A figure is the publisher's sentence: shown without quotation marks (issue 10).
    assert "\n  At least 545 parents" in text and "“At least 545" not in text
    assert "id: parents-not-located" in text
    assert "Axios, 14 Jan 2021" in text


def test_figures_older_than_stale_after_days_carry_their_age(router: Router) -> None:
    card = cards(router.handle("/facts", "545", "U1", NOW), FactCard)[0]
    assert card.stale_days == 121  # 31 October 2020 to 1 March 2021


def test_a_recent_figure_is_not_stale() -> None:
    desk = make_desk(facts=[figure(as_of="2021-02")])
    card = cards(Router(desk, MemoryBook()).handle("/figure", "", "U1", NOW), FactCard)[0]
    assert card.stale_days is None


def test_staleness_counts_days_in_the_newsrooms_time_zone() -> None:
    desk = make_desk(facts=[figure(as_of="2020-12-01")], stale_after_days=89)
    router = Router(desk, MemoryBook())
    # 1 March 2021 03:00 UTC is still 28 February in New York: 89 days old, not past 89 yet.
    early = datetime.fromisoformat("2021-03-01T03:00:00+00:00")
    assert cards(router.handle("/figure", "", "U1", early), FactCard)[0].stale_days is None
    late = datetime.fromisoformat("2021-03-01T06:00:00+00:00")
    assert cards(router.handle("/figure", "", "U1", late), FactCard)[0].stale_days == 90


def test_a_follow_up_added_in_a_new_york_evening_is_asked_that_day() -> None:
    book = MemoryBook()
    router = Router(make_desk(), book, editors=EVERYONE)
    # 30 November 2026 03:00 UTC is 22:00 on the 29th in New York.
    router.handle("/followups", "add Call ICE back", "U1", datetime(2026, 11, 30, 3, tzinfo=UTC))
    [added] = book.added_followups()
    assert added.asked == date(2026, 11, 29)


def test_empty_facts_gives_an_overview_and_help(router: Router) -> None:
    reply = router.handle("/facts", "", "U1", NOW)
    assert cards(reply, Heading)[0].text == "Immigration desk"
    assert "14 facts" in notes(reply)
    assert "/quote" in notes(reply) and "help" in notes(reply)
    assert cards(reply, FactCard)[0].fact.kind == "figure"


def test_commands_work_without_slash_and_in_any_case(router: Router) -> None:
    for command in ("facts", "/FACTS", " Facts "):
        reply = router.handle(command, "cruelty", "U1", NOW)
        assert cards(reply, FactCard)[0].fact.id == "chairs-chaos-cruelty"


def test_a_typo_says_what_was_searched_instead(router: Router) -> None:
    reply = router.handle("/facts", "parnets", "U1", NOW)
    assert "parents (you typed parnets)" in notes(reply)
    assert cards(reply, FactCard) or cards(reply, FollowUpCard)


def test_no_match_suggests_close_words_and_is_never_empty(router: Router) -> None:
    reply = router.handle("/facts", "sesions kind:figure", "U1", NOW)
    suggestions = cards(reply, Suggestions)
    assert suggestions and "sessions" in suggestions[0].terms
    assert "No items match" in notes(reply)
    assert not reply.shareable

    gibberish = router.handle("/facts", "qqqqxxxx", "U1", NOW)
    assert gibberish.parts and render_text(gibberish).strip()


# --- /quote and /figure ---------------------------------------------------------------------


def test_quote_cruelty_gives_the_chairs_words_and_only_quotes(router: Router) -> None:
    reply = router.handle("/quote", "cruelty", "U1", NOW)
    found = cards(reply, FactCard)
    assert found[0].fact.id == "chairs-chaos-cruelty"
    assert {c.fact.kind for c in found} == {"quote"}
    assert "Democratic chairs" in render_text(reply)


def test_empty_quote_lists_the_speakers(router: Router, desk: Desk) -> None:
    chairs = next(f.attribution for f in desk.facts if f.id == "chairs-chaos-cruelty")
    reply = router.handle("/quote", "", "U1", NOW)
    assert f"• {chairs}: 2 quotes" in notes(reply)


def test_quote_without_a_quote_match_points_to_facts(router: Router) -> None:
    reply = router.handle("/quote", "545", "U1", NOW)
    assert not cards(reply, FactCard)
    assert "`/facts 545`" in notes(reply)


def test_figure_lists_figures_with_value_unit_and_date(router: Router) -> None:
    text = render_text(router.handle("/figure", "", "U1", NOW))
    assert "545 parents · Parents not located · as of October 2020" in text
    assert "Stale" in text
    assert render_text(router.handle("/figure", "parents", "U1", NOW)).count("id: ") == 1


# --- help and unknown commands --------------------------------------------------------------


@pytest.mark.parametrize("command", ["/facts", "/quote", "/figure", "/followups", "/source"])
def test_help_after_any_command_explains_it(router: Router, command: str) -> None:
    reply = router.handle(command, "help", "U1", NOW)
    assert command in notes(reply)
    assert reply.ok and not reply.shareable


def test_an_unknown_command_answers_with_the_list_of_commands(router: Router) -> None:
    reply = router.handle("/factz", "545", "U1", NOW)
    assert not reply.ok
    assert "/factz" in notes(reply)
    assert all(name in notes(reply) for name in ("/facts", "/quote", "/followups"))


# --- /followups -----------------------------------------------------------------------------


def test_followups_lists_the_open_ones(router: Router) -> None:
    for text in ("", "list"):
        reply = router.handle("/followups", text, "U1", NOW)
        assert [c.state.item.id for c in cards(reply, FollowUpCard)] == [
            "white-house-response",
            "parents-located-update",
        ]
        # No invented "asked" date (issue 10): no "asked N days ago" either.
        assert all(c.age_days is None for c in cards(reply, FollowUpCard))
        assert "asked" not in render_text(reply)


def test_add_resolve_and_reopen_are_recorded(router: Router, book: MemoryBook) -> None:
    added = router.handle("/followups", "add DHS count of reunified families", EDITOR, NOW)
    assert added.ok and not added.shareable
    new_id = cards(added, FollowUpCard)[0].state.item.id
    assert book.added_followups()[0].title == "DHS count of reunified families"

    resolved = router.handle(
        "/followups", f"resolve {new_id} DHS said 1,000 https://example.org/dhs", EDITOR, NOW
    )
    assert "Resolved" in notes(resolved)
    event = book.events(new_id)[-1]
    assert (event.action, event.user, event.at) == (Action.RESOLVED, EDITOR, NOW)
    assert event.note == "DHS said 1,000 https://example.org/dhs"
    assert event.link == "https://example.org/dhs"
    open_ids = [
        c.state.item.id for c in cards(router.handle("/followups", "", "U1", NOW), FollowUpCard)
    ]
    assert new_id not in open_ids
    everything = router.handle("/followups", "all", "U1", NOW)
    assert new_id in [c.state.item.id for c in cards(everything, FollowUpCard)]

    reopened = router.handle("/followups", f"reopen {new_id}", EDITOR, NOW)
    assert "Reopened" in notes(reopened)
    assert book.events(new_id)[-1].action is Action.REOPENED


def test_snooze_hides_an_item_until_the_time_runs_out(router: Router, book: MemoryBook) -> None:
    reply = router.handle("/followups", "snooze white-house-response 3d", EDITOR, NOW)
    assert reply.ok
    assert book.events("white-house-response")[-1].until == NOW + timedelta(days=3)

    def open_ids(at: datetime) -> list[str]:
        listed = router.handle("/followups", "", "U1", at)
        return [c.state.item.id for c in cards(listed, FollowUpCard)]

    assert "white-house-response" not in open_ids(NOW + timedelta(days=2))
    assert "Also 1 snoozed" in notes(router.handle("/followups", "", "U1", NOW))
    assert "white-house-response" in open_ids(NOW + timedelta(days=3, seconds=1))


@pytest.mark.parametrize(
    ("length", "delta"),
    [
        ("1d", timedelta(days=1)),
        ("12h", timedelta(hours=12)),
        ("1w", timedelta(weeks=1)),
        ("2 days", timedelta(days=2)),
    ],
)
def test_snooze_lengths(router: Router, book: MemoryBook, length: str, delta: timedelta) -> None:
    router.handle("/followups", f"snooze white-house-response {length}", EDITOR, NOW)
    assert book.events()[-1].until == NOW + delta


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("snooze white-house-response", "/followups snooze white-house-response 3d"),
        ("snooze white-house-response 3x", "/followups snooze white-house-response 3d"),
        ("snooze white-house-response 0d", "from 1h to 26w"),
        ("snooze white-house-response 30w", "from 1h to 26w"),
        ("snooze", "/followups snooze ID 3d"),
        ("resolve", "/followups resolve ID NOTE"),
        ("reopen", "/followups reopen ID"),
        ("add", "/followups add TEXT"),
        ("add    ", "/followups add TEXT"),
        ("resolve white-house-respons Done", "Did you mean `white-house-response`"),
        ("reopen nothing-like-it", "There is no follow-up “nothing-like-it”"),
        ("add " + "x" * 201, "under 200"),
    ],
)
def test_mistakes_say_exactly_what_to_type(
    router: Router, book: MemoryBook, text: str, says: str
) -> None:
    reply = router.handle("/followups", text, EDITOR, NOW)
    assert not reply.ok and not reply.shareable
    assert says in notes(reply)
    assert book.events() == []


def test_an_unknown_sub_command_shows_help_with_a_guess(router: Router) -> None:
    reply = router.handle("/followups", "resovle white-house-response", EDITOR, NOW)
    assert not reply.ok
    assert "Did you mean `/followups resolve`?" in notes(reply)


def test_resolving_twice_records_once(router: Router, book: MemoryBook) -> None:
    router.handle("/followups", "resolve white-house-response no comment", EDITOR, NOW)
    again = router.handle("/followups", "resolve white-house-response", EDITOR, NOW)
    assert "already resolved" in notes(again)
    assert len(book.events()) == 1


def test_a_resolved_item_must_be_reopened_before_snoozing(router: Router, book: MemoryBook) -> None:
    router.handle("/followups", "resolve white-house-response", EDITOR, NOW)
    reply = router.handle("/followups", "snooze white-house-response 1d", EDITOR, NOW)
    assert "/followups reopen white-house-response" in notes(reply)
    assert len(book.events()) == 1


def test_only_editors_change_follow_ups_when_editors_are_set(desk, index, book) -> None:  # type: ignore[no-untyped-def]
    router = Router(desk, book, index, editors=frozenset({EDITOR}))
    refused = router.handle("/followups", "resolve white-house-response done", "U0OTHER", NOW)
    assert not refused.ok and "only the desk's editors" in notes(refused)
    assert book.events() == []
    listed = router.handle("/followups", "", "U0OTHER", NOW)
    assert listed.ok and not any(c.buttons for c in cards(listed, FollowUpCard))
    assert router.handle("/followups", "resolve white-house-response done", EDITOR, NOW).ok
    assert len(book.events()) == 1


def test_reads_still_answer_when_the_database_is_down(desk, index) -> None:  # type: ignore[no-untyped-def]
    router = Router(desk, BrokenBook(), index, editors=EVERYONE)
    listed = router.handle("/followups", "", "U1", NOW)
    assert listed.ok
    assert len(cards(listed, FollowUpCard)) == 2
    assert "status is unavailable" in notes(listed)
    assert listed.meta["followup_status"] == "unavailable"
    assert "status unknown" in render_text(listed)
    assert cards(router.handle("/facts", "545", "U1", NOW), FactCard)
    assert router.handle("/facts", "", "U1", NOW).ok
    assert cards(router.handle("/source", "white-house-response", "U1", NOW), SourceCard)


@pytest.mark.parametrize(
    "text",
    ["add Something new", "resolve white-house-response x", "snooze white-house-response 1d"],
)
def test_writes_say_could_not_save_when_the_database_is_down(desk, index, text: str) -> None:  # type: ignore[no-untyped-def]
    reply = Router(desk, BrokenBook(), index, editors=EVERYONE).handle(
        "/followups", text, EDITOR, NOW
    )
    assert not reply.ok
    assert "Could not save" in notes(reply) and "Try again" in notes(reply)


# --- /source --------------------------------------------------------------------------------


def test_source_of_a_fact_shows_its_paragraph_and_source_record(router: Router) -> None:
    reply = router.handle("/source", "parents-not-located", "U1", NOW)
    card = cards(reply, SourceCard)[0]
    assert card.paragraph.startswith("Why it matters: At least 545 parents")
    assert card.fact is not None and card.fact.id == "parents-not-located"
    assert card.source.file == "seeds/000_8c36c7995ecb0c4b.txt"


def test_source_of_a_follow_up_shows_its_history(router: Router) -> None:
    router.handle("/followups", "snooze white-house-response 1w", EDITOR, NOW)
    router.handle("/followups", "resolve white-house-response said no comment", EDITOR, NOW)
    reply = router.handle("/source", "white-house-response", "U1", NOW)
    card = cards(reply, SourceCard)[0]
    assert [e.action for e in card.history] == [Action.SNOOZED, Action.RESOLVED]
    assert card.followup is not None and card.followup.status is Status.RESOLVED
    assert "resolved by U0EDITOR1: said no comment" in render_text(reply)


def test_source_of_a_follow_up_added_from_slack(router: Router) -> None:
    router.handle("/followups", "add Ask ICE for numbers", EDITOR, NOW)
    reply = router.handle("/source", "added-1", "U1", NOW)
    assert cards(reply, FollowUpCard)[0].state.item.title == "Ask ICE for numbers"
    assert "no published source" in notes(reply)


def test_source_without_an_id_says_how(router: Router) -> None:
    reply = router.handle("/source", "", "U1", NOW)
    assert not reply.ok and "/source ID" in notes(reply)


def test_source_with_an_unknown_id_suggests_ids(router: Router) -> None:
    reply = router.handle("/source", "parents-not-locatd", "U1", NOW)
    assert not reply.ok
    assert "`parents-not-located`" in notes(reply)
    words = router.handle("/source", "cruelty", "U1", NOW)
    assert "`chairs-chaos-cruelty`" in notes(words)


# --- limits ---------------------------------------------------------------------------------


def test_broad_queries_show_ten_and_count_the_rest() -> None:
    from tests.replies.desks import many_facts_desk

    desk = many_facts_desk(500)
    reply = Router(desk, MemoryBook(), SearchIndex.build(desk)).handle(
        "/facts", "policy", "U1", NOW
    )
    assert len(cards(reply, FactCard)) == 10
    assert cards(reply, More)[0].count == 490
    assert "490 more: refine your query" in render_text(reply)


def test_a_word_in_more_items_than_are_counted_says_so_instead_of_a_wrong_count() -> None:
    from tests.replies.desks import many_facts_desk

    desk = many_facts_desk(1500)
    reply = Router(desk, MemoryBook(), SearchIndex.build(desk)).handle(
        "/facts", "policy", "U1", NOW
    )
    shown = render_text(reply)
    assert "1,000+ items for “policy”" in shown
    assert "990+ more: refine your query" in shown
    blocks = json.dumps(reply_to_json(reply))
    assert "990+ more: refine your query" in blocks
    assert "1500" not in shown and "1,500" not in shown


def test_warming_up_answers_without_changing_what_the_next_reader_sees() -> None:
    from tests.replies.desks import shipped_desk

    desk = shipped_desk()
    book = MemoryBook()
    warmed = Router(desk, book, SearchIndex.build(desk))
    warmed.warm_up(NOW)
    cold = Router(desk, book, SearchIndex.build(desk))
    for command, text in (("/facts", "545"), ("/quote", "cruelty"), ("/followups", "")):
        assert reply_to_json(warmed.handle(command, text, "U1", NOW)) == reply_to_json(
            cold.handle(command, text, "U1", NOW)
        )
    assert book.events() == []  # nothing was recorded


def test_warming_up_an_empty_desk_does_not_raise() -> None:
    desk = make_desk(facts=[], followups=[])
    Router(desk, MemoryBook(), SearchIndex.build(desk)).warm_up(NOW)
