"""Fires timers, alarms and reminders when they come due: by polling (``poll(now)``, what the
loop calls between turns) or from its own thread (``start()``), which also fires while the loop
is speaking. Due events are claimed in the store, so each fires once, and one that came due
while Hearth was off fires at start with a "while I was off" wording."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from datetime import datetime

from assistant.events import Reply
from assistant.skills.base import DueSource
from assistant.skills.render import Renderer
from assistant.store import Store

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]


def default_sources() -> list[DueSource]:
    from assistant.skills.alarms import AlarmSkill
    from assistant.skills.reminders import ReminderSkill
    from assistant.skills.timers import TimerSkill

    return [TimerSkill(), AlarmSkill(), ReminderSkill()]


class Scheduler:
    """Collects due events from the skills that schedule things and turns them into Replies
    with ``data["chime"] = True``; ``callback`` (if any) gets each one as it fires."""

    def __init__(self, store: Store, sources: Iterable[DueSource] | None = None,
                 callback: Callable[[Reply], None] | None = None, clock: Clock = datetime.now,
                 renderer: Renderer | None = None, interval: float = 0.25) -> None:
        self.store = store
        self.sources = list(sources) if sources is not None else default_sources()
        for source in self.sources:
            source.setup(store)
        self.callback = callback
        self.clock = clock
        self.renderer = renderer or Renderer()
        self.interval = interval
        self.started_at = clock()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def poll(self, now: datetime | None = None) -> list[Reply]:
        """Fire everything due at ``now`` (default: the clock); returns the Replies."""
        now = now or self.clock()
        replies: list[Reply] = []
        with self._lock:
            for source in self.sources:
                try:
                    events = source.due(self.store, now)
                except Exception:
                    log.exception("scheduler: %s failed", type(source).__name__)
                    continue
                for event in sorted(events, key=lambda e: e.at):
                    missed = event.at < self.started_at
                    key = event.key + ".missed" if missed and event.key + ".missed" in \
                        self.renderer.templates else event.key
                    data = {**event.data, "chime": True, "missed": missed, "key": key,
                            "due_at": event.at.isoformat()}
                    replies.append(Reply(self.renderer.render(key, event.data),
                                         intent=event.key.split(".")[0] + "_due", data=data))
        for reply in replies:
            if self.callback is not None:
                try:
                    self.callback(reply)
                except Exception:
                    log.exception("scheduler callback failed")
        return replies

    def start(self) -> None:
        """Poll every ``interval`` seconds in a daemon thread until :meth:`stop`."""
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="hearth-scheduler", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.poll()
            self._stop.wait(self.interval)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
