"""The corrections engine: a recorded message against a changed desk, as pure values."""

from __future__ import annotations

from datetime import date

from slack_sdk.models.blocks import Block

from bot.desk.model import FollowUpState, Status
from bot.replies.blocks import render_blocks
from bot.replies.cited import Said, citations, cited_items
from bot.replies.corrections import corrections, stale_versions
from bot.replies.reply import FactCard, FollowUpCard, Heading, Reply
from tests.replies.desks import figure, followup, make_desk, source

TODAY = date(2026, 11, 30)


def posted(desk, *, buttons: bool = True) -> Said:  # type: ignore[no-untyped-def]
    """A reminder-like message about every figure and follow-up on ``desk``, as recorded."""
    src = source()
    parts = [Heading("Test desk: reminder")]
    parts += [FactCard(f, src) for f in desk.facts]
    parts += [
        FollowUpCard(FollowUpState(item, Status.OPEN, ()), src, 3, buttons=buttons)
        for item in desk.followups
    ]
    reply = Reply(tuple(parts), "Test desk reminder", "in_channel", shareable=False)
    blocks = render_blocks(reply)
    return Said(
        1,
        "C0123",
        "1700000001.000100",
        "chat.postMessage",
        "reminder",
        reply.text,
        blocks,
        citations(blocks, desk),
    )


def texts(blocks: list[dict]) -> str:  # type: ignore[type-arg]
    return "\n".join(str(b) for b in blocks)


def valid(blocks: list[dict]) -> None:  # type: ignore[type-arg]
    for block in blocks:
        parsed = Block.parse(block)
        assert parsed is not None
        parsed.validate_json()


def test_a_message_records_the_cards_it_shows() -> None:
    desk = make_desk()
    said = posted(desk)
    assert cited_items(said.blocks) == [
        ("fact", "parents-not-located"),
        ("followup", "white-house-response"),
    ]
    assert [c.id for c in said.items] == ["parents-not-located", "white-house-response"]


def test_an_unchanged_desk_needs_no_correction() -> None:
    desk = make_desk()
    said = posted(desk)
    assert corrections([said], desk, TODAY) == []
    assert stale_versions({(c.kind, c.id, c.version) for c in said.items}, desk) == set()


def test_a_changed_figure_is_redrawn_in_place_with_a_correction_line() -> None:
    before = make_desk()
    said = posted(before)
    after = make_desk(facts=[figure(value="546", as_of="2020-11")])
    (correction,) = corrections([said], after, TODAY)
    blocks = correction.blocks
    valid(blocks)
    ids = [b.get("block_id") for b in blocks]
    # The card stays where it was, the correction line right under it, the rest untouched.
    assert ids[1:4] == [
        "newsbot:fact:parents-not-located",
        "newsbot:fact:parents-not-located:cite",
        "newsbot:fact:parents-not-located:corrected-1",
    ]
    assert blocks[1]["text"]["text"].startswith(
        "*546 parents · Parents not located · as of November"
    )
    line = blocks[3]["elements"][0]["text"]
    assert line == (
        ":pencil2: *Corrected 30 Nov 2026:* value 545 → 546; as of October 2020 → November 2020"
    )
    assert blocks[4:] == said.blocks[3:]  # the follow-up's card, as it was
    assert correction.summary() == (
        "parents-not-located: value 545 → 546; as of October 2020 → November 2020"
    )
    assert correction.text == (
        "Corrected 30 Nov 2026: parents-not-located: value 545 → 546; "
        "as of October 2020 → November 2020. Test desk reminder"
    )


def test_once_corrected_the_message_needs_nothing_more() -> None:
    said = posted(make_desk())
    after = make_desk(facts=[figure(value="546")])
    (correction,) = corrections([said], after, TODAY)
    corrected = Said(
        1,
        said.channel,
        said.ts,
        said.via,
        said.purpose,
        correction.text,
        correction.blocks,
        correction.items,
        revision=1,
    )
    assert corrections([corrected], after, TODAY) == []


def test_a_second_change_keeps_the_first_correction_line() -> None:
    said = posted(make_desk())
    first_desk = make_desk(facts=[figure(value="546")])
    (first,) = corrections([said], first_desk, TODAY)
    again = Said(
        1,
        said.channel,
        said.ts,
        said.via,
        said.purpose,
        first.text,
        first.blocks,
        first.items,
        revision=1,
    )
    (second,) = corrections([again], make_desk(facts=[figure(value="547")]), date(2026, 12, 2))
    lines = [
        b["elements"][0]["text"]
        for b in second.blocks
        if str(b.get("block_id", "")).endswith(("corrected-1", "corrected-2"))
    ]
    assert lines == [
        ":pencil2: *Corrected 30 Nov 2026:* value 545 → 546",
        ":pencil2: *Corrected 2 Dec 2026:* value 546 → 547",
    ]
    valid(second.blocks)


def test_a_removed_fact_is_struck_out_not_dropped() -> None:
    said = posted(make_desk())
    (correction,) = corrections([said], make_desk(facts=[]), TODAY)
    blocks = correction.blocks
    valid(blocks)
    card = blocks[1]["text"]["text"]
    # A figure's sentence is the publisher's words: no quotation marks added (issue 10).
    assert card.startswith("~*545 parents") and "\n> ~At least 545 parents" in card
    assert blocks[3]["elements"][0]["text"] == (
        ":x: *Removed 30 Nov 2026:* no longer on the desk; do not use it"
    )
    assert correction.summary() == "parents-not-located: no longer on the desk; do not use it"
    struck = Said(
        1,
        said.channel,
        said.ts,
        said.via,
        said.purpose,
        correction.text,
        blocks,
        correction.items,
        revision=1,
    )
    assert corrections([struck], make_desk(facts=[]), TODAY) == []


def test_a_changed_follow_up_keeps_its_buttons_and_shows_its_current_status() -> None:
    said = posted(make_desk())
    item = followup(title="White House response to the report")
    after = make_desk(followups=[item])
    snoozed = {item.id: FollowUpState(item, Status.SNOOZED, ())}
    (correction,) = corrections([said], after, TODAY, snoozed)
    valid(correction.blocks)
    shown = texts(correction.blocks)
    assert "White House response to the report" in shown and ":zzz:" in shown
    assert "followup_reopen" in shown  # a snoozed item's buttons
    assert "title “White House response” → “White House response to the report”" in shown


def test_follow_ups_added_in_slack_are_never_corrected() -> None:
    desk = make_desk(followups=[followup("added-1", source=None, quote=None)])
    said = posted(desk)
    assert corrections([said], make_desk(followups=[]), TODAY) == []
