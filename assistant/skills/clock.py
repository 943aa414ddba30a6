"""Time, date and day of week, and how long until a date or time (all from the injected clock)."""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta

from assistant.skills.base import BaseSkill, SkillRequest, SkillResult
from assistant.skills.render import say_clock, say_date, say_duration
from assistant.values.date import MONTHS, find_date
from assistant.values.duration import read_duration
from assistant.values.number import tokenize

RELATIVE = ("today", "tomorrow", "yesterday")
SUN_WORDS = {"sunset", "sunrise", "sundown", "sunup", "dawn", "dusk"}  # no location, no sun times
DATE_WORDS = {"date", "day", "today", "tomorrow", "yesterday", "month", "year", "weekday"}


class ClockSkill(BaseSkill):
    name = "clock"
    intents = frozenset({"datetime_query", "time_until"})
    summary = "tell the time and date"

    def handle(self, request: SkillRequest) -> SkillResult:
        if request.words() & SUN_WORDS:  # not "the time is ..." for "what time is sunset"
            return SkillResult("clock.no_sun", ok=False)
        if request.understanding.intent == "time_until":
            return self._until(request)
        return self._now(request)

    def _now(self, req: SkillRequest) -> SkillResult:
        month = MONTHS.get(req.slot_text("date") or "")
        if month and {"how", "many", "days"} <= req.words():  # "how many days in february"
            year = req.now.year + (month < req.now.month)
            return SkillResult("clock.days_in_month", {"month": calendar.month_name[month],
                                                       "days": calendar.monthrange(year, month)[1],
                                                       "year": year})
        day, asked = _day(req)
        words = req.words()
        if day is None and not words & {"day", "date", "today"}:
            if "year" in words:  # "what year is it": not the whole date, which leaves it out
                return SkillResult("clock.year", {"year": req.now.year})
            if "month" in words:
                return SkillResult("clock.month", {"month": calendar.month_name[req.now.month]})
        later = _later(req.text)
        if later is not None:  # "what time will it be in three hours", "the date in ten days"
            at, after = req.now + timedelta(seconds=later), say_duration(later, precise=False)
            if words & {"date", "day"}:
                return SkillResult("clock.date_in", {"day": say_date(at.date(), req.now.date(), relative=False),
                                                     "after": after})
            return SkillResult("clock.time_in", {"time": say_clock(at), "after": after})
        place = req.slot_text("place")
        data = {"time": say_clock(req.now), "place": place or ""}
        if isinstance(day, date) or words & DATE_WORDS:
            day = day if isinstance(day, date) else req.now.date()
            when = say_date(day, req.now.date())
            if when not in RELATIVE:  # no "today"/"tomorrow" for it: name it as it was asked
                when = asked or "that"
            data.update(day=_named(day, req.now.date(), when), when=when,
                        weekday=say_date(day).partition(", ")[0])
            tense = "was" if day < req.now.date() else "is"
            return SkillResult("clock.date", {**data, "tense": tense})
        return SkillResult("clock.time_here" if place else "clock.time", data)

    def _until(self, req: SkillRequest) -> SkillResult:
        at = req.value("time")
        day, asked = _day(req)
        what = asked or req.slot_text("time") or ""
        if isinstance(at, datetime):
            left = (at - req.now).total_seconds()
            return SkillResult("clock.until_time", {"what": what or say_clock(at),
                                                    "left": say_duration(left, precise=False),
                                                    "seconds": left})
        if not isinstance(day, date):
            return SkillResult("clock.ask_date", missing="date")
        days = (day - req.now.date()).days
        if days in (0, 1):
            return SkillResult("clock.until_today" if days == 0 else "clock.until_tomorrow", {"what": what})
        what = what or "that"
        return SkillResult("clock.until_days", {"what": what, "day": _named(day, req.now.date(), what),
                                                "days": days})


def _later(text: str) -> float | None:
    """Seconds from now of "in three hours" said in a question about the time, else None."""
    toks = tokenize(text)
    for i, t in enumerate(toks[:-1]):
        if t == "in" and (got := read_duration(toks, i + 1)) and got[1] == len(toks) and got[0] > 0:
            return got[0]
    return None


def _day(req: SkillRequest) -> tuple[date | None, str | None]:
    """The date asked about and its words: the date slot's, else a date said elsewhere in the
    request (the understanding may tag only "this year" of "what day is christmas this year")."""
    day = req.value("date")
    if isinstance(day, date):
        return day, req.slot_text("date")
    found = find_date(req.text, req.now)
    return found or (None, req.slot_text("date"))


def _named(day: date, today: date, asked: str) -> str:
    """The day in full, without the weekday when the question named it ("next friday is March
    21st", not "... is Friday, March 21st")."""
    full = say_date(day, today, relative=False)
    weekday, _, month_day = full.partition(", ")
    return month_day if weekday.lower() in asked.lower().split() else full
