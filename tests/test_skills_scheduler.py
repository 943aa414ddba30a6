"""The scheduler: timers, alarms and reminders fire from the store, once each, even after the
process that set them was killed with SIGKILL; ones that fell due while off say so."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

from skills_helpers import Conversation, FakeClock

from assistant.events import Reply
from assistant.skills.scheduler import Scheduler
from assistant.store import Store

REPO = Path(__file__).resolve().parent.parent

CHILD = textwrap.dedent("""
    import sys, time
    from assistant.dialogue.manager import DialogueManager
    from assistant.events import Slot, Understanding
    from assistant.store import Store

    dm = DialogueManager(Store(sys.argv[1]), plugins=False)
    for name, duration in (("egg", "0.2 seconds"), ("pasta", "1.5 seconds")):
        dm.respond(Understanding(f"set a {name} timer", "timer_set", 0.99,
                                 [Slot("name", name), Slot("duration", duration)]))
    print("ready", flush=True)
    time.sleep(60)
""")


def test_timer_survives_kill_9(tmp_path: Path) -> None:
    db = tmp_path / "hearth.db"
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(db)], cwd=REPO,
                             stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "ready"
        time.sleep(0.4)  # the egg timer runs out while nothing is watching
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
    assert child.returncode == -signal.SIGKILL

    fired: list[Reply] = []
    got_pasta = threading.Event()

    def callback(reply: Reply) -> None:
        fired.append(reply)
        if "pasta" in reply.text:
            got_pasta.set()

    scheduler = Scheduler(Store(db), callback=callback, interval=0.05)
    first = scheduler.poll()
    assert [r.text for r in first] == ["Your egg timer finished while I was off."]
    assert first[0].data["missed"] and first[0].data["chime"]
    scheduler.start()
    try:
        assert got_pasta.wait(5), [r.text for r in fired]
    finally:
        scheduler.stop()
    assert len(fired) == 2 and fired[1].text.endswith("Your pasta timer is done.")
    assert not fired[1].data["missed"]
    assert Scheduler(Store(db)).poll() == []  # nothing fires twice


def test_thread_fires_while_the_loop_is_busy(tmp_path: Path) -> None:
    c = Conversation(tmp_path / "h.db")
    c.say("set a tea timer for one second", "timer_set", name="tea", duration="one second")
    got = threading.Event()
    scheduler = Scheduler(Store(tmp_path / "h.db"), callback=lambda r: got.set(),
                          clock=lambda: c.clock.now + timedelta(seconds=2), interval=0.02)
    scheduler.start()
    try:
        assert got.wait(2)
    finally:
        scheduler.stop()


def test_alarm_repeats_on_weekdays_only() -> None:
    clock = FakeClock(datetime(2025, 3, 14, 14, 0))  # Friday
    c = Conversation(clock=clock)
    r = c.say("wake me at seven every weekday", "alarm_set", time="seven",
              recurrence="every weekday")
    assert r.data["key"] == "alarm.set" and "7 AM on weekdays" in r.text
    rings = []
    for _ in range(4 * 24 * 4):  # four days in 15-minute steps
        clock.advance(minutes=15)
        rings += [(clock.now, x.text) for x in c.dm.due()]
    assert [t.strftime("%a %H:%M") for t, _ in rings] == ["Mon 07:00", "Tue 07:00"]
    assert "7 AM" in rings[0][1]


def test_a_reminder_repeats_on_its_days() -> None:
    """ "remind me every monday at nine to water the plants" was set once, for the next Monday."""
    clock = FakeClock(datetime(2025, 3, 14, 14, 0))  # Friday
    c = Conversation(clock=clock)
    r = c.say("remind me every monday at nine to water the plants", "reminder_set",
              task="water the plants", time="nine", recurrence="every monday")
    assert r.data["at"] == "2025-03-17T09:00:00" and "9 AM on Mondays" in r.text
    r = c.say("remind me every evening at eight to take my pills", "reminder_set",
              task="take my pills", time="eight", recurrence="every evening")
    assert r.data["at"] == "2025-03-14T20:00:00" and "8 PM every day" in r.text
    said = []
    for _ in range(10 * 24 * 4):  # ten days in 15-minute steps
        clock.advance(minutes=15)
        said += [(clock.now.strftime("%a %H:%M"), x.text) for x in c.dm.due()]
    assert [t for t, x in said if "water" in x] == ["Mon 09:00", "Mon 09:00"]
    assert len([t for t, x in said if "pills" in x]) == 10
    r = c.say("remind me every morning to stretch", "reminder_set", task="stretch",
              recurrence="every morning")  # said at 2 PM: tomorrow's morning, not "when?"
    assert r.data["at"] == "2025-03-25T09:00:00"
    r = c.say("what are my reminders", "reminder_query")
    assert "water the plants at 9 AM on Mondays" in r.text and "take your pills at 8 PM every day" in r.text
    assert c.say("cancel my reminder to water the plants", "reminder_cancel",
                 task="water the plants").data["key"] == "reminder.cancelled"
    clock.advance(days=7)
    assert not [x for x in c.dm.due() if "water" in x.text]


def test_a_database_from_before_repeating_reminders_keeps_its_reminders(tmp_path: Path) -> None:
    store = Store(tmp_path / "h.db")
    store.migrate("skills.reminders", ["CREATE TABLE reminders (id INTEGER PRIMARY KEY, task TEXT NOT "
                                       "NULL, due REAL NOT NULL, created REAL NOT NULL)"])
    due = datetime(2025, 3, 14, 18, 0).timestamp()
    with store.transaction() as c:
        c.execute("INSERT INTO reminders(task, due, created) VALUES('call mum', ?, 0)", (due,))
    c = Conversation(tmp_path / "h.db")
    assert "call mum at 6 PM" in c.say("what are my reminders", "reminder_query").text


def test_one_off_alarm_and_reminder_fire_once() -> None:
    c = Conversation()
    c.say("set an alarm for six a m tomorrow", "alarm_set", time="tomorrow at six a m")
    c.say("remind me to call my mum at six", "reminder_set", task="to call my mum", time="six")
    c.clock.advance(hours=4)
    texts = [r.text for r in c.dm.due()]
    assert len(texts) == 1 and "call your mum" in texts[0]
    c.clock.advance(hours=12)
    texts = [r.text for r in c.dm.due()]
    assert len(texts) == 1 and "6 AM" in texts[0]
    c.clock.advance(days=2)
    assert c.dm.due() == []


def test_missed_alarm_says_so(tmp_path: Path) -> None:
    c = Conversation(tmp_path / "h.db")
    c.say("alarm at three", "alarm_set", time="three")
    later = FakeClock(c.clock.now + timedelta(hours=3))
    replies = Scheduler(Store(tmp_path / "h.db"), clock=later).poll()
    assert [r.text for r in replies] == ["Your 3 PM alarm went off while I was off."]


def test_broken_source_does_not_stop_the_others() -> None:
    c = Conversation()
    c.say("set a timer for one minute", "timer_set", duration="one minute")

    class Broken:
        def setup(self, store: Store) -> None: ...

        def due(self, store: Store, now: datetime) -> list:
            raise RuntimeError("boom")

    scheduler = Scheduler(c.store, [Broken(), *c.dm.registry.due_sources()], clock=c.clock)
    c.clock.advance(minutes=2)
    assert len(scheduler.poll()) == 1
