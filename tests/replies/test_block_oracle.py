"""Whatever a part holds (hostile characters, empty or very long text, long ids), the blocks
drawn as plain dicts are the JSON slack_sdk's Block Kit models give for the same content, and
slack_sdk finds them within Slack's limits.

The reference drawer below is how bot/replies/blocks.py built each block before it wrote
dicts: the same builders' signatures, through ``slack_sdk.models.blocks`` and ``to_dict()``.
Patched in, it draws every reply the slack_sdk way, so a reply the search gives today and a
reply hypothesis makes up are both compared, byte for byte, with what the models give.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import date, timedelta
from typing import Any
from unittest import mock

import pytest
from hypothesis import given
from hypothesis import strategies as st
from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from bot.desk.findings import Finding, Mark
from bot.desk.model import (
    FACT_KINDS,
    Action,
    AsOf,
    Fact,
    FollowUp,
    FollowUpEvent,
    FollowUpState,
    Source,
    fold_events,
)
from bot.desk.search import SearchIndex
from bot.replies import blocks as drawing
from bot.replies.blocks import FIELD_LIMIT, HEADER_LIMIT, SECTION_LIMIT, render_blocks
from bot.replies.reply import (
    MESSAGE_BLOCKS,
    VIEW_BLOCKS,
    CheckCard,
    FactCard,
    FollowUpCard,
    Heading,
    History,
    More,
    Note,
    Part,
    ReminderLine,
    Reply,
    SourceCard,
    StoryLine,
    Suggestions,
)
from bot.replies.router import Router
from bot.store.memory import MemoryBook
from tests.replies.conftest import EVERYONE
from tests.replies.desks import NOW, followup, many_facts_desk, shipped_desk, source
from tests.replies.test_block_dicts import clear_caches

Dict = dict[str, Any]

# --- the reference drawer: each builder through slack_sdk's models --------------------------


def _ref_mrkdwn(text: str, limit: int) -> MarkdownTextObject:
    return MarkdownTextObject(text=drawing._fit(text, limit), verbatim=True)


def ref_section(mrkdwn: str, block_id: str | None = None) -> Dict:
    block = SectionBlock(text=_ref_mrkdwn(mrkdwn, SECTION_LIMIT), block_id=block_id)
    return dict(block.to_dict())


def ref_context(mrkdwn: str, block_id: str | None = None) -> Dict:
    block = ContextBlock(elements=[_ref_mrkdwn(mrkdwn, SECTION_LIMIT)], block_id=block_id)
    return dict(block.to_dict())


def ref_header(text: str) -> Dict:
    plain = PlainTextObject(text=drawing._clip(text, HEADER_LIMIT), emoji=True)
    return dict(HeaderBlock(text=plain).to_dict())


def ref_fields(mrkdwn: list[str]) -> Dict:
    return dict(SectionBlock(fields=[_ref_mrkdwn(t, FIELD_LIMIT) for t in mrkdwn]).to_dict())


def ref_button(label: str, action_id: str, value: str, style: str | None = None) -> Dict:
    button = ButtonElement(text=label, action_id=action_id, value=value, style=style)
    return dict(button.to_dict())


def ref_actions(buttons: list[Dict], block_id: str | None = None) -> Dict:
    return dict(ActionsBlock(elements=buttons, block_id=block_id).to_dict())


@contextmanager
def drawn_with_slack_sdk() -> Iterator[None]:
    """Draw with the reference builders (and nothing kept from either drawing)."""
    clear_caches()
    with mock.patch.multiple(
        drawing,
        _section=ref_section,
        _context=ref_context,
        _header=ref_header,
        _fields=ref_fields,
        _button=ref_button,
        _actions=ref_actions,
    ):
        yield
    clear_caches()


def both_ways(reply: Reply) -> tuple[str, str]:
    clear_caches()
    ours = json.dumps(render_blocks(reply))
    with drawn_with_slack_sdk():
        theirs = json.dumps(render_blocks(reply))
    return ours, theirs


def assert_valid_for_slack(blocks: list[Dict]) -> None:
    """slack_sdk parses each block, finds it within Slack's limits and writes it back as is."""
    for block in blocks:
        parsed = Block.parse(block)
        assert parsed is not None
        parsed.validate_json()
        assert json.dumps(parsed.to_dict()) == json.dumps(block)


# --- replies of the real router, search included ----------------------------------------------


def search_replies() -> dict[str, Reply]:
    desk = shipped_desk()
    router = Router(desk, MemoryBook(), SearchIndex.build(desk), editors=EVERYONE)
    typed = [
        ("/facts", "545"),
        ("/facts", "cruelty"),
        ("/facts", "sessions"),
        ("/facts", "federal"),
        ("/facts", "help"),
        ("/facts", "qqqqxxxx"),
        ("/facts", "parnets"),
        ("/facts", "<!here> & *bold*"),
        ("/figure", ""),
        ("/quote", "cruelty"),
        ("/quote", ""),
        ("/source", "cruelty"),
        ("/followups", "white house"),
        ("/factz", "545"),
    ]
    found = {f"{c} {q}": router.handle(c, q, "U1", NOW) for c, q in typed}
    many = many_facts_desk(500)
    big = Router(many, MemoryBook(), SearchIndex.build(many))
    found["/facts policy over 500 facts"] = big.handle("/facts", "policy", "U1", NOW)
    return found


SEARCHED = search_replies()


@pytest.mark.parametrize("name", list(SEARCHED))
def test_a_search_reply_is_what_slack_sdks_models_draw(name: str) -> None:
    ours, theirs = both_ways(SEARCHED[name])
    assert ours == theirs
    assert_valid_for_slack(json.loads(ours))


def test_the_reference_drawer_is_in_use_when_patched() -> None:
    """The comparison compares two drawings: patched, slack_sdk's models are called."""
    reply = SEARCHED["/facts 545"]
    with drawn_with_slack_sdk(), mock.patch.object(SectionBlock, "to_dict") as to_dict:
        to_dict.return_value = {"type": "section", "text": {"type": "mrkdwn", "text": "x"}}
        render_blocks(reply)
    assert to_dict.called


# --- made-up parts -----------------------------------------------------------------------------

PIECES = ["&", "<", ">", "<@U0A1>", "<!here>", "*", "_", "~", "`", "|", "\n", "\u200b", "é", " "]
TEXT = st.one_of(
    st.text(max_size=30),
    st.lists(st.sampled_from(PIECES), max_size=30).map("".join),
    st.tuples(st.sampled_from([*PIECES, "word ", "x"]), st.integers(0, 3200)).map(
        lambda piece_times: piece_times[0] * piece_times[1]
    ),
)
ID = st.one_of(
    st.text(alphabet="abc-0", min_size=1, max_size=12),
    # around a block id's 255 characters and a button value's 2,000
    st.sampled_from([241, 242, 1985, 2000, 2001]).map(lambda n: "i" * n),
    st.text(max_size=12),
)
MARKS: tuple[Mark, ...] = ("same", "draft", "source")


@st.composite
def sources(draw: st.DrawFn) -> Source:
    url = draw(st.sampled_from([None, "https://example.com/a?b=1&c=2", "ftp://x|y", ""]))
    section = draw(st.one_of(st.none(), TEXT))
    return source(id=draw(ID), title=draw(TEXT), url=url, section=section, file=draw(TEXT))


@st.composite
def facts(draw: st.DrawFn) -> Fact:
    kind = draw(st.sampled_from(FACT_KINDS))
    figure = kind == "figure"
    return Fact(
        id=draw(ID),
        kind=kind,
        quote=draw(TEXT),
        attribution=draw(TEXT),
        source="axios",
        label=draw(TEXT) if figure else None,
        value=draw(st.sampled_from(["545", "2.3", "1,000"])) if figure else None,
        unit=draw(st.one_of(st.none(), TEXT)) if figure else None,
        as_of=AsOf.parse(draw(st.sampled_from(["2020", "2020-10", "2021-01-14"])))
        if figure
        else None,
        summary=draw(st.one_of(st.none(), TEXT)),
        qualifier=draw(st.sampled_from([None, "at least", "about"])) if figure else None,
        as_of_note=draw(st.one_of(st.none(), TEXT)) if figure else None,
    )


@st.composite
def states(draw: st.DrawFn) -> FollowUpState:
    item = followup(
        draw(ID),
        title=draw(TEXT),
        waiting_on=draw(st.one_of(st.none(), TEXT)),
        quote=draw(st.one_of(st.none(), TEXT)),
        owner=draw(st.sampled_from([None, "U0OWNER1", "<!everyone>", ""])),
        added_by=draw(st.sampled_from([None, "U0ADDER1", "console"])),
    )
    actions = draw(st.lists(st.sampled_from(list(Action)), max_size=25))
    events = [
        FollowUpEvent(
            item.id,
            action,
            draw(st.sampled_from(["U0ED1", "console", "<!here>"])),
            NOW - timedelta(days=30 - n),
            note=draw(st.one_of(st.none(), TEXT)),
            until=NOW + timedelta(days=3) if action is Action.SNOOZED else None,
        )
        for n, action in enumerate(actions)
    ]
    return fold_events(item, events, NOW)


@st.composite
def findings(draw: st.DrawFn) -> Finding:
    marks = st.tuples(st.sampled_from(MARKS), TEXT)
    return Finding(
        status=draw(st.sampled_from(["ok", "mismatch", "unverified"])),
        kind=draw(st.sampled_from(["quote", "attribution", "figure", "followup"])),
        start=0,
        end=1,
        line=draw(st.integers(1, 10_000)),
        column=1,
        draft=draw(TEXT),
        message=draw(TEXT),
        desk=draw(st.one_of(st.none(), TEXT)),
        source=draw(st.one_of(st.none(), sources())),
        fact_id=draw(st.one_of(st.none(), ID)),
        marked=tuple(draw(st.lists(marks, max_size=5))),
        notes=tuple(draw(st.lists(TEXT, max_size=3))),
    )


def parts() -> st.SearchStrategy[Part]:
    optional_state = st.one_of(st.none(), states())
    return st.one_of(
        st.builds(Heading, TEXT),
        st.builds(Note, TEXT),
        st.builds(Suggestions, TEXT, st.lists(TEXT, max_size=4).map(tuple)),
        st.builds(More, st.integers(0, 10**6), TEXT),
        st.builds(ReminderLine, TEXT, TEXT, st.sampled_from(["C0123ABC", "G0PRIV1", "x<#C1>"])),
        st.builds(
            StoryLine,
            TEXT,
            TEXT,
            st.integers(0, 999),
            st.integers(0, 99),
            st.lists(TEXT, max_size=3).map(tuple),
            st.booleans(),
        ),
        st.builds(FactCard, facts(), sources(), st.one_of(st.none(), st.integers(0, 9999))),
        st.builds(
            FollowUpCard,
            states(),
            st.one_of(st.none(), sources()),
            st.one_of(st.none(), st.integers(0, 999)),
            st.booleans(),
        ),
        st.builds(
            SourceCard,
            sources(),
            TEXT,
            st.one_of(st.none(), facts()),
            optional_state,
            st.just(()),
            st.booleans(),
        ),
        states().map(lambda state: History(state.history)),
        st.builds(CheckCard, findings()),
    )


@st.composite
def replies(draw: st.DrawFn) -> Reply:
    unavailable = draw(st.booleans())
    return Reply(
        tuple(draw(st.lists(parts(), min_size=1, max_size=8))),
        text=draw(TEXT),
        visibility=draw(st.sampled_from(["ephemeral", "in_channel"])),
        shareable=draw(st.booleans()),
        command=draw(st.sampled_from(["", "/facts", "/followups", "/source"])),
        query=draw(TEXT),
        meta={"followup_status": "unavailable"} if unavailable else {},
        max_blocks=draw(st.sampled_from([MESSAGE_BLOCKS, VIEW_BLOCKS, 3])),
        people=(("U0OWNER1", draw(TEXT)), ("U0ED1", "Ed")),
    )


@given(replies())
def test_any_reply_draws_what_slack_sdks_models_draw_within_slacks_limits(reply: Reply) -> None:
    ours, theirs = both_ways(reply)
    assert ours == theirs
    blocks = json.loads(ours)
    assert len(blocks) <= reply.max_blocks
    assert_valid_for_slack(blocks)


@given(states(), st.one_of(st.none(), sources()), st.booleans(), replies())
def test_any_follow_up_card_draws_what_slack_sdks_models_draw(
    state: FollowUpState, source: Source | None, buttons: bool, reply: Reply
) -> None:
    """Follow-up cards on their own, in any kind of reply: the ids near the limits of a block
    id and of a button's value come up often."""
    card = FollowUpCard(state, source, None, buttons)
    ours, theirs = both_ways(replace(reply, parts=(card,)))
    assert ours == theirs
    assert_valid_for_slack(json.loads(ours))


def test_a_follow_up_whose_id_is_too_long_for_a_button_has_no_buttons() -> None:
    """Slack refuses a button value over 2,000 characters (slack_sdk raised before): the card
    shows, without buttons, as a click could not say which follow-up it was for."""
    long_id = "f" * 2001
    state = fold_events(FollowUp(long_id, "Ask DHS", asked=date(2021, 1, 14)), [], NOW)
    blocks = render_blocks(Reply((FollowUpCard(state, None, 3),), text="x", shareable=False))
    assert [b["type"] for b in blocks] == ["section", "context"]
    assert "Ask DHS" in blocks[0]["text"]["text"]
    assert_valid_for_slack(blocks)
    fits = fold_events(FollowUp("f" * 2000, "Ask DHS"), [], NOW)
    shown = render_blocks(Reply((FollowUpCard(fits, None),), text="x", shareable=False))
    assert [b["type"] for b in shown] == ["section", "context", "actions"]
    assert_valid_for_slack(shown)


def test_every_follow_up_button_is_within_slacks_limits() -> None:
    for status in drawing._FOLLOWUP_BUTTONS:
        for label, action_id, _ in drawing._FOLLOWUP_BUTTONS[status]:
            button = drawing._button(label, action_id, "v" * drawing.BUTTON_VALUE_LIMIT)
            parsed = Block.parse({"type": "actions", "elements": [button]})
            assert parsed is not None
            parsed.validate_json()
