"""How well Newsbot answers questions the way reporters type them (issue 12).

Each question in bench/questions/*.yaml goes through the same router as Slack and the console
(``newsbot ask``), and we read the cards of the reply in order:

- top-1: the first card is one of the question's ``first`` ids;
- top-3: one of them is among the first three cards;
- MRR: the mean of 1 / (position of the first such card), 0 when none is shown;
- misses: questions marked ``miss: true`` whose reply shows no card at all (an honest miss).

    .venv/bin/python -m bench.question_eval             # the scores, per desk and overall
    .venv/bin/python -m bench.question_eval --failures  # and every question that fell short
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import yaml

if __package__ in (None, ""):  # `python bench/question_eval.py` works too
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.console import split_command
from bot.desk.load import load_desk
from bot.replies.reply import FactCard, FollowUpCard, Reply
from bot.replies.router import Router
from bot.store.memory import MemoryBook

FOLDER = Path(__file__).resolve().parent / "questions"
QUESTION_FILES = (FOLDER / "immigration.yaml", FOLDER / "transit.yaml")
NOW = datetime(2025, 1, 6, 15, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Question:
    ask: str
    first: tuple[str, ...]  # ids a good answer shows first; empty for a miss
    line: int

    @property
    def miss(self) -> bool:
        return not self.first


@dataclass(frozen=True)
class Outcome:
    question: Question
    shown: tuple[str, ...]  # ids of the reply's cards, in order

    @property
    def rank(self) -> int | None:
        """1-based position of the first expected card, or None."""
        for place, item in enumerate(self.shown, 1):
            if item in self.question.first:
                return place
        return None

    @property
    def good(self) -> bool:
        return not self.shown if self.question.miss else self.rank == 1


@dataclass(frozen=True)
class Scores:
    name: str
    answerable: int
    top1: float
    top3: float
    mrr: float
    misses: int
    honest: float  # share of misses that stayed misses

    def row(self) -> str:
        return (
            f"| {self.name} | {self.answerable} | {self.top1:.1%} | {self.top3:.1%} | "
            f"{self.mrr:.3f} | {self.misses} | {self.honest:.0%} |"
        )


def load_questions(path: Path) -> tuple[Path, list[Question]]:
    """The desk a question file is about, and its questions."""
    node = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    entries = node.value[[k.value for k, _ in node.value].index("questions")][1].value
    questions = []
    for raw, entry in zip(data["questions"], entries, strict=True):
        first = () if raw.get("miss") else tuple(raw["first"])
        questions.append(Question(str(raw["ask"]), first, entry.start_mark.line + 1))
    return (path.parent / data["desk"]).resolve(), questions


def shown_ids(reply: Reply) -> tuple[str, ...]:
    ids: list[str] = []
    for part in reply.parts:
        if isinstance(part, FactCard):
            ids.append(part.fact.id)
        elif isinstance(part, FollowUpCard):
            ids.append(part.state.item.id)
    return tuple(ids)


def run_file(path: Path) -> list[Outcome]:
    desk_path, questions = load_questions(path)
    router = Router(load_desk(desk_path), MemoryBook())
    outcomes = []
    for question in questions:
        command, text = split_command(question.ask)
        reply = router.handle(command, text, "U0EVAL", NOW)
        outcomes.append(Outcome(question, shown_ids(reply)))
    return outcomes


def score(name: str, outcomes: list[Outcome]) -> Scores:
    answerable = [o for o in outcomes if not o.question.miss]
    misses = [o for o in outcomes if o.question.miss]
    ranks = [o.rank for o in answerable]
    count = max(1, len(answerable))
    return Scores(
        name,
        len(answerable),
        sum(1 for r in ranks if r == 1) / count,
        sum(1 for r in ranks if r is not None and r <= 3) / count,
        sum(1 / r for r in ranks if r is not None) / count,
        len(misses),
        sum(1 for o in misses if not o.shown) / max(1, len(misses)),
    )


def evaluate(files: tuple[Path, ...] = QUESTION_FILES) -> tuple[list[Scores], list[Outcome]]:
    """Scores per question file and overall (last), and every outcome."""
    every: list[Outcome] = []
    scores = []
    for path in files:
        outcomes = run_file(path)
        scores.append(score(path.stem, outcomes))
        every.extend(outcomes)
    scores.append(score("overall", every))
    return scores, every


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--failures", action="store_true", help="list the questions that fell short"
    )
    args = parser.parse_args(argv)
    scores, outcomes = evaluate()
    print("| desk | questions | top-1 | top-3 | MRR | misses | honest misses |")
    print("|---|---|---|---|---|---|---|")
    for row in scores:
        print(row.row())
    if args.failures:
        for outcome in outcomes:
            if not outcome.good:
                wanted = "a miss" if outcome.question.miss else ", ".join(outcome.question.first)
                shown = ", ".join(outcome.shown[:3]) or "nothing"
                print(
                    f"line {outcome.question.line}: {outcome.question.ask!r}: "
                    f"wanted {wanted}; shown {shown}"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
