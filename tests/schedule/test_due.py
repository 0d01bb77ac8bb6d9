"""When reminders are due: weekdays, time zones, DST transitions, holidays, catch-up."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.desk.cron import crontab_day_of_week
from bot.desk.model import Reminder
from bot.schedule.due import due_occurrences, next_occurrence, occurrences

NY = ZoneInfo("America/New_York")
CATCHUP = timedelta(hours=6)


def reminder(cron: str = "0 9 * * mon-fri", **kwargs: object) -> Reminder:
    return Reminder(
        id="weekday-key-figures",
        channel="C1",
        cron=cron,
        timezone=str(kwargs.pop("timezone", "America/New_York")),
        include=("figures", "followups"),
        **kwargs,  # type: ignore[arg-type]
    )


def ny(*args: int) -> datetime:
    return datetime(*args, tzinfo=NY)


def local_times(moments: list[datetime]) -> list[str]:
    return [m.astimezone(NY).strftime("%a %d %b %H:%M %Z") for m in moments]


def test_monday_morning_is_due_on_time() -> None:
    (due,) = due_occurrences(reminder(), ny(2026, 3, 9, 9, 0, 20), CATCHUP)
    assert due.at == datetime(2026, 3, 9, 13, 0, tzinfo=UTC)
    assert (due.late, due.too_old) == (False, False)


def test_ninety_minutes_late_is_late_but_still_posted() -> None:
    (due,) = due_occurrences(reminder(), ny(2026, 3, 9, 10, 30), CATCHUP)
    assert (due.late, due.too_old) == (True, False)


def test_beyond_the_catchup_window_is_too_old() -> None:
    (due,) = due_occurrences(reminder(), ny(2026, 3, 9, 15, 1), CATCHUP)
    assert (due.late, due.too_old) == (True, True)


def test_a_zero_catchup_window_still_posts_on_time_but_never_late() -> None:
    (on_time,) = due_occurrences(reminder(), ny(2026, 3, 9, 9, 0, 20), timedelta(0))
    assert (on_time.late, on_time.too_old) == (False, False)
    (late,) = due_occurrences(reminder(), ny(2026, 3, 9, 9, 30), timedelta(0))
    assert late.too_old


def test_nothing_is_due_on_a_weekend_for_a_weekday_reminder() -> None:
    saturday = ny(2026, 3, 14, 9, 0, 20)
    assert [d for d in due_occurrences(reminder(), saturday, CATCHUP) if not d.too_old] == []
    assert due_occurrences(reminder(), ny(2026, 3, 15, 9, 0, 20), CATCHUP) == []


def test_a_daily_reminder_runs_on_weekends_too() -> None:
    due = due_occurrences(reminder("0 9 * * *"), ny(2026, 3, 14, 9, 0, 20), CATCHUP)
    (on_time,) = [d for d in due if not d.too_old]
    assert on_time.at.astimezone(NY).date() == date(2026, 3, 14)


def test_nine_oclock_stays_nine_oclock_across_the_march_change() -> None:
    # Clocks go forward on Sunday 8 March 2026: 09:00 moves from 14:00 to 13:00 UTC.
    moments = occurrences(reminder(), ny(2026, 3, 5), ny(2026, 3, 11))
    assert local_times(moments) == [
        "Thu 05 Mar 09:00 EST",
        "Fri 06 Mar 09:00 EST",
        "Mon 09 Mar 09:00 EDT",
        "Tue 10 Mar 09:00 EDT",
    ]
    assert [m.hour for m in moments] == [14, 14, 13, 13]


def test_nine_oclock_stays_nine_oclock_across_the_november_change() -> None:
    # Clocks go back on Sunday 1 November 2026.
    moments = occurrences(reminder(), ny(2026, 10, 29), ny(2026, 11, 4))
    assert local_times(moments) == [
        "Thu 29 Oct 09:00 EDT",
        "Fri 30 Oct 09:00 EDT",
        "Mon 02 Nov 09:00 EST",
        "Tue 03 Nov 09:00 EST",
    ]
    assert [m.hour for m in moments] == [13, 13, 14, 14]


def test_a_time_in_the_repeated_hour_fires_once_when_clocks_go_back() -> None:
    moments = occurrences(reminder("30 1 * * *"), ny(2026, 10, 31), ny(2026, 11, 2, 12))
    assert local_times(moments) == [
        "Sat 31 Oct 01:30 EDT",
        "Sun 01 Nov 01:30 EDT",
        "Mon 02 Nov 01:30 EST",
    ]
    # Looking only at the second pass through 01:30 finds nothing to post.
    second_pass = datetime(2026, 11, 1, 6, 30, tzinfo=UTC)
    assert occurrences(reminder("30 1 * * *"), second_pass, second_pass) == []


def test_a_time_skipped_when_clocks_go_forward_fires_an_hour_later_once() -> None:
    moments = occurrences(reminder("30 2 * * *"), ny(2026, 3, 7), ny(2026, 3, 9, 12))
    assert local_times(moments) == [
        "Sat 07 Mar 02:30 EST",
        "Sun 08 Mar 03:30 EDT",
        "Mon 09 Mar 02:30 EDT",
    ]


def test_holidays_in_skip_dates_are_not_posted() -> None:
    holiday = reminder(skip_dates=(date(2026, 5, 25),))  # Memorial Day, a Monday
    moments = occurrences(holiday, ny(2026, 5, 22), ny(2026, 5, 27))
    assert local_times(moments) == ["Fri 22 May 09:00 EDT", "Tue 26 May 09:00 EDT"]
    assert due_occurrences(holiday, ny(2026, 5, 25, 9, 0, 20), CATCHUP) == []


def test_the_reminders_own_time_zone_is_used() -> None:
    london = reminder(timezone="Europe/London")
    (due,) = due_occurrences(london, datetime(2026, 3, 9, 9, 0, 20, tzinfo=UTC), CATCHUP)
    assert due.at == datetime(2026, 3, 9, 9, 0, tzinfo=UTC)


def test_next_occurrence_skips_the_weekend() -> None:
    friday_noon = ny(2026, 3, 13, 12)
    assert next_occurrence(reminder(), friday_noon) == ny(2026, 3, 16, 9).astimezone(UTC)


def test_next_occurrence_passes_over_the_repeated_hour_and_holidays() -> None:
    first_pass = datetime(2026, 11, 1, 5, 30, tzinfo=UTC)  # 01:30 EDT, before clocks go back
    monday = ny(2026, 11, 2, 1, 30).astimezone(UTC)  # not 01:30 EST on Sunday, the repeat
    assert next_occurrence(reminder("30 1 * * *"), first_pass) == monday
    holiday = reminder(skip_dates=(date(2026, 5, 25),))
    assert next_occurrence(holiday, ny(2026, 5, 22, 12)) == ny(2026, 5, 26, 9).astimezone(UTC)


def test_next_occurrence_looks_a_year_ahead_at_most() -> None:
    leap_day = reminder("0 9 29 2 *")  # next after March 2026 is 29 February 2028
    assert next_occurrence(leap_day, ny(2026, 3, 1)) is None
    assert next_occurrence(leap_day, ny(2027, 3, 1)) == ny(2028, 2, 29, 9).astimezone(UTC)


def test_after_a_week_asleep_only_the_last_day_is_reported_as_missed() -> None:
    due = due_occurrences(reminder("0 9 * * *"), ny(2026, 3, 10, 8), CATCHUP)
    assert [(local_times([d.at])[0], d.too_old) for d in due] == [
        ("Mon 09 Mar 09:00 EDT", True),
    ]


@pytest.mark.parametrize(
    ("field", "days"),
    [
        ("mon-fri", "mon,tue,wed,thu,fri"),
        ("1-5", "mon,tue,wed,thu,fri"),  # crontab numbers: 1 is Monday, not Tuesday
        ("0", "sun"),
        ("7", "sun"),
        ("0,6", "sun,sat"),
        ("fri-sun", "sun,fri,sat"),
        ("*/2", "sun,tue,thu,sat"),
        ("0-7", "*"),
        ("*", "*"),
    ],
)
def test_day_of_week_reads_as_crontab_reads_it(field: str, days: str) -> None:
    assert crontab_day_of_week(field) == days


@pytest.mark.parametrize("weekdays", ["1-5", "mon-fri", "MON-FRI", "1,2,3,4,5"])
def test_weekday_numbers_schedule_monday_to_friday(weekdays: str) -> None:
    # Thursday 1 Jan 2026 to Thursday 8 Jan: 9:00 on Thu, Fri, Mon-Wed, Thu; no weekend.
    week = occurrences(reminder(f"0 9 * * {weekdays}"), ny(2026, 1, 1, 0), ny(2026, 1, 8, 23, 59))
    assert local_times(week) == [
        "Thu 01 Jan 09:00 EST",
        "Fri 02 Jan 09:00 EST",
        "Mon 05 Jan 09:00 EST",
        "Tue 06 Jan 09:00 EST",
        "Wed 07 Jan 09:00 EST",
        "Thu 08 Jan 09:00 EST",
    ]


@pytest.mark.parametrize("sunday", ["0", "7", "sun"])
def test_day_zero_and_seven_are_sunday(sunday: str) -> None:
    week = occurrences(reminder(f"0 9 * * {sunday}"), ny(2026, 1, 1, 0), ny(2026, 1, 8, 0))
    assert local_times(week) == ["Sun 04 Jan 09:00 EST"]


@pytest.mark.parametrize("field", ["mon-", "8", "fri-mon", "funday", "*/0"])
def test_a_bad_day_of_week_is_refused(field: str) -> None:
    with pytest.raises(ValueError):
        crontab_day_of_week(field)


@given(
    start=st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31)),
    hour=st.integers(0, 23),
    minute=st.integers(0, 59),
)
def test_a_daily_reminder_fires_once_a_local_day_at_its_time(
    start: datetime, hour: int, minute: int
) -> None:
    begin = start.replace(tzinfo=UTC)
    moments = occurrences(reminder(f"{minute} {hour} * * *"), begin, begin + timedelta(days=4))
    days = [m.astimezone(NY).date() for m in moments]
    assert len(days) == len(set(days))
    assert 3 <= len(days) <= 5
    for moment in moments:
        local = moment.astimezone(NY)
        # Exactly the cron time, or an hour on when that time does not exist that day.
        assert (local.hour, local.minute) in {(hour, minute), ((hour + 1) % 24, minute)}


def test_both_day_fields_fire_on_either_as_crontab_does() -> None:
    # "The 1st of the month, and every Monday", in November-December 2026.
    moments = occurrences(
        reminder("0 9 1 * mon"),
        datetime(2026, 11, 29, tzinfo=UTC),
        datetime(2026, 12, 15, tzinfo=UTC),
    )
    days = [m.astimezone(NY).date() for m in moments]
    assert days == [
        date(2026, 11, 30),  # Monday
        date(2026, 12, 1),  # the 1st, a Tuesday
        date(2026, 12, 7),
        date(2026, 12, 14),
    ]
    assert {m.astimezone(NY).hour for m in moments} == {9}
