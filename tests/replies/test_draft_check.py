"""The draft check's reply: totals first, findings in draft order, inside Slack's limits."""

from __future__ import annotations

import json
from datetime import date

from bot.desk.load import check_file
from bot.desk.verify import DraftChecker
from bot.replies.blocks import reply_to_json
from bot.replies.draft_check import MAX_CARDS, check_reply
from bot.replies.text import render_text
from tests.desk.files import FACTS

TODAY = date(2021, 2, 1)
GOOD = '"the chaos, cruelty, and reckless disregard for vulnerable children" '
BAD = '"the chaos, brutality, and reckless disregard for vulnerable children" '


def checker() -> DraftChecker:
    desk, problems = check_file(FACTS)
    assert desk is not None and not problems
    return DraftChecker(desk)


def test_text_shows_totals_then_each_finding_in_draft_order() -> None:
    report = checker().check(f"{GOOD}\n{BAD}\nThe White House declined to comment.", TODAY)

    text = render_text(check_reply(report))

    assert text.splitlines()[:3] == [
        "== Checked against the desk ==",
        "",
        "2 problems, 1 verified, 0 unverified.",
    ]
    order = [text.index(mark) for mark in ("✓ quote, line 1", "✗ quote, line 2", "✗ followup")]
    assert order == sorted(order)
    assert "desk: the chaos, [-brutality-] {+cruelty+}, and reckless" in text


def test_a_long_draft_keeps_every_problem_in_order_within_slacks_limits() -> None:
    lines = [GOOD if n % 3 else BAD for n in range(90)]  # 30 problems, 60 verified
    report = checker().check("\n".join(lines), TODAY)

    reply = check_reply(report)
    data = reply_to_json(reply)
    blocks = data["blocks"]

    assert len(blocks) <= 50
    assert data["text"] == "Draft check: 30 problems, 60 verified, 0 unverified"
    shown = [b["text"]["text"] for b in blocks if b["type"] == "section"][2:]
    assert len(shown) == MAX_CARDS
    assert all(line.startswith("✗ *quote*") for line in shown)
    assert [int(s.split("line ")[1].split(":")[0]) for s in shown] == list(range(1, 60, 3))[:20]
    dumped = json.dumps(blocks, ensure_ascii=False)
    assert "The 60 verified lines are not shown." in dumped
    assert "10 more: check a shorter part, or run `newsbot verify`" in dumped


def test_nothing_to_check_says_what_the_check_looks_at() -> None:
    reply = check_reply(checker().check("The committee met on Tuesday.", TODAY))

    assert reply.text == "Draft check: 0 problems, 0 verified, 0 unverified"
    assert "no quotation, figure or “declined to comment”" in render_text(reply)
    assert reply.shareable is False and reply.visibility == "ephemeral"
