"""Generate a large, realistic-looking desk for benchmarks: ``generate_desk(10_000)``.

Deterministic (seeded), so runs compare. Quotes are sentences of made-up words drawn from a
vocabulary of a few thousand, so search sees a realistic spread of common and rare words;
every quote is part of its source's text, credited there the way newsbot check reads credits
(``Name said, "..."`` for quotes, ``According to Name, ...`` for the rest), so provenance and
attribution checks pass too.
"""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

from bot.desk.model import FACT_KINDS, AsOf, Desk, Fact, FollowUp, Newsroom, Source

_SYLLABLES = tuple(c + v for c in "bdfklmnprstvz" for v in "aeiou")
_COMMON = (
    *("the", "of", "and", "to", "in", "said", "report", "policy", "officials", "children"),
    *("parents", "border", "court", "data", "department", "agency", "families", "records"),
    *("program", "review", "federal", "state", "county", "office"),
)


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4)))


def _sentence(rng: random.Random, vocabulary: list[str], length: int) -> str:
    words = [
        rng.choice(_COMMON) if rng.random() < 0.35 else rng.choice(vocabulary)
        for _ in range(length)
    ]
    return " ".join(words).capitalize() + "."


def generate_desk(n: int, seed: int = 545, sources: int = 20) -> Desk:
    rng = random.Random(seed)
    vocabulary = sorted({_word(rng) for _ in range(6000)})
    speakers = [f"{_word(rng).title()} {_word(rng).title()}" for _ in range(200)]
    tags = sorted({_word(rng) for _ in range(60)})
    source_ids = [f"source-{k:03d}" for k in range(sources)]
    quotes_by_source: dict[str, list[str]] = {sid: [] for sid in source_ids}
    facts: list[Fact] = []
    for k in range(n):
        kind = FACT_KINDS[k % len(FACT_KINDS)]
        source = source_ids[k % sources]
        quote = _sentence(rng, vocabulary, rng.randint(8, 30))
        figure = {}
        if kind == "figure":
            value = str(rng.randint(2, 99_999))
            unit = rng.choice(_COMMON)
            # The comma keeps a made-up word before the value from reading as a hedge ("some");
            # the unit is the word after the value, as newsbot check wants it.
            quote = f"{quote[:-1]}, {value} {unit}."
            figure = {
                "label": _sentence(rng, vocabulary, 3)[:-1],
                "value": value,
                "unit": unit,
                "as_of": AsOf(rng.randint(2015, 2024), rng.randint(1, 12)),
            }
        speaker = rng.choice(speakers)
        credited = (
            f'{speaker} said, "{quote}"' if kind == "quote" else f"According to {speaker}, {quote}"
        )
        quotes_by_source[source].append(credited)
        facts.append(
            Fact(
                id=f"fact-{k:05d}",
                kind=kind,
                quote=quote,
                attribution=speaker,
                source=source,
                summary=_sentence(rng, vocabulary, 10) if rng.random() < 0.3 else None,
                tags=tuple(rng.sample(tags, rng.randint(0, 3))),
                line=k,
                **figure,  # type: ignore[arg-type]
            )
        )
    followups = tuple(
        FollowUp(
            id=f"followup-{k:04d}",
            title=_sentence(rng, vocabulary, 6)[:-1],
            waiting_on=rng.choice(speakers),
            asked=date(2021, 1, 14),
            source=source_ids[k % sources],
        )
        for k in range(max(1, n // 100))
    )
    return Desk(
        newsroom=Newsroom(name="Benchmark desk", timezone="America/New_York"),
        sources={
            sid: Source(
                id=sid,
                title=f"Generated article {sid}",
                publisher="Bench Gazette",
                published=date(2021, 1, 14),
                file=f"seeds/{sid}.txt",
                text="\n\n".join(quotes_by_source[sid]),
            )
            for sid in source_ids
        },
        facts=tuple(facts),
        followups=followups,
        reminders=(),
        path=Path("bench-facts.yaml"),
    )
