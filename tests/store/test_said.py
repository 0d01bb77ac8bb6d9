"""The record of what the bot said where, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.desk.versions import REMOVED, Cited
from bot.store.db import Database

NOW = datetime(2026, 11, 30, 14, 0, tzinfo=UTC)
FIGURE = Cited.of("fact", "parents-not-located", {"value": "545", "quote": "At least 545"})
FOLLOWUP = Cited.of("followup", "white-house-response", {"title": "White House response"})
BLOCKS = [
    {
        "type": "section",
        "block_id": "newsbot:fact:parents-not-located",
        "text": {"type": "mrkdwn", "text": "*545 parents*"},
    }
]


def record(
    database: Database, ts: str | None = "1700000001.000100", **changes: object
) -> int | None:
    fields: dict[str, object] = {
        "channel": "C0123456789",
        "ts": ts,
        "via": "chat.postMessage",
        "purpose": "reminder",
        "text": "Desk reminder: 545 parents",
        "blocks": BLOCKS,
        "items": [FIGURE, FOLLOWUP],
        "now": NOW,
    }
    fields.update(changes)
    return database.said().record(**fields)  # type: ignore[arg-type]


def test_a_message_is_kept_with_where_how_and_what_it_cites(database: Database) -> None:
    seq = record(database)
    (said,) = database.said().all()
    assert (said.seq, said.channel, said.ts, said.via, said.purpose) == (
        seq,
        "C0123456789",
        "1700000001.000100",
        "chat.postMessage",
        "reminder",
    )
    assert said.blocks == BLOCKS and said.text == "Desk reminder: 545 parents"
    assert said.items == (FIGURE, FOLLOWUP)
    assert said.editable


def test_the_same_channel_and_ts_is_recorded_once(database: Database) -> None:
    assert record(database) is not None
    assert record(database) is None
    assert len(database.said().all()) == 1


def test_a_response_url_share_has_no_ts_and_cannot_be_edited(database: Database) -> None:
    record(database, ts=None, via="response_url", purpose="share")
    record(database, ts=None, via="response_url", purpose="share")  # no ts: never a conflict
    shares = database.said().all()
    assert [(s.ts, s.via, s.editable) for s in shares] == [(None, "response_url", False)] * 2


def test_versions_and_citing_find_the_messages_a_changed_fact_reaches(database: Database) -> None:
    store = database.said()
    first = record(database, ts="1.1")
    record(database, ts="1.2", items=[FOLLOWUP])
    assert store.versions() == {
        ("fact", FIGURE.id, FIGURE.version),
        ("followup", FOLLOWUP.id, FOLLOWUP.version),
    }
    citing = store.citing({("fact", FIGURE.id, FIGURE.version)})
    assert [s.seq for s in citing] == [first]
    assert store.citing(set()) == []


def test_a_correction_is_recorded_once_even_when_two_processes_race(database: Database) -> None:
    store = database.said()
    record(database)
    (said,) = store.all()
    new = Cited.of("fact", FIGURE.id, {"value": "546", "quote": "At least 546"})
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*546 parents*"}}]
    later = NOW + timedelta(hours=1)
    assert store.mark_corrected(said, blocks=blocks, text="546", items=[new, FOLLOWUP], now=later)
    assert not store.mark_corrected(said, blocks=blocks, text="546", items=[new], now=later)
    (now_said,) = store.all()
    assert (now_said.blocks, now_said.text, now_said.revision) == (blocks, "546", 1)
    assert now_said.items == (new, FOLLOWUP)
    assert ("fact", FIGURE.id, FIGURE.version) not in store.versions()


def test_a_message_given_up_on_is_no_longer_cited_and_is_listed(database: Database) -> None:
    store = database.said()
    record(database)
    (said,) = store.all()
    store.mark_failed(said, error="Slack answered HTTP 200: internal_error", now=NOW, give_up=False)
    (again,) = store.all()
    assert (again.failures, again.last_error) == (1, "Slack answered HTTP 200: internal_error")
    assert store.versions()  # still live: a later run tries again
    store.mark_failed(again, error="message_not_found", now=NOW, give_up=True)
    assert store.versions() == set() and store.citing({("fact", FIGURE.id, FIGURE.version)}) == []
    assert [(s.seq, s.last_error) for s in store.uneditable()] == [(said.seq, "message_not_found")]


def test_a_struck_out_item_is_recorded_as_removed(database: Database) -> None:
    store = database.said()
    record(database)
    (said,) = store.all()
    gone = Cited("fact", FIGURE.id, REMOVED, {})
    store.mark_corrected(said, blocks=BLOCKS, text="x", items=[gone, FOLLOWUP], now=NOW)
    assert ("fact", FIGURE.id, REMOVED) in store.versions()
