"""Reminders: "remind me to call mum at six" -> said back at six, even after a restart; "cancel
my reminder to call mum" takes it back."""

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
from assistant.skills.cancelling import cancel
from assistant.skills.render import count_of, say_list, say_when, you_form
from assistant.store import Store
from assistant.values.clock import is_at, parse_clock, part_of_day

SCHEMA = [
    "CREATE TABLE reminders (id INTEGER PRIMARY KEY, task TEXT NOT NULL, due REAL NOT NULL, "
    "created REAL NOT NULL)"
]
ALL_WORDS = {"all", "every", "everything", "reminders"}
THAT_WORDS = {"that", "this", "it"}  # "cancel that reminder": the one just set
# words that say nothing about which reminder is meant
NOT_TASK_WORDS = {"a", "an", "the", "my", "me", "to", "about", "for", "of", "one", "that", "this",
                  "reminder", "reminders", "remind", "i", "it"}


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

    def _when(self, req: SkillRequest) -> datetime | None:
        """The time said, or how long from now; else the hour of a part of the day said
        ("tomorrow morning": nine tomorrow) while it is still ahead ("tonight" said at ten
        past eight is asked about), else None (asked for)."""
        at = req.value("time")
        if at is not None:
            return at
        seconds = req.value("duration")
        if isinstance(seconds, (int, float)) and seconds > 0:
            return req.now + timedelta(seconds=seconds)
        hour = part_of_day(" ".join(t for t in (req.slot_text("date"), req.slot_text("time")) if t))
        if hour is None:
            return None
        day = req.value("date")
        at = datetime.combine(day if isinstance(day, date) else req.now.date(), time(hour))
        return at if at > req.now else None

    def _set(self, req: SkillRequest) -> SkillResult:
        task = _task(req.slot_text("task") or "")
        if not task:
            return SkillResult("reminder.ask_task", missing="task")
        at = self._when(req)
        if at is None:
            return SkillResult("reminder.ask_time", {"task": you_form(task)}, missing="time")
        if at <= req.now:
            return SkillResult("reminder.past", {"when": say_when(at, req.now)}, ok=False)
        with req.store.transaction() as c:
            req.topic["reminder"] = c.execute("INSERT INTO reminders(task, due, created) VALUES(?, ?, ?)",
                                              (task, to_epoch(at), to_epoch(req.now))).lastrowid
        return SkillResult("reminder.set", {"task": you_form(task), "when": say_when(at, req.now),
                                            "at": at.isoformat()})

    def _query(self, req: SkillRequest) -> SkillResult:
        rows = req.store.query("SELECT task, due FROM reminders ORDER BY due")
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
            rows = [r for r in rows if from_epoch(r["due"]).date() == day]
        if not (said or clock or isinstance(day, date)) and req.words() & THAT_WORDS:
            rows = [r for r in rows if r["id"] == req.topic.get("reminder")] or rows
        return rows

    def _describe(self, row: dict, now: datetime) -> str:
        return f"{you_form(row['task'])} at {say_when(from_epoch(row['due']), now)}"

    def _cancel(self, req: SkillRequest) -> SkillResult:
        rows = [dict(r) for r in req.store.query("SELECT id, task, due FROM reminders ORDER BY due")]
        if not rows:
            return SkillResult("reminder.none")
        wants_all = bool(req.words() & ALL_WORDS) and not req.slot_text("task")
        return cancel(req, "reminder", "reminders", self._matching(req, rows), wants_all, self._describe, "task")

    def due(self, store: Store, now: datetime) -> list[DueEvent]:
        with store.transaction() as c:
            rows = c.execute("SELECT id, task, due FROM reminders WHERE due <= ?",
                             (to_epoch(now),)).fetchall()
            c.executemany("DELETE FROM reminders WHERE id=?", [(r["id"],) for r in rows])
        return [DueEvent("reminder.due", {"task": you_form(r["task"])}, from_epoch(r["due"]))
                for r in rows]
