"""Corrections: what every recorded message must say now that the desk changed.

A pure function of the record (what each message showed, at which content version), the
current desk and the newsroom's date. A changed fact or follow-up is redrawn in place with a
line saying what changed ("Corrected 30 Nov 2026: value 545 → 546"); one that left the desk
is struck out, not dropped, so nobody copies it and nobody wonders where it went. Earlier
correction lines stay. A message whose items all match the desk needs nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from bot.desk.model import ADDED_PREFIX, Desk, FollowUp, FollowUpState, Status
from bot.desk.versions import (
    FACT_FIELDS,
    FOLLOWUP_FIELDS,
    REMOVED,
    Cited,
    FieldChange,
    changed_fields,
    fact_content,
    followup_content,
)
from bot.replies.blocks import FALLBACK_LIMIT, Style, context_block, escape_mrkdwn, part_blocks
from bot.replies.cards import followup_card
from bot.replies.cited import Block, ItemKind, Said, card_block_id, card_blocks, replace_card
from bot.replies.reply import FactCard, FollowUpCard
from bot.replies.text import format_date
from bot.replies.visibility import state_without_notes

CORRECTED_ROLE = "corrected"


@dataclass(frozen=True, slots=True)
class ItemChange:
    """One cited item whose content differs from what the message showed."""

    kind: ItemKind
    id: str
    fields: tuple[FieldChange, ...]
    removed: bool = False
    restored: bool = False

    def words(self) -> str:
        if self.removed:
            return "no longer on the desk; do not use it"
        if self.restored:
            return "back on the desk"
        return "; ".join(change.words() for change in self.fields)


@dataclass(frozen=True, slots=True)
class Correction:
    """A message to edit: what changed, and the message as it must now read."""

    message: Said
    changes: tuple[ItemChange, ...]
    blocks: list[Block]
    text: str
    items: tuple[Cited, ...]  # what the message cites once corrected

    def summary(self) -> str:
        return "; ".join(f"{c.id}: {c.words()}" for c in self.changes)


def corrections(
    messages: Iterable[Said],
    desk: Desk,
    today: date,
    states: Mapping[str, FollowUpState] | None = None,
    names: tuple[tuple[str, str], ...] = (),
) -> list[Correction]:
    """Every message whose cited content differs from the desk, corrected. ``states``: the
    follow-ups' current status; ``names``: people's names for redrawn cards (a posted
    message names people, never mentions them; an id without a name shows as the id)."""
    found = []
    for message in messages:
        correction = correct(message, desk, today, states or {}, names)
        if correction is not None:
            found.append(correction)
    return found


def correct(
    message: Said,
    desk: Desk,
    today: date,
    states: Mapping[str, FollowUpState],
    names: tuple[tuple[str, str], ...] = (),
) -> Correction | None:
    """The corrected message, or None when everything it shows is still what the desk says."""
    changes: list[ItemChange] = []
    items: list[Cited] = []
    blocks = list(message.blocks)
    when = format_date(today)
    for cited in message.items:
        now = _current(cited, desk)
        change = _change(cited, now)
        if change is None:
            items.append(cited)
            continue
        changes.append(change)
        items.append(now if now is not None else Cited(cited.kind, cited.id, REMOVED, {}))
        blocks = _redraw(blocks, change, _Drawing(desk, today, states, names), when)
    if not changes:
        return None
    # The fallback text (notifications, screen readers) says first what changed.
    summary = "; ".join(f"{c.id}: {c.words()}" for c in changes)
    text = f"Corrected {when}: {summary}. {message.text}"
    return Correction(message, tuple(changes), blocks, text[:FALLBACK_LIMIT], tuple(items))


def _current(cited: Cited, desk: Desk) -> Cited | None:
    """The item as the desk has it now; None when it left the desk."""
    if cited.kind == "fact":
        fact = desk.fact(cited.id)
        return None if fact is None else Cited.of("fact", fact.id, fact_content(fact))
    item = desk.followup(cited.id)
    return None if item is None else Cited.of("followup", item.id, followup_content(item))


def _change(cited: Cited, now: Cited | None) -> ItemChange | None:
    kind: ItemKind = "fact" if cited.kind == "fact" else "followup"
    if kind == "followup" and cited.id.startswith(ADDED_PREFIX):
        return None  # added from Slack: its words are not the desk's to correct
    if now is None:
        return None if cited.version == REMOVED else ItemChange(kind, cited.id, (), removed=True)
    if now.version == cited.version:
        return None
    if cited.version == REMOVED:
        return ItemChange(kind, cited.id, (), restored=True)
    order = FACT_FIELDS if kind == "fact" else FOLLOWUP_FIELDS
    return ItemChange(kind, cited.id, changed_fields(cited.content, now.content, order))


@dataclass(frozen=True, slots=True)
class _Drawing:
    """What a redrawn card is drawn from."""

    desk: Desk
    today: date
    states: Mapping[str, FollowUpState]
    names: tuple[tuple[str, str], ...]


def _redraw(blocks: list[Block], change: ItemChange, drawing: _Drawing, when: str) -> list[Block]:
    old = card_blocks(blocks, change.kind, change.id)
    earlier = [b for b in old if _role(b).startswith(CORRECTED_ROLE)]
    role = f"{CORRECTED_ROLE}-{len(earlier) + 1}"
    if change.removed:
        line = f":x: *Removed {escape_mrkdwn(when)}:* {escape_mrkdwn(change.words())}"
        drawn = [_struck(b) for b in old if _role(b) != "actions" and b not in earlier]
    else:
        line = f":pencil2: *Corrected {escape_mrkdwn(when)}:* {escape_mrkdwn(change.words())}"
        buttons = any(_role(b) == "actions" for b in old)
        drawn = _card(change, drawing, had_buttons=buttons)
    corrected = context_block(line, card_block_id(change.kind, change.id, role))
    return replace_card(blocks, change.kind, change.id, [*drawn, *earlier, corrected])


def _card(change: ItemChange, drawing: _Drawing, *, had_buttons: bool) -> list[Block]:
    desk, today, states = drawing.desk, drawing.today, drawing.states
    style = Style(desk.newsroom.timezone, names=drawing.names)  # posted: mention nobody
    if change.kind == "fact":
        fact = desk.fact(change.id)
        assert fact is not None  # a changed fact is on the desk
        stale = fact.is_stale(today, desk.newsroom.stale_after_days) and fact.as_of is not None
        age = fact.as_of.age_days(today) if stale and fact.as_of is not None else None
        return part_blocks(FactCard(fact, desk.sources[fact.source], stale_days=age), style)
    item = desk.followup(change.id)
    assert item is not None
    # A recorded message may be in a channel: it is redrawn without notes (issue 13).
    state = state_without_notes(_with_item(states.get(item.id), item))
    source = desk.sources.get(item.source) if item.source else None
    card = FollowUpCard(state, source, state.age_days(today), buttons=had_buttons)
    return part_blocks(card, style)


def with_followup(
    blocks: list[Block],
    desk: Desk,
    state: FollowUpState,
    today: date,
    names: tuple[tuple[str, str], ...] = (),
) -> list[Block] | None:
    """The message's blocks with the follow-up's card redrawn at its current status (after a
    click), or None when the message does not show that follow-up. Buttons stay if the card
    had them; correction lines under it stay too."""
    old = card_blocks(blocks, "followup", state.item.id)
    if not old:
        return None
    earlier = [b for b in old if _role(b).startswith(CORRECTED_ROLE)]
    buttons = any(_role(b) == "actions" for b in old)
    card = followup_card(desk, state, today, buttons)
    drawn = part_blocks(card, Style(desk.newsroom.timezone, names=names))
    return replace_card(blocks, "followup", state.item.id, [*drawn, *earlier])


def _with_item(state: FollowUpState | None, item: FollowUp) -> FollowUpState:
    if state is None:
        return FollowUpState(item, Status.OPEN, ())
    return FollowUpState(item, state.status, state.history, state.snoozed_until, state.resolution)


def _role(block: Block) -> str:
    block_id = block.get("block_id")
    parts = block_id.split(":", 3) if isinstance(block_id, str) else []
    return parts[3] if len(parts) == 4 else ""


def _struck(block: Block) -> Block:
    """The block with every line of its text struck through (Slack's ``~text~``)."""
    if block.get("type") == "section" and isinstance(block.get("text"), dict):
        return {**block, "text": {**block["text"], "text": _strike(block["text"]["text"])}}
    if block.get("type") == "context":
        elements = [
            {**e, "text": _strike(e["text"])} if e.get("type") == "mrkdwn" else e
            for e in block.get("elements", [])
        ]
        return {**block, "elements": elements}
    return block


def _strike(mrkdwn: str) -> str:
    lines = []
    for line in mrkdwn.split("\n"):
        marker = "> " if line.startswith("> ") else ""
        body = line[len(marker) :].strip()
        lines.append(f"{marker}~{body}~" if body else line)
    return "\n".join(lines)


def stale_versions(
    versions: Iterable[tuple[str, str, str]], desk: Desk
) -> set[tuple[str, str, str]]:
    """The (kind, id, version) triples the desk no longer matches: which messages to load."""
    return {
        (kind, item_id, version)
        for kind, item_id, version in versions
        if _change(
            Cited(kind, item_id, version, {}), _current(Cited(kind, item_id, version, {}), desk)
        )
        is not None
    }
