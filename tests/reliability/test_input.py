"""Hostile input through the real WSGI app with signed requests: every command text and every
interactivity payload gets an answer (never a 5xx), and replies stay escaped and within
Slack's limits. tests/replies/test_properties.py proves the same of the router alone.
"""

from __future__ import annotations

import copy
import itertools
import json
from typing import Any
from urllib.parse import parse_qsl, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.replies.commands import NAMES
from bot.web import parse_form
from tests.reliability.conftest import (
    EDITOR,
    FOLLOWUP,
    REPORTER,
    InProcess,
    block_actions,
    view_submission,
)
from tests.replies.test_properties import assert_escaped, assert_within_limits
from tests.waiting import wait_for

COMMANDS = list(NAMES)
HOSTILE = [
    "<!channel>",
    "<!here|here>",
    "<!everyone>",
    "<@U0EDITOR1>",
    "<#C0NEWSDESK|newsdesk>",
    "<!subteam^S0123|@editors>",
    "<https://evil.example/phish|Click here>",
    "<mailto:x@example.org|mail>",
    "*bold* _italic_ ~strike~ `code` ```block```",
    "> quoted\n>>> more",
    "&amp; &lt; &gt; & < >",
    "\x00\x01\x07\x1b[31m\x7f\x9b",
    "\u202eevil\u202c \u2066iso\u2069 \u200f",
    "\ufeff\u200b\u200d",
    "👨‍👩‍👧 ﷽ 𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    "resolve white-house-response <!channel>",
    "add <!channel> call <@U0EDITOR1>",
    "payload",
]
_BIDI = set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
TEXTS = st.one_of(
    st.sampled_from(HOSTILE),
    st.lists(st.sampled_from(HOSTILE), max_size=6).map(" ".join),
    st.text(max_size=400),
    st.tuples(st.sampled_from(HOSTILE), st.text(max_size=100)).map("".join),
)
EXAMPLES = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def assert_a_safe_reply(answer: Any) -> dict[str, Any]:
    assert answer.status == 200, answer.body[:300]
    reply = answer.json()
    assert reply["response_type"] == "ephemeral"
    # The fallback "text" is checked apart: see test_the_fallback_text_is_escaped_too.
    assert_within_limits({"blocks": reply["blocks"], "text": ""})
    assert 0 < len(reply["text"]) <= 4000
    shown = json.dumps(reply, ensure_ascii=False)
    assert not _BIDI & set(shown), "a bidi control reached the reply"
    assert "\x00" not in shown and "\x1b" not in shown
    return reply


# --- command texts ------------------------------------------------------------------------


@EXAMPLES
@given(command=st.sampled_from(COMMANDS), text=TEXTS)
def test_any_command_text_is_answered_escaped_and_within_limits(
    in_process: InProcess, command: str, text: str
) -> None:
    assert_a_safe_reply(in_process.command(command, text))


@pytest.mark.parametrize("text", ["<!channel>", "545 <!channel>", "<@U0EDITOR1> & <!here>"])
def test_the_fallback_text_is_escaped_too(in_process: InProcess, text: str) -> None:
    reply = assert_a_safe_reply(in_process.command("/facts", text))
    assert_escaped(reply["text"])


@pytest.mark.parametrize("command", COMMANDS)
# Slack sends at most 4,000 characters; multi-byte fillers stay under the 64 KB body limit.
@pytest.mark.parametrize("filler", ["a", "<!channel> ", "\u202ex", "*_~`", "545 ", "é"])
def test_a_10000_character_text_is_answered(
    in_process: InProcess, command: str, filler: str
) -> None:
    text = (filler * 10_000)[:10_000]
    assert_a_safe_reply(in_process.command(command, text))


def test_mentions_and_links_in_a_query_are_shown_not_acted_on(in_process: InProcess) -> None:
    reply = assert_a_safe_reply(in_process.command("/facts", "<!channel> <https://x.example|y>"))
    shown = json.dumps(reply["blocks"])
    assert "&lt;!channel&gt;" in shown and "<!channel>" not in shown
    assert "<https://x.example" not in shown


def test_followups_added_with_hostile_titles_are_escaped_everywhere(in_process: InProcess) -> None:
    title = "<!channel> call <@U0EDITOR1> about <https://evil.example|this> \u202eevil"
    added = assert_a_safe_reply(in_process.command("/followups", f"add {title}", user=EDITOR))
    assert "<!channel>" not in json.dumps(added)
    for text in ("list", "all", "channel"):
        assert_a_safe_reply(in_process.command("/followups", text))
    assert_a_safe_reply(in_process.command("/facts", "evil"))


def test_a_command_whose_text_says_payload_is_answered(in_process: InProcess) -> None:
    assert_a_safe_reply(in_process.command("/facts", "payload"))


# --- interactivity payloads ---------------------------------------------------------------

ACTION_IDS = st.one_of(
    st.sampled_from(
        [
            "share_reply",
            "followup_resolve",
            "followup_reopen",
            "followup_snooze_1d",
            "followup_snooze_1w",
            "followup_delete",
            "",
        ]
    ),
    st.text(max_size=40),
)
VALUES = st.one_of(
    st.sampled_from([FOLLOWUP, "parents-located-update", "no-such-item", ""]),
    st.text(max_size=200),
    st.builds(
        lambda c, q: json.dumps({"c": c, "q": q}),
        st.sampled_from([*COMMANDS, "/nope", ""]),
        st.one_of(st.sampled_from(["545", "add x", "resolve white-house-response x"]), st.text()),
    ),
)
REGISTERED_ACTIONS = frozenset(
    {
        "share_reply",
        "followup_resolve",
        "followup_reopen",
        "followup_snooze_1d",
        "followup_snooze_1w",
    }
)
USERS = st.one_of(st.sampled_from([EDITOR, REPORTER, "", "W0GUEST"]), st.text(max_size=30))
_counter = itertools.count()


@EXAMPLES
@given(action_id=ACTION_IDS, value=VALUES, user=USERS, home=st.booleans())
def test_any_button_click_is_answered_and_only_editors_change_anything(
    in_process: InProcess, action_id: str, value: str, user: str, home: bool
) -> None:
    name = f"click-{next(_counter)}"
    published = len(in_process.slack.calls_to("views.publish"))
    payload = block_actions(
        action_id, value, user=user, home=home, response_url=in_process.slack.response_url(name)
    )
    answer = in_process.interaction(payload)
    known = action_id in REGISTERED_ACTIONS
    # Every click is answered 200 (Slack shows the person an error otherwise); one on a
    # button this app does not have says what to do instead.
    assert answer.status == 200, answer.body[:200]
    if not known and not home:
        wait_for(lambda: _told(in_process, name))
    if known and action_id != "share_reply" and user != EDITOR:
        # A non-editor is always told no: wait for that, then check that nothing changed.
        if home:
            wait_for(lambda: len(in_process.slack.calls_to("views.publish")) > published)
        else:
            wait_for(lambda: _told(in_process, name))
        assert all(e.user == EDITOR for e in in_process.book.events())


def _told(in_process: InProcess, name: str) -> bool:
    return any(c.path.endswith("/" + name) for c in in_process.slack.calls_to("response_url"))


NOTES = st.one_of(st.text(max_size=300), st.sampled_from(HOSTILE), st.none(), st.integers())
LINKS = st.one_of(
    st.none(),
    st.text(max_size=100),
    st.sampled_from(["https://example.org/x", "javascript:alert(1)", "http://", "ftp://x"]),
)


@EXAMPLES
@given(
    followup=st.one_of(st.sampled_from([FOLLOWUP, "no-such", ""]), st.text(max_size=40)),
    note=NOTES,
    link=LINKS,
    user=USERS,
)
def test_any_modal_submission_is_answered_and_only_editors_resolve(
    in_process: InProcess, followup: str, note: Any, link: Any, user: str
) -> None:
    submission = view_submission(followup, note, link, user=user)
    # Slack never sends the same request twice (a view's hash changes with every update);
    # an exact replay is run once, as tests/slack/test_requests_once.py shows.
    submission["view"]["hash"] = f"hash-{next(_counter)}"
    answer = in_process.interaction(submission)
    assert answer.status == 200, answer.body[:200]
    if answer.body:
        assert answer.json()["response_action"] == "errors"
    else:
        assert (user, followup) == (EDITOR, FOLLOWUP)
    assert all(e.user == EDITOR for e in in_process.book.events())


# --- broken shapes: never a 500 -----------------------------------------------------------


def _without(payload: dict[str, Any], *path: Any, value: Any = KeyError) -> dict[str, Any]:
    changed = copy.deepcopy(payload)
    node = changed
    for key in path[:-1]:
        node = node[key]
    if value is KeyError:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return changed


CLICK = block_actions("followup_reopen", FOLLOWUP)
SUBMIT = view_submission(FOLLOWUP, "Declined to comment")
BROKEN_SHAPES = {
    "user-is-a-string": _without(CLICK, "user", value="U0EDITOR1"),
    "no-user": _without(CLICK, "user"),
    "no-team": _without(CLICK, "team"),
    "actions-is-a-string": _without(CLICK, "actions", value="x"),
    "action-is-a-number": _without(CLICK, "actions", value=[1]),
    "action-id-is-a-number": _without(CLICK, "actions", 0, "action_id", value=5),
    "value-is-an-object": _without(CLICK, "actions", 0, "value", value={"a": 1}),
    "container-is-a-string": _without(CLICK, "container", value="x"),
    "response-url-is-a-number": _without(CLICK, "response_url", value=5),
    "view-is-a-string": _without(SUBMIT, "view", value="x"),
    "state-is-a-string": _without(SUBMIT, "view", "state", value="x"),
    "values-is-a-list": _without(SUBMIT, "view", "state", "values", value=[]),
    "metadata-is-a-number": _without(SUBMIT, "view", "private_metadata", value=5),
    "type-only": {"type": "block_actions"},
    "unknown-type": {"type": "view_closed"},
}
CRASHING_SHAPES = {
    "actions-is-empty": _without(CLICK, "actions", value=[]),
    "view-without-type": _without(SUBMIT, "view", "type"),
}


@pytest.mark.parametrize("shape", sorted(BROKEN_SHAPES))
def test_a_signed_payload_of_the_wrong_shape_is_never_a_500(
    in_process: InProcess, shape: str
) -> None:
    payload = copy.deepcopy(BROKEN_SHAPES[shape])
    if isinstance(payload.get("response_url"), str):
        payload["response_url"] = in_process.slack.response_url("broken")
    answer = in_process.interaction(payload)
    assert answer.status in {200, 400, 404}, answer.body[:200]
    assert in_process.call("GET", "/healthz").status == 200


@pytest.mark.parametrize("shape", sorted(CRASHING_SHAPES))
def test_a_signed_payload_bolt_cannot_read_is_a_400(in_process: InProcess, shape: str) -> None:
    answer = in_process.interaction(CRASHING_SHAPES[shape])
    assert answer.status == 400


@given(
    st.lists(
        st.tuples(st.text(max_size=12), st.text(max_size=30)).map(
            lambda pair: urlencode([pair]) if pair[0] or pair[1] else ""
        ),
        max_size=6,
    ).map("&".join)
    | st.text(alphabet="ab=&%+2F3Dxyz", max_size=30)
)
@settings(max_examples=400, deadline=None)
def test_the_form_parser_reads_what_parse_qsl_reads(body: str) -> None:
    """bot.web parses forms itself (issue 17: half the time): the same fields as the standard
    library's strict parse, and a refusal wherever that refuses."""
    try:
        expected: dict[str, str] | None = dict(
            parse_qsl(body, keep_blank_values=True, strict_parsing=True)
        )
    except ValueError:
        expected = None
    try:
        found: dict[str, str] | None = parse_form(body)
    except ValueError:
        found = None
    assert found == expected


@given(st.text(alphabet="ab=&%+27fF3dD8eE9cCé✓ ", max_size=40))
@settings(max_examples=400, deadline=None)
def test_escapes_in_either_case_and_beyond_ascii_read_as_parse_qsl_reads_them(body: str) -> None:
    """The parser decodes escapes of ASCII characters itself ("%2f" and "%2F" alike) and
    leaves the rest ("%e2%9c%93", a bare "%", "%zz") to the standard library."""
    try:
        expected: dict[str, str] | None = dict(
            parse_qsl(body, keep_blank_values=True, strict_parsing=True)
        )
    except ValueError:
        expected = None
    try:
        found: dict[str, str] | None = parse_form(body)
    except ValueError:
        found = None
    assert found == expected
