"""Timers: several at once, named ("pasta timer"), query / cancel one or all / pause / resume /
change ("make it ten"). Stored as absolute deadlines so they still fire after a restart."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from assistant.skills.base import (
    BaseSkill,
    DueEvent,
    SkillRequest,
    SkillResult,
    from_epoch,
    to_epoch,
)
from assistant.skills.cancelling import THAT_WORDS
from assistant.skills.render import count_of, say_duration, say_list
from assistant.store import Store
from assistant.values.duration import parse_duration

SCHEMA = [
    "CREATE TABLE timers (id INTEGER PRIMARY KEY, name TEXT, duration REAL NOT NULL, "
    "deadline REAL, remaining REAL, created REAL NOT NULL)"
]
ALL_WORDS = {"all", "every", "everything", "timers"}
RESUME_WORDS = {"resume", "continue", "unpause", "restart", "start"}
EXTEND_WORDS = {"add", "more", "extra", "another", "extend"}


@dataclass
class Timer:
    id: int
    name: str | None
    duration: float
    deadline: float | None  # epoch seconds; None while paused
    remaining: float | None  # seconds left when paused

    @property
    def label(self) -> str:
        """ "pasta timer", or "5 minute timer" for an unnamed one."""
        return timer_label(self.name, self.duration)

    def left(self, now: datetime) -> float:
        if self.deadline is None:
            return self.remaining or 0.0
        return max(0.0, self.deadline - to_epoch(now))


def timer_label(name: str | None, duration: float) -> str:
    if name:
        return f"{name} timer"
    return re.sub(r"(\d+ \w+?)s\b", r"\1", say_duration(duration)) + " timer"


def active_timers(store: Store) -> list[Timer]:
    """Every running or paused timer, soonest first (also used by ``assistant timers``)."""
    rows = store.query("SELECT id, name, duration, deadline, remaining FROM timers "
                       "ORDER BY COALESCE(deadline, created + remaining)")
    return [Timer(**dict(r)) for r in rows]


_UNIT = re.compile(r"(second|minute|hour)s?$")


def durations_said(text: str) -> set[float]:
    """Every length of time named in ``text``: "cancel the 5 minute timer" -> {300}, for when
    the NLU left the timer's name out."""
    words = text.lower().replace("-", " ").split()
    found = set()
    for end, word in enumerate(words, 1):
        if _UNIT.match(word):
            seconds = (parse_duration(" ".join(words[start:end])) for start in range(max(0, end - 6), end))
            found |= {s for s in seconds if s}
    return found


def _by_length(req: SkillRequest, timers: list[Timer]) -> Timer | None:
    """The one unnamed timer as long as a length of time said ("the 5 minute timer", its
    length not tagged as its name), if exactly one is."""
    said = durations_said(req.text)
    found = [t for t in timers if not t.name and t.duration in said]
    return found[0] if len(found) == 1 else None


def _unit_of(seconds: float) -> int:
    """The unit a duration was most likely spoken in, for "make it ten"."""
    return 3600 if seconds % 3600 == 0 else 60 if seconds % 60 == 0 else 1


class TimerSkill(BaseSkill):
    name = "timers"
    intents = frozenset({"timer_set", "timer_query", "timer_cancel", "timer_pause", "timer_change"})
    summary = "set timers"

    def setup(self, store: Store) -> None:
        store.migrate("skills.timers", SCHEMA)

    def handle(self, request: SkillRequest) -> SkillResult:
        handlers: dict[str, Callable[[SkillRequest], SkillResult]] = {
            "timer_set": self._set, "timer_query": self._query, "timer_cancel": self._cancel,
            "timer_pause": self._pause, "timer_change": self._change,
        }
        return handlers[request.understanding.intent](request)

    def _target(self, req: SkillRequest, timers: list[Timer], use_topic: bool
                ) -> Timer | SkillResult:
        """The timer meant: by name, else the only one, else the one whose length was said,
        else the one just talked about."""
        name = req.value("name")
        if not timers:
            return SkillResult("timer.none")
        if name:
            spoken_duration = parse_duration(name)
            for t in timers:
                if t.name == name or (t.name and set(name.split()) & set(t.name.split())):
                    return t
                if not t.name and spoken_duration == t.duration:  # "the ten minute one"
                    return t
            return SkillResult("timer.not_found", {"name": name}, ok=False)
        if len(timers) == 1:
            return timers[0]
        by_length = _by_length(req, timers)
        if by_length is not None:
            return by_length
        topic = req.topic.get("timer")
        if use_topic and topic is not None:
            for t in timers:
                if t.id == topic:
                    return t
        names = [t.label for t in timers]
        return SkillResult("timer.which", {"timers": say_list(names, "or")}, missing="name")

    def _set(self, req: SkillRequest) -> SkillResult:
        duration = req.value("duration")
        if not isinstance(duration, (int, float)) or duration <= 0:
            return SkillResult("timer.ask_duration", missing="duration")
        name = req.value("name")
        now = to_epoch(req.now)
        with req.store.transaction() as c:
            if name:
                c.execute("DELETE FROM timers WHERE name=?", (name,))
            cur = c.execute(
                "INSERT INTO timers(name, duration, deadline, created) VALUES(?, ?, ?, ?)",
                (name, duration, now + duration, now))
        req.topic["timer"] = cur.lastrowid
        label = timer_label(name, duration)
        what = f"{name + ' ' if name else ''}timer for {say_duration(duration)}"
        return SkillResult("timer.set", {"timer": label, "duration": say_duration(duration),
                                         "what": what, "seconds": duration, "name": name})

    def _query(self, req: SkillRequest) -> SkillResult:
        timers = active_timers(req.store)
        target = self._target(req, timers, use_topic=False)
        if isinstance(target, SkillResult) and target.key == "timer.which":  # none picked: all
            items = [f"{t.label} with {say_duration(t.left(req.now), precise=False)} left"
                     + (", paused" if t.deadline is None else "") for t in timers]
            return SkillResult("timer.list", {"count": count_of(len(timers), "timer"),
                                              "timers": say_list(items)})
        if isinstance(target, SkillResult):
            return target
        key = "timer.paused_left" if target.deadline is None else "timer.left"
        return SkillResult(key, {"timer": target.label,
                                 "left": say_duration(target.left(req.now), precise=False),
                                 "seconds": round(target.left(req.now))})

    def _cancel(self, req: SkillRequest) -> SkillResult:
        timers = active_timers(req.store)
        if len(timers) > 1 and not req.value("name") and (req.words() & ALL_WORDS):
            with req.store.transaction() as c:
                c.execute("DELETE FROM timers")
            return SkillResult("timer.cancelled_all", {"count": count_of(len(timers), "timer")})
        # "cancel it" / "cancel that": the one just talked about; otherwise never a guess
        target = self._target(req, timers, use_topic=bool(req.words() & THAT_WORDS))
        if isinstance(target, SkillResult):
            return target
        with req.store.transaction() as c:
            c.execute("DELETE FROM timers WHERE id=?", (target.id,))
        return SkillResult("timer.cancelled", {"timer": target.label})

    def _pause(self, req: SkillRequest) -> SkillResult:
        target = self._target(req, active_timers(req.store), use_topic=True)
        if isinstance(target, SkillResult):
            return target
        left = target.left(req.now)
        data = {"timer": target.label, "left": say_duration(left, precise=False)}
        if req.words() & RESUME_WORDS:
            if target.deadline is not None:
                return SkillResult("timer.already_running", data)
            sql, params = "UPDATE timers SET deadline=?, remaining=NULL WHERE id=?", (
                to_epoch(req.now) + left, target.id)
            key = "timer.resumed"
        else:
            if target.deadline is None:
                return SkillResult("timer.already_paused", data)
            sql, params = "UPDATE timers SET deadline=NULL, remaining=? WHERE id=?", (left, target.id)
            key = "timer.paused"
        with req.store.transaction() as c:
            c.execute(sql, params)
        req.topic["timer"] = target.id
        return SkillResult(key, data)

    def _change(self, req: SkillRequest) -> SkillResult:
        target = self._target(req, active_timers(req.store), use_topic=True)
        if isinstance(target, SkillResult):
            return target
        duration = req.value("duration")
        if not isinstance(duration, (int, float)):
            spoken = req.slot_text("duration") or req.text
            duration = parse_duration(spoken, default_unit=_unit_of(target.duration))
        if not duration or duration <= 0:
            return SkillResult("timer.ask_change", {"timer": target.label}, missing="duration")
        extend = bool(req.words() & EXTEND_WORDS)
        left = target.left(req.now) + duration if extend else duration
        now = to_epoch(req.now)
        with req.store.transaction() as c:
            if target.deadline is None:
                c.execute("UPDATE timers SET remaining=?, duration=? WHERE id=?",
                          (left, left, target.id))
            else:
                c.execute("UPDATE timers SET deadline=?, duration=? WHERE id=?",
                          (now + left, left, target.id))
        req.topic["timer"] = target.id
        return SkillResult("timer.extended" if extend else "timer.changed",
                           {"timer": timer_label(target.name, left) if extend else
                            f"{target.name} timer" if target.name else "timer", "duration": say_duration(duration),
                            "left": say_duration(left), "seconds": left})

    def due(self, store: Store, now: datetime) -> list[DueEvent]:
        """Claim (delete) every running timer whose deadline has passed."""
        with store.transaction() as c:
            rows = c.execute("SELECT id, name, duration, deadline, remaining FROM timers "
                             "WHERE deadline IS NOT NULL AND deadline <= ?",
                             (to_epoch(now),)).fetchall()
            c.executemany("DELETE FROM timers WHERE id=?", [(r["id"],) for r in rows])
        timers = [Timer(**dict(r)) for r in rows]
        return [DueEvent("timer.done", {"timer": t.label, "name": t.name},
                         from_epoch(t.deadline or 0)) for t in timers]
