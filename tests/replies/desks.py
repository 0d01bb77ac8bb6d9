"""Small desks built in code, so reply and search tests do not depend on facts.yaml edits."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

from bot.desk.load import load_desk
from bot.desk.model import AsOf, Desk, Fact, FollowUp, FollowUpEvent, Newsroom, Source

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2021, 3, 1, 15, 0, tzinfo=UTC)  # 10:00 in New York
SOURCE_TEXT = (
    "Why it matters: At least 545 parents could not be located as of October.\n\n"
    'The chairs said the report showed "the chaos, cruelty, and reckless disregard."\n\n'
    "The White House did not immediately respond to a request for comment.\n"
)


def source(**changes: object) -> Source:
    base = Source(
        id="axios",
        title="Watchdog report",
        publisher="Axios",
        published=date(2021, 1, 14),
        file="seeds/test.txt",
        text=SOURCE_TEXT,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def fact(fact_id: str, quote: str, kind: str = "quote", **changes: object) -> Fact:
    base = Fact(id=fact_id, kind=kind, quote=quote, attribution="Someone", source="axios")  # type: ignore[arg-type]
    return replace(base, **changes)  # type: ignore[arg-type]


def figure(fact_id: str = "parents-not-located", as_of: str = "2020-10", **changes: object) -> Fact:
    fields: dict[str, object] = {
        "attribution": "Axios",
        "label": "Parents not located",
        "value": "545",
        "unit": "parents",
        "as_of": AsOf.parse(as_of),
    }
    fields.update(changes)
    quote = "At least 545 parents could not be located as of October."
    return fact(fact_id, quote, kind="figure", **fields)


def followup(followup_id: str = "white-house-response", **changes: object) -> FollowUp:
    base = FollowUp(
        id=followup_id,
        title="White House response",
        waiting_on="White House",
        asked=date(2021, 1, 14),
        quote="The White House did not immediately respond to a request for comment.",
        source="axios",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def make_desk(
    facts: list[Fact] | None = None,
    followups: list[FollowUp] | None = None,
    sources: list[Source] | None = None,
    stale_after_days: int = 90,
) -> Desk:
    sources = sources or [source()]
    return Desk(
        newsroom=Newsroom("Test desk", "America/New_York", stale_after_days),
        sources={s.id: s for s in sources},
        facts=tuple(facts if facts is not None else [figure()]),
        followups=tuple(followups if followups is not None else [followup()]),
        reminders=(),
    )


def many_facts_desk(n: int) -> Desk:
    """``n`` quotes that all contain the word "policy", for limit tests."""
    facts = [
        fact(
            f"policy-{k:03d}", f"The policy number {k} was reviewed by officials.", tags=("policy",)
        )
        for k in range(n)
    ]
    return make_desk(facts=facts, followups=[])


def shipped_desk() -> Desk:
    return load_desk(ROOT / "facts.yaml")


class BrokenBook:
    """A follow-up book whose database is down."""

    def added_followups(self) -> list[FollowUp]:
        raise ConnectionError("database unreachable")

    def add_followup(self, title: str, user: str, at: datetime, asked: date) -> FollowUp:
        raise ConnectionError("database unreachable")

    def events(self, followup_id: str | None = None) -> list[FollowUpEvent]:
        raise ConnectionError("database unreachable")

    def record(self, event: FollowUpEvent) -> None:
        raise ConnectionError("database unreachable")
