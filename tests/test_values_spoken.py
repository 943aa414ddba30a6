"""Spoken-language parsing as ASR writes it: one table per kind, every row a case."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from assistant.values.clock import parse_time, part_of_day
from assistant.values.date import easter, find_date, parse_date
from assistant.values.duration import parse_duration
from assistant.values.number import parse_number, parse_percent
from assistant.values.recurrence import parse_recurrence
from assistant.values.slots import NORMALIZERS
from assistant.values.slots import normalize as normalize_slot

NOW = datetime(2025, 3, 14, 14, 0)  # a Friday, 2 pm

NUMBERS = [
    ("zero", 0), ("seven", 7), ("twelve", 12), ("twenty five", 25), ("twenty-five", 25),
    ("ninety nine", 99), ("a hundred", 100), ("one hundred", 100),
    ("a hundred and twelve", 112), ("two hundred thirty four", 234),
    ("three thousand", 3000), ("two thousand and five", 2005),
    ("one hundred and fifty thousand", 150000), ("nineteen hundred", 1900),
    ("a million", 1000000), ("three point five", 3.5), ("point five", 0.5),
    ("three point one four", 3.14), ("a dozen", 12), ("two dozen", 24), ("half", 0.5),
    ("a half", 0.5), ("a quarter", 0.25), ("three quarters", 0.75), ("two and a half", 2.5),
    ("one and a half", 1.5), ("a couple", 2), ("minus four", -4), ("42", 42), ("3.75", 3.75),
    ("1,000", 1000), ("twenty", 20),
]
NOT_NUMBERS = ["", "hello", "twenty apples", "five five", "and"]


@pytest.mark.parametrize("text,value", NUMBERS)
def test_number(text: str, value: float) -> None:
    assert parse_number(text) == pytest.approx(value)


@pytest.mark.parametrize("text", NOT_NUMBERS)
def test_not_a_number(text: str) -> None:
    assert parse_number(text) is None


DURATIONS = [
    ("five minutes", 300), ("an hour", 3600), ("an hour and a half", 5400),
    ("ninety seconds", 90), ("two and a half hours", 9000),
    ("a minute and thirty seconds", 90), ("half an hour", 1800), ("half a minute", 30),
    ("a quarter of an hour", 900), ("three quarters of an hour", 2700),
    ("one hour twenty", 4800), ("two minutes thirty", 150), ("1 hour 30 min", 5400),
    ("10 mins", 600), ("for twenty five minutes", 1500), ("five minutes please", 300),
    ("a day", 86400), ("two weeks", 1209600), ("a minute and a half", 90),
    ("one hour and fifteen minutes", 4500), ("three seconds", 3), ("a couple of minutes", 120),
    ("a hundred seconds", 100), ("an hour and a quarter", 4500),
]


@pytest.mark.parametrize("text,seconds", DURATIONS)
def test_duration(text: str, seconds: int) -> None:
    assert normalize_slot("duration", text, NOW) == seconds


@pytest.mark.parametrize("text", ["five", "pasta", "minutes", "half past seven", ""])
def test_not_a_duration(text: str) -> None:
    assert parse_duration(text) is None


def test_bare_number_uses_default_unit() -> None:
    assert parse_duration("ten", default_unit=60) == 600
    assert parse_duration("make it ten", default_unit=60) == 600


def at(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2025, month, day, hour, minute)


TIMES = [
    ("half past seven", at(14, 19, 30)),  # 7:30 am has passed at 2 pm: the evening
    ("quarter to eight", at(14, 19, 45)),
    ("quarter past three", at(14, 15, 15)),
    ("ten past six", at(14, 18, 10)),
    ("twenty five to nine", at(14, 20, 35)),
    ("five minutes past six", at(14, 18, 5)),
    ("six a m", at(15, 6)),
    ("six am", at(15, 6)),
    ("6 a.m.", at(15, 6)),
    ("6am", at(15, 6)),
    ("seven thirty p m", at(14, 19, 30)),
    ("7:30 pm", at(14, 19, 30)),
    ("seven oh five", at(14, 19, 5)),
    ("twelve fifteen", at(15, 0, 15).replace(hour=12)),
    ("noon", at(15, 12)),
    ("midnight", at(15, 0)),
    ("ten to midnight", at(14, 23, 50)),
    ("seven o'clock", at(14, 19)),
    ("at three", at(14, 15)),
    ("two", at(15, 2)),
    ("at 9 in the morning", at(15, 9)),
    ("eight in the evening", at(14, 20)),
    ("quarter to one pm", at(15, 12, 45)),
    ("tomorrow at six a m", at(15, 6)),
    ("tomorrow at six", at(15, 6)),
    ("tomorrow morning at seven", at(15, 7)),
    ("tonight at nine", at(14, 21)),
    ("this evening at seven", at(14, 19)),
    ("on friday at nine", at(21, 9)),
    ("on monday at half past eight", at(17, 8, 30)),
    ("next tuesday at noon", at(18, 12)),
    ("in twenty minutes", at(14, 14, 20)),
    ("in an hour", at(14, 15)),
    ("in an hour and a half", at(14, 15, 30)),
    ("twenty minutes from now", at(14, 14, 20)),
    ("eight hours", at(14, 22)),  # "wake me up in | eight hours": the "in" outside the slot
    ("ninety minutes", at(14, 15, 30)),
    ("the day after tomorrow at ten a m", at(16, 10)),
    ("twenty three fifteen", at(14, 23, 15)),
    ("on the twenty fifth of december at six p m", datetime(2025, 12, 25, 18, 0)),
]


@pytest.mark.parametrize("text,expected", TIMES)
def test_time(text: str, expected: datetime) -> None:
    assert normalize_slot("time", text, NOW) == expected


@pytest.mark.parametrize("text", ["pasta", "tomorrow", "thirteen pm", "half past", ""])
def test_not_a_time(text: str) -> None:
    assert parse_time(text, NOW) is None


def test_morning_time_before_now_is_today() -> None:
    early = datetime(2025, 3, 14, 5, 0)
    assert parse_time("seven", early) == datetime(2025, 3, 14, 7, 0)
    late = datetime(2025, 3, 14, 21, 0)
    assert parse_time("seven", late) == datetime(2025, 3, 15, 7, 0)


DATES = [
    ("today", date(2025, 3, 14)), ("tomorrow", date(2025, 3, 15)),
    ("yesterday", date(2025, 3, 13)), ("the day after tomorrow", date(2025, 3, 16)),
    ("friday", date(2025, 3, 21)), ("this friday", date(2025, 3, 14)),
    ("monday", date(2025, 3, 17)), ("on sunday", date(2025, 3, 16)),
    ("next wednesday", date(2025, 3, 19)),
    ("the twenty fifth of december", date(2025, 12, 25)),
    ("december twenty fifth", date(2025, 12, 25)), ("december 25th", date(2025, 12, 25)),
    ("25th of december", date(2025, 12, 25)), ("december the first", date(2025, 12, 1)),
    ("the first of january", date(2026, 1, 1)),  # passed this year: next year
    ("march fourteenth", date(2025, 3, 14)), ("christmas", date(2025, 12, 25)),
    ("christmas eve", date(2025, 12, 24)), ("new year's day", date(2026, 1, 1)),
    ("halloween", date(2025, 10, 31)), ("july fourth", date(2025, 7, 4)),
    ("december twenty five", date(2025, 12, 25)),
    ("the thirtieth of june", date(2025, 6, 30)),
    ("june 30 2027", date(2027, 6, 30)),
    ("tomorrow morning", date(2025, 3, 15)), ("friday evening", date(2025, 3, 21)),
    # holidays that move: the US dates
    ("easter", date(2025, 4, 20)), ("good friday", date(2025, 4, 18)),
    ("thanksgiving", date(2025, 11, 27)), ("mother's day", date(2025, 5, 11)),
    ("father's day", date(2025, 6, 15)), ("memorial day", date(2025, 5, 26)),
    ("labor day", date(2025, 9, 1)), ("st patrick's day", date(2025, 3, 17)),
    # a year said after the day
    ("christmas next year", date(2026, 12, 25)), ("valentine's day this year", date(2025, 2, 14)),
    ("december twenty fifth last year", date(2024, 12, 25)),
    # a day of the month alone: this month's, or the next month that has it
    ("the twenty first", date(2025, 3, 21)), ("on the first", date(2025, 4, 1)),
    ("the thirty first", date(2025, 3, 31)), ("the thirteenth", date(2025, 4, 13)),
    # the templates' "this weekend" and "next week" (they read as no date before)
    ("this weekend", date(2025, 3, 15)), ("next weekend", date(2025, 3, 22)),
    ("next week", date(2025, 3, 17)),
]


@pytest.mark.parametrize("text,expected", DATES)
def test_date(text: str, expected: date) -> None:
    assert normalize_slot("date", text, NOW) == expected


@pytest.mark.parametrize("year,sunday", [(2024, date(2024, 3, 31)), (2026, date(2026, 4, 5)),
                                         (2038, date(2038, 4, 25)), (2285, date(2285, 3, 22))])
def test_easter_is_computed_for_any_year(year: int, sunday: date) -> None:
    assert easter(year) == sunday


def test_a_holiday_that_has_passed_is_next_years() -> None:
    assert parse_date("easter", datetime(2025, 5, 1)) == date(2026, 4, 5)
    assert parse_date("thanksgiving", datetime(2025, 11, 28)) == date(2026, 11, 26)


def test_a_date_is_found_anywhere_in_a_request() -> None:
    assert find_date("what day is christmas this year", NOW) == (date(2025, 12, 25), "christmas this year")
    assert find_date("may i know what day it is", NOW) is None


@pytest.mark.parametrize("text", ["the thirtieth of february", "pasta", "may", "", "first"])
def test_not_a_date(text: str) -> None:
    assert parse_date(text, NOW) is None


@pytest.mark.parametrize("text,hour", [("tomorrow morning", 9), ("this afternoon", 15),
                                       ("friday evening", 18), ("tonight", 20),
                                       ("in the morning", 9), ("tomorrow", None),
                                       ("tomorrow morning at seven", None)])
def test_a_part_of_the_day_stands_for_an_hour_when_no_time_is_said(text: str, hour) -> None:
    assert part_of_day(text) == hour


RECURRENCES = [
    ("every weekday", (0, 1, 2, 3, 4)), ("on weekdays", (0, 1, 2, 3, 4)),
    ("every day", (0, 1, 2, 3, 4, 5, 6)), ("daily", (0, 1, 2, 3, 4, 5, 6)),
    ("every morning", (0, 1, 2, 3, 4, 5, 6)), ("on weekends", (5, 6)),
    ("every monday", (0,)), ("on mondays and wednesdays", (0, 2)),
    ("every tuesday and thursday", (1, 3)), ("monday to friday", (0, 1, 2, 3, 4)),
    ("every working day", (0, 1, 2, 3, 4)), ("saturdays", (5,)),
]


@pytest.mark.parametrize("text,days", RECURRENCES)
def test_recurrence(text: str, days: tuple[int, ...]) -> None:
    assert normalize_slot("recurrence", text, NOW) == days


@pytest.mark.parametrize("text", ["on monday", "tomorrow", ""])
def test_not_a_recurrence(text: str) -> None:
    assert parse_recurrence(text) is None


PERCENTS = [("fifteen percent", 15), ("15%", 15), ("fifty per cent", 50),
            ("twelve point five percent", 12.5), ("a hundred percent", 100)]


@pytest.mark.parametrize("text,value", PERCENTS)
def test_percent(text: str, value: float) -> None:
    assert parse_percent(text) == value


LEVELS = [("fifty percent", 50), ("five", 50), ("ten", 100), ("seven out of ten", 70),
          ("max", 100), ("half", 50), ("thirty", 30), ("to 80%", 80), ("zero", 0),
          ("two hundred", 100)]


@pytest.mark.parametrize("text,value", LEVELS)
def test_volume_level(text: str, value: float) -> None:
    assert normalize_slot("level", text, NOW) == value


TEXT_SLOTS = [
    ("name", "the pasta timer", "pasta"), ("name", "timer", None),
    ("name", "egg timer", "egg"), ("list", "my shopping list", "shopping"),
    ("list", "groceries", "shopping"), ("list", "to do list", "to-do"),
    ("list", "packing list", "packing"), ("item", "some milk", "milk"),
    ("item", "Eggs", "eggs"), ("task", " call mum ", "call mum"),
    ("amount", "a kilo", None), ("amount", "five", 5),
]


@pytest.mark.parametrize("name,text,value", TEXT_SLOTS)
def test_text_slots(name: str, text: str, value: object) -> None:
    assert normalize_slot(name, text, NOW) == value


def test_odd_text_never_raises() -> None:
    for name in NORMALIZERS:
        for text in ["", "   ", "???", "a a a a", "point", "minus", "the of and", "9" * 40]:
            normalize_slot(name, text, NOW)
