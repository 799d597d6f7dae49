import datetime as dt

import pytest

from assistant.clock import add_business_days, business_days_between, from_setting, parse_time
from assistant.errors import UserError

HOLIDAYS = {dt.date(2026, 5, 1), dt.date(2026, 5, 4), dt.date(2026, 5, 5)}


def test_weekends_are_not_business_days():
    friday = dt.date(2026, 3, 6)
    assert add_business_days(friday, 1, set()) == dt.date(2026, 3, 9)


def test_holidays_are_skipped():
    assert add_business_days(dt.date(2026, 4, 30), 1, HOLIDAYS) == dt.date(2026, 5, 6)


def test_seven_business_days_from_a_monday_is_the_next_wednesday():
    assert add_business_days(dt.date(2026, 3, 2), 7, set()) == dt.date(2026, 3, 11)


def test_business_days_between_counts_only_business_days():
    assert business_days_between(dt.date(2026, 3, 6), dt.date(2026, 3, 9), set()) == 1
    assert business_days_between(dt.date(2026, 3, 9), dt.date(2026, 3, 6), set()) == 0


def test_a_date_alone_means_nine_in_the_morning():
    assert parse_time("2026-03-02") == dt.datetime(2026, 3, 2, 9, 0)


def test_an_offset_is_converted_to_china_standard_time():
    assert parse_time("2026-03-02T02:00:00+00:00") == dt.datetime(2026, 3, 2, 10, 0)


def test_a_bad_time_is_a_clear_error():
    with pytest.raises(UserError, match="not a date or time"):
        parse_time("next tuesday")


def test_the_environment_pins_the_clock(monkeypatch):
    monkeypatch.setenv("ASSISTANT_NOW", "2026-03-16T08:30")
    assert from_setting().now() == dt.datetime(2026, 3, 16, 8, 30)
    assert from_setting("2026-04-01").today() == dt.date(2026, 4, 1)
