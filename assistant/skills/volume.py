"""Speaker volume: up / down / set / mute, persisted in the store. The loop calls
:func:`read_volume` to set the sink gain."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from assistant.skills.base import BaseSkill, SkillRequest, SkillResult
from assistant.store import Store

SCHEMA = ["CREATE TABLE skill_settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)"]
DEFAULT_LEVEL = 70
STEP = 10
UNMUTE_WORDS = {"unmute", "unmuted"}


@dataclass(frozen=True)
class Volume:
    level: int  # 0..100
    muted: bool

    @property
    def gain(self) -> float:
        """0.0..1.0 for the sink; 0 while muted."""
        return 0.0 if self.muted else self.level / 100


def read_volume(store: Store) -> Volume:
    """The persisted volume (defaults when never set)."""
    try:
        rows = {r["key"]: r["value"] for r in store.query(
            "SELECT key, value FROM skill_settings WHERE key IN ('volume', 'muted')")}
    except sqlite3.OperationalError:  # no table yet: the volume skill never ran on this db
        rows = {}
    return Volume(int(rows.get("volume", DEFAULT_LEVEL)), rows.get("muted") == "1")


def write_volume(store: Store, volume: Volume) -> None:
    with store.transaction() as c:
        c.executemany("INSERT INTO skill_settings(key, value) VALUES(?, ?) "
                      "ON CONFLICT(key) DO UPDATE SET value=excluded.value",
                      [("volume", str(volume.level)), ("muted", "1" if volume.muted else "0")])


class VolumeSkill(BaseSkill):
    name = "volume"
    intents = frozenset({"volume_up", "volume_down", "volume_set", "volume_mute"})
    summary = "change my volume"

    def setup(self, store: Store) -> None:
        store.migrate("skills.settings", SCHEMA)

    def handle(self, request: SkillRequest) -> SkillResult:
        old = read_volume(request.store)
        intent = request.understanding.intent
        if intent == "volume_mute":
            unmute = bool(request.words() & UNMUTE_WORDS)
            new = Volume(old.level, not unmute)
            write_volume(request.store, new)
            return SkillResult("volume.unmuted" if unmute else "volume.muted",
                               {"level": new.level, "muted": new.muted})
        if intent == "volume_set":
            level = request.value("level")
            if not isinstance(level, (int, float)):
                return SkillResult("volume.ask_level", {"level": old.level}, missing="level")
            target = int(round(level))
        else:
            target = old.level + (STEP if intent == "volume_up" else -STEP)
        new = Volume(max(0, min(100, target)), False)
        write_volume(request.store, new)
        key = ("volume.at_max" if new.level == old.level == 100 else
               "volume.at_min" if new.level == old.level == 0 else "volume.set")
        return SkillResult(key, {"level": new.level, "muted": False})
