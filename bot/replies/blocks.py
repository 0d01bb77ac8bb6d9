"""Replies drawn as Slack Block Kit JSON: plain dicts, built within Slack's limits here.

Every piece of text from a part (ours, the desk's or the user's) goes through
:func:`escape_mrkdwn`, so a user's ``<!channel>`` shows as text and never pings. The only
``<...>`` we write ourselves are mentions of Slack user IDs and links to http(s) sources.

The blocks are plain dicts written by the small builders at the end (``_section``,
``_context``, ``_header``, ``_button``, ...), their keys in the order slack_sdk's models wrote
them (sorted), so the JSON is the same as when every block went through
``slack_sdk.models.blocks`` and ``to_dict()``, whose checking was most of the cost of drawing
a reply never drawn before (:func:`notice_block` and :func:`shared_by` were always plain
dicts, and stay as they were). Nothing checks Slack's limits after drawing, so the drawing
keeps within them itself: texts are cut to SECTION_LIMIT, FIELD_LIMIT and HEADER_LIMIT, a
block id over cited.BLOCK_ID_LIMIT is left out (``card_block_id``), a follow-up whose id does
not fit in BUTTON_VALUE_LIMIT has no buttons, and labels, action ids and the number of fields
and elements are fixed here, within Slack's limits. Two tests in tests/replies,
test_block_dicts.py and test_block_oracle.py, have slack_sdk parse and validate what is drawn.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any

from bot.desk.findings import Finding
from bot.desk.model import FollowUpEvent, Source, Status
from bot.replies.budget import fit
from bot.replies.cited import Block, card_block_id, without_duplicate_ids
from bot.replies.draft_check import clip, join_marked, where
from bot.replies.reply import (
    MESSAGE_BLOCKS,
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
    more_words,
)
from bot.replies.text import (
    age_words,
    byline,
    credit_lines,
    event_words,
    figure_line,
    published_line,
    stale_line,
    status_words,
    story_line,
    words,
)

MAX_BLOCKS = MESSAGE_BLOCKS
LEFT_OUT = "The rest was left out to fit in Slack: refine your query."
SECTION_LIMIT = 3000
FIELD_LIMIT = 2000
HEADER_LIMIT = 150
BUTTON_VALUE_LIMIT = 2000  # the Share and follow-up buttons' values
QUOTE_LIMIT = 2400  # characters of a quote shown in a card; the rest is cut with "…"
HISTORY_LIMIT = 20
FALLBACK_LIMIT = 3000

# Slack's other limits, which the constants and builders here stay within: a button's label
# 75 characters and its action_id 255 (ours are the constants below and "Share in channel",
# "share_reply"), a section 10 fields (the source card has 5 or 6), a context block 10
# elements (ours have one), an actions block 25 elements (ours have at most 3).
# Each follow-up button: its label, its action_id and its style.
_RESOLVE = ("Resolve", "followup_resolve", "primary")
_SNOOZE_DAY = ("Snooze 1 day", "followup_snooze_1d", None)
_SNOOZE_WEEK = ("Snooze 1 week", "followup_snooze_1w", None)
_REOPEN = ("Reopen", "followup_reopen", None)
_FOLLOWUP_BUTTONS: dict[Status, tuple[tuple[str, str, str | None], ...]] = {
    Status.OPEN: (_RESOLVE, _SNOOZE_DAY, _SNOOZE_WEEK),
    Status.SNOOZED: (_RESOLVE, _REOPEN),
    Status.RESOLVED: (_REOPEN,),
}

_STATUS_ICONS = {
    Status.OPEN: ":hourglass:",
    Status.SNOOZED: ":zzz:",
    Status.RESOLVED: ":white_check_mark:",
}
_SLACK_USER = re.compile(r"[UW][A-Z0-9]+")
_SHARING_USER = re.compile(r"^[UW][A-Z0-9]{2,20}$")
_CHANNEL = re.compile(r"[CG][A-Z0-9]{2,30}")
_FORMATTING = re.compile(r"[*_~`]")
_WEB_URL = re.compile(r"https?://[^\s<>|]+")


def escape_mrkdwn(text: str) -> str:
    """Slack's three control characters as entities: text shows as typed, never as markup."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@dataclass(frozen=True, slots=True)
class Style:
    """How parts are drawn for one reply: its time zone, whether follow-up status is live,
    and, for a reply posted in a channel, people's names (so nobody is notified)."""

    timezone: str = "UTC"
    unavailable: bool = False
    names: tuple[tuple[str, str], ...] | None = None  # None: mentions are fine (private)
    # A private reply's command and query: its follow-up buttons carry them, because Slack
    # sends a click on an ephemeral message without the message, and the reply is redrawn
    # by running them again.
    replay: tuple[str, str] | None = None

    def person(self, user: str) -> str:
        if self.names is None:
            return mention(user)
        return escape_mrkdwn(dict(self.names).get(user, user))


def desk_text(text: str) -> str:
    """Words from the desk (quotes, titles) inside our mrkdwn: escaped, and Slack's formatting
    characters kept from formatting. Slack has no escape for ``*``, ``_``, ``~`` and a backtick,
    so a zero-width space is put on each side: the words look and read the same, and a quote
    like ``*not* at all`` stays as written instead of turning bold."""
    return _FORMATTING.sub(lambda m: f"\u200b{m[0]}\u200b", escape_mrkdwn(text))


def channel_link(channel: str) -> str:
    """``<#C0123>``, which Slack shows as the channel's name (and notifies nobody)."""
    return f"<#{channel}>" if _CHANNEL.fullmatch(channel) else escape_mrkdwn(channel)


def mention(user: str) -> str:
    """``<@U123>`` for a real Slack user ID; anything else (``console``) as plain text."""
    return f"<@{user}>" if _SLACK_USER.fullmatch(user) else escape_mrkdwn(user)


def fallback_text(reply: Reply) -> str:
    """The message's ``text``: notifications show it, so it is escaped like the blocks."""
    return _fit(escape_mrkdwn(reply.text), FALLBACK_LIMIT)


def notice_block(mrkdwn: str) -> dict[str, Any]:
    """A line of our own mrkdwn above a view (e.g. Home after a button changed something)."""
    return {"type": "section", "text": {"type": "mrkdwn", "text": _fit(mrkdwn, SECTION_LIMIT)}}


def shared_by(user: str) -> dict[str, Any]:
    """The line under a reply shared in a channel: who shared it."""
    who = f"<@{user}>" if _SHARING_USER.match(user) else escape_mrkdwn(user)
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": f"shared by {who}"}]}


def reply_to_json(reply: Reply) -> dict[str, Any]:
    """What ``newsbot ask --json`` prints and what a Slack response body carries."""
    return {
        "response_type": reply.visibility,
        "text": fallback_text(reply),
        "blocks": render_blocks(reply),
    }


def message_json(reply: Reply) -> str:
    """:func:`reply_to_json` as JSON text: the body of a command's acknowledgement.

    A reply is a frozen value and drawing it is pure, so the same reply always gives the same
    text: the last MESSAGES_KEPT are kept (the search behind a repeated question is cached
    too; drawing and serialising its reply was a fifth of a served /facts request, issue 17).
    Each reply is still built fresh, with the follow-up states of the moment: only an equal
    reply is drawn from the cache.
    """
    try:
        drawn = _Drawn(reply)
    except TypeError:  # a part holding something unhashable: drawn every time
        return json.dumps(reply_to_json(reply))
    return _message_json(drawn)


MESSAGES_KEPT = 256
# Everything of a reply that its drawing reads: every field but meta (read through its
# Style) and ok (not drawn). A field added to Reply is part of the key unless named here.
_DRAWN_FIELDS = tuple(f.name for f in fields(Reply) if f.name not in {"meta", "ok"})


class _Drawn:
    """A reply as a cache key: equal when their drawings are."""

    __slots__ = ("hash", "key", "reply")

    def __init__(self, reply: Reply) -> None:
        self.reply = reply
        self.key = (*(getattr(reply, name) for name in _DRAWN_FIELDS), style_of(reply))
        self.hash = hash(self.key)

    def __hash__(self) -> int:
        return self.hash

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Drawn) and self.key == other.key


@functools.lru_cache(maxsize=MESSAGES_KEPT)
def _message_json(drawn: _Drawn) -> str:
    return json.dumps(reply_to_json(drawn.reply))


def render_blocks(reply: Reply) -> list[dict[str, Any]]:
    """The reply's blocks within its surface's budget (50 for messages, 100 for Home): each
    section that does not fit ends with its own "N more" line (bot.replies.budget), and a
    Share button ends a shareable reply."""
    share = _share_dict(reply.command, reply.query) if reply.shareable else None
    budget = reply.max_blocks - (1 if share else 0)
    blocks = fit(reply.parts, lambda part: _draw_dicts(part, reply), budget, _more_line)
    if blocks is None:  # our own notes alone are too long: keep what fits, in order
        blocks = _first_blocks(reply, budget - 1)
        blocks.append(_context(LEFT_OUT))
    if share is not None:
        blocks.append(share)
    return without_duplicate_ids(blocks)


def _more_line(count: int, hint: str, at_least: bool) -> dict[str, Any]:
    return _context(f"{more_words(count, at_least)}: {escape_mrkdwn(hint)}")


def _first_blocks(reply: Reply, budget: int) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = []
    for part in reply.parts:
        drawn = [] if isinstance(part, More) else _draw_dicts(part, reply)
        if len(blocks) + len(drawn) > budget:
            break
        blocks.extend(drawn)
    return blocks


def style_of(reply: Reply) -> Style:
    private = reply.visibility == "ephemeral" and bool(reply.command) and reply.shareable
    return Style(
        reply.meta.get("timezone", "UTC"),
        reply.meta.get("followup_status") == "unavailable",
        reply.people if reply.visibility == "in_channel" else None,
        (reply.command, reply.query) if private else None,
    )


def _draw_dicts(part: Part, reply: Reply) -> Sequence[dict[str, Any]]:
    return _part_dicts(part, style_of(reply))


@functools.lru_cache(maxsize=512)  # bounded: a few MB at most
def _part_dicts(part: Part, style: Style) -> tuple[dict[str, Any], ...]:
    """A part's blocks, drawn once.

    Parts are frozen values (a follow-up card includes its state and history), so the same
    part always draws the same blocks: a reply asked again, shared or redrawn after a click
    reuses them. Callers only serialise the dicts, never change them.
    """
    return tuple(_draw(part, style))


def part_blocks(part: Part, style: Style) -> list[dict[str, Any]]:
    """One part's blocks on their own (a card redrawn inside a message already posted)."""
    return [dict(block) for block in _part_dicts(part, style)]


def context_block(mrkdwn: str, block_id: str | None = None) -> dict[str, Any]:
    """A context line of our own mrkdwn (callers escape what they put in it)."""
    return _context(mrkdwn, block_id)


# --- parts ------------------------------------------------------------------------------------


def _draw(part: Part, style: Style) -> list[Block]:
    if isinstance(part, FactCard):
        return _fact_blocks(part)
    if isinstance(part, FollowUpCard):
        return _followup_blocks(part, style)
    if isinstance(part, SourceCard):
        return _source_blocks(part, style)
    if isinstance(part, CheckCard):
        return _check_blocks(part)
    if isinstance(part, History):
        return [_section(_history(part.events, style))]
    if isinstance(part, ReminderLine):
        when, rid = escape_mrkdwn(part.when), escape_mrkdwn(part.reminder_id)
        return [_section(f"{when}: {rid} in {channel_link(part.channel)}")]
    if isinstance(part, StoryLine):
        title = f"*{desk_text(part.title)}*"
        return [_section("• " + story_line(part, title, [channel_link(c) for c in part.channels]))]
    return _prose_blocks(part)


def _prose_blocks(part: Part) -> list[Block]:
    """Headings, notes and suggestions: our own words, escaped."""
    if isinstance(part, Heading):
        return [_header(part.text)] if part.text.strip() else []
    if isinstance(part, Note):
        return [_section(chunk) for chunk in _chunks(part.text)]
    if isinstance(part, Suggestions):
        if not part.terms:
            return []
        terms = ", ".join(f"`{escape_mrkdwn(t)}`" for t in part.terms)
        return [_section(f"Did you mean {terms}?")]
    raise TypeError(f"no block renderer for {type(part).__name__}")


def _fact_blocks(card: FactCard) -> list[Block]:
    fact = card.fact
    lines = []
    if fact.kind == "figure":
        lines.append(f"*{escape_mrkdwn(figure_line(fact))}*")
    lines.append("> " + desk_text(_clip(words(fact), QUOTE_LIMIT)))
    if card.stale_days is not None:
        lines.append(f":warning: {escape_mrkdwn(stale_line(card))}")
    whose = byline(fact, card.source)
    citation = [
        *([f"— {escape_mrkdwn(whose)}"] if whose else []),
        f"{escape_mrkdwn(published_line(card.source))}: {_where(card.source)}",
        f"{escape_mrkdwn(fact.kind)} `{escape_mrkdwn(fact.id)}`",
    ]
    return [
        _section("\n".join(lines), card_block_id("fact", fact.id)),
        _context(" · ".join(citation), card_block_id("fact", fact.id, "cite")),
    ]


def _followup_blocks(card: FollowUpCard, style: Style) -> list[Block]:
    unavailable = style.unavailable
    state, item = card.state, card.state.item
    icon = _STATUS_ICONS[state.status] if not unavailable else ":grey_question:"
    lines = [f"{icon} *{desk_text(item.title)}*", _followup_facts(card, style)]
    if item.quote:
        # The publisher's sentence that shows the question is open: not a quotation.
        lines.append("> " + desk_text(_clip(" ".join(item.quote.split()), QUOTE_LIMIT)))
    if state.resolution is not None:
        lines.append(":white_check_mark: " + _event_line(state.resolution, style))
    blocks = [
        _section("\n".join(lines), card_block_id("followup", item.id)),
        _context(
            f"{_followup_origin(card, style)} · follow-up `{escape_mrkdwn(item.id)}`",
            card_block_id("followup", item.id, "origin"),
        ),
    ]
    if card.buttons and not unavailable:
        blocks.extend(_followup_buttons(item.id, state.status, style.replay))
    return blocks


def _followup_facts(card: FollowUpCard, style: Style) -> str:
    item, timezone, unavailable = card.state.item, style.timezone, style.unavailable
    facts = [f"waiting on {escape_mrkdwn(item.waiting_on)}" if item.waiting_on else ""]
    facts.append(escape_mrkdwn(age_words(card.age_days) or ""))
    facts.append(f"*{escape_mrkdwn(status_words(card.state, unavailable, timezone))}*")
    if item.owner:
        facts.append(f"owner {style.person(item.owner)}")
    return " · ".join(f for f in facts if f)


def _followup_origin(card: FollowUpCard, style: Style) -> str:
    """Where the follow-up comes from: its published source, or who added it in Slack."""
    if card.source is not None:
        return f"{escape_mrkdwn(published_line(card.source))}: {_where(card.source)}"
    added_by = card.state.item.added_by
    return f"added by {style.person(added_by)}" if added_by else "added in Slack"


def followup_button_value(followup_id: str, replay: tuple[str, str] | None) -> str:
    """The follow-up's id, with the private reply's command and query when there is one
    (and they fit in a button's value)."""
    if replay is None:
        return followup_id
    value = json.dumps(
        {"id": followup_id, "c": replay[0], "q": replay[1]},
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return value if len(value) <= BUTTON_VALUE_LIMIT else followup_id


def _followup_buttons(
    followup_id: str, status: Status, replay: tuple[str, str] | None = None
) -> list[Block]:
    """The card's buttons for its status; none for an id too long for a button's value (Slack
    would refuse the message, and a click could not say which follow-up it was for)."""
    value = followup_button_value(followup_id, replay)
    if len(value) > BUTTON_VALUE_LIMIT:
        return []
    shown = _FOLLOWUP_BUTTONS[status]
    buttons = [_button(label, action_id, value, style) for label, action_id, style in shown]
    return [_actions(buttons, card_block_id("followup", followup_id, "actions"))]


def _source_blocks(card: SourceCard, style: Style) -> list[Block]:
    timezone, unavailable = style.timezone, style.unavailable
    source = card.source
    quote = card.fact.quote if card.fact else (card.followup.item.quote if card.followup else None)
    paragraph = _highlighted(card.paragraph, quote)
    blocks = [_section("*In its paragraph*\n> " + paragraph.replace("\n", "\n> "))]
    if card.fact is not None:
        fact = card.fact
        line = f"*{escape_mrkdwn(fact.kind.capitalize())}* `{escape_mrkdwn(fact.id)}`\n"
        line += "\n".join(escape_mrkdwn(c) for c in credit_lines(fact, source)[1:])
        line += f"\nWords of: {escape_mrkdwn(fact.credit())}"
        if fact.kind == "figure":
            line += "\n" + escape_mrkdwn(figure_line(fact))
            if fact.as_of_note:
                line += "\nAs of: " + escape_mrkdwn(fact.as_of_note)
        blocks.append(_section(line))
    if card.followup is not None:
        state = card.followup
        status = escape_mrkdwn(status_words(state, unavailable, timezone))
        line = f"*Follow-up* `{escape_mrkdwn(state.item.id)}`: "
        line += f"{escape_mrkdwn(state.item.title)} · *{status}*"
        blocks.append(_section(line))
    blocks.append(_source_fields(source))
    if card.followup is not None and card.history_shown:
        blocks.append(_section(_history(card.history, style)))
    return blocks


def _source_fields(source: Source) -> Block:
    fields = [
        f"*Source*\n{escape_mrkdwn(source.title)}",
        f"*Published*\n{escape_mrkdwn(published_line(source))}",
        f"*Read it*\n{_where(source)}",
        f"*Source id*\n`{escape_mrkdwn(source.id)}`",
        f"*File*\n`{escape_mrkdwn(source.file)}`",  # /source is for editors checking provenance
    ]
    if source.section:
        fields.insert(2, f"*Section*\n{escape_mrkdwn(source.section)}")
    return _fields(fields)


def _history(history: tuple[FollowUpEvent, ...], style: Style) -> str:
    if not history:
        return "*History*\nNo changes recorded."
    shown = history[-HISTORY_LIMIT:]
    lines = ["*History*"]
    if len(history) > len(shown):
        lines.append(f"_{len(history) - len(shown)} earlier changes not shown_")
    lines.extend("• " + _event_line(event, style) for event in shown)
    return "\n".join(lines)


def _event_line(event: FollowUpEvent, style: Style) -> str:
    when, what, detail = event_words(event, style.timezone)
    line = f"{escape_mrkdwn(when)}: {what} by {style.person(event.user)}"
    return f"{line}: {escape_mrkdwn(detail)}" if detail else line


def _check_blocks(card: CheckCard) -> list[Block]:
    """✗ the draft's words, what is wrong, the desk's words with the change marked, the source:
    the draft's words struck through, the source's in bold."""
    finding = card.finding
    lines = [
        f"{finding.icon} *{finding.kind}*, line {finding.line}: "
        + escape_mrkdwn(clip(finding.draft)),
        escape_mrkdwn(finding.message),
    ]
    if finding.desk:
        lines.append("> " + _marked_mrkdwn(finding))
    lines.extend(f"_{escape_mrkdwn(note)}_" for note in finding.notes)
    blocks = [_section("\n".join(lines))]
    if where(finding):
        blocks.append(_context(escape_mrkdwn(where(finding))))
    return blocks


def _marked_mrkdwn(finding: Finding) -> str:
    if not finding.marked:
        return escape_mrkdwn(clip(finding.desk or ""))
    styles = {"same": "{}", "draft": "~{}~", "source": "*{}*"}
    return join_marked([styles[mark].format(escape_mrkdwn(w)) for mark, w in finding.marked])


@functools.lru_cache(maxsize=256)
def _share_dict(command: str, query: str) -> dict[str, Any] | None:
    """The Share button; its value re-runs the command (none when too long for a button)."""
    value = json.dumps({"c": command, "q": query}, ensure_ascii=False, separators=(",", ":"))
    if len(value) > BUTTON_VALUE_LIMIT:
        return None
    return _actions([_button("Share in channel", "share_reply", value)])


# --- small builders -------------------------------------------------------------------------
# Block Kit JSON as plain dicts, keys sorted as slack_sdk's to_dict() wrote them; an absent
# block_id (None) leaves the key out.


def _where(source: Source) -> str:
    """The headline, linked to the published page when there is one; never a file path."""
    title = escape_mrkdwn(_clip(source.title, 200))
    if source.url and _WEB_URL.fullmatch(source.url):
        return f"<{escape_mrkdwn(source.url)}|{title}>"
    return f"_{title}_"


def _highlighted(paragraph: str, quote: str | None) -> str:
    """The paragraph, escaped, with the quoted words in bold when they can be found."""
    span = None
    if quote:
        from bot.desk import provenance  # only /source needs it

        span = provenance.locate(quote, paragraph)
    if span is None:
        return desk_text(paragraph)
    start, end = span
    middle = " ".join(paragraph[start:end].split())
    return desk_text(paragraph[:start]) + f"*{desk_text(middle)}*" + desk_text(paragraph[end:])


def _header(text: str) -> Block:
    # plain_text is shown as typed: Slack does not parse mentions or links in it.
    return {"text": _plain(_clip(text, HEADER_LIMIT)), "type": "header"}


def _plain(text: str) -> Block:
    return {"emoji": True, "text": text, "type": "plain_text"}


def _mrkdwn(text: str, limit: int) -> Block:
    # verbatim: Slack links only what we marked up (<url|title>), never a bare URL, @here or
    # #channel that happens to be in a quote.
    return {"text": _fit(text, limit), "type": "mrkdwn", "verbatim": True}


def _section(mrkdwn: str, block_id: str | None = None) -> Block:
    text = _mrkdwn(mrkdwn, SECTION_LIMIT)
    if block_id:
        return {"block_id": block_id, "text": text, "type": "section"}
    return {"text": text, "type": "section"}


def _fields(mrkdwn: list[str]) -> Block:
    """A section of short texts shown side by side (at most 10: callers give fewer)."""
    return {"fields": [_mrkdwn(text, FIELD_LIMIT) for text in mrkdwn], "type": "section"}


def _context(mrkdwn: str, block_id: str | None = None) -> Block:
    elements = [_mrkdwn(mrkdwn, SECTION_LIMIT)]
    if block_id:
        return {"block_id": block_id, "elements": elements, "type": "context"}
    return {"elements": elements, "type": "context"}


def _actions(buttons: list[Block], block_id: str | None = None) -> Block:
    if block_id:
        return {"block_id": block_id, "elements": buttons, "type": "actions"}
    return {"elements": buttons, "type": "actions"}


def _button(label: str, action_id: str, value: str, style: str | None = None) -> Block:
    """A button; callers keep ``value`` within BUTTON_VALUE_LIMIT, and labels and action ids
    are this module's constants, within Slack's 75 and 255 characters. An empty style or
    value is left out (a follow-up's id could be empty), as slack_sdk left it out."""
    button: Block = {"action_id": action_id}
    if style:
        button["style"] = style
    button.update(text=_plain(label), type="button")
    if value:
        button["value"] = value
    return button


def _chunks(text: str, limit: int = SECTION_LIMIT - 100) -> list[str]:
    """A long note as several escaped sections, split between lines."""
    chunks: list[str] = []
    current = ""
    for line in escape_mrkdwn(text).split("\n"):
        if current and len(current) + 1 + len(line) > limit:
            chunks.append(current)
            current = line
        else:
            current = f"{current}\n{line}" if current else line
    chunks.append(current)
    return [c for c in chunks if c.strip()] or ["(empty)"]


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _fit(mrkdwn: str, limit: int) -> str:
    """Cut mrkdwn to ``limit`` characters without leaving half an entity, mention or link."""
    if len(mrkdwn) <= limit:
        return mrkdwn
    cut = mrkdwn[: limit - 1]
    amp, semi = cut.rfind("&"), cut.rfind(";")
    if amp > semi:
        cut = cut[:amp]
    opening, closing = cut.rfind("<"), cut.rfind(">")
    if opening > closing:
        cut = cut[:opening]
    return cut + "…"
