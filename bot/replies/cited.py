"""Which facts and follow-ups a message shows, read from its blocks, and redrawing one of them.

Every card a reply draws carries block ids naming what it shows (``newsbot:fact:<id>``,
``newsbot:followup:<id>:actions``, ...). Slack keeps block ids and sends them back with every
click, so the same ids say, for a message posted long ago, which blocks belong to which
card: a correction or a button click replaces those blocks and leaves the rest of the
message as it was.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from bot.desk.model import Desk, FollowUp
from bot.desk.versions import Cited, fact_content, followup_content

ItemKind = Literal["fact", "followup"]
Via = Literal["chat.postMessage", "response_url"]
Block = dict[str, Any]

PREFIX = "newsbot"
BLOCK_ID_LIMIT = 255  # Slack's limit for block_id
ITEM_KINDS: tuple[ItemKind, ...] = ("fact", "followup")


def card_block_id(kind: ItemKind, item_id: str, role: str = "") -> str | None:
    """The block id of one block of a card; None when the id is too long to carry one."""
    block_id = f"{PREFIX}:{kind}:{item_id}" + (f":{role}" if role else "")
    return block_id if len(block_id) <= BLOCK_ID_LIMIT else None


def card_of(block: Block) -> tuple[ItemKind, str] | None:
    """The (kind, id) whose card ``block`` belongs to, if any."""
    block_id = block.get("block_id") if isinstance(block, dict) else None
    if not isinstance(block_id, str):
        return None
    parts = block_id.split(":", 3)
    if len(parts) < 3 or parts[0] != PREFIX:
        return None
    kind = next((k for k in ITEM_KINDS if k == parts[1]), None)
    return None if kind is None else (kind, parts[2])


def cited_items(blocks: Iterable[Block]) -> list[tuple[ItemKind, str]]:
    """Every fact and follow-up the blocks show, once each, in the order shown."""
    seen: dict[tuple[ItemKind, str], None] = {}
    for block in blocks:
        card = card_of(block)
        if card is not None:
            seen.setdefault(card, None)
    return list(seen)


def replace_card(
    blocks: Sequence[Block], kind: ItemKind, item_id: str, drawn: Sequence[Block]
) -> list[Block]:
    """``blocks`` with the card of (kind, item_id) replaced by ``drawn``, where it stood."""
    out: list[Block] = []
    placed = False
    for block in blocks:
        if card_of(block) == (kind, item_id):
            if not placed:
                out.extend(drawn)
                placed = True
            continue
        out.append(block)
    return out


def card_blocks(blocks: Sequence[Block], kind: ItemKind, item_id: str) -> list[Block]:
    return [b for b in blocks if card_of(b) == (kind, item_id)]


def without_duplicate_ids(blocks: list[Block]) -> list[Block]:
    """Slack refuses a message whose block ids repeat: a card drawn twice keeps ids once."""
    seen: set[str] = set()
    out: list[Block] = []
    for block in blocks:
        block_id = block.get("block_id")
        if isinstance(block_id, str):
            if block_id in seen:
                block = {k: v for k, v in block.items() if k != "block_id"}
            seen.add(block_id)
        out.append(block)
    return out


@dataclass(frozen=True, slots=True)
class Said:
    """A message the bot posted or shared, as the record keeps it."""

    seq: int
    channel: str
    ts: str | None  # None when posted through a response_url (Slack does not say)
    via: Via
    purpose: str  # "reminder", "share", ...
    text: str
    blocks: list[Block]
    items: tuple[Cited, ...]
    revision: int = 0  # bumped by every edit the record knows of
    last_error: str | None = None  # why Slack refused the last edit
    failures: int = 0  # edits Slack refused in a row

    @property
    def editable(self) -> bool:
        """Only a message posted with chat.postMessage has a ts that chat.update can name."""
        return self.via == "chat.postMessage" and self.ts is not None


def citations(
    blocks: Iterable[Block], desk: Desk, added: Sequence[FollowUp] = ()
) -> tuple[Cited, ...]:
    """What the blocks show, at the desk's current content: the record of a new message."""
    more = {item.id: item for item in added}
    found: list[Cited] = []
    for kind, item_id in cited_items(blocks):
        if kind == "fact":
            fact = desk.fact(item_id)
            if fact is not None:
                found.append(Cited.of(kind, item_id, fact_content(fact)))
            continue
        item = desk.followup(item_id) or more.get(item_id)
        if item is not None:
            found.append(Cited.of(kind, item_id, followup_content(item)))
    return tuple(found)
