"""Reminders: "remind me to call mum at six" -> said back at six, even after a restart; "remind
me every day at eight to take my pills" -> every day; "cancel my reminder to call mum" takes it
back."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from assistant.skills.base import (
    BaseSkill,
    DueEvent,
    SkillRequest,
    SkillResult,
    from_epoch,
    to_epoch,
)
from assistant.skills.cancelling import THAT_WORDS, cancel
from assistant.skills.render import (
    count_of,
    say_clock,
    say_date,
    say_days,
    say_list,
    say_when,
    you_form,
)
from assistant.store import Store
from assistant.values.clock import is_at, parse_clock, part_of_day, repeating_hour
from assistant.values.date import date_at_end
from assistant.values.recurrence import from_stored, next_on, stored

SCHEMA = [
    "CREATE TABLE reminders (id INTEGER PRIMARY KEY, task TEXT NOT NULL, due REAL NOT NULL, "
    "created REAL NOT NULL)",
    # repeating weekdays (values/recurrence.stored); "" for a one-off
    "ALTER TABLE reminders ADD COLUMN days TEXT NOT NULL DEFAULT ''",
]
ALL_WORDS = {"all", "every", "everything", "reminders"}
# words that say nothing about which reminder is meant
NOT_TASK_WORDS = {"a", "an", "the", "my", "me", "to", "about", "for", "of", "one", "that", "this",
                  "reminder", "reminders", "remind", "i", "it"}


def _to(task: str) -> str:
    """ "to call your mum", but "about the dentist appointment": a thing, not a thing to do."""
    thing = task.split(maxsplit=1)[0].lower() in {"the", "a", "an", "my", "our", "his", "her", "their"}
    return f"{'about' if thing else 'to'} {you_form(task)}"


def _task(text: str) -> str:
    """ "to call mum" -> "call mum"; "that the bins go out" -> "the bins go out"."""
    return re.sub(r"^(me\s+)?(to|that|about)\s+", "", text.strip(), flags=re.I).strip()


class ReminderSkill(BaseSkill):
    name = "reminders"
    intents = frozenset({"reminder_set", "reminder_query", "reminder_cancel"})
    summary = "remind you of things"

    def setup(self, store: Store) -> None:
        store.migrate("skills.reminders", SCHEMA)

    def handle(self, request: SkillRequest) -> SkillResult:
        handlers: dict[str, Callable[[SkillRequest], SkillResult]] = {
            "reminder_set": self._set, "reminder_query": self._query, "reminder_cancel": self._cancel}
        return handlers[request.understanding.intent](request)

    def _when(self, req: SkillRequest, repeating: bool = False, day: date | None = None) -> datetime | None:
        """The time said, or how long from now; else the hour of a part of the day said
        ("tomorrow morning": nine tomorrow) while it is still ahead ("tonight" said at ten
        past eight is asked about) or ``repeating`` ("every morning"), else None (asked for)."""
        at = req.value("time")
        if at is not None:
            if day is not None:  # a date said inside the task ("the dentist on friday at three")
                return datetime.combine(day, at.time())
            return at
        seconds = req.value("duration")
        if isinstance(seconds, (int, float)) and seconds > 0:
            return req.now + timedelta(seconds=seconds)
        hour = part_of_day(self._day_words(req))
        if hour is None:
            return None
        day = day or req.value("date")
        at = datetime.combine(day if isinstance(day, date) else req.now.date(), time(hour))
        return at if at > req.now or repeating else None

    @staticmethod
    def _day_words(req: SkillRequest, slots: tuple[str, ...] = ("recurrence", "date", "time")) -> str:
        """What was said of the day and time ("every evening", "tomorrow morning")."""
        return " ".join(t for t in (req.slot_text(n) for n in slots) if t)

    def _set(self, req: SkillRequest) -> SkillResult:
        task = _task(req.slot_text("task") or "")
        day = None
        if not req.slot_text("date") and (split := date_at_end(task, req.now)):
            task, day = split  # "remind me about the dentist on friday at 3 pm"
        if not task:
            return SkillResult("reminder.ask_task", missing="task")
        days = req.value("recurrence") or ()
        at = self._when(req, repeating=bool(days), day=day)
        if at is None:
            return SkillResult("reminder.ask_time", {"task": you_form(task), "to_task": _to(task)},
                               missing="time")
        if days:  # "every evening at eight" is 8 PM, "every day at eight" 8 AM
            part = part_of_day(self._day_words(req, ("recurrence", "date")))  # not "eight": no part
            hour = repeating_hour(at, req.slot_text("time") or "", part)
            at = next_on(days, hour, at.minute, req.now)
        elif at <= req.now:
            return SkillResult("reminder.past", {"when": say_when(at, req.now)}, ok=False)
        row = {"task": task, "due": to_epoch(at), "days": stored(days), "created": to_epoch(req.now)}
        with req.store.transaction() as c:
            req.topic["reminder"] = c.execute(
                "INSERT INTO reminders(task, due, days, created) VALUES(:task, :due, :days, :created)",
                row).lastrowid
        return SkillResult("reminder.set", {"task": you_form(task), "to_task": _to(task),
                                            "when": self._at(row, req.now),
                                            "at": at.isoformat(), "days": list(days)})

    def _query(self, req: SkillRequest) -> SkillResult:
        rows = req.store.query("SELECT task, due, days FROM reminders ORDER BY due")
        day = req.value("date")
        if isinstance(day, date):  # "do i have any reminders tomorrow"
            rows = [r for r in rows if _on(r, day)]
            if not rows:
                when = say_date(day, req.now.date())
                return SkillResult("reminder.none_on", {"when": when if when in ("today", "tomorrow") else f"on {when}"})
        if not rows:
            return SkillResult("reminder.none")
        items = [self._describe(r, req.now) for r in rows]
        return SkillResult("reminder.list", {"count": count_of(len(rows), "reminder"),
                                                 "reminders": say_list(items)})

    def _matching(self, req: SkillRequest, rows: list[dict]) -> list[dict]:
        """The reminders the words pick: those sharing the most words with the task said, at
        the time said ("five" is 5 AM or 5 PM when no am/pm was said; also a time in words that
        name no task), on the day said; "that reminder" is the one just set; nothing said picks
        them all."""
        task = _task(req.slot_text("task") or "")
        said = set(task.lower().split()) - NOT_TASK_WORDS
        shared = [len(said & set(r["task"].lower().split())) for r in rows]
        text = req.slot_text("time")
        if said and not any(shared) and not text and parse_clock(task):  # "the 5 PM one",
            text, said = task, set()  # answering "which reminder?"
        if said:
            rows = [r for r, n in zip(rows, shared, strict=True) if n and n == max(shared)]
        clock = parse_clock(text) if text else None
        if clock is not None:
            rows = [r for r in rows if is_at(clock, (d := from_epoch(r["due"])).hour, d.minute)]
        day = req.value("date")
        if isinstance(day, date):
            rows = [r for r in rows if _on(r, day)]
        if not (said or clock or isinstance(day, date)) and req.words() & THAT_WORDS:
            rows = [r for r in rows if r["id"] == req.topic.get("reminder")] or rows
        return rows

    @staticmethod
    def _at(row: dict, now: datetime) -> str:
        """ "6 PM tomorrow", or "8 AM every day" for a repeating one."""
        due, days = from_epoch(row["due"]), from_stored(row["days"])
        return f"{say_clock(due)} {say_days(days)}" if days else say_when(due, now)

    def _describe(self, row: dict, now: datetime) -> str:
        return f"{you_form(row['task'])} at {self._at(row, now)}"

    def _cancel(self, req: SkillRequest) -> SkillResult:
        rows = [dict(r) for r in req.store.query("SELECT id, task, due, days FROM reminders ORDER BY due")]
        if not rows:
            return SkillResult("reminder.none")
        wants_all = bool(req.words() & ALL_WORDS) and not req.slot_text("task")
        return cancel(req, "reminder", "reminders", self._matching(req, rows), wants_all, self._describe, "task")

    def due(self, store: Store, now: datetime) -> list[DueEvent]:
        """Say every reminder whose time has come; repeating ones move to their next day."""
        with store.transaction() as c:
            rows = c.execute("SELECT id, task, due, days FROM reminders WHERE due <= ?",
                             (to_epoch(now),)).fetchall()
            for r in rows:
                days, at = from_stored(r["days"]), from_epoch(r["due"])
                if days:
                    c.execute("UPDATE reminders SET due=? WHERE id=?",
                              (to_epoch(next_on(days, at.hour, at.minute, now)), r["id"]))
                else:
                    c.execute("DELETE FROM reminders WHERE id=?", (r["id"],))
        return [DueEvent("reminder.due", {"task": you_form(r["task"])}, from_epoch(r["due"]))
                for r in rows]


def _on(row: dict, day: date) -> bool:
    """Whether a reminder is said on ``day``: its date, or one of its repeating weekdays."""
    days = from_stored(row["days"])
    due = from_epoch(row["due"]).date()
    return day.weekday() in days and day >= due if days else due == day
