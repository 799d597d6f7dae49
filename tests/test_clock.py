import datetime as dt
from pathlib import Path

import pytest
import yaml

from assistant.clock import (
    DayWords,
    WorkCalendar,
    add_business_days,
    business_days_between,
    from_setting,
    parse_day,
    parse_time,
    read_day,
)
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
                                      ("March 2nd", "2026-03-02"), ("apr 2", "2025-04-02"),
                                      ("昨天", "2026-03-19"), ("前天", "2026-03-18"), ("今日", "2026-03-20")])
def test_a_day_is_read_from_a_date_or_the_words_for_the_last_days(kb, text, day):
    assert parse_day(text, dt.date(2026, 3, 20), kb.rules.day_words) == dt.date.fromisoformat(day)


# Today is Friday 20 March 2026; its week (Monday first, as in China) began on Monday the 16th.
@pytest.mark.parametrize("text,day", [
    ("3 days ago", "2026-03-17"), ("1 day ago", "2026-03-19"), ("0 days ago", "2026-03-20"), ("a day ago", "2026-03-19"),
    ("three days ago", "2026-03-17"), ("Ten  days ago", "2026-03-10"), ("40 days ago", "2026-02-08"),
    ("三天前", "2026-03-17"), ("两天前", "2026-03-18"), ("十天前", "2026-03-10"), ("3天前", "2026-03-17"),
    ("12天前", "2026-03-08"), ("五日前", "2026-03-15"),
    # a weekday alone: the latest such day up to today, today itself on that weekday
    ("Monday", "2026-03-16"), ("friday", "2026-03-20"), ("Saturday", "2026-03-14"), ("sun", "2026-03-15"),
    ("周二", "2026-03-17"), ("星期一", "2026-03-16"), ("礼拜一", "2026-03-16"), ("周五", "2026-03-20"),
    ("周六", "2026-03-14"), ("星期天", "2026-03-15"), ("周日", "2026-03-15"),
    # that weekday of the previous calendar week
    ("last Monday", "2026-03-09"), ("last friday", "2026-03-13"), ("last Sunday", "2026-03-15"),
    ("上周一", "2026-03-09"), ("上星期五", "2026-03-13"), ("上个星期天", "2026-03-15"), ("上礼拜三", "2026-03-11"),
    # that weekday of this week (later in the week than today: a day still to come)
    ("this Monday", "2026-03-16"), ("this sunday", "2026-03-22"), ("本周一", "2026-03-16"), ("这周一", "2026-03-16"),
    ("这个星期三", "2026-03-18")])
def test_a_day_is_read_from_days_ago_a_weekday_or_a_weekday_of_last_or_this_week(kb, text, day):
    assert parse_day(text, dt.date(2026, 3, 20), kb.rules.day_words) == dt.date.fromisoformat(day)


@pytest.mark.parametrize("today,text,day", [
    ("2026-03-16", "last Sunday", "2026-03-15"),    # on a Monday: yesterday, the previous week's end
    ("2026-03-15", "last Sunday", "2026-03-08"),    # on a Sunday: the Sunday a week before
    ("2026-03-15", "上周一", "2026-03-02"), ("2026-03-15", "本周一", "2026-03-09"), ("2026-03-15", "周一", "2026-03-09"),
    ("2026-03-16", "Monday", "2026-03-16"), ("2026-03-16", "Tuesday", "2026-03-10"),
    ("2026-01-01", "3 days ago", "2025-12-29"), ("2026-01-01", "last Monday", "2025-12-22")])
def test_the_words_of_a_day_count_from_the_clocks_today(kb, today, text, day):
    assert parse_day(text, dt.date.fromisoformat(today), kb.rules.day_words) == dt.date.fromisoformat(day)


@pytest.mark.parametrize("text", ["last week", "2026-02-30", "1960-01-01", "03/02/2026", "13月2日", "Feb 30",
                                  "next Monday", "上上周一", "一百天前", "几天前", "a few days ago", "this week", "上周",
                                  "周八", "last", "days ago", "99999999999 days ago", "30000 days ago"])
def test_a_day_it_cannot_read_or_outside_its_years_is_a_user_error(kb, text):
    with pytest.raises(UserError):
        parse_day(text, dt.date(2026, 3, 20), kb.rules.day_words)


def test_a_day_it_cannot_read_is_refused_with_the_forms_it_reads(kb):
    with pytest.raises(UserError, match="^'next week' is not a day; write it as 2026-03-02, April 2, today, "
                                        "yesterday, 3 days ago, Monday or last Monday$"):
        parse_day("next week", dt.date(2026, 3, 20), kb.rules.day_words)


def test_read_day_tells_words_that_name_no_day_from_a_day_out_of_range(kb):
    assert read_day("next week", dt.date(2026, 3, 20), kb.rules.day_words) is None
    with pytest.raises(UserError, match="outside the dates"):
        read_day("1960-01-01", dt.date(2026, 3, 20), kb.rules.day_words)


def test_the_words_of_days_are_data_a_new_one_is_a_yaml_edit():
    words = DayWords(days_back={"overmorgen": 0}, numbers={"drei": 3}, ago=("tage her",),
                     weekdays={"montag": 0}, last_week=("letzten",))
    today = dt.date(2026, 3, 20)
    assert parse_day("drei Tage her", today, words) == dt.date(2026, 3, 17)
    assert parse_day("letzten Montag", today, words) == dt.date(2026, 3, 9)
    with pytest.raises(UserError):
        parse_day("yesterday", today, words)     # no word of the shipped rules is built in


def test_a_number_of_days_reads_the_same_number_words_as_every_other_reader(kb):
    today = dt.date(2026, 3, 20)
    assert parse_day("eleven days ago", today, kb.rules.day_words) == dt.date(2026, 3, 9)
    assert parse_day("十二天前", today, kb.rules.day_words) == dt.date(2026, 3, 8)
