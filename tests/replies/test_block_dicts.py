"""The JSON a newsroom's Slack receives, pinned: every part and reply draws exactly what it drew
when it was built through slack_sdk's Block Kit models, byte for byte, and slack_sdk (the
test-time oracle for Slack's limits) parses every block back and finds it valid.

The expected JSON is in ``golden/block_dicts.json``, written from the slack_sdk-model drawing.
The cases do not depend on search ranking, which changes on its own. After an intended change
to what a reply shows, rewrite the file with

    .venv/bin/python -m tests.replies.test_block_dicts --write

and read its diff: only the intended change may show.
"""

from __future__ import annotations

import json
import logging
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot.desk.load import load_desk
from bot.desk.model import (
    Action,
    Desk,
    FollowUp,
    FollowUpEvent,
    FollowUpState,
    Reminder,
    Status,
    fold_events,
    followup_states,
)
from bot.desk.verify import DraftChecker
from bot.replies import blocks as drawing
from bot.replies.blocks import (
    Style,
    context_block,
    message_json,
    notice_block,
    part_blocks,
    reply_to_json,
    shared_by,
)
from bot.replies.cards import fact_card, followup_card
from bot.replies.draft_check import check_reply
from bot.replies.home import home_reply
from bot.replies.reminder import reminder_reply
from bot.replies.reply import (
    VIEW_BLOCKS,
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
from tests.desk.stories_files import TRANSIT_CHANNEL, two_story_desk
from tests.replies.conftest import EVERYONE
from tests.replies.desks import (
    BrokenBook,
    fact,
    figure,
    followup,
    make_desk,
    many_facts_desk,
    shipped_desk,
    source,
)

GOLDEN = Path(__file__).resolve().parent / "golden" / "block_dicts.json"
NOW = datetime(2021, 3, 1, 15, 0, tzinfo=UTC)
TODAY = date(2021, 3, 1)
LATER = date(2026, 3, 9)  # every figure of the shipped desk is stale by then
HOSTILE = "<!channel> & <@U0BAD> *bold* _it_ ~st~ `code` <http://evil|click> > quote"
PEOPLE = (("U0OWNER1", "Ann <Owner> & co"), ("U0ED1", "Ed"))
Drawn = Any  # what a case draws: a reply's JSON, or a list of blocks


# --- the cases ----------------------------------------------------------------------------


def _reply(*parts: Part, **fields: Any) -> Reply:
    fields.setdefault("text", "A reply")
    return Reply(tuple(parts), **fields)


def _state(item: FollowUp, *events: tuple[Action, str, str | None]) -> FollowUpState:
    """The follow-up after ``events`` (action, user, note), a day apart from 1 Feb 2021."""
    recorded = []
    for n, (action, user, note) in enumerate(events):
        at = datetime(2021, 2, 1, 15, 0, tzinfo=UTC) + timedelta(days=n)
        until = at + timedelta(days=90) if action is Action.SNOOZED else None
        recorded.append(FollowUpEvent(item.id, action, user, at, note=note, until=until))
    return fold_events(item, recorded, NOW)


def fact_cases() -> dict[str, Drawn]:
    desk = shipped_desk()
    every = [fact_card(desk, f, TODAY) for f in desk.facts]
    stale = [fact_card(desk, f, LATER) for f in desk.facts if f.kind == "figure"]
    linked = source(url="https://www.axios.com/report?a=1&b=2", section="Politics & Policy")
    odd = [
        FactCard(fact("hostile", HOSTILE, attribution=HOSTILE), source(title=HOSTILE)),
        FactCard(figure("no-label", label=None, unit=None), linked, stale_days=4000),
        FactCard(figure(qualifier="at least", summary="Fewer than promised"), linked, 121),
        FactCard(fact("x" * 300, "An id too long for a block id."), linked),
        FactCard(fact("plain-url", "Bad link", summary=None), source(url="ftp://x|y")),
    ]
    return {
        "facts/every shipped card, private": _reply(
            Heading("Every fact"), *every, command="/facts", query="every"
        ),
        "facts/stale figures, in a channel": _reply(
            Heading("Stale"), *stale, visibility="in_channel", shareable=False, people=PEOPLE
        ),
        "facts/odd cards": _reply(*odd, command="/quote", query=HOSTILE),
    }


def followup_cases() -> dict[str, Drawn]:
    item = followup("a", owner="U0OWNER1", quote="Not answered *yet* " * 200)
    added = FollowUp("added-7", "Ask <!here> & DHS", added_by="U0ADDER1", owner="<!everyone>")
    states = {
        "open": _state(item),
        "snoozed": _state(item, (Action.SNOOZED, "U0ED1", None)),
        "resolved": _state(item, (Action.RESOLVED, "U0ED1", "They said no & <b>never</b>")),
        "reopened": _state(
            item, (Action.RESOLVED, "U0ED1", "done"), (Action.REOPENED, "console", None)
        ),
    }
    cases: dict[str, Drawn] = {}
    for name, state in states.items():
        cards = (FollowUpCard(state, source(), 46), FollowUpCard(state, None, None, False))
        cases[f"followups/{name}, private"] = _reply(*cards, command="/followups", query="all")
        cases[f"followups/{name}, in a channel"] = _reply(
            *cards, visibility="in_channel", shareable=False, people=PEOPLE
        )
        cases[f"followups/{name}, unavailable"] = _reply(
            *cards, meta={"followup_status": "unavailable", "timezone": "America/New_York"}
        )
    added_state = _state(added, (Action.ADDED, "U0ADDER1", None))
    history = History(added_state.history)
    cases["followups/added in Slack, with history"] = _reply(
        FollowUpCard(added_state, None, 3), history, History(()), command="/source", query="x"
    )
    long_id = followup("f" * 1990)  # fits a button's value alone, never with a replay
    cases["followups/an id too long for a block id"] = _reply(
        FollowUpCard(_state(long_id), None), command="/followups", query="q" * 30
    )
    many = _state(item, *[(Action.SNOOZED, "U0ED1", None)] * 25)
    cases["followups/a long history"] = _reply(History(many.history))
    return cases


def router_cases() -> dict[str, Drawn]:
    """Replies of commands that do not search: follow-up changes, /source, the lists."""
    desk = shipped_desk()
    router = Router(desk, MemoryBook(), editors=EVERYONE)
    typed = [
        ("/followups", ""),
        ("/followups", "add Call <!here> & ICE back"),
        ("/followups", "snooze white-house-response 1d"),
        ("/followups", "resolve parents-located-update done & dusted <@U0ED1>"),
        ("/followups", "all"),
        ("/source", "white-house-response"),
        ("/source", "parents-located-update"),
        ("/source", "added-1"),
        *[("/source", f.id) for f in desk.facts],
        ("/followups", "reopen parents-located-update"),
        ("/followups", ""),
    ]
    cases: dict[str, Drawn] = {}
    for n, (command, text) in enumerate(typed):
        user = "U0ED1" if n % 2 else "U1"
        cases[f"router/{n:02d} {command} {text}"] = router.handle(command, text, user, NOW)
    broken = Router(desk, BrokenBook(), editors=EVERYONE)
    logger = logging.getLogger("bot.replies.context")
    level = logger.level
    logger.setLevel(logging.CRITICAL)  # cases are built while collecting: no log on the run
    try:
        cases["router/follow-ups while the database is down"] = broken.handle(
            "/followups", "", "U1", NOW
        )
    finally:
        logger.setLevel(level)
    return cases


def _big_desk(figures: int, followups: int) -> Desk:
    desk = make_desk(
        facts=[figure(f"figure-{k:03d}", label=f"Figure {k}") for k in range(figures)],
        followups=[followup(f"followup-{k:02d}", title=f"Follow-up {k}") for k in range(followups)],
    )
    weekday = Reminder(
        "weekday", "C0123456789", "0 9 * * mon-fri", "America/New_York", ("figures", "followups")
    )
    return replace(desk, reminders=(weekday,))


def _posted(reply: Reply | None) -> Reply:
    assert reply is not None
    return reply


def surface_cases() -> dict[str, Drawn]:
    """Home (a 100-block budget), the reminder post, the draft check."""
    desk = shipped_desk()
    states = followup_states(desk, MemoryBook(), NOW)
    runs = {"weekday-key-figures": datetime(2021, 3, 2, 14, 0, tzinfo=UTC)}
    big = _big_desk(375, 15)
    big_states = [FollowUpState(item, Status.OPEN, ()) for item in big.followups]
    (reminder,) = desk.reminders
    scheduled = datetime(2026, 3, 9, 14, 0, tzinfo=UTC)
    checker = DraftChecker(desk)
    good = '"the chaos, cruelty, and reckless disregard for vulnerable children" '
    bad = '"the chaos, brutality, and reckless disregard for vulnerable children" '
    return {
        "home/shipped desk": home_reply(desk, states, runs, TODAY),
        "home/not an editor, database down": home_reply(
            desk, states, runs, TODAY, live=False, editor=False
        ),
        "home/375 figures and 15 follow-ups": home_reply(
            big, big_states, {"weekday": datetime(2021, 3, 1, 14, 0, tzinfo=UTC)}, TODAY
        ),
        "reminder/on time": _posted(reminder_reply(desk, reminder, states, scheduled, scheduled)),
        "reminder/late": _posted(
            reminder_reply(desk, reminder, states, scheduled + timedelta(hours=30), scheduled)
        ),
        "check/three lines": check_reply(
            checker.check(f"{good}\n{bad}\nThe White House declined to comment.", TODAY), "q"
        ),
        "check/ninety lines": check_reply(
            checker.check("\n".join(good if n % 3 else bad for n in range(90)), TODAY)
        ),
        "check/nothing to check": check_reply(checker.check("no quotes here", TODAY)),
    }


def story_cases() -> dict[str, Drawn]:
    with tempfile.TemporaryDirectory(prefix="newsbot-stories-") as folder:
        desk = load_desk(two_story_desk(Path(folder)))
    router = Router(desk, MemoryBook())
    states = followup_states(desk, MemoryBook(), NOW)
    return {
        "stories/list": router.handle("/facts", "", "U1", NOW),
        "stories/list in a story's channel": router.handle(
            "/facts", "", "U1", NOW, channel=TRANSIT_CHANNEL
        ),
        "stories/home": home_reply(desk, states, {}, TODAY),
        "stories/hand-made lines": _reply(
            StoryLine(HOSTILE, "slug", 3, 1, ("C0TRANSIT1", "#not-an-id", "G0PRIVATE1"), True),
            StoryLine("", "", 0, 0),
            ReminderLine("Mon 30 Nov 09:00 EST", "weekday<x>&", "C0123ABC"),
            ReminderLine("", "", "not a channel <#C1>"),
        ),
    }


def prose_cases() -> dict[str, Drawn]:
    huge = fact("huge", "&" * 5000 + " word " * 2000, attribution="<b>" * 1000)
    many = many_facts_desk(100)
    cards = [FactCard(f, many.sources["axios"]) for f in many.facts]
    return {
        "prose/headings, notes, suggestions, more": _reply(
            Heading(HOSTILE),
            Heading("   "),
            Note(HOSTILE + "\nsecond line"),
            Note(""),
            Suggestions("q", ("sessions", "<!here>", "a&b")),
            Suggestions("q", ()),
            More(3, HOSTILE),
            command="/facts",
            query='say "hi" <@U1>',
        ),
        "prose/huge texts clipped": _reply(
            Heading("H" * 400),
            FactCard(huge, source()),
            Note("line & <x>\n" * 2000),
            text="x" * 10_000,
        ),
        "prose/a note of one long line": _reply(Note("&" * 7000)),
        "budget/100 cards in a message": _reply(
            Heading("All"), *cards, More(12), command="/facts", query="q"
        ),
        "budget/100 cards in a view": _reply(
            Heading("All"), *cards, Heading("After"), Note("end"), max_blocks=VIEW_BLOCKS
        ),
        "budget/notes alone too long": _reply(*[Note(f"Note {n}") for n in range(60)]),
        "share/a query too long for the button": _reply(
            Note("x"), command="/facts", query="é" * 2500
        ),
        "share/a query just short enough": _reply(Note("x"), command="/facts", query="q" * 1980),
    }


def _card(desk: Desk, fact_id: str, today: date = TODAY) -> FactCard:
    found = desk.fact(fact_id)
    assert found is not None
    return fact_card(desk, found, today)


def helper_cases() -> dict[str, Callable[[], Drawn]]:
    """The public drawing helpers other modules call."""
    desk = shipped_desk()
    state = followup_states(desk, MemoryBook(), NOW)[0]
    card = followup_card(desk, state, TODAY, buttons=True)
    named = Style("America/New_York", names=PEOPLE)
    source_card = SourceCard(
        desk.sources[card.state.item.source or ""], "Para <one> & *two*", followup=state
    )
    return {
        "helpers/context_block": lambda: [
            context_block("x & <y>"),
            context_block("corrected", "newsbot:fact:a:corrected"),
            context_block("&amp;" * 1000),
        ],
        "helpers/notice_block": lambda: [notice_block("Done *now*"), notice_block("<@U1> " * 600)],
        "helpers/shared_by": lambda: [shared_by("U0ABC12"), shared_by("<!here>"), shared_by("U1")],
        "helpers/part_blocks": lambda: [
            *part_blocks(card, named),
            *part_blocks(card, Style(replay=("/followups", "all"))),
            *part_blocks(card, Style(unavailable=True)),
            *part_blocks(_card(desk, "parents-not-located", LATER), Style()),
            *part_blocks(source_card, named),
        ],
    }


def cases() -> dict[str, Reply | Callable[[], Drawn]]:
    found: dict[str, Reply | Callable[[], Drawn]] = {}
    for group in (fact_cases, followup_cases, router_cases, surface_cases, story_cases):
        found.update(group())
    found.update(prose_cases())
    found.update(helper_cases())
    return found


def draw(case: Reply | Callable[[], Drawn]) -> Drawn:
    if isinstance(case, Reply):
        return reply_to_json(case)
    return case()


@cache
def built() -> dict[str, Reply | Callable[[], Drawn]]:
    return cases()


@cache
def golden() -> dict[str, Drawn]:
    loaded: dict[str, Drawn] = json.loads(GOLDEN.read_text(encoding="utf-8"))
    return loaded


def blocks_of(drawn: Drawn) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = drawn["blocks"] if isinstance(drawn, dict) else drawn
    return found


@pytest.fixture(autouse=True)
def undrawn() -> Iterator[None]:
    """Each test draws from scratch: nothing kept from an earlier test's drawing."""
    clear_caches()
    yield
    clear_caches()


def clear_caches() -> None:
    drawing._part_dicts.cache_clear()
    drawing._share_dict.cache_clear()
    drawing._message_json.cache_clear()


# --- the tests ----------------------------------------------------------------------------


def test_the_cases_are_the_golden_files_cases() -> None:
    assert list(built()) == list(golden())


@pytest.mark.parametrize("name", list(built()))
def test_each_case_draws_byte_for_byte_what_slack_sdk_drew(name: str) -> None:
    assert json.dumps(draw(built()[name])) == json.dumps(golden()[name])


@pytest.mark.parametrize("name", [n for n, case in built().items() if isinstance(case, Reply)])
def test_a_commands_json_answer_is_the_same_text_drawn_again_or_kept(name: str) -> None:
    reply = built()[name]
    assert isinstance(reply, Reply)
    expected = json.dumps(golden()[name])
    assert message_json(reply) == expected  # drawn
    assert message_json(reply) == expected  # kept


@pytest.mark.parametrize("name", list(built()))
def test_slack_sdk_reads_every_block_back_unchanged_and_valid(name: str) -> None:
    for block in blocks_of(draw(built()[name])):
        parsed = Block.parse(block)
        assert parsed is not None
        parsed.validate_json()  # Slack's limits, as slack_sdk knows them
        assert parsed.to_dict() == block


def test_every_reply_fits_its_surface() -> None:
    for name, case in built().items():
        if isinstance(case, Reply):
            drawn = blocks_of(draw(case))
            assert 0 < len(drawn) <= case.max_blocks, name
            if case.max_blocks == VIEW_BLOCKS:
                View(type="home", blocks=drawn).validate_json()


def test_the_cases_cover_every_kind_of_part_and_block() -> None:
    parts = {
        type(part).__name__
        for case in built().values()
        if isinstance(case, Reply)
        for part in case.parts
    }
    assert parts == {t.__name__ for t in Part.__args__}
    kinds = set()
    for name in built():
        for block in blocks_of(golden()[name]):
            kinds.add(block["type"])
            kinds.update(e["type"] for e in block.get("elements", []))
            kinds.update(f["type"] for f in block.get("fields", []))
    assert kinds == {"section", "context", "header", "actions", "button", "mrkdwn"}
    dumped = json.dumps(golden())
    assert '"style": "primary"' in dumped and '"action_id": "share_reply"' in dumped


def write_golden() -> None:
    clear_caches()
    drawn = {name: draw(case) for name, case in cases().items()}
    GOLDEN.parent.mkdir(exist_ok=True)
    text = json.dumps(drawn, indent=1, ensure_ascii=False) + "\n"
    GOLDEN.write_text(text, encoding="utf-8")
    print(f"{GOLDEN}: {len(drawn)} cases, {len(text):,} characters")


if __name__ == "__main__":
    if sys.argv[1:] != ["--write"]:
        sys.exit("usage: python -m tests.replies.test_block_dicts --write")
    write_golden()
