"""`newsbot post-due` and `newsbot schedule`: what the CLI runs, printing plain lines."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TextIO
from zoneinfo import ZoneInfo

from slack_sdk import WebClient
from sqlalchemy.exc import SQLAlchemyError

from bot.desk.model import Desk, Reminder
from bot.replies.reminder import FACT_KIND_ENTRIES, FOLLOWUPS_ENTRY, included_facts
from bot.schedule.due import next_occurrence, occurrences
from bot.schedule.runner import process_owner
from bot.schedule.sweep import Outcome, sweep
from bot.store.db import Database

_LISTED_IDS = 5


def local(moment: datetime, timezone: str) -> str:
    """``Mon 09 Mar 2026 09:00 EDT``: how a newsroom reads a post time."""
    return moment.astimezone(ZoneInfo(timezone)).strftime("%a %d %b %Y %H:%M %Z")


def run_post_due(
    desk: Desk,
    database: Database,
    client: WebClient,
    now: datetime,
    catchup: timedelta,
    out: TextIO,
) -> int:
    """One sweep at ``now``; one line per occurrence due. Exit 0 when everything due was
    posted, skipped for a reason, or is being posted by another process; 1 when anything
    failed or is left for a later retry (so a platform's cron shows the run as failed)."""
    try:
        report = sweep(
            desk,
            database.book(),
            database.ledger(),
            client,
            now,
            catchup,
            process_owner(),
            said=database.said(),
            log_outcomes=False,
        )
    except SQLAlchemyError as exc:
        first_line = (str(getattr(exc, "orig", exc)).strip().splitlines() or [""])[0]
        print(f"post-due: the database at {database.url} failed: {first_line}", file=out)
        return 1
    reminders = {r.id: r for r in desk.reminders}
    for outcome in report.outcomes + report.in_hand:
        print(_outcome_line(outcome, reminders[outcome.reminder_id]), file=out)
    if not report.outcomes and not report.in_hand:
        print(
            f"Nothing due at {now.isoformat(timespec='seconds')}.{_next_hint(desk, now)}", file=out
        )
    return 1 if report.unfinished else 0


def _outcome_line(outcome: Outcome, reminder: Reminder) -> str:
    when = local(outcome.occurrence, reminder.timezone)
    late = " (late)" if outcome.late and outcome.result != "skipped" else ""
    line = f"{outcome.result:<8} {outcome.reminder_id}  {when}{late}  -> {outcome.channel}"
    if outcome.ts:
        line += f"  ts {outcome.ts}"
    if outcome.detail:
        line += f"  {outcome.detail}"
    return line


def _next_hint(desk: Desk, now: datetime) -> str:
    upcoming = [(at, r) for r in desk.reminders if (at := next_occurrence(r, now)) is not None]
    if not upcoming:
        return " No reminders are scheduled." if not desk.reminders else ""
    at, reminder = min(upcoming, key=lambda pair: pair[0])
    return f" Next: {reminder.id} at {local(at, reminder.timezone)}."


def run_schedule_preview(desk: Desk, now: datetime, days: int, out: TextIO) -> int:
    """Upcoming posts per reminder, in local time, with what each would include."""
    if days < 1:
        print("schedule: --days must be 1 or more", file=out)
        return 2
    if not desk.reminders:
        print(f"No reminders in {desk.path}: add one under `reminders:`.", file=out)
        return 0
    end = now + timedelta(days=days)
    print(f"Reminder posts in the next {days} day(s):", file=out)
    for reminder in desk.reminders:
        print("", file=out)
        print(
            f"{reminder.id} -> {reminder.channel}  ({reminder.cron!r}, {reminder.timezone})",
            file=out,
        )
        print(f"  includes: {describe_include(desk, reminder)}", file=out)
        times = occurrences(reminder, now, end)
        for at in times:
            print(f"  {local(at, reminder.timezone)}", file=out)
        if not times:
            nxt = next_occurrence(reminder, end)
            later = f"; next {local(nxt, reminder.timezone)}" if nxt is not None else ""
            print(f"  (nothing in this period{later})", file=out)
    return 0


def describe_include(desk: Desk, reminder: Reminder) -> str:
    """What a post would carry; open follow-ups are counted when it is built."""
    pieces = [_facts_piece(desk, reminder), *_followup_pieces(desk, reminder)]
    return "; ".join(p for p in pieces if p) or "nothing"


def _facts_piece(desk: Desk, reminder: Reminder) -> str:
    facts = included_facts(desk, reminder)
    if not facts:
        return ""
    ids = ", ".join(f.id for f in facts[:_LISTED_IDS])
    more = f", and {len(facts) - _LISTED_IDS} more" if len(facts) > _LISTED_IDS else ""
    return f"{len(facts)} fact(s) ({ids}{more})"


def _followup_pieces(desk: Desk, reminder: Reminder) -> list[str]:
    pieces: list[str] = []
    if FOLLOWUPS_ENTRY in reminder.include:
        pieces.append(
            f"open follow-ups at post time ({len(desk.followups)} curated, plus any added in Slack)"
        )
    named = [i for i in reminder.include if desk.followup(i) is not None]
    if named and FOLLOWUPS_ENTRY not in reminder.include:
        pieces.append(f"follow-ups {', '.join(named)} while open")
    unknown = _not_on_the_desk(desk, reminder)
    if unknown:
        pieces.append(f"{', '.join(unknown)} (added follow-ups, while open)")
    return pieces


def _not_on_the_desk(desk: Desk, reminder: Reminder) -> list[str]:
    """``include:`` ids that are neither a kind nor a curated item: follow-ups added in Slack."""
    known = set(FACT_KIND_ENTRIES) | {FOLLOWUPS_ENTRY} | {f.id for f in desk.facts}
    return [i for i in reminder.include if i not in known and desk.followup(i) is None]
