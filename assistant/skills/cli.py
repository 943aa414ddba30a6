"""``assistant timers``: list the running and paused timers from the store."""

from __future__ import annotations

import argparse
from datetime import datetime

from assistant import store as store_mod


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("timers", help="list active timers", parents=[common])
    p.add_argument("--db", metavar="FILE", help="database (default: the data folder's hearth.db)")
    p.set_defaults(func=run)


def _clock(seconds: float) -> str:
    s = int(round(seconds))
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"


def run(args: argparse.Namespace) -> int:
    from assistant.skills.timers import TimerSkill, active_timers

    store = store_mod.Store(args.db or store_mod.default_path())
    TimerSkill().setup(store)
    now = datetime.now()
    timers = active_timers(store)
    if not timers:
        print("no timers")
    for t in timers:
        state = "paused" if t.deadline is None else "left"
        print(f"{t.label:<24} {_clock(t.left(now)):>8} {state}")
    store.close()
    return 0
