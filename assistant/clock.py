"""Time as an input. Everything that depends on "now" takes a Clock, so review windows measured
in business days can be simulated by a support agent (`--now`) and pinned by tests.

Times are naive and mean China Standard Time (UTC+8), the service's own time zone.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Collection
from functools import lru_cache

from .errors import UserError
from .records import NamedTuple
from .text import echoed, read_number

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


class DayWords(NamedTuple):
    """The words a day is named with where no date is given (rules.yaml `day_words`): the days
    counted back from today, numbers, what follows a number of days ("days ago", 天前), the
    weekdays and the words that put one in last week or this week. Data, not code: a new way of
    saying a day is a YAML edit."""
    days_back: dict[str, int] = {}             # "yesterday": 1, 昨天: 1 (never mutated)
    numbers: dict[str, int] = {}               # "three": 3, 三: 3: rules.yaml `number_words` (never mutated)
    ago: tuple[str, ...] = ()                  # after a number of days: "days ago", 天前
    weekdays: dict[str, int] = {}              # "monday": 0 ... "sunday": 6, 周一: 0 (never mutated)
    last_week: tuple[str, ...] = ()            # before a weekday: "last", 上
    this_week: tuple[str, ...] = ()            # before a weekday: "this", 本, 这

    def read(self, name: str, today: dt.date) -> dt.date | None:
        """NAME (lower case, single spaces) as a day counted from TODAY, else None."""
        if name in self.days_back:
            return today - dt.timedelta(days=self.days_back[name])
        day = self._weekday(name, today)
        if day is None:
            back = self._days_ago(name)
            day = None if back is None else _days_before(today, back, name)
        return day

    def _weekday(self, name: str, today: dt.date) -> dt.date | None:
        """A weekday alone: the latest such day up to TODAY; after a word of LAST_WEEK or THIS_WEEK,
        that day of the previous or the present calendar week (weeks start on Monday, as in China)."""
        if name in self.weekdays:
            return today - dt.timedelta(days=(today.weekday() - self.weekdays[name]) % 7)
        monday = today - dt.timedelta(days=today.weekday())
        for words, start in ((self.last_week, monday - dt.timedelta(days=7)), (self.this_week, monday)):
            for word in words:
                rest = name[len(word):].strip() if name.startswith(word) else None
                if rest in self.weekdays:
                    return start + dt.timedelta(days=self.weekdays[rest])
        return None

    def _days_ago(self, name: str) -> int | None:
        """How many days back "3 days ago", 三天前 says, or None."""
        for word in self.ago:
            if name.endswith(word):
                return read_number(name[:-len(word)].strip(), self.numbers)
        return None


def _days_before(today: dt.date, days: int, name: str) -> dt.date:
    try:
        return today - dt.timedelta(days=days)
    except OverflowError:
        raise UserError(f"'{name[:40]}' is before the dates the assistant works with ({EARLIEST.year} to "
                        f"{LATEST.year}); give a later day") from None


_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")

# how every refusal of a day says what to write (the conversation says it in its language: value.not_a_day)
DAY_FORMS = "2026-03-02, April 2, today, yesterday, 3 days ago, Monday or last Monday"


@lru_cache(maxsize=1)
def _month_day_patterns() -> tuple[re.Pattern, ...]:
    # compiled when first used: every start imports this module, few read a day
    return (re.compile(r"(?P<m>\d{1,2})月(?P<d>\d{1,2})[日号]"),
            re.compile(r"(?P<d>\d{1,2})(?:st|nd|rd|th)?\s+(?P<name>[a-z]{3,9})\.?(?:,?\s+(?P<y>\d{4}))?"),
            re.compile(r"(?P<name>[a-z]{3,9})\.?\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(?P<y>\d{4}))?"))


def parse_day(text: str, today: dt.date, words: DayWords) -> dt.date:
    """A day named as an ISO date, a month and a day ("4月2日", "2 April 2026", "April 2": without a
    year, the latest such day up to TODAY) or in the WORDS of rules.yaml's `day_words` ("today",
    "3 days ago", 三天前, "Monday", 上周一, "this Monday"), TODAY being the clock's; a UserError says
    what is wrong (03/02/2026 is no day: March or February?), never a phrase silently dropped."""
    day = read_day(text, today, words)
    if day is None:
        raise UserError(f"'{text.strip()[:40]}' is not a day; write it as {DAY_FORMS}")
    return day


def read_day(text: str, today: dt.date, words: DayWords) -> dt.date | None:
    """The day TEXT names as `parse_day` reads it, or None when it names none: a shell that says
    the refusal in its own language (the conversation's value.not_a_day) tells the two apart. A
    day outside the dates the assistant works with is still a UserError."""
    name = " ".join(text.strip().lower().split())
    try:
        day = words.read(name, today) or _month_day(name, today) or dt.date.fromisoformat(name)
    except ValueError:
        return None
    parse_time(day.isoformat())   # inside the dates the assistant works with
    return day


def _month_day(name: str, today: dt.date) -> dt.date | None:
    """NAME as a month and a day (ValueError for a day no month has), else None."""
    for pattern in _month_day_patterns():
        found = pattern.fullmatch(name)
        if found is None:
            continue
        fields = found.groupdict()
        if fields.get("name") is not None and fields["name"][:3] not in _MONTHS:
            return None
        month = _MONTHS.index(fields["name"][:3]) + 1 if fields.get("name") else int(fields["m"])
        if fields.get("y"):
            return dt.date(int(fields["y"]), month, int(fields["d"]))
        day = dt.date(today.year, month, int(fields["d"]))
        return day if day <= today else dt.date(today.year - 1, month, int(fields["d"]))
    return None


def parse_time(text: str) -> dt.datetime:
    """An ISO date ("2026-03-02", taken as 09:00) or date-time; a UserError says what is wrong."""
    text = text.strip()
    try:
        if len(text) == 10:
            parsed = dt.datetime.combine(dt.date.fromisoformat(text), dt.time(9, 0))
        else:
            parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        raise UserError(f"'{echoed(text, 40)}' is not a date or time; write it as 2026-03-02 or 2026-03-02T14:30") from None
    if parsed.tzinfo is not None:
        try:
            parsed = parsed.astimezone(CST).replace(tzinfo=None)
        except OverflowError:
            parsed = dt.datetime.max
    if not EARLIEST <= parsed <= LATEST:
        raise UserError(f"'{echoed(text, 40)}' is outside the dates the assistant works with ({EARLIEST.year} to {LATEST.year}); "
                        "give a date in that range")
    return parsed


def from_setting(value: str | None = None) -> Clock:
    """The clock for VALUE (`--now`), else $ASSISTANT_NOW, else the real one."""
    chosen = value or os.environ.get("ASSISTANT_NOW")
    return FixedClock(parse_time(chosen)) if chosen else Clock()


class WorkCalendar:
    """Mainland China's working days: Monday to Friday, less the public holidays, plus the
    adjusted working weekends (调休) the State Council announces each year.

    The official days come from the `chinesecalendar` library for the years it knows; the
    `holidays` and `workdays` given here (rules.yaml's `calendar` section) override it day by day
    and stand alone for years it does not know yet. A year that neither knows counts Saturdays and
    Sundays only. Nothing here reads the time: whatever starts from "today" takes a Clock.
    """

    def __init__(self, holidays: Collection[dt.date] = (), workdays: Collection[dt.date] = (),
                 official: bool = True):
        self.holidays = frozenset(holidays)
        self.workdays = frozenset(workdays)
        both = self.holidays & self.workdays
        if both:
            raise ValueError(f"{min(both)} is listed both as a holiday and as a working day; keep one")
        self.official = official
        self._memo: dict[dt.date, bool] = {}  # the library checks its whole table on every call

    def __eq__(self, other: object) -> bool:
        """Two calendars are the same when they say the same of every day (the memo aside)."""
        if not isinstance(other, WorkCalendar):
            return NotImplemented
        return (self.holidays, self.workdays, self.official) == (other.holidays, other.workdays, other.official)

    def __hash__(self) -> int:
        return hash((self.holidays, self.workdays, self.official))

    @property
    def official_years(self) -> range:
        """The years the library knows; asked of the installed library each time (never pickled with
        a cached router), so upgrading it takes effect at once."""
        return _official_years() if self.official else range(0)

    def source(self, day: dt.date) -> str:
        """Where the answer for DAY comes from: "override", "official" or "weekends only"."""
        if day in self.holidays or day in self.workdays:
            return "override"
        return "official" if day.year in self.official_years else "weekends only"

    def is_business_day(self, day: dt.date) -> bool:
        known = self._memo.get(day)
        if known is None:
            known = self._memo[day] = self._decide(day)
        return known

    def _decide(self, day: dt.date) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        if day.year in self.official_years:
            import chinese_calendar

            return bool(chinese_calendar.is_workday(day))
        return day.weekday() < 5

    @property
    def known_until(self) -> dt.date | None:
        """The last day whose holidays are known (library or override); later years count weekends only."""
        last = [dt.date(self.official_years[-1], 12, 31)] if self.official_years else []
        return max([*last, *self.holidays, *self.workdays], default=None)

    def due(self, clock: Clock, days: int) -> dt.date:
        """The date DAYS business days after the clock's today."""
        return add_business_days(clock.today(), days, self)

    def __contains__(self, day: object) -> bool:  # "day in calendar": a day off, like the old holiday list
        return isinstance(day, dt.date) and not self.is_business_day(day)


@lru_cache(maxsize=1)
def _official_years() -> range:
    """The years the installed `chinesecalendar` has the State Council's notices for."""
    from chinese_calendar import constants

    years = [d.year for d in constants.holidays]
    return range(min(years), max(years) + 1)


Days = WorkCalendar | Collection[dt.date]


def is_business_day(day: dt.date, holidays: Days) -> bool:
    """Whether DAY is a working day: by the calendar, or for a plain collection, not a weekend nor in it."""
    if isinstance(holidays, WorkCalendar):
        return holidays.is_business_day(day)
    return day.weekday() < 5 and day not in holidays


def add_business_days(start: dt.date, days: int, holidays: Days) -> dt.date:
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


def business_days_between(start: dt.date, end: dt.date, holidays: Days) -> int:
    """Business days after START up to and including END (0 when END is not later)."""
    count, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        count += is_business_day(day, holidays)
    return count
