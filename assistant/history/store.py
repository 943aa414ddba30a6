"""Dialogue history in the shared SQLite store: one row per turn plus feedback rows on turns.

The recorder is called once per turn by the loop. It also works out what the new turn says
about the previous one (see :mod:`assistant.history.feedback`), prunes turns past the retention
limit, and records nothing at all when history is switched off.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict
from datetime import datetime
from typing import Any

from assistant.config import HistoryConfig
from assistant.dialogue.clarify import ASKS_YES_OR_NO
from assistant.errors import HearthError
from assistant.events import Turn
from assistant.history import feedback as fb
from assistant.store import Store
from assistant.understanding.intents import REQUIRED_SLOTS

MODULE = "history"
SCHEMA: list[str] = [
    """
    CREATE TABLE history_turns (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        ts REAL NOT NULL,
        audio_seconds REAL NOT NULL DEFAULT 0,
        asr_text TEXT NOT NULL,
        asr_confidence REAL NOT NULL DEFAULT 1,
        asr_alternatives TEXT NOT NULL DEFAULT '[]',
        intent TEXT,
        intent_confidence REAL,
        in_scope INTEGER,
        intent_alternatives TEXT NOT NULL DEFAULT '[]',
        slots TEXT NOT NULL DEFAULT '[]',
        nlu_source TEXT NOT NULL DEFAULT '',
        reply_text TEXT NOT NULL DEFAULT '',
        reply_intent TEXT NOT NULL DEFAULT '',
        reply_ok INTEGER NOT NULL DEFAULT 1,
        asked_slot TEXT NOT NULL DEFAULT '',
        latencies_ms TEXT NOT NULL DEFAULT '{}',
        stage_times TEXT NOT NULL DEFAULT '{}',
        barged_in INTEGER NOT NULL DEFAULT 0,
        audio BLOB
    );
    CREATE INDEX history_turns_ts ON history_turns(ts);
    CREATE TABLE history_feedback (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        turn_id INTEGER NOT NULL REFERENCES history_turns(id) ON DELETE CASCADE,
        kind TEXT NOT NULL,
        source_turn_id INTEGER REFERENCES history_turns(id) ON DELETE SET NULL,
        detail TEXT NOT NULL DEFAULT '{}'
    );
    CREATE INDEX history_feedback_turn ON history_feedback(turn_id)
    """,
]

DAY_S = 86400.0
_RECENT = 4  # earlier turns that feedback rules look back at


def open_history(store: Store) -> Store:
    """Make sure the history tables exist; returns the store for chaining."""
    store.migrate(MODULE, SCHEMA)
    return store


class HistoryRecorder:
    """Writes each turn and the feedback it implies; ``clock`` gives wall-clock seconds."""

    def __init__(
        self, store: Store, cfg: HistoryConfig, clock: Callable[[], float] = time.time
    ) -> None:
        self.store = open_history(store)
        self.cfg = cfg
        self.clock = clock

    def record(self, turn: Turn, audio: bytes | None = None) -> int:
        """Store ``turn`` (and ``audio`` only if ``store_audio``); returns its id, 0 when off."""
        if not self.cfg.enabled:
            return 0
        now = self.clock()
        u = turn.understanding
        slots = [asdict(s) for s in u.slots] if u else []
        times = {k: v for k, v in asdict(turn.times).items() if v is not None}
        barged = bool(turn.reply.data.get("barged_in", False))
        asked = asked_slot(turn)
        row = {
            "ts": now,
            "audio_seconds": float(turn.audio_seconds),
            # the words the understanding read, which its slots' word indices count: a typed
            # "add 12-ounce cups" was read as "add twelve ounce cups" (understanding/templates.py)
            "asr_text": u.text if u else turn.transcript.text,
            "asr_confidence": float(turn.transcript.confidence),
            "asr_alternatives": json.dumps(list(turn.transcript.alternatives)),
            "intent": u.intent if u else None,
            "intent_confidence": float(u.confidence) if u else None,
            "in_scope": int(u.in_scope) if u else None,
            "intent_alternatives": json.dumps([list(a) for a in u.alternatives] if u else []),
            "slots": json.dumps(slots, default=str),
            "nlu_source": u.source if u else "",
            "reply_text": turn.reply.text or "",
            "reply_intent": turn.reply.intent,
            "reply_ok": int(turn.reply.ok),
            "asked_slot": asked,
            "latencies_ms": json.dumps(turn.times.durations_ms()),
            "stage_times": json.dumps(times),
            "barged_in": int(barged),
            "audio": audio if (self.cfg.store_audio and audio) else None,
        }
        cols = ", ".join(row)
        marks = ", ".join(f":{k}" for k in row)
        with self.store.transaction() as c:
            if self.cfg.retention_days > 0:
                c.execute("DELETE FROM history_turns WHERE ts < ?",
                          (now - self.cfg.retention_days * DAY_S,))
            recent = [_view(r) for r in c.execute(
                "SELECT * FROM history_turns WHERE ts >= ? ORDER BY id DESC LIMIT ?",
                (now - fb.FOLLOW_WINDOW_S, _RECENT),
            )]
            turn_id = int(c.execute(f"INSERT INTO history_turns({cols}) VALUES({marks})", row).lastrowid)
            new = fb.TurnView(
                id=turn_id, ts=now, text=turn.transcript.text, intent=u.intent if u else "",
                confidence=u.confidence if u else 0.0, ok=turn.reply.ok,
                speech_start=turn.times.speech_start, done=turn.times.done, barged_in=barged,
                asked=asked,
            )
            for f in fb.derive(new, slots, recent):
                c.execute(
                    "INSERT INTO history_feedback(turn_id, kind, source_turn_id, detail) "
                    "VALUES(?, ?, ?, ?)",
                    (f.turn_id, f.kind, f.source_id, json.dumps(f.detail, default=str)),
                )
        return turn_id


def asked_slot(turn: Turn) -> str:
    """What the reply asked for: a yes or no about the understanding ("did you mean ...?",
    ``fb.YES_OR_NO``), else the slot, the dialogue's ``missing`` or a required one absent."""
    if not turn.reply.expects_answer or turn.understanding is None:
        return ""
    if turn.reply.data.get("key") in ASKS_YES_OR_NO:
        return fb.YES_OR_NO
    if turn.reply.data.get("missing"):
        return str(turn.reply.data["missing"])
    have = {s.name for s in turn.understanding.slots}
    return next((n for n in REQUIRED_SLOTS.get(turn.understanding.intent, ()) if n not in have), "")


def _view(r: Any) -> fb.TurnView:
    times = json.loads(r["stage_times"])
    return fb.TurnView(
        id=r["id"], ts=r["ts"], text=r["asr_text"], intent=r["intent"] or "",
        confidence=r["intent_confidence"] if r["intent_confidence"] is not None else 0.0,
        ok=bool(r["reply_ok"]), speech_start=times.get("speech_start"), done=times.get("done"),
        barged_in=bool(r["barged_in"]), asked=r["asked_slot"],
    )


def turns(store: Store, since: float | None = None, limit: int | None = None,
          newest_first: bool = False) -> Iterator[dict[str, Any]]:
    """Stored turns as plain dicts (JSON fields decoded, feedback attached), oldest first."""
    open_history(store)
    sql = "SELECT * FROM history_turns"
    params: list[Any] = []
    if since is not None:
        sql += " WHERE ts >= ?"
        params.append(since)
    sql += " ORDER BY id DESC" if newest_first else " ORDER BY id"
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    feedback: dict[int, list[dict[str, Any]]] = {}
    for f in store.query("SELECT * FROM history_feedback ORDER BY id"):
        feedback.setdefault(f["turn_id"], []).append(
            {"kind": f["kind"], "source_turn_id": f["source_turn_id"], "detail": json.loads(f["detail"])}
        )
    for r in store.query(sql, tuple(params)):
        d = dict(r)
        for k in ("asr_alternatives", "intent_alternatives", "slots", "latencies_ms", "stage_times"):
            d[k] = json.loads(d[k])
        d["in_scope"] = None if d["in_scope"] is None else bool(d["in_scope"])
        d["reply_ok"] = bool(d["reply_ok"])
        d["barged_in"] = bool(d["barged_in"])
        d["has_audio"] = d.pop("audio") is not None
        d["time"] = datetime.fromtimestamp(d["ts"]).isoformat(timespec="seconds")
        d["feedback"] = feedback.get(d["id"], [])
        yield d


def count(store: Store) -> int:
    """Number of stored turns."""
    open_history(store)
    return int(store.query("SELECT COUNT(*) AS n FROM history_turns")[0]["n"])


def forget(store: Store, since: float | None = None) -> int:
    """Delete all turns (or those at or after ``since``) so the bytes are gone from disk too:
    the freed pages are zeroed and the WAL that held them is checkpointed and truncated (a
    HearthError says so when another process's reader keeps it from that)."""
    open_history(store)
    store.query("PRAGMA secure_delete=ON")
    try:
        with store.transaction() as c:
            if since is None:
                n = c.execute("DELETE FROM history_turns").rowcount
            else:
                n = c.execute("DELETE FROM history_turns WHERE ts >= ?", (since,)).rowcount
    finally:
        store.query("PRAGMA secure_delete=OFF")
    if not store.checkpoint():
        raise HearthError(f"forgot {n} turns, but another process (the assistant?) is reading the "
                          "database, so copies stay in its WAL file: stop it and run forget again")
    return int(n)
