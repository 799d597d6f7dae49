import datetime as dt
from pathlib import Path

import pytest
import yaml

from assistant.clock import WorkCalendar, add_business_days, business_days_between, from_setting, parse_day, parse_time
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


# --- the mainland China working-day calendar ----------------------------------------------------

NOTICES = yaml.safe_load((Path(__file__).parent / "data" / "china_state_council_notices.yaml").read_text(encoding="utf-8"))


def _notice_says_work(day: dt.date) -> bool:
    notice = NOTICES[day.year]
    if day in notice["working_days"]:
        return True
    off = any(first <= day <= last for first, last in notice["days_off"])
    return day.weekday() < 5 and not off


@pytest.mark.parametrize("year", [2025, 2026])
def test_every_day_of_the_year_agrees_with_the_state_council_notice(kb, year):
    calendar = kb.rules.calendar
    day, wrong = dt.date(year, 1, 1), []
    while day.year == year:
        if calendar.is_business_day(day) != _notice_says_work(day):
            wrong.append(day)
        day += dt.timedelta(days=1)
    assert wrong == []


@pytest.mark.parametrize("start,expected", [
    ("2026-02-13", "2026-03-02"),   # Spring Festival, with the working Saturdays 14 and 28 February
    ("2026-09-25", "2026-10-12"),   # Mid-Autumn and National Day, with the working Saturday 10 October
    ("2026-04-30", "2026-05-13"),   # Labour Day, with the working Saturday 9 May
    ("2025-01-24", "2025-02-10"),   # Spring Festival 2025, with the working Sunday 26 January and Saturday 8 February
])
def test_seven_working_days_across_the_holidays_and_adjusted_weekends(kb, start, expected):
    assert add_business_days(dt.date.fromisoformat(start), 7, kb.rules.calendar) == dt.date.fromisoformat(expected)


def test_an_adjusted_working_saturday_counts_and_a_holiday_weekday_does_not(kb):
    calendar = kb.rules.calendar
    assert calendar.is_business_day(dt.date(2026, 2, 14)) and calendar.source(dt.date(2026, 2, 14)) == "official"
    assert not calendar.is_business_day(dt.date(2026, 10, 7))
    assert business_days_between(dt.date(2026, 9, 30), dt.date(2026, 10, 12), calendar) == 4  # 8, 9, Saturday 10 and 12 October


def test_the_override_wins_over_the_library_day_by_day():
    calendar = WorkCalendar(holidays={dt.date(2026, 3, 2)}, workdays={dt.date(2026, 3, 7)})
    assert not calendar.is_business_day(dt.date(2026, 3, 2)) and calendar.source(dt.date(2026, 3, 2)) == "override"
    assert calendar.is_business_day(dt.date(2026, 3, 7))
    assert calendar.is_business_day(dt.date(2026, 3, 3))


def test_a_year_the_library_does_not_know_uses_the_override_then_weekends_only():
    after = WorkCalendar().official_years[-1] + 1
    new_year = dt.date(after, 1, 1)
    calendar = WorkCalendar(holidays={new_year}, workdays={dt.date(after, 1, 10)})
    assert not calendar.is_business_day(new_year)
    assert calendar.is_business_day(dt.date(after, 1, 10))
    tuesday = next(dt.date(after, 3, d) for d in range(1, 8) if dt.date(after, 3, d).weekday() == 1)
    assert calendar.is_business_day(tuesday) and calendar.source(tuesday) == "weekends only"
    assert not calendar.is_business_day(tuesday + dt.timedelta(days=4))  # Saturday
    assert calendar.known_until == dt.date(after, 1, 10)


def test_the_shipped_rules_know_the_days_up_to_the_last_notice(kb):
    assert kb.rules.calendar.known_until >= dt.date(2026, 12, 31)


def test_a_day_both_off_and_working_is_refused():
    with pytest.raises(ValueError, match="both as a holiday and as a working day"):
        WorkCalendar(holidays={dt.date(2027, 2, 20)}, workdays={dt.date(2027, 2, 20)})


def test_the_calendar_counts_from_the_clocks_today(kb):
    clock = from_setting("2026-02-13T10:00")
    assert kb.rules.calendar.due(clock, 7) == dt.date(2026, 3, 2)


@pytest.mark.parametrize("text,day", [("today", "2026-03-20"), ("Yesterday", "2026-03-19"),
                                      ("day before yesterday", "2026-03-18"), (" 2026-02-28 ", "2026-02-28"),
                                      ("3月2日", "2026-03-02"), ("12月31号", "2025-12-31"), ("2 April 2025", "2025-04-02"),
                                      ("March 2nd", "2026-03-02"), ("apr 2", "2025-04-02")])
def test_a_day_is_read_from_a_date_or_the_words_for_the_last_days(text, day):
    assert parse_day(text, dt.date(2026, 3, 20)) == dt.date.fromisoformat(day)


@pytest.mark.parametrize("text", ["last week", "2026-02-30", "1960-01-01", "03/02/2026", "13月2日", "Feb 30"])
def test_a_day_it_cannot_read_or_outside_its_years_is_a_user_error(text):
    with pytest.raises(UserError):
        parse_day(text, dt.date(2026, 3, 20))
