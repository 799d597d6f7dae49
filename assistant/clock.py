"""Time as an input. Everything that depends on "now" takes a Clock, so review windows measured
in business days can be simulated by a support agent (`--now`) and pinned by tests.

Times are naive and mean China Standard Time (UTC+8), the service's own time zone.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Collection

from .errors import UserError

CST = dt.timezone(dt.timedelta(hours=8))
# Dates the assistant accepts (--now, send dates): far from the calendar's ends, so review
# arithmetic of business days can never run past year 9999.
EARLIEST = dt.datetime(1970, 1, 1)
LATEST = dt.datetime(2999, 12, 31, 23, 59, 59)


class Clock:
    """The real clock, in China Standard Time."""

    def now(self) -> dt.datetime:
        return dt.datetime.now(CST).replace(tzinfo=None, microsecond=0)

    def today(self) -> dt.date:
        return self.now().date()


class FixedClock(Clock):
    """A clock that always says the same time (tests, `--now`, `ASSISTANT_NOW`)."""

    def __init__(self, at: dt.datetime):
        self.at = at

    def now(self) -> dt.datetime:
        return self.at


def parse_time(text: str) -> dt.datetime:
    """An ISO date ("2026-03-02", taken as 09:00) or date-time; a UserError says what is wrong."""
    text = text.strip()
    try:
        if len(text) == 10:
            parsed = dt.datetime.combine(dt.date.fromisoformat(text), dt.time(9, 0))
        else:
            parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        raise UserError(f"'{text}' is not a date or time; write it as 2026-03-02 or 2026-03-02T14:30") from None
    if parsed.tzinfo is not None:
        try:
            parsed = parsed.astimezone(CST).replace(tzinfo=None)
        except OverflowError:
            parsed = dt.datetime.max
    if not EARLIEST <= parsed <= LATEST:
        raise UserError(f"'{text}' is outside the dates the assistant works with ({EARLIEST.year} to {LATEST.year}); "
                        "give a date in that range")
    return parsed


def from_setting(value: str | None = None) -> Clock:
    """The clock for VALUE (`--now`), else $ASSISTANT_NOW, else the real one."""
    chosen = value or os.environ.get("ASSISTANT_NOW")
    return FixedClock(parse_time(chosen)) if chosen else Clock()


def is_business_day(day: dt.date, holidays: Collection[dt.date]) -> bool:
    return day.weekday() < 5 and day not in holidays


def add_business_days(start: dt.date, days: int, holidays: Collection[dt.date]) -> dt.date:
    """The date DAYS business days after START (START itself does not count)."""
    day = start
    try:
        while days > 0:
            day += dt.timedelta(days=1)
            if is_business_day(day, holidays):
                days -= 1
    except OverflowError:
        raise UserError(f"{days} business days after {start} is past the end of the calendar; "
                        f"use dates up to {LATEST.year}") from None
    return day


def business_days_between(start: dt.date, end: dt.date, holidays: Collection[dt.date]) -> int:
    """Business days after START up to and including END (0 when END is not later)."""
    count, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        count += is_business_day(day, holidays)
    return count
