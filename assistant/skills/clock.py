"""Time, date and day of week, and how long until a date or time (all from the injected clock)."""

from __future__ import annotations

from datetime import date, datetime

from assistant.skills.base import BaseSkill, SkillRequest, SkillResult
from assistant.skills.render import say_clock, say_date, say_duration

DATE_WORDS = {"date", "day", "today", "tomorrow", "yesterday", "month", "year", "weekday"}


class ClockSkill(BaseSkill):
    name = "clock"
    intents = frozenset({"datetime_query", "time_until"})
    summary = "tell the time and date"

    def handle(self, request: SkillRequest) -> SkillResult:
        if request.understanding.intent == "time_until":
            return self._until(request)
        return self._now(request)

    def _now(self, req: SkillRequest) -> SkillResult:
        day = req.value("date")
        place = req.slot_text("place")
        data = {"time": say_clock(req.now), "place": place or ""}
        if isinstance(day, date) or req.words() & DATE_WORDS:
            day = day if isinstance(day, date) else req.now.date()
            full, when = say_date(day), say_date(day, req.now.date())
            if when == full:  # no "today"/"tomorrow" for it: name it as it was asked
                when = req.slot_text("date") or "that"
            weekday, _, month_day = full.partition(", ")
            said = month_day if weekday.lower() in when.lower().split() else full
            data.update(day=said, when=when, weekday=weekday)  # not "Friday is Friday, ..."
            tense = "was" if day < req.now.date() else "is"
            return SkillResult("clock.date", {**data, "tense": tense})
        return SkillResult("clock.time_here" if place else "clock.time", data)

    def _until(self, req: SkillRequest) -> SkillResult:
        at = req.value("time")
        day = req.value("date")
        what = req.slot_text("date") or req.slot_text("time") or ""
        if isinstance(at, datetime):
            left = (at - req.now).total_seconds()
            return SkillResult("clock.until_time", {"what": what or say_clock(at),
                                                    "left": say_duration(left, precise=False),
                                                    "seconds": left})
        if not isinstance(day, date):
            return SkillResult("clock.ask_date", missing="date")
        days = (day - req.now.date()).days
        if days == 0:
            return SkillResult("clock.until_today", {"what": what})
        return SkillResult("clock.until_days", {"what": what or say_date(day), "days": days,
                                                "unit": "day" if days == 1 else "days"})
