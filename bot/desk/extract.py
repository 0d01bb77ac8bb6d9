"""``newsbot extract SEED``: a first draft of facts.yaml from an article, for an editor.

It proposes candidates, it does not decide: every direct quote with the nearest
attribution, sentences with figures, findings and paraphrased statements, and the
follow-ups an article leaves open ("did not immediately respond"). Every quote it
writes is a verbatim piece of the article, so the draft passes ``newsbot check`` as
far as the article allows; comments say what was guessed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

_MONTH_NAMES = (
    ("jan", "january"),
    ("feb", "february"),
    ("mar", "march"),
    ("apr", "april"),
    ("may",),
    ("jun", "june"),
    ("jul", "july"),
    ("aug", "august"),
    ("sep", "sept", "september"),
    ("oct", "october"),
    ("nov", "november"),
    ("dec", "december"),
)
_MONTHS = {name: number for number, names in enumerate(_MONTH_NAMES, 1) for name in names}
_MONTH = r"(?:" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DATELINE = re.compile(rf"\b({_MONTH})\s+(\d{{1,2}}),\s+(\d{{4}})", re.IGNORECASE)
_AS_OF_MONTH = re.compile(
    rf"\bas of\s+(?P<month>{_MONTH})(?:\s+(?P<day>\d{{1,2}})(?!\d))?(?:,?\s+(?P<year>\d{{4}}))?",
    re.IGNORECASE,
)
_AS_OF_YEAR = re.compile(r"\b(?:as of|in|at the end of)\s+(?P<year>\d{4})\b", re.IGNORECASE)

# Attribution: the words around a reporting verb.
_VERBS = (
    r"said|says|say|told|tells|added|adds|wrote|writes|found|finds|concluded|concludes|"
    r"noted|notes|argued|argues|warned|warns|stated|states|explained|explains|asked|"
    r"acknowledged|insisted|claimed|claims|testified"
)
_NAME = r"[^,.;:!?\"“”]"  # a run of words inside one clause
_VERB = re.compile(rf"\b(?:{_VERBS})\b")
_AFTER_VERB_WHO = re.compile(
    rf"^\s*,?\s*(?:{_VERBS})\s+(?P<who>{_NAME}+)(?P<role>,\s+(?:a|an|the)\s{_NAME}+)?"
)
_AFTER_WHO_VERB = re.compile(rf"^\s*,?\s*(?P<who>{_NAME}{{2,80}}?)\s+(?:{_VERBS})\b")
_TRAILING_WHO = re.compile(rf",\s+(?P<who>{_NAME}{{2,60}}?)\s+(?:{_VERBS})\.?$")
_ACCORDING = re.compile(rf"\baccording to\s+(?P<who>{_NAME}+)", re.IGNORECASE)
_NO_RESPONSE = re.compile(
    rf"(?P<who>[A-Z]{_NAME}{{1,80}}?)\s+(?:"
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


Candidate = dict[str, str | None]  # one facts.yaml item; "#" holds the comment for the editor


@dataclass(frozen=True)
class Sentence:
    text: str  # verbatim, without a bullet or a "Why it matters:" label
    paragraph: int
    label: str | None = None


@dataclass
class Draft:
    title: str | None = None
    section: str | None = None
    published: date | None = None
    facts: list[Candidate] = field(default_factory=list)
    followups: list[Candidate] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)

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
    draft = Draft()
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
    last_speaker: tuple[str, int] | None = None  # (who, paragraph) for quotes with none
    for sentence in sentences:
        matches = list(_QUOTED.finditer(sentence.text))
        for match in matches:
            quote = (match["curly"] or match["straight"]).strip().rstrip(",")
            if len(quote.split()) < _MIN_QUOTE_WORDS:
                continue
            who, how = _speaker(sentence, match, matches)
            if who is None and last_speaker and sentence.paragraph - last_speaker[1] <= 2:
                who, how = last_speaker[0], "guessed from the quotes before it"
            if who is not None and how != "guessed from the quotes before it":
                last_speaker = (who, sentence.paragraph)
            draft.facts.append(
                {
                    "id": draft.new_id(_last_word(who or ""), *quote.split()[:4]),
                    "kind": "quote",
                    "quote": quote,
                    "attribution": who or "TODO: who said it",
                    "#": f"speaker: {how}" if who else "no speaker found near the quote",
                }
            )


def _speaker(
    sentence: Sentence, match: re.Match[str], matches: list[re.Match[str]]
) -> tuple[str | None, str]:
    """The nearest attribution for a quote, and how it was found."""
    text = sentence.text
    after = text[match.end() :]
    if found := _AFTER_VERB_WHO.match(after):
        return _tidy(found["who"] + (found["role"] or "")), "after the quote"
    if found := _AFTER_WHO_VERB.match(after):
        return _tidy(found["who"]), "after the quote"
    clause = text[: match.start()]
    if (verb := _VERB.search(clause)) and 0 < len(clause[: verb.start()].split()) <= 12:
        return _tidy(clause[: verb.start()]), "the sentence's subject"
    last = matches[-1]
    if last is not match and (found := _AFTER_WHO_VERB.match(text[last.end() :])):
        return _tidy(found["who"]), "the end of the sentence"
    if found := _ACCORDING.search(text):
        return _tidy(found["who"]), "according to"
    if match is matches[0] and 0 < len(clause.split()) <= 6 and clause[:1].isupper():
        return _tidy(clause), "the words before the quote"
    if sentence.label and " via " in sentence.label:
        return _tidy(sentence.label.split(" via ", 1)[1]), "the paragraph's label"
    return None, ""


def _find_figures(sentences: list[Sentence], draft: Draft) -> None:
    for sentence in sentences:
        number = next(_figures_in(sentence.text), None)
        if number is None:
            continue
        value, unit = number
        as_of, how = _as_of(sentence.text, draft.published)
        who = _attribution(sentence.text)
        draft.facts.append(
            {
                "id": draft.new_id(value.replace(",", "").replace(".", "-"), unit or "figure"),
                "kind": "figure",
                "quote": sentence.text,
                "attribution": who or "TODO: who says so",
                "label": f"TODO: {unit or 'what is counted'}",
                "value": value,
                "unit": unit,
                "as_of": as_of,
                "#": f"as_of {how}",
            }
        )


def _figures_in(text: str) -> Iterator[tuple[str, str | None]]:
    """(value, unit) for each number that is not part of a date."""
    for match in _NUMBER.finditer(text):
        value, before = match["num"], text[: match.start()]
        is_year = len(value) == 4 and value.isdigit() and 1800 <= int(value) <= 2100
        if _AFTER_MONTH.search(before) or (
            is_year and (_BEFORE_YEAR.search(before) or not match["next"])
        ):
            continue
        unit = "percent" if match["pct"] else match["next"]
        if match["cur"]:
            unit = f"{unit} dollars" if unit in _SCALE_WORDS else "dollars"
        yield value, unit


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


def _attribution(text: str) -> str | None:
    """Who a sentence without quotation marks credits: according to X, X said, ..., X found."""
    if found := _ACCORDING.search(text):
        return _tidy(found["who"])
    if found := _TRAILING_WHO.search(text):
        return _tidy(found["who"])
    if (verb := _VERB.search(text)) and 0 < len(text[: verb.start()].split()) <= 12:
        return _tidy(text[: verb.start()])
    return None


def _find_findings(sentences: list[Sentence], draft: Draft) -> None:
    """Sentences without quotation marks that report what someone found or said."""
    used = {f["quote"] for f in draft.facts}
    for sentence in sentences:
        text = sentence.text
        if text in used or _has_quote(text) or _NO_RESPONSE.search(text):
            continue
        kind, who = None, None
        if found := _ACCORDING.search(text):
            kind, who = "finding", found["who"]
        elif sentence.label and " via " in sentence.label:
            kind, who = "statement", sentence.label.split(" via ", 1)[1]
        elif (verb := _VERB.search(text)) and 0 < len(text[: verb.start()].split()) <= 12:
            kind = "finding" if verb[0] in ("found", "finds", "concluded") else "statement"
            who = text[: verb.start()]
        if kind is None or who is None:
            continue
        draft.facts.append(
            {
                "id": draft.new_id(_last_word(who), *text.split()[:4]),
                "kind": kind,
                "quote": text,
                "attribution": _tidy(who),
                "#": "a paraphrase: check who it belongs to",
            }
        )


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
        if draft.published is not None:
            item["asked"] = draft.published.isoformat()
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
        "# Keep what matters, fix every TODO and each attribution, then run `newsbot check`.",
        "version: 1",
        "newsroom:",
        f"  name: {_q('TODO: desk name')}",
        "  timezone: UTC",
        "  stale_after_days: 90",
        "",
        "sources:",
        f"  - id: {source_id}",
        f"    title: {_q(draft.title or 'TODO: headline')}",
        f"    publisher: {_q('TODO: publisher')}",
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
