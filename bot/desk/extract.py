"""``newsbot extract SEED``: a first draft of facts.yaml from an article, for an editor.

It proposes candidates, it does not decide: every direct quote credited the way the
article credits it (the same reading as ``newsbot check``: :mod:`bot.desk.attribution`),
sentences with figures, findings and paraphrased statements, and the follow-ups an article
leaves open ("did not immediately respond"). Every quote it writes is a verbatim piece of
the article. What it could not tell is a ``TODO:`` value, and what it guessed carries a
``guessed:`` line: ``newsbot check`` refuses both until an editor has decided.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from bot.desk import attribution, provenance, sourcing
from bot.desk.model import QUALIFIERS

_MONTHS = sourcing.MONTHS
_MONTH = sourcing.MONTH
_DATELINE = sourcing.DATELINE
_AS_OF_MONTH = re.compile(
    rf"\bas of\s+(?P<month>{_MONTH})(?:\s+(?P<day>\d{{1,2}})(?!\d))?(?:,?\s+(?P<year>\d{{4}}))?",
    re.IGNORECASE,
)
_AS_OF_YEAR = re.compile(r"\b(?:as of|in|at the end of)\s+(?P<year>\d{4})\b", re.IGNORECASE)

_NAME = r"[^,.;:!?\"“”]"  # a run of words inside one clause
_NO_RESPONSE = re.compile(
    rf"(?P<who>[A-Z]{_NAME}{{1,80}}?),?\s+(?:"  # "The supplier, Green Valley Farms, declined"
    r"(?:did not|didn't|has not|hasn't|have not|haven't|had not|would not|could not)\s+"
    r"(?:immediately\s+)?(?:respond|reply|return|comment|answer)"
    r"|declined\s+to\s+(?:comment|respond|answer)|refused\s+to\s+comment"
    r"|could not be reached|w(?:as|ere) not available for comment)"
)

# Text structure.
_QUOTED = re.compile(r"“(?P<curly>[^”]+)”|\"(?P<straight>[^\"\n]+)\"")
_LABEL = re.compile(r"^(?P<label>[A-Z][^:.!?\"“”]{0,60}):\s+(?=[A-Z\"“])")
_BULLET = re.compile(r"^\s*[•·*\-–—]\s+")
_SENTENCE_END = re.compile(r"[.!?][\"”’)]*\s+(?=[A-Z\"“‘(•\d])")
_ABBREVIATIONS = {
    *("mr", "mrs", "ms", "dr", "st", "gen", "sen", "rep", "gov", "lt", "col", "sgt"),
    *("jr", "sr", "inc", "co", "corp", "no", "vs", "u.s", "u.n", "d.c"),
    *_MONTHS,
}

# Figures: a number as written, what follows it, and what is a date rather than a figure.
_NUMBER = re.compile(
    r"(?<![\w.,$])(?P<cur>\$)?(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?![\w]|,\d|\.\d)(?P<pct>%| percent)?(?:\s+(?P<next>[a-z][a-z-]*))?"
)
_BEFORE_YEAR = re.compile(rf"(?:{_MONTH}|\b(?:in|since|by|until|of|from|to))\s*$", re.I)
_AFTER_MONTH = re.compile(rf"{_MONTH}\s*$", re.IGNORECASE)
_SCALE_WORDS = {"million", "billion", "trillion", "thousand"}
_MIN_QUOTE_WORDS = 3
_STOP_WORDS = frozenset(("the", "a", "an", "on", "of", "for", "and", "in", "by", "to", "s"))
_FINDING_VERBS = frozenset(
    ("found", "finds", "concluded", "concludes", "determined", "according to")
)


Candidate = dict[str, str | None]  # one facts.yaml item; "#" holds the comment for the editor


@dataclass(frozen=True)
class Sentence:
    text: str  # verbatim, without a bullet or a "Why it matters:" label
    paragraph: int
    label: str | None = None


@dataclass
class Draft:
    text: str = ""
    title: str | None = None
    section: str | None = None
    published: date | None = None
    facts: list[Candidate] = field(default_factory=list)
    followups: list[Candidate] = field(default_factory=list)
    speakers: list[Candidate] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)

    def credit(self, words: str) -> attribution.Credit | None:
        """Whom the article credits for these words (they are verbatim in it)."""
        span = provenance.locate(words, self.text)
        return None if span is None else attribution.credited_speaker(self.text, span)

    def speaker_id(self, who: str) -> str:
        """The draft's speaker record for a name as the article writes it; one per speaker."""
        for speaker in self.speakers:
            if attribution.names_agree(who, speaker["name"] or ""):
                return speaker["id"] or ""
        words = [w for w in re.findall(r"[A-Za-z0-9]+", who) if w.lower() not in _STOP_WORDS]
        speaker_id = self.new_id(*words[-3:])  # names come last: "Council member Tom Reed"
        self.speakers.append({"id": speaker_id, "name": who})
        return speaker_id

    def publisher(self) -> str | None:
        named = sourcing.publishers_named(self.text)
        return named[0][0] if named else None

    def new_id(self, *words: str) -> str:
        base = "-".join(w for w in (_slug(x) for x in words) if w)[:48].strip("-") or "item"
        candidate, n = base, 2
        while candidate in self.ids:
            candidate, n = f"{base}-{n}", n + 1
        self.ids.add(candidate)
        return candidate


def extract_draft(text: str, file: str) -> str:
    """A commented facts.yaml draft of everything in ``text`` an editor may want to curate."""
    paragraphs = _paragraphs(text)
    draft = Draft(text)
    _read_header(paragraphs, draft)
    sentences = [s for i, p in enumerate(paragraphs) for s in _sentences(p, i)]
    _find_quotes(sentences, draft)
    _find_figures(sentences, draft)
    _find_findings(sentences, draft)
    _find_followups(sentences, draft)
    return _render(draft, file)


# --- reading the article --------------------------------------------------------------------


def _paragraphs(text: str) -> list[str]:
    """Blank lines and bullets start paragraphs; hard-wrapped lines are joined."""
    paragraphs: list[str] = []
    current: list[str] = []
    for line in text.splitlines():
        if not line.strip() or _BULLET.match(line):
            if current:
                paragraphs.append(" ".join(current))
            current = [line.strip()] if line.strip() else []
            continue
        if current and current[-1][-1:] in '.!?"”':
            paragraphs.append(" ".join(current))
            current = []
        current.append(line.strip())
    if current:
        paragraphs.append(" ".join(current))
    return paragraphs


def _read_header(paragraphs: list[str], draft: Draft) -> None:
    """A dateline such as "Jan 14, 2021 - Politics & Policy" and the headline after it."""
    for i, paragraph in enumerate(paragraphs[:3]):
        match = _DATELINE.search(paragraph)
        if match and len(paragraph.split()) <= 12:
            draft.published = _date_from(match[1], match[2], match[3])
            rest = paragraph[match.end() :].strip(" -–—|")
            draft.section = rest or None
            if i + 1 < len(paragraphs):
                draft.title = paragraphs[i + 1]
            return
    draft.title = paragraphs[0] if paragraphs else None


def _date_from(month: str, day: str | None, year: str | None) -> date | None:
    try:
        return date(int(year or 0), _MONTHS[month.lower().rstrip(".")], int(day or 1))
    except (KeyError, ValueError):
        return None


def _sentences(paragraph: str, index: int) -> list[Sentence]:
    body = _BULLET.sub("", paragraph)
    label = None
    if (match := _LABEL.match(body)) and len(match["label"].split()) <= 8:
        label, body = match["label"], body[match.end() :]
    pieces, start = [], 0
    for match in _SENTENCE_END.finditer(body):
        before = body[start : match.start() + 1]
        last_word = before.rsplit(None, 1)[-1].rstrip(".").lower() if before.strip() else ""
        if last_word in _ABBREVIATIONS or not _quotes_balanced(before):
            continue
        pieces.append(before.strip())
        start = match.end()
    pieces.append(body[start:].strip())
    return [Sentence(p, index, label) for p in pieces if p]


def _quotes_balanced(text: str) -> bool:
    return text.count('"') % 2 == 0 and text.count("“") == text.count("”")


# --- candidates -----------------------------------------------------------------------------


def _find_quotes(sentences: list[Sentence], draft: Draft) -> None:
    last: tuple[str, int] | None = None  # (speaker id, paragraph) for quotes with none
    for sentence in sentences:
        for match in _QUOTED.finditer(sentence.text):
            quote = (match["curly"] or match["straight"]).strip().rstrip(",")
            if len(quote.split()) >= _MIN_QUOTE_WORDS:
                item, last = _quote_candidate(quote, sentence.paragraph, draft, last)
                draft.facts.append(item)


def _quote_candidate(
    quote: str, paragraph: int, draft: Draft, last: tuple[str, int] | None
) -> tuple[Candidate, tuple[str, int] | None]:
    """A quote credited as the article credits it, else guessed from the quotes just before
    it (marked guessed), else a TODO; and the speaker the next quotes may fall back on."""
    item: Candidate = {"id": "", "kind": "quote", "quote": quote}
    credit = draft.credit(quote)
    if credit is not None and credit.certain and credit.who is not None:
        speaker = draft.speaker_id(credit.who)
        item |= {"speaker": speaker, "#": f"the article credits {credit}"}
        last = (speaker, paragraph)
    elif last and paragraph - last[1] <= 2:
        item |= {"speaker": last[0], "guessed": "the speaker, from the quotes before it"}
    else:
        item |= {"attribution": "TODO: who said it", "#": "the article does not say who said it"}
    item["id"] = draft.new_id(item.get("speaker") or "", *quote.split()[:4])
    return item, last


def _find_figures(sentences: list[Sentence], draft: Draft) -> None:
    for sentence in sentences:
        number = next(_figures_in(sentence.text), None)
        if number is None:
            continue
        value, unit = number
        as_of, how = _as_of(sentence.text, draft.published)
        item: Candidate = {
            "id": draft.new_id(value.replace(",", "").replace(".", "-"), unit or "figure")
        }
        item |= {"kind": "figure", "quote": sentence.text}
        item |= _credit_keys(draft, sentence.text)
        item |= {"label": f"TODO: {unit or 'what is counted'}", "value": value, "unit": unit}
        qualifier = _qualifier(sentence.text, value)
        if qualifier:
            item["qualifier"] = qualifier
        item["as_of"] = as_of
        if how == "from the sentence and the publication date":
            item["as_of_note"] = "the year is inferred from the article's date"
        elif how != "from the sentence":
            item["guessed"] = f"as_of, which {how}"
        draft.facts.append(item)


def _credit_keys(draft: Draft, words: str) -> Candidate:
    """``speaker:`` when the article credits the words, else they are the publisher's."""
    credit = draft.credit(words)
    if credit is not None and credit.certain and credit.who is not None:
        return {"speaker": draft.speaker_id(credit.who)}
    return {"attribution": draft.publisher() or "TODO: publisher"}


def _qualifier(text: str, value: str) -> str | None:
    """ "At least 545": the hedge before the value, when it is one the desk keeps."""
    at = provenance.normalize(text).casefold().find(value.casefold())
    before = provenance.normalize(text).casefold()[:at] if at >= 0 else ""
    return next((q for q in QUALIFIERS if before.rstrip(" $").endswith(q)), None)


def _figures_in(text: str) -> Iterator[tuple[str, str | None]]:
    """(value, unit) for each number that is not part of a date."""
    for match in _NUMBER.finditer(text):
        if _is_date_part(match, text):
            continue
        unit = "percent" if match["pct"] else match["next"]
        if match["cur"]:
            unit = f"{unit} dollars" if unit in _SCALE_WORDS else "dollars"
        yield match["num"], unit


def _is_date_part(match: re.Match[str], text: str) -> bool:
    """A day after a month name, or a year ("in 2022", "2019." at a sentence end)."""
    value, before = match["num"], text[: match.start()]
    if _AFTER_MONTH.search(before):
        return True
    is_year = len(value) == 4 and value.isdigit() and 1800 <= int(value) <= 2100
    return is_year and (_BEFORE_YEAR.search(before) is not None or not match["next"])


def _as_of(text: str, published: date | None) -> tuple[str, str]:
    """The date a figure describes: "as of October" in a January 2021 article is 2020-10."""
    if found := _AS_OF_MONTH.search(text):
        month = _MONTHS[found["month"].lower().rstrip(".")]
        year, how = found["year"], "from the sentence"
        if year is None and published is not None:
            year = str(published.year if month <= published.month else published.year - 1)
            how = "from the sentence and the publication date"
        if year is not None:
            day = f"-{int(found['day']):02d}" if found["day"] else ""
            return f"{year}-{month:02d}{day}", how
    if found := _AS_OF_YEAR.search(text):
        return found["year"], "from the sentence"
    if published is not None:
        return published.isoformat(), "is the publication date: check it"
    return "TODO", "not found: write YYYY, YYYY-MM or YYYY-MM-DD"


def _find_findings(sentences: list[Sentence], draft: Draft) -> None:
    """Sentences without quotation marks that report what someone found or said."""
    used = {f["quote"] for f in draft.facts}
    for sentence in sentences:
        text = sentence.text
        if text in used or _has_quote(text) or _NO_RESPONSE.search(text) or text.endswith(":"):
            continue  # a lead-in ("the auditors found:") says nothing by itself
        credit = draft.credit(text)
        if credit is not None and credit.certain and credit.who is not None:
            draft.facts.append(_paraphrase(text, credit, credit.who, draft))


def _paraphrase(text: str, credit: attribution.Credit, who: str, draft: Draft) -> Candidate:
    """A finding (found, concluded, according to, a list's lead-in) or a statement."""
    finding = credit.how in _FINDING_VERBS or credit.how == "list lead-in"
    return {
        "id": draft.new_id(_last_word(who), *text.split()[:4]),
        "kind": "finding" if finding else "statement",
        "quote": text,
        "speaker": draft.speaker_id(who),
        "#": f"a paraphrase: the article credits {credit}",
    }


def _find_followups(sentences: list[Sentence], draft: Draft) -> None:
    """Who has not answered yet: "did not immediately respond", "declined to comment"."""
    for sentence in sentences:
        found = _NO_RESPONSE.search(sentence.text)
        if found is None:
            continue
        who = _tidy(found["who"])
        waiting_on = re.sub(r"^the\s+", "", who, flags=re.IGNORECASE)
        article = re.match(r"^(the|a|an)\s", who, flags=re.IGNORECASE)
        title_who = who[0].lower() + who[1:] if article else who
        item: Candidate = {
            "id": draft.new_id(waiting_on, "response"),
            "title": f"Response from {title_who}",
            "waiting_on": waiting_on,
            "quote": sentence.text,
        }
        # No asked: date: the article says its publisher asked, not when this desk did.
        draft.followups.append(item)


# --- small helpers --------------------------------------------------------------------------


def _has_quote(text: str) -> bool:
    """Holds a quotation long enough to be a quote candidate (not "zero tolerance")."""
    return any(len(m.group().split()) >= _MIN_QUOTE_WORDS for m in _QUOTED.finditer(text))


def _tidy(who: str) -> str:
    """An attribution without surrounding punctuation, "that" or a leading "but"."""
    who = re.sub(r"\s+", " ", who).strip(' ,;:-–—"“”')
    who = re.sub(r"\s+that$", "", who)
    return re.sub(r"^(?:and|but|while)\s+", "", who, flags=re.IGNORECASE)


def _last_word(text: str) -> str:
    words = re.findall(r"[A-Za-z0-9]+", text)
    return words[-1].lower() if words else ""


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


# --- writing the draft ----------------------------------------------------------------------


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON's string syntax is valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def _render(draft: Draft, file: str) -> str:
    source_id = draft.new_id(*(draft.title or file).split()[:6])
    published = draft.published.isoformat() if draft.published else "null  # TODO: YYYY-MM-DD"
    lines = [
        f"# Draft for {file}, written by `newsbot extract`: candidates, not decisions.",
        "# Keep what matters; fix every TODO; check each `guessed:` item against the article and",
        "# delete its guessed line; merge speakers that are one; then run `newsbot check`.",
        "version: 1",
        "newsroom:",
        f"  name: {_q('TODO: desk name')}",
        "  timezone: UTC",
        "  stale_after_days: 90",
        "",
        *_render_speakers(draft.speakers),
        "sources:",
        f"  - id: {source_id}",
        f"    title: {_q(draft.title or 'TODO: headline')}",
        f"    publisher: {_q(draft.publisher() or 'TODO: publisher')}",
        *([f"    section: {_q(draft.section)}"] if draft.section else []),
        f"    published: {published}",
        f"    file: {_q(file)}  # relative to facts.yaml",
        "    url: null",
        "",
    ]
    lines += _render_items("facts", draft.facts, source_id)
    lines += _render_items("followups", draft.followups, source_id)
    lines += [
        "",
        "# reminders:",
        "#   - id: weekday-key-figures",
        "#     channel: C0123456789  # your desk's channel ID",
        '#     cron: "0 9 * * mon-fri"',
        "#     include: [figures, followups]",
    ]
    return "\n".join(lines) + "\n"


def _render_speakers(speakers: list[Candidate]) -> list[str]:
    if not speakers:
        return []
    lines = [
        "# Who the article credits, as it names them: merge records that are one speaker",
        "# (keep the other names as aliases).",
        "speakers:",
    ]
    for speaker in speakers:
        lines += [f"  - id: {speaker['id']}", f"    name: {_q(speaker['name'] or '')}"]
    return [*lines, ""]


def _render_items(section: str, items: list[Candidate], source_id: str) -> list[str]:
    if not items:
        return [f"{section}: []"]
    lines = [f"{section}:"]
    for item in items:
        lines.append(f"  - id: {item['id']}")
        if "#" in item:
            lines.append(f"    # {item['#']}")
        for key, value in item.items():
            if key == "kind":
                lines.append(f"    kind: {value}")
            elif key not in ("id", "#") and value is not None:
                lines.append(f"    {key}: {_q(value)}")
        lines.append(f"    source: {source_id}")
    return lines
