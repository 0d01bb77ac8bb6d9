"""When reminders are due: pure arithmetic on cron expressions, time zones and a given ``now``.

Cron lines are read by :mod:`bot.desk.cron` (the rule ``newsbot check`` uses too), in the
reminder's IANA time zone. The hour repeated when clocks go back: a wall-clock time that
happens twice fires once (the first time), as cron does. A time skipped when clocks go forward
fires an hour later.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import takewhile
from zoneinfo import ZoneInfo

from bot.desk.cron import cron_trigger
from bot.desk.model import Reminder

# Posted this long after its time, an occurrence is "late" and says so in the post.
ON_TIME = timedelta(minutes=5)
# Occurrences missed by more than the catch-up window are recorded as skipped if they fall
# within this much more; older ones are ancient history and not worth a row.
SKIP_HORIZON = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Occurrence:
    reminder_id: str
    at: datetime  # when it was scheduled, aware UTC
    late: bool  # past ON_TIME: the post says when it was meant to be
    too_old: bool  # past the catch-up window: record as skipped, never post


def _is_repeat_of_wall_time(moment: datetime, zone: ZoneInfo) -> bool:
    """True for the second pass through a wall-clock time when clocks go back."""
    local = moment.astimezone(zone)
    return local.fold == 1 and local.replace(fold=0).utcoffset() != local.utcoffset()


def _fire_times(reminder: Reminder, start: datetime) -> Iterator[datetime]:
    trigger = cron_trigger(reminder.cron, reminder.timezone)
    fire: datetime | None = trigger.get_next_fire_time(None, start)
    while fire is not None:
        yield fire.astimezone(UTC)
        fire = trigger.get_next_fire_time(fire, fire)


def _scheduled(reminder: Reminder, start: datetime) -> Iterator[datetime]:
    """Fire times from ``start`` on, lazily, without repeated wall times or skip dates."""
    zone = ZoneInfo(reminder.timezone)
    skip = set(reminder.skip_dates)
    for moment in _fire_times(reminder, start):
        if _is_repeat_of_wall_time(moment, zone) or moment.astimezone(zone).date() in skip:
            continue
        yield moment


def occurrences(reminder: Reminder, start: datetime, end: datetime) -> list[datetime]:
    """Scheduled moments from ``start`` to ``end`` (both included), in UTC, holidays left out."""
    return list(takewhile(lambda moment: moment <= end, _scheduled(reminder, start)))


def next_occurrence(reminder: Reminder, after: datetime) -> datetime | None:
    """The first scheduled moment after ``after``, looking a year ahead at most."""
    # Lazy: a */15 reminder has 35,000 fire times a year and only the first is wanted.
    end = after + timedelta(days=366)
    for moment in _scheduled(reminder, after + timedelta(microseconds=1)):
        return moment if moment <= end else None
    return None


def due_occurrences(reminder: Reminder, now: datetime, catchup: timedelta) -> list[Occurrence]:
    """Everything that should have happened by ``now``: on time, late, or too old to post."""
    start = now - catchup - SKIP_HORIZON
    return [
        Occurrence(
            reminder_id=reminder.id,
            at=moment,
            late=now - moment > ON_TIME,
            # Within ON_TIME a post is on time whatever the window: NEWSBOT_CATCHUP=0 means
            # "never post late", not "never post".
            too_old=now - moment > max(catchup, ON_TIME),
        )
        for moment in occurrences(reminder, start, now)
    ]
