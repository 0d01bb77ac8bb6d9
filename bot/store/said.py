"""The record of what the bot said where: every posted or shared message and what it cites.

Written when a message goes out, read by corrections (bot.replies.corrections). An edit is
recorded with compare-and-set on the message's revision, so two processes correcting the
same message at once (both send Slack the same blocks) record it once.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, RowMapping, delete, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from bot.desk.versions import Cited
from bot.replies.cited import Block, Said, Via
from bot.store.schema import said_items, said_messages

_ERROR_LIMIT = 500
Version = tuple[str, str, str]  # (kind, item id, content version)


class SaidStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    # --- writing ------------------------------------------------------------------------------

    def record(
        self,
        *,
        channel: str,
        ts: str | None,
        via: Via,
        purpose: str,
        text: str,
        blocks: Sequence[Block],
        items: Sequence[Cited],
        now: datetime,
    ) -> int | None:
        """Keep one message; None when (channel, ts) was already recorded."""
        row = {
            "channel": channel,
            "ts": ts,
            "via": via,
            "purpose": purpose,
            "text": text,
            "blocks": json.dumps(list(blocks), ensure_ascii=False),
            "state": "live",
            "revision": 0,
            "failures": 0,
            "posted_at": now,
            "updated_at": now,
        }
        with self._engine.begin() as connection:
            seq = connection.execute(
                self._insert_ignoring_conflict().values(row).returning(said_messages.c.seq)
            ).scalar()
            if seq is None:
                return None
            _insert_items(connection, int(seq), items)
        return int(seq)

    def mark_corrected(
        self,
        message: Said,
        *,
        blocks: Sequence[Block],
        text: str,
        items: Sequence[Cited],
        now: datetime,
    ) -> bool:
        """Record an edit Slack accepted; False when another process recorded it first."""
        c = said_messages.c
        statement = (
            update(said_messages)
            .where(c.seq == message.seq, c.revision == message.revision)
            .values(
                blocks=json.dumps(list(blocks), ensure_ascii=False),
                text=text,
                revision=c.revision + 1,
                failures=0,
                last_error=None,
                updated_at=now,
            )
        )
        with self._engine.begin() as connection:
            if connection.execute(statement).rowcount != 1:
                return False
            connection.execute(delete(said_items).where(said_items.c.message_seq == message.seq))
            _insert_items(connection, message.seq, items)
        return True

    def mark_failed(self, message: Said, *, error: str, now: datetime, give_up: bool) -> None:
        """An edit Slack refused; ``give_up``: never try this message again."""
        c = said_messages.c
        values: dict[str, Any] = {
            "failures": c.failures + 1,
            "last_error": error[:_ERROR_LIMIT],
            "updated_at": now,
        }
        if give_up:
            values["state"] = "uneditable"
        with self._engine.begin() as connection:
            connection.execute(update(said_messages).where(c.seq == message.seq).values(values))

    def replace_blocks(
        self, channel: str, ts: str, *, blocks: Sequence[Block], now: datetime
    ) -> bool:
        """Keep the blocks of a message redrawn after a click (its citations are unchanged);
        False when the message is not in the record."""
        c = said_messages.c
        statement = (
            update(said_messages)
            .where(c.channel == channel, c.ts == ts)
            .values(
                blocks=json.dumps(list(blocks), ensure_ascii=False),
                revision=c.revision + 1,
                updated_at=now,
            )
        )
        with self._engine.begin() as connection:
            return connection.execute(statement).rowcount == 1

    # --- reading ------------------------------------------------------------------------------

    def find(self, channel: str, ts: str) -> Said | None:
        c = said_messages.c
        found = self._load(select(said_messages).where(c.channel == channel, c.ts == ts))
        return found[0] if found else None

    def versions(self) -> set[Version]:
        """Every (kind, id, version) that live messages cite: one small query per check."""
        i, m = said_items.c, said_messages.c
        query = (
            select(i.kind, i.item_id, i.version)
            .distinct()
            .join_from(said_items, said_messages, i.message_seq == m.seq)
            .where(m.state == "live")
        )
        with self._engine.connect() as connection:
            return {(r.kind, r.item_id, r.version) for r in connection.execute(query)}

    def citing(self, versions: Iterable[Version]) -> list[Said]:
        """Live messages citing any of ``versions``, oldest first."""
        wanted = set(versions)
        if not wanted:
            return []
        i, m = said_items.c, said_messages.c
        query = (
            select(i.message_seq, i.kind, i.item_id, i.version)
            .join_from(said_items, said_messages, i.message_seq == m.seq)
            .where(m.state == "live", i.item_id.in_(sorted({v[1] for v in wanted})))
        )
        with self._engine.connect() as connection:
            seqs = {
                r.message_seq
                for r in connection.execute(query)
                if (r.kind, r.item_id, r.version) in wanted
            }
        return self._load(select(said_messages).where(m.seq.in_(sorted(seqs))))

    def all(self) -> list[Said]:
        return self._load(select(said_messages))

    def uneditable(self) -> list[Said]:
        """Messages given up on: Slack refused to edit them (``last_error`` says why)."""
        return self._load(select(said_messages).where(said_messages.c.state == "uneditable"))

    def _load(self, query: Any) -> list[Said]:
        query = query.order_by(said_messages.c.seq)
        with self._engine.connect() as connection:
            rows = [row._mapping for row in connection.execute(query)]
            seqs = [row["seq"] for row in rows]
            items: dict[int, list[Cited]] = {seq: [] for seq in seqs}
            if seqs:
                i = said_items.c
                found = connection.execute(
                    select(said_items).where(i.message_seq.in_(seqs)).order_by(i.position)
                )
                for item in found:
                    items[item.message_seq].append(
                        Cited(item.kind, item.item_id, item.version, json.loads(item.content))
                    )
        return [_said(row, tuple(items[row["seq"]])) for row in rows]

    def _insert_ignoring_conflict(self) -> Any:
        if self._engine.dialect.name == "postgresql":
            return postgresql.insert(said_messages).on_conflict_do_nothing(
                constraint="uq_newsbot_said_channel_ts"
            )
        return sqlite.insert(said_messages).on_conflict_do_nothing(index_elements=["channel", "ts"])


def _insert_items(connection: Connection, seq: int, items: Sequence[Cited]) -> None:
    if not items:
        return
    connection.execute(
        insert(said_items),
        [
            {
                "message_seq": seq,
                "position": position,
                "kind": item.kind,
                "item_id": item.id,
                "version": item.version,
                "content": json.dumps(dict(item.content), ensure_ascii=False, sort_keys=True),
            }
            for position, item in enumerate(items)
        ],
    )


def _said(row: RowMapping, items: tuple[Cited, ...]) -> Said:
    via: Via = "response_url" if row["via"] == "response_url" else "chat.postMessage"
    return Said(
        seq=row["seq"],
        channel=row["channel"],
        ts=row["ts"],
        via=via,
        purpose=row["purpose"],
        text=row["text"],
        blocks=json.loads(row["blocks"]),
        items=items,
        revision=row["revision"],
        last_error=row["last_error"],
        failures=row["failures"],
    )
