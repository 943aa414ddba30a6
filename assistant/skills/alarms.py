"""Alarms at a time of day, one-off or repeating on weekdays; the next ring is stored as an
absolute time so a restart neither loses nor repeats it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from assistant.events import FOLLOW_UP
from assistant.skills.base import (
    BaseSkill,
    DueEvent,
    SkillRequest,
    SkillResult,
    from_epoch,
    to_epoch,
)
from assistant.skills.cancelling import THAT_WORDS, cancel
from assistant.skills.render import count_of, say_clock, say_days, say_list, say_when
from assistant.store import Store
from assistant.values.clock import is_at, parse_clock, repeating_hour
from assistant.values.recurrence import from_stored, named_days, next_on, stored

SCHEMA = [
    "CREATE TABLE alarms (id INTEGER PRIMARY KEY, hour INTEGER NOT NULL, minute INTEGER NOT NULL, "
    "days TEXT NOT NULL DEFAULT '', next_at REAL NOT NULL, created REAL NOT NULL)",
    # when an alarm last rang: "snooze" after it rings sets it again a few minutes on
    "CREATE TABLE alarm_rang (id INTEGER PRIMARY KEY CHECK (id = 1), at REAL NOT NULL)",
]
ALL_WORDS = {"all", "every", "alarms"}
INSERT = ("INSERT INTO alarms(hour, minute, days, next_at, created) "
          "VALUES(:hour, :minute, :days, :next_at, :created)")
SNOOZE = timedelta(minutes=9)  # as alarm clocks do
SNOOZE_WITHIN = timedelta(minutes=30)  # "snooze" this long after an alarm rang still means it


class AlarmSkill(BaseSkill):
    name = "alarms"
    intents = frozenset({"alarm_set", "alarm_query", "alarm_cancel"})
    summary = "wake you with alarms"

    def setup(self, store: Store) -> None:
        store.migrate("skills.alarms", SCHEMA)

    def handle(self, request: SkillRequest) -> SkillResult:
        if "snooze" in request.words():  # understood as cancelling or setting an alarm
            return self._snooze(request)
        handlers: dict[str, Callable[[SkillRequest], SkillResult]] = {
            "alarm_set": self._set, "alarm_query": self._query, "alarm_cancel": self._cancel}
        return handlers[request.understanding.intent](request)

    def _describe(self, row: dict, now: datetime) -> str:
        days = from_stored(row["days"])
        if days:
            at = datetime.min.replace(hour=row["hour"], minute=row["minute"])
            return f"{say_clock(at)} {say_days(days)}"
        return say_when(from_epoch(row["next_at"]), now)

    def _alarms(self, store: Store) -> list[dict]:
        return [dict(r) for r in store.query("SELECT * FROM alarms ORDER BY next_at")]

    def _set(self, req: SkillRequest) -> SkillResult:
        at = req.value("time")
        if at is None:
            return SkillResult("alarm.ask_time", missing="time")
        days = req.value("recurrence") or ()
        if days:
            # "every weekday at seven": a repeating alarm without am/pm is in the morning
            at = next_on(days, repeating_hour(at, req.slot_text("time") or ""), at.minute, req.now)
        elif at <= req.now:
            return SkillResult("alarm.past", {"when": say_when(at, req.now)}, ok=False)
        row = {"hour": at.hour, "minute": at.minute, "days": stored(days),
               "next_at": to_epoch(at)}
        with req.store.transaction() as c:
            if req.understanding.source == FOLLOW_UP and "alarm" in req.topic:
                c.execute("DELETE FROM alarms WHERE id=?", (req.topic.pop("alarm"),))
            dup = c.execute("SELECT id FROM alarms WHERE hour=:hour AND minute=:minute AND "
                            "days=:days AND next_at=:next_at", row).fetchone()
            if not dup:
                req.topic["alarm"] = c.execute(INSERT, {**row, "created": to_epoch(req.now)}).lastrowid
        desc = self._describe(row, req.now)
        return SkillResult("alarm.exists" if dup else "alarm.set",
                           {"when": desc, "at": at.isoformat(), "days": list(days)})

    def _snooze(self, req: SkillRequest) -> SkillResult:
        """The alarm that just rang, again in ``SNOOZE``."""
        rang = req.store.query("SELECT at FROM alarm_rang WHERE id=1")
        if not rang or req.now - from_epoch(rang[0]["at"]) > SNOOZE_WITHIN:
            return SkillResult("alarm.nothing_to_snooze", ok=False)
        at = req.now.replace(microsecond=0) + SNOOZE
        with req.store.transaction() as c:
            c.execute(INSERT, {"hour": at.hour, "minute": at.minute, "days": "",
                               "next_at": to_epoch(at), "created": to_epoch(req.now)})
        return SkillResult("alarm.snoozed", {"minutes": SNOOZE.seconds // 60, "at": at.isoformat()})

    def _query(self, req: SkillRequest) -> SkillResult:
        alarms = self._alarms(req.store)
        if not alarms:
            return SkillResult("alarm.none")
        items = [self._describe(a, req.now) for a in alarms]
        return SkillResult("alarm.list", {"count": count_of(len(alarms), "alarm"), "alarms": say_list(items)})

    def _matching(self, req: SkillRequest, alarms: list[dict]) -> list[dict]:
        """Alarms at the spoken time ("seven" matches 7 AM and 7 PM when no am/pm was said), on
        the days named ("the saturday alarm", "my weekday alarm"); "that one" / "it" is the one
        just set."""
        text = req.slot_text("time")
        # days said in the time slot ("weekday", "the saturday one" answering "which?"): no time
        days_as_time = named_days(text) if text else frozenset()
        named = named_days(req.text) | days_as_time
        if named:
            alarms = [a for a in alarms if named & set(from_stored(a["days"]) or
                                                       {from_epoch(a["next_at"]).weekday()})]
        if days_as_time:  # not a time of day
            text = None
        clock = parse_clock(text) if text else None
        if clock is None and not days_as_time:
            at = req.value("time")
            clock = (at.hour, at.minute, "24h") if isinstance(at, datetime) else None
        if clock is None and req.words() & THAT_WORDS:  # "cancel that": the one just set
            return [a for a in alarms if a["id"] == req.topic.get("alarm")] or alarms
        if clock is None:
            return alarms
        return [a for a in alarms if is_at(clock, a["hour"], a["minute"])]

    def _cancel(self, req: SkillRequest) -> SkillResult:
        alarms = self._alarms(req.store)
        if not alarms:
            return SkillResult("alarm.none")
        wants_all = bool(req.words() & ALL_WORDS) and not req.slot_text("time")
        return cancel(req, "alarm", "alarms", self._matching(req, alarms), wants_all, self._describe, "time")

    def due(self, store: Store, now: datetime) -> list[DueEvent]:
        """Ring every alarm whose time has come; repeating ones move to their next day."""
        events = []
        with store.transaction() as c:
            for r in c.execute("SELECT * FROM alarms WHERE next_at <= ?", (to_epoch(now),)).fetchall():
                at = from_epoch(r["next_at"])
                days = from_stored(r["days"])
                if days:
                    nxt = next_on(days, r["hour"], r["minute"], now)
                    c.execute("UPDATE alarms SET next_at=? WHERE id=?", (to_epoch(nxt), r["id"]))
                else:
                    c.execute("DELETE FROM alarms WHERE id=?", (r["id"],))
                events.append(DueEvent("alarm.ring", {"clock": say_clock(at)}, at))
            if events:
                c.execute("INSERT OR REPLACE INTO alarm_rang(id, at) VALUES(1, ?)", (to_epoch(now),))
        return events
