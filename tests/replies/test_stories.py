"""Answers in context (issue 16): two stories sharing words; the channel a command is typed in
decides which story answers first, ``story:SLUG`` keeps to one, ``/facts`` lists them, Home
groups by story and reminders keep to their own story."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot.desk.load import load_desk
from bot.desk.model import Desk, fold_events
from bot.replies.blocks import reply_to_json
from bot.replies.home import home_reply
from bot.replies.reminder import reminder_reply
from bot.replies.reply import FactCard, FollowUpCard, Heading, Note, Reply
from bot.replies.router import Router
from bot.replies.text import render_text
from bot.store.memory import MemoryBook
from tests.desk.stories_files import (
    IMMIGRATION_CHANNEL,
    TRANSIT_CHANNEL,
    transit_story_text,
    two_story_desk,
)

NOW = datetime(2021, 2, 1, 15, 0, tzinfo=UTC)
TRANSIT_REMINDER = """
reminders:
  - id: transit-figures
    channel: C0TRANSIT1
    cron: "0 9 * * mon"
    include: [figures, followups]
"""


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Desk:
    folder: Path = tmp_path_factory.mktemp("stories")
    return load_desk(two_story_desk(folder, story_text=transit_story_text() + TRANSIT_REMINDER))


@pytest.fixture(scope="module")
def router(desk: Desk) -> Router:
    return Router(desk, MemoryBook())


def card_ids(reply: Reply) -> list[str]:
    ids = []
    for part in reply.parts:
        if isinstance(part, FactCard):
            ids.append(part.fact.id)
        elif isinstance(part, FollowUpCard):
            ids.append(part.state.item.id)
    return ids


def notes(reply: Reply) -> str:
    return "\n".join(p.text for p in reply.parts if isinstance(p, Note))


def test_the_channel_decides_which_story_answers_first(router: Router) -> None:
    anywhere = card_ids(router.handle("/facts", "federal", "U1", NOW))
    in_transit = router.handle("/facts", "federal", "U1", NOW, channel=TRANSIT_CHANNEL)
    in_immigration = router.handle("/facts", "federal", "U1", NOW, channel=IMMIGRATION_CHANNEL)
    transit_ids, immigration_ids = card_ids(in_transit), card_ids(in_immigration)
    # Both stories mention "federal": the same items, each channel's own story first.
    assert sorted(transit_ids) == sorted(immigration_ids) == sorted(anywhere)
    assert any(i.startswith("transit/") for i in anywhere)
    assert any("/" not in i for i in anywhere)
    assert transit_ids[0].startswith("transit/") and "/" not in immigration_ids[0]
    firsts = [i.startswith("transit/") for i in transit_ids]
    assert firsts == sorted(firsts, reverse=True)  # every transit item before the others
    assert "From this channel's story first: *Riverton transit fares*" in notes(in_transit)
    assert "Other stories follow." in notes(in_transit)
    assert "this channel's story" not in notes(router.handle("/facts", "federal", "U1", NOW))


def test_a_story_filter_keeps_to_one_story_anywhere(router: Router) -> None:
    only = card_ids(router.handle("/facts", "federal story:transit", "U1", NOW))
    assert only and all(i.startswith("transit/") for i in only)
    other = card_ids(
        router.handle("/figure", "story:zero-tolerance", "U1", NOW, channel=TRANSIT_CHANNEL)
    )
    assert other == ["parents-not-located"]
    typo = router.handle("/facts", "story:trnasit fare", "U1", NOW)
    assert "story:transit (you typed story:trnasit)" in notes(typo)


def test_facts_with_no_words_lists_the_stories(router: Router) -> None:
    reply = router.handle("/facts", "", "U1", NOW, channel=TRANSIT_CHANNEL)
    assert "2 stories:" in notes(reply)
    shown = json.dumps(reply_to_json(reply)["blocks"], ensure_ascii=False)
    assert '*DOJ watchdog report on \\"zero tolerance\\"* `story:zero-tolerance`: 14 facts' in shown
    assert "*Riverton transit fares* `story:transit` (this channel's story): 19 facts" in shown
    assert f", in <#{TRANSIT_CHANNEL}>" in shown  # a channel link Slack draws as #name
    typed = render_text(reply)
    assert "Riverton transit fares `story:transit` (this channel's story): 19 facts" in typed


def test_a_story_title_is_shown_as_written_never_as_markup(tmp_path: Path) -> None:
    hostile = transit_story_text().replace(
        "Riverton transit fares", "Fares <!channel> & *up* _again_", 1
    )
    desk = load_desk(two_story_desk(tmp_path, story_text=hostile))
    reply = Router(desk, MemoryBook()).handle("/facts", "", "U1", NOW)
    shown = json.dumps(reply_to_json(reply)["blocks"], ensure_ascii=False)
    assert "<!channel>" not in shown and "&lt;!channel&gt; &amp;" in shown
    assert "*up*" not in shown and "_again_" not in shown  # kept from turning bold or italic
    assert "Fares <!channel> & *up* _again_" in render_text(reply)


def test_source_finds_a_story_item_by_its_own_id_in_the_story_channel(router: Router) -> None:
    found = router.handle("/source", "fare-increase", "U1", NOW, channel=TRANSIT_CHANNEL)
    assert found.ok and "transit/fare-increase" in found.text
    assert router.handle("/source", "transit/fare-increase", "U1", NOW).ok
    shipped = router.handle("/source", "zero-tolerance/parents-not-located", "U1", NOW)
    assert shipped.ok and "parents-not-located" in shipped.text


def test_home_groups_figures_and_followups_by_story(desk: Desk) -> None:
    states = [fold_events(item, (), NOW) for item in desk.followups]
    reply = home_reply(desk, states, {}, date(2021, 2, 1))
    headings = [p.text for p in reply.parts if isinstance(p, Heading)]
    assert headings[1:3] == ['DOJ watchdog report on "zero tolerance"', "Riverton transit fares"]
    ids = card_ids(reply)
    split = next(n for n, i in enumerate(ids) if i.startswith("transit/"))
    assert all("/" not in i for i in ids[:split]) and all("/" in i for i in ids[split:])
    assert "parents-not-located" in ids and "transit/fare-increase" in ids


def test_a_reminder_includes_only_its_own_storys_items(desk: Desk) -> None:
    states = [fold_events(item, (), NOW) for item in desk.followups]
    by_id = {r.id: r for r in desk.reminders}
    transit = reminder_reply(desk, by_id["transit/transit-figures"], states, NOW, NOW)
    shipped = reminder_reply(desk, by_id["weekday-key-figures"], states, NOW, NOW)
    assert transit is not None and shipped is not None
    transit_ids, shipped_ids = card_ids(transit), card_ids(shipped)
    assert transit_ids and all(i.startswith("transit/") for i in transit_ids)
    assert shipped_ids and all("/" not in i for i in shipped_ids)
    assert render_text(transit).startswith("== Riverton transit fares: reminder for")
