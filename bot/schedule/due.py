"""When reminders are due: pure arithmetic on cron expressions, time zones and a given ``now``.

Cron fields are read as crontab(5) reads them, in the reminder's IANA time zone, with two
deliberate corrections to APScheduler 3.x:

- day-of-week numbers: crontab's 0 (and 7) is Sunday, APScheduler 3's 0 is Monday, so
  ``1-5`` would silently mean Tuesday to Saturday. Numbers are translated to names first.
- the hour repeated when clocks go back: a wall-clock time that happens twice fires once
  (the first time), as cron does. A time skipped when clocks go forward fires an hour later.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from itertools import takewhile
from zoneinfo import ZoneInfo

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.combining import OrTrigger
from apscheduler.triggers.cron import CronTrigger

from bot.desk.model import Reminder

# Posted this long after its time, an occurrence is "late" and says so in the post.
ON_TIME = timedelta(minutes=5)
# Occurrences missed by more than the catch-up window are recorded as skipped if they fall
# within this much more; older ones are ancient history and not worth a row.
SKIP_HORIZON = timedelta(days=1)

_DAY_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
_DAY_TOKEN = re.compile(r"^(\*|[a-z0-9]+(?:-[a-z0-9]+)?)(?:/(\d+))?$")


@dataclass(frozen=True, slots=True)
class Occurrence:
    reminder_id: str
    at: datetime  # when it was scheduled, aware UTC
    late: bool  # past ON_TIME: the post says when it was meant to be
    too_old: bool  # past the catch-up window: record as skipped, never post


def crontab_day_of_week(field: str) -> str:
    """Translate a crontab day-of-week field into APScheduler 3 day names (``mon,wed``)."""
    days: set[int] = set()
    for token in field.lower().split(","):
        match = _DAY_TOKEN.match(token.strip())
        if not match:
            raise ValueError(f"day of week {field!r}: use 0-7, sun-sat, ranges and lists")
        span, step = match[1], int(match[2] or 1)
        if step < 1:
            raise ValueError(f"day of week {field!r}: a step must be at least 1")
        if span == "*":
            first, last = 0, 6
        else:
            bounds = span.split("-")
            first, last = _day_number(bounds[0]), _day_number(bounds[-1])
            if last == 0 and first > 0:
                last = 7  # "fri-sun" runs to the Sunday that ends the week, as "5-7" does
            if last < first:
                raise ValueError(f"day of week {field!r}: a range must go forwards")
        days.update(d % 7 for d in range(first, last + 1, step))
    if len(days) == 7:
        return "*"
    return ",".join(_DAY_NAMES[d] for d in sorted(days))


def _day_number(text: str) -> int:
    if text.isdigit() and 0 <= int(text) <= 7:
        return int(text)  # 7 stays 7 here: a range "0-7" is the whole week
    if text[:3] in _DAY_NAMES and len(text) == 3:
        return _DAY_NAMES.index(text)
    raise ValueError(f"{text!r} is not a day of the week (0-7 or sun-sat)")


@lru_cache(maxsize=256)
def cron_trigger(cron: str, timezone: str) -> BaseTrigger:
    """A trigger for a five-field crontab line in an IANA zone; ValueError if invalid.

    crontab(5) fires when *either* day field matches if both are restricted ("0 9 1 * mon":
    the 1st and every Monday); APScheduler's CronTrigger requires both, so that case is the
    union of two triggers.
    """
    fields = cron.split()
    if len(fields) != 5:
        raise ValueError(f"cron {cron!r}: use five fields (minute hour day month weekday)")
    minute, hour, day, month, weekday = fields
    weekday = crontab_day_of_week(weekday)
    zone = ZoneInfo(timezone)

    def trigger(day: str, weekday: str) -> CronTrigger:
        return CronTrigger.from_crontab(f"{minute} {hour} {day} {month} {weekday}", timezone=zone)

    if day != "*" and weekday != "*":
        return OrTrigger([trigger(day, "*"), trigger("*", weekday)])
    return trigger(day, weekday)


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
