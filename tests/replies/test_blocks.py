"""Block Kit output: what a reader sees in Slack, escaping, and Slack's limits."""

from __future__ import annotations

import json
from typing import Any

from bot.desk.model import Action, FollowUpEvent, fold_events
from bot.desk.search import SearchIndex
from bot.replies.blocks import (
    MAX_BLOCKS,
    escape_mrkdwn,
    render_blocks,
    reply_to_json,
)
from bot.replies.reply import FactCard, FollowUpCard, Heading, More, Note, Reply
from bot.replies.router import Router
from bot.replies.text import render_text
from bot.store.memory import MemoryBook
from tests.replies.conftest import EVERYONE
from tests.replies.desks import NOW, fact, figure, followup, make_desk, many_facts_desk, source


def all_text(blocks: list[dict[str, Any]]) -> str:
    return json.dumps(blocks, ensure_ascii=False)


def mrkdwn_texts(blocks: list[dict[str, Any]]) -> list[str]:
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "mrkdwn":
                found.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(blocks)
    return found


def buttons(blocks: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [
        (element["action_id"], element["value"])
        for block in blocks
        if block["type"] == "actions"
        for element in block["elements"]
    ]


def test_escape_mrkdwn() -> None:
    assert escape_mrkdwn("<!channel> & <@U123>") == "&lt;!channel&gt; &amp; &lt;@U123&gt;"


def test_a_fact_card_cites_everything_a_reporter_needs(router: Router) -> None:
    blocks = render_blocks(router.handle("/facts", "cruelty", "U1", NOW))
    text = all_text(blocks)
    assert "“the chaos, cruelty, and reckless disregard for vulnerable children”" in text
    assert "— Democratic chairs" in text
    assert "Axios, 14 Jan 2021" in text
    # Publisher, date and headline; never the seed file's path (issue 10).
    assert "Axios, 14 Jan 2021: _DOJ watchdog report underscores chaos of" in text
    assert "seeds/" not in text
    assert "`chairs-chaos-cruelty`" in text


def test_a_figure_card_shows_value_unit_date_and_stale_warning(router: Router) -> None:
    text = all_text(render_blocks(router.handle("/figure", "", "U1", NOW)))
    # The qualifier the article gives stays with the value (issue 10).
    assert "*at least 545 parents · Parents not located · as of October 2020*" in text
    assert ":warning: Stale: as of October 2020, 121 days ago" in text


def test_a_source_with_a_url_is_linked() -> None:
    desk = make_desk(sources=[source(url="https://www.axios.com/report?a=1&b=2")])
    blocks = render_blocks(Router(desk, MemoryBook()).handle("/figure", "", "U1", NOW))
    assert "<https://www.axios.com/report?a=1&amp;b=2|Watchdog report>" in all_text(blocks)


def test_user_text_can_never_ping_or_mention() -> None:
    router = Router(make_desk(), MemoryBook(), editors=EVERYONE)
    reply = router.handle("/followups", "add <!channel> & <@U123> <http://evil|click>", "U1", NOW)
    text = all_text(render_blocks(reply))
    assert "<!channel>" not in text and "<@U123>" not in text and "<http" not in text
    assert "&lt;!channel&gt; &amp; &lt;@U123&gt; &lt;http://evil|click&gt;" in text
    searched = all_text(reply_to_json(router.handle("/facts", "<!here> &", "U1", NOW)))  # type: ignore[arg-type]
    assert "<!here>" not in searched and "&lt;!here&gt; &amp;" in searched


def test_owners_are_mentioned_only_when_they_are_slack_user_ids() -> None:
    desk = make_desk(
        followups=[followup("a", owner="U0OWNER1"), followup("b", owner="<!everyone>")]
    )
    text = all_text(render_blocks(Router(desk, MemoryBook()).handle("/followups", "", "U1", NOW)))
    assert "owner <@U0OWNER1>" in text
    assert "owner &lt;!everyone&gt;" in text


def test_follow_up_buttons_follow_the_status() -> None:
    desk = make_desk(followups=[followup("a")])
    router = Router(desk, MemoryBook(), editors=EVERYONE)
    open_blocks = render_blocks(router.handle("/followups", "", "U1", NOW))
    # A private reply's buttons also carry its command, to redraw it after a click.
    mine = '{"id":"a","c":"/followups","q":""}'
    assert [b for b in buttons(open_blocks) if b[0] != "share_reply"] == [
        ("followup_resolve", mine),
        ("followup_snooze_1d", mine),
        ("followup_snooze_1w", mine),
    ]
    resolved = render_blocks(router.handle("/followups", "resolve a done", "U1", NOW))
    assert buttons(resolved) == [("followup_reopen", "a")]
    router.handle("/followups", "reopen a", "U1", NOW)
    snoozed = render_blocks(router.handle("/followups", "snooze a 1d", "U1", NOW))
    assert buttons(snoozed) == [("followup_resolve", "a"), ("followup_reopen", "a")]


def test_snoozed_card_offers_resolve_and_reopen() -> None:
    item = followup("a")
    event = FollowUpEvent("a", Action.SNOOZED, "U1", NOW, until=NOW.replace(day=5))
    card = FollowUpCard(fold_events(item, [event], NOW), source(), 46)
    blocks = render_blocks(Reply((card,), text="x", shareable=False))
    assert buttons(blocks) == [("followup_resolve", "a"), ("followup_reopen", "a")]


def test_share_button_carries_the_command_and_query(router: Router) -> None:
    blocks = render_blocks(router.handle("/quote", "cruelty", "U1", NOW))
    action, value = buttons(blocks)[-1]
    assert action == "share_reply"
    assert json.loads(value) == {"c": "/quote", "q": "cruelty"}


def test_no_share_button_when_the_query_is_too_long_or_the_reply_a_change() -> None:
    long_query = Reply((Note("x"),), text="x", command="/facts", query="é" * 2500)
    assert buttons(render_blocks(long_query)) == []
    router = Router(make_desk(), MemoryBook())
    change = render_blocks(router.handle("/followups", "add Ask DHS", "U1", NOW))
    assert "share_reply" not in [action for action, _ in buttons(change)]


def test_a_500_fact_desk_stays_within_slack_limits_and_says_how_many_more() -> None:
    desk = many_facts_desk(500)
    router = Router(desk, MemoryBook(), SearchIndex.build(desk))
    blocks = render_blocks(router.handle("/facts", "policy", "U1", NOW))
    assert len(blocks) <= MAX_BLOCKS
    assert all(len(t) <= 3000 for t in mrkdwn_texts(blocks))
    assert "490 more: refine your query" in all_text(blocks)


def test_too_many_cards_are_cut_and_counted() -> None:
    desk = many_facts_desk(100)
    parts = [Heading("All")] + [FactCard(f, desk.sources["axios"]) for f in desk.facts]
    blocks = render_blocks(Reply((*parts, More(12)), text="x", command="/facts", query="q"))
    assert MAX_BLOCKS - 2 <= len(blocks) <= MAX_BLOCKS
    shown = sum(1 for b in blocks if b["type"] == "context" and "`policy-" in all_text([b]))
    assert f"{100 - shown + 12} more: refine your query" in all_text(blocks)
    assert blocks[-1]["elements"][0]["action_id"] == "share_reply"


def test_huge_texts_are_cut_to_section_and_header_limits() -> None:
    huge = fact("huge", "&" * 5000 + " word " * 2000, attribution="<b>" * 1000)
    reply = Reply(
        (Heading("H" * 400), FactCard(huge, source()), Note("line & <x>\n" * 2000)),
        text="x" * 10_000,
    )
    blocks = render_blocks(reply)
    assert len(blocks) <= MAX_BLOCKS
    assert all(len(t) <= 3000 for t in mrkdwn_texts(blocks))
    assert len(blocks[0]["text"]["text"]) <= 150
    for text in mrkdwn_texts(blocks):
        assert "&am…" not in text and "&amp…" not in text
    assert len(reply_to_json(reply)["text"]) <= 3000


def test_source_reply_bolds_the_quote_inside_its_paragraph(router: Router) -> None:
    blocks = render_blocks(router.handle("/source", "chairs-chaos-cruelty", "U1", NOW))
    text = all_text(blocks)
    assert "*the chaos, cruelty, and reckless disregard for vulnerable children*" in text
    assert "*Published*" in text and "Politics &amp; Policy" in text


def test_history_mentions_who_changed_a_follow_up(router: Router) -> None:
    router.handle("/followups", "resolve white-house-response No comment <!here>", "U0ED1", NOW)
    text = all_text(render_blocks(router.handle("/source", "white-house-response", "U1", NOW)))
    assert "1 Mar 2021 10:00 EST: resolved by <@U0ED1>: No comment &lt;!here&gt;" in text


def test_reply_to_json_has_blocks_text_and_visibility(router: Router) -> None:
    payload = reply_to_json(router.handle("/facts", "545", "U1", NOW))
    assert payload["response_type"] == "ephemeral"
    assert payload["text"].startswith("2 items for")
    assert payload["blocks"][0]["type"] == "header"


def test_terminal_text_has_the_same_citations(router: Router) -> None:
    text = render_text(router.handle("/facts", "545", "U1", NOW))
    assert "*" not in text.replace("**", "")  # no mrkdwn bold
    assert "&amp;" not in text
    for piece in (
        "\n  At least 545 parents",  # the publisher's words: no quotation marks added (issue 10)
        "at least 545 parents · Parents not located · as of October 2020",
        "Axios, 14 Jan 2021: “DOJ watchdog report",
        "id: parents-not-located",
        "Stale",
    ):
        assert piece in text
    assert "seeds/" not in text and "“At least 545" not in text


def test_figure_card_unit_and_value_without_label() -> None:
    card = FactCard(figure(label=None), source())
    text = all_text(render_blocks(Reply((card,), text="x", shareable=False)))
    assert "*545 parents · as of October 2020*" in text
