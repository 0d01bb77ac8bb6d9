"""A draft check as a copy editor reads it: in Slack and the console (a Reply), and as
``newsbot verify`` prints it (``FILE:LINE:COL: status: ...`` lines, or JSON).

Totals first ("2 problems, 5 verified, 1 unverified"), then one line per finding in draft
order: ✓ ✗ ?, the draft's words, the desk's words with the difference marked, the source.
"""

from __future__ import annotations

from typing import Any

from bot.desk.findings import DraftReport, Finding, Mark
from bot.replies.reply import CheckCard, Heading, More, Note, Part, Reply

COMMAND = "/check"
WORDS_LIMIT = 300  # characters of the draft's or the desk's words shown on one line
MAX_CARDS = 20  # findings in one reply: two blocks each stay inside Slack's 50
TOO_MANY = "check a shorter part, or run `newsbot verify` on the story file for every line"
NOTHING_TO_CHECK = (
    "Nothing to check: no quotation, figure or “declined to comment” in that text. "
    "The check looks at words in quotation marks, numbers and comment lines."
)
# How a plain-text renderer marks the draft's words and the source's instead.
PLAIN_MARKS: dict[Mark, tuple[str, str]] = {
    "same": ("", ""),
    "draft": ("[-", "-]"),
    "source": ("{+", "+}"),
}


def check_reply(report: DraftReport, query: str = "") -> Reply:
    """The ephemeral reply to ``/check`` and to the "Check against the desk" shortcut."""
    totals = report.totals()
    parts: list[Part] = [Heading("Checked against the desk"), Note(totals + ".")]
    if not report.findings:
        parts.append(Note(NOTHING_TO_CHECK))
    shown = list(report.findings)
    if len(shown) > MAX_CARDS:  # too long for one message: what needs work comes first
        shown = [f for f in shown if f.status != "ok"]
        parts.append(Note(f"The {report.counts['ok']:,} verified lines are not shown."))
    parts.extend(CheckCard(finding) for finding in shown[:MAX_CARDS])
    if len(shown) > MAX_CARDS:
        parts.append(More(len(shown) - MAX_CARDS, TOO_MANY))
    return Reply(
        tuple(parts),
        text=f"Draft check: {totals}",
        shareable=False,  # a draft stays with whoever is editing it
        command=COMMAND,
        query=query[:200],
    )


# --- words shared by every renderer -------------------------------------------------------


def clip(text: str, limit: int = WORDS_LIMIT) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def marked_plain(finding: Finding) -> str:
    """The source's words with the draft's changes: ``the chaos, [-brutality-] {+cruelty+}``."""
    if not finding.marked:
        return clip(finding.desk or "")
    pieces = []
    for mark, words in finding.marked:
        opening, closing = PLAIN_MARKS[mark]
        pieces.append(f"{opening}{words}{closing}")
    return clip(join_marked(pieces), 2 * WORDS_LIMIT)


def join_marked(pieces: list[str]) -> str:
    """Pieces with a space between, except before punctuation (``cruelty, and``)."""
    joined = ""
    for piece in pieces:
        glue = "" if not joined or piece[:1] in ",.;:!?)’”'" else " "
        joined += glue + piece
    return joined


def where(finding: Finding, *, for_editors: bool = False) -> str:
    """Where the desk's words are from: ``Axios, 14 Jan 2021: “DOJ watchdog ...” · id: ...``
    in a reply (a citation a reporter can use, never a file path); for ``newsbot verify``,
    run by editors and CI next to the files, the seed file and its line instead."""
    pieces = []
    source = finding.source
    if source is not None and not for_editors:
        pieces.append(source.citation())
    elif source is not None:
        pieces.append(f"{source.publisher}, {source.published.day} {source.published:%b %Y}")
        location = source.url or source.file
        if finding.source_line is not None:
            location += f", line {finding.source_line}"
        pieces.append(location)
    if finding.fact_id:
        pieces.append(f"id: {finding.fact_id}")
    return " · ".join(pieces)


def headline(finding: Finding) -> str:
    """``✗ quote, line 6: “the chaos, brutality, …”: not verbatim: ...``."""
    return f"{finding.icon} {finding.kind}, line {finding.line}: {clip(finding.draft)}"


def card_text(card: CheckCard, indent: str = "  ") -> str:
    """A finding for a terminal: what the draft says, what the desk says, where."""
    finding = card.finding
    lines = [headline(finding), indent + finding.message]
    if finding.desk:
        lines.append(f"{indent}desk: {marked_plain(finding)}")
    lines.extend(f"{indent}{note}" for note in finding.notes)
    if where(finding):
        lines.append(f"{indent}source: {where(finding)}")
    return "\n".join(lines)


# --- newsbot verify -------------------------------------------------------------------------


def verify_lines(report: DraftReport, file: str) -> list[str]:
    """``FILE:LINE:COL: ok|mismatch|unverified: message`` with the desk's words below."""
    lines = []
    for finding in report.findings:
        lines.append(
            f"{file}:{finding.line}:{finding.column}: {finding.status}: "
            f"{finding.kind} {clip(finding.draft, 120)}: {finding.message}"
        )
        if finding.desk and finding.status != "ok":
            lines.append(f"    desk: {marked_plain(finding)}")
        lines.extend(f"    {note}" for note in finding.notes)
        if finding.source is not None:
            lines.append(f"    source: {where(finding, for_editors=True)}")
    lines.append(f"{file}: {report.totals()}")
    return lines


def report_json(report: DraftReport, file: str) -> dict[str, Any]:
    return {
        "file": file,
        "totals": {
            "problems": report.counts["mismatch"],
            "verified": report.counts["ok"],
            "unverified": report.counts["unverified"],
        },
        "findings": [_finding_json(f) for f in report.findings],
    }


def _finding_json(finding: Finding) -> dict[str, Any]:
    source = finding.source
    return {
        "line": finding.line,
        "column": finding.column,
        "status": finding.status,
        "kind": finding.kind,
        "draft": finding.draft,
        "message": finding.message,
        "desk": finding.desk,
        "marked": [{"mark": mark, "words": words} for mark, words in finding.marked],
        "speaker": finding.speaker,
        "id": finding.fact_id,
        "notes": list(finding.notes),
        "source": None
        if source is None
        else {
            "id": source.id,
            "publisher": source.publisher,
            "published": source.published.isoformat(),
            "where": source.url or source.file,
            "line": finding.source_line,
        },
    }
