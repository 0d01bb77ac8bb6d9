"""Property-based: whatever a user types after whatever command, the router answers and the
blocks stay within Slack's limits with every user string escaped."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.desk.search import SearchIndex
from bot.replies.blocks import MAX_BLOCKS, message_json, reply_to_json
from bot.replies.commands import NAMES
from bot.replies.router import Router, clean_text
from bot.replies.text import render_text
from bot.store.memory import MemoryBook
from tests.replies.desks import NOW, shipped_desk
from tests.replies.test_blocks import mrkdwn_texts

DESK = shipped_desk()
ROUTER = Router(DESK, MemoryBook(), SearchIndex.build(DESK))

COMMANDS = st.sampled_from([*NAMES, "facts", "/nope", "", "/"])
PREFIXES = st.sampled_from(
    [
        "",
        "help ",
        "add ",
        "resolve white-house-response ",
        "snooze parents-located-update ",
        "reopen ",
        "all ",
        "kind:",
        "tag:",
        "by:",
        'source:"',
        '"',
        "<!channel> ",
        "<@U123> ",
        "& ",
    ]
)
TEXTS = st.one_of(
    st.text(max_size=300),
    st.tuples(PREFIXES, st.text(max_size=200)).map("".join),
    st.text(alphabet='<>&!@|"*:-()^ 545abc', max_size=80),
)

_OURS = re.compile(r"<@[UW][A-Z0-9]+>|<https?://[^\s<>|]+\|[^<>]*>")
_BARE_AMP = re.compile(r"&(?!amp;|lt;|gt;)")


def assert_escaped(text: str) -> None:
    """Only our own mentions and links use < >; ">" otherwise only starts a block quote."""
    rest = _OURS.sub("", text)
    assert "<" not in rest, text
    for line in rest.split("\n"):
        assert ">" not in line.removeprefix("> "), text
    assert not _BARE_AMP.search(text), text


def assert_within_limits(payload: dict[str, Any]) -> None:
    blocks = payload["blocks"]
    assert 0 < len(blocks) <= MAX_BLOCKS
    for block in blocks:
        if block["type"] == "header":
            assert len(block["text"]["text"]) <= 150
        if block["type"] == "section" and "text" in block:
            assert len(block["text"]["text"]) <= 3000
        for element in block.get("elements", []):
            if element.get("type") == "button":
                assert len(element["value"]) <= 2000
    for text in mrkdwn_texts(blocks):
        assert_escaped(text)
    assert_escaped(payload["text"])


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(command=COMMANDS, text=TEXTS)
def test_any_text_for_any_command_gets_a_reply_within_slack_limits(command: str, text: str) -> None:
    reply = ROUTER.handle(command, text, "U0PROP", NOW)
    assert reply.parts
    payload = reply_to_json(reply)
    assert_within_limits(payload)
    assert render_text(reply).strip()
    # What a command's acknowledgement carries, drawn once per reply and then kept: every
    # example's replies share the one cache, so a reply drawn from another's entry fails.
    assert json.loads(message_json(reply)) == payload
    dark = replace(reply, meta={**reply.meta, "followup_status": "unavailable"})
    assert json.loads(message_json(dark)) == reply_to_json(dark)
    shared = replace(reply, visibility="in_channel", people=(("U0PROP", "Pat"),))
    assert json.loads(message_json(shared)) == reply_to_json(shared)


@given(st.text(max_size=60), st.sampled_from(["", "\n"]))
@settings(max_examples=400, deadline=None)
def test_typed_text_loses_control_and_bidi_characters_and_nothing_else(
    text: str, keep: str
) -> None:
    """Each control or bidi character (except those kept) becomes a space; text with none
    comes back as typed, trimmed."""
    turned = "".join(
        " " if (ord(ch) < 32 or 127 <= ord(ch) < 160 or ch in _BIDI) and ch not in keep else ch
        for ch in text
    )
    assert clean_text(text, keep=keep) == turned.strip()


_BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
