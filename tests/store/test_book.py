"""SqlBook keeps follow-ups and their history, and behaves like MemoryBook (the protocol)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.desk.model import (
    Action,
    Desk,
    FollowUp,
    FollowUpBook,
    FollowUpEvent,
    Newsroom,
    Status,
    followup_states,
)
from bot.replies.router import Router
from bot.store.db import Database
from bot.store.memory import MemoryBook
from tests.store.databases import BACKENDS, empty_database_url

MONDAY = datetime(2026, 3, 9, 14, 0, tzinfo=UTC)
CURATED = FollowUp(id="white-house-response", title="White House response", asked=date(2021, 1, 14))
DESK = Desk(Newsroom("Desk"), {}, (), (CURATED,), ())


@pytest.fixture(params=["memory", *BACKENDS])
def book(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[FollowUpBook]:
    if request.param == "memory":
        yield MemoryBook()
        return
    with empty_database_url(request.param, request, tmp_path) as url:
        database = Database(url)
        database.create_schema()
        yield database.book()
        database.dispose()


def test_added_follow_ups_get_stable_ids_in_order(book: FollowUpBook) -> None:
    first = book.add_followup("Ask ICE for the new count", "U1", MONDAY, MONDAY.date())
    later = MONDAY + timedelta(hours=1)
    second = book.add_followup("Call the steering committee", "U2", later, later.date())
    assert (first.id, second.id) == ("added-1", "added-2")
    assert [f.title for f in book.added_followups()] == [
        "Ask ICE for the new count",
        "Call the steering committee",
    ]
    assert book.added_followups()[1].added_by == "U2"
    assert book.added_followups()[0].asked == date(2026, 3, 9)
    assert [e.action for e in book.events("added-1")] == [Action.ADDED]


def test_status_folds_from_the_recorded_history(book: FollowUpBook) -> None:
    book.record(
        FollowUpEvent(CURATED.id, Action.SNOOZED, "U1", MONDAY, until=MONDAY + timedelta(days=1))
    )
    book.record(
        FollowUpEvent(
            CURATED.id,
            Action.RESOLVED,
            "U2",
            MONDAY + timedelta(hours=2),
            note="Declined",
            link="https://example.org/x",
        )
    )
    (state,) = followup_states(DESK, book, MONDAY + timedelta(hours=3))
    assert state.status is Status.RESOLVED
    assert state.resolution is not None
    assert (state.resolution.user, state.resolution.note, state.resolution.link) == (
        "U2",
        "Declined",
        "https://example.org/x",
    )
    assert [e.action for e in book.events(CURATED.id)] == [Action.SNOOZED, Action.RESOLVED]
    assert book.events("someone-else") == []


def test_a_snooze_keeps_its_end_time(book: FollowUpBook) -> None:
    until = MONDAY + timedelta(days=7)
    book.record(FollowUpEvent(CURATED.id, Action.SNOOZED, "U1", MONDAY, until=until))
    (state,) = followup_states(DESK, book, MONDAY + timedelta(days=1))
    assert (state.status, state.snoozed_until) == (Status.SNOOZED, until)
    (later,) = followup_states(DESK, book, until + timedelta(seconds=1))
    assert later.status is Status.OPEN


def test_follow_ups_and_history_survive_a_restart(database_url: str) -> None:
    first = Database(database_url)
    first.create_schema()
    item = first.book().add_followup("Ask DHS", "U1", MONDAY, MONDAY.date())
    first.book().record(FollowUpEvent(item.id, Action.RESOLVED, "U1", MONDAY + timedelta(hours=1)))
    first.dispose()

    again = Database(database_url)
    again.create_schema()  # every start calls it; it must not lose anything
    assert [f.id for f in again.book().added_followups()] == ["added-1"]
    assert [e.action for e in again.book().events("added-1")] == [Action.ADDED, Action.RESOLVED]
    assert again.book().add_followup("Ask HHS", "U2", MONDAY, MONDAY.date()).id == "added-2"
    again.dispose()


def test_the_version_changes_with_every_write(book: FollowUpBook) -> None:
    seen = [book.version()]  # type: ignore[attr-defined]
    book.add_followup("Ask ICE for the new count", "U1", MONDAY, MONDAY.date())
    seen.append(book.version())  # type: ignore[attr-defined]
    book.record(FollowUpEvent(CURATED.id, Action.RESOLVED, "U1", MONDAY))
    seen.append(book.version())  # type: ignore[attr-defined]
    assert len(set(seen)) == 3
    assert book.version() == seen[-1]  # type: ignore[attr-defined]


def test_a_router_sees_what_another_process_wrote(database_url: str) -> None:
    """Each gunicorn worker has its own engine and its own router; its cached follow-up
    states must follow what the others record."""
    here, there = Database(database_url), Database(database_url)
    here.create_schema()
    router = Router(DESK, here.book())
    try:
        assert router.states(MONDAY).items[0].status is Status.OPEN
        assert router.states(MONDAY).items[0].status is Status.OPEN  # from the cache
        there.book().record(FollowUpEvent(CURATED.id, Action.RESOLVED, "U2", MONDAY))
        assert router.states(MONDAY).items[0].status is Status.RESOLVED
        there.book().add_followup("Ask HHS", "U2", MONDAY, MONDAY.date())
        assert [s.item.title for s in router.states(MONDAY).items][-1] == "Ask HHS"
    finally:
        here.dispose()
        there.dispose()


def test_a_snooze_runs_out_on_time_while_the_book_is_unchanged(book: FollowUpBook) -> None:
    """A router replays the book once per version; the clock still ends a snooze."""
    until = MONDAY + timedelta(days=1)
    book.record(FollowUpEvent(CURATED.id, Action.SNOOZED, "U1", MONDAY, until=until))
    router = Router(DESK, book)
    assert router.states(MONDAY).items[0].status is Status.SNOOZED
    later = router.states(until + timedelta(seconds=1)).items[0]
    assert (later.status, later.snoozed_until) == (Status.OPEN, None)
    assert router.states(until - timedelta(seconds=1)).items[0].status is Status.SNOOZED
