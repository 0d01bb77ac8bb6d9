"""The cron rule: a five-field crontab line as crontab(5) reads it, for ``newsbot check`` and
the scheduler alike.

Two deliberate corrections to APScheduler 3.x, which does the date arithmetic:

- day-of-week numbers: crontab's 0 (and 7) is Sunday, APScheduler 3's 0 is Monday, so
  ``1-5`` would silently mean Tuesday to Saturday. Numbers are translated to names first.
- both day fields restricted (``0 9 1 * mon``): crontab fires when *either* matches,
  APScheduler only when both do, so that case is the union of two triggers.
"""

from __future__ import annotations

import re
from functools import lru_cache
from zoneinfo import ZoneInfo

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.combining import OrTrigger
from apscheduler.triggers.cron import CronTrigger

HINT = 'five fields: minute hour day-of-month month day-of-week, e.g. "0 9 * * mon-fri"'
_DAY_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
_DAY_TOKEN = re.compile(r"^(\*|[a-z0-9]+(?:-[a-z0-9]+)?)(?:/(\d+))?$")


def crontab_day_of_week(field: str) -> str:
    """Translate a crontab day-of-week field into APScheduler 3 day names (``mon,wed``)."""
    days: set[int] = set()
    for token in field.lower().split(","):
        days.update(_days_of(token.strip(), field))
    if len(days) == 7:
        return "*"
    return ",".join(_DAY_NAMES[d] for d in sorted(days))


def _days_of(token: str, field: str) -> set[int]:
    """One comma-separated piece (``1-5``, ``fri-sun``, ``*/2``) as day numbers, Sunday 0."""
    match = _DAY_TOKEN.match(token)
    if not match:
        raise ValueError(f"day of week {field!r}: use 0-7, sun-sat, ranges and lists")
    span, step = match[1], int(match[2] or 1)
    if step < 1:
        raise ValueError(f"day of week {field!r}: a step must be at least 1")
    first, last = (0, 6) if span == "*" else _day_range(span, field)
    return {d % 7 for d in range(first, last + 1, step)}


def _day_range(span: str, field: str) -> tuple[int, int]:
    bounds = span.split("-")
    first, last = _day_number(bounds[0]), _day_number(bounds[-1])
    if last == 0 and first > 0:
        last = 7  # "fri-sun" runs to the Sunday that ends the week, as "5-7" does
    if last < first:
        raise ValueError(f"day of week {field!r}: a range must go forwards")
    return first, last


def _day_number(text: str) -> int:
    if text.isdigit() and 0 <= int(text) <= 7:
        return int(text)  # 7 stays 7 here: a range "0-7" is the whole week
    if text[:3] in _DAY_NAMES and len(text) == 3:
        return _DAY_NAMES.index(text)
    raise ValueError(f"{text!r} is not a day of the week (0-7 or sun-sat)")


@lru_cache(maxsize=256)
def cron_trigger(cron: str, timezone: str) -> BaseTrigger:
    """A trigger for a five-field crontab line in an IANA zone; ValueError saying what is
    wrong when the line is not one crontab would accept."""
    fields = cron.split()
    if len(fields) != 5:
        raise ValueError(f"cron {cron!r} has {len(fields)} fields, not 5")
    minute, hour, day, month, weekday = fields
    weekday = crontab_day_of_week(weekday)
    zone = ZoneInfo(timezone)

    def trigger(day: str, weekday: str) -> CronTrigger:
        return CronTrigger.from_crontab(f"{minute} {hour} {day} {month} {weekday}", timezone=zone)

    if day != "*" and weekday != "*":
        return OrTrigger([trigger(day, "*"), trigger("*", weekday)])
    return trigger(day, weekday)
