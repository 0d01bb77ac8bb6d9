"""Tables: follow-ups added from Slack, their append-only events, and the deliveries ledger.

SQLAlchemy Core only. Every timestamp is stored as naive UTC (``UtcDateTime``): SQLite has no
time zone type, and comparing ``lease_until < now`` must mean the same on both databases.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.types import TypeDecorator

DELIVERY_STATES = ("claimed", "sent", "failed", "skipped")


class UtcDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out; naive UTC on disk."""

    impl = DateTime(timezone=False)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("store aware datetimes only (naive times are ambiguous)")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC)


metadata = MetaData()

# Follow-ups created with `/followups add`. Their public id is ``added-<seq>``: the sequence
# is the one thing every process agrees on, so ids stay stable and never collide.
added_followups = Table(
    "newsbot_added_followups",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("title", Text, nullable=False),
    Column("added_by", String(64), nullable=False),
    Column("asked", Date, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

# Append-only: a follow-up's status is folded from these, never stored (bot.desk.model).
followup_events = Table(
    "newsbot_followup_events",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("followup_id", String(128), nullable=False),
    Column("action", String(16), nullable=False),
    Column("user_id", String(64), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("note", Text),
    Column("link", Text),
    Column("until", UtcDateTime),
    Index("ix_newsbot_followup_events_followup", "followup_id"),
)

# One row per (reminder, occurrence): the unique key is what makes a post happen once however
# many processes race for it. The row is created by the process that claims it.
deliveries = Table(
    "newsbot_deliveries",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("reminder_id", String(128), nullable=False),
    Column("occurrence_utc", UtcDateTime, nullable=False),
    Column("state", String(16), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("claimed_by", String(200)),
    # For a claim: when another process may take it over. For a failure: the earliest retry.
    Column("lease_until", UtcDateTime),
    Column("channel", String(64)),
    Column("message_ts", String(32)),
    Column("late", Boolean, nullable=False, default=False),
    Column("last_error", Text),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    UniqueConstraint("reminder_id", "occurrence_utc", name="uq_newsbot_delivery_occurrence"),
    Index("ix_newsbot_deliveries_updated", "updated_at"),
)

SAID_STATES = ("live", "uneditable")

# Every message the bot posted or shared, as it reads now: where (channel and ts, when Slack
# gave one), how (chat.postMessage or a response_url) and its blocks, so a correction can
# redraw the cards that changed and leave the rest as it was.
said_messages = Table(
    "newsbot_said_messages",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("channel", String(64), nullable=False),
    Column("ts", String(32)),
    Column("via", String(24), nullable=False),
    Column("purpose", String(32), nullable=False),
    Column("text", Text, nullable=False),
    Column("blocks", Text, nullable=False),  # JSON, as last sent to Slack
    Column("state", String(16), nullable=False),
    Column("revision", Integer, nullable=False, default=0),
    Column("failures", Integer, nullable=False, default=0),
    Column("last_error", Text),
    Column("posted_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    UniqueConstraint("channel", "ts", name="uq_newsbot_said_channel_ts"),
)

# Which facts and follow-ups each message shows, at which content version (bot.desk.versions).
said_items = Table(
    "newsbot_said_items",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column(
        "message_seq",
        Integer,
        ForeignKey("newsbot_said_messages.seq", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("position", Integer, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("item_id", String(255), nullable=False),
    Column("version", String(32), nullable=False),
    Column("content", Text, nullable=False),  # JSON: the fields as the message showed them
    Index("ix_newsbot_said_items_message", "message_seq"),
    Index("ix_newsbot_said_items_item", "kind", "item_id"),
)

# Signatures of Slack requests that changed something, kept until Slack would refuse them as
# stale: every web process sees a replay another process already ran (bot/web.py).
seen_requests = Table(
    "newsbot_seen_requests",
    metadata,
    Column("signature", String(100), primary_key=True),
    Column("expires_at", UtcDateTime, nullable=False),
    Index("ix_newsbot_seen_requests_expires", "expires_at"),
)
