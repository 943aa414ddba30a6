"""Keep listening through a missing or unplugged microphone instead of crash-looping.

A USB microphone that is unplugged, or not yet there at boot, raises AudioError when opened or
mid-stream. Restarting the whole service for that would hit systemd's start limit in seconds;
instead the source is reopened with exponential back-off (capped), the status says "waiting for
microphone", and blocks flow again as soon as the device is back.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator

import numpy as np

from assistant.audio.base import Source
from assistant.errors import AudioError
from assistant.service.status import WAITING_FOR_MICROPHONE, StatusBoard

log = logging.getLogger(__name__)


class Backoff:
    """Delays ``initial, initial*factor, ...`` up to ``cap``; ``reset`` after a success."""

    def __init__(self, initial: float = 0.5, factor: float = 2.0, cap: float = 30.0) -> None:
        self.initial, self.factor, self.cap = initial, factor, cap
        self._next = initial

    def next_delay(self) -> float:
        delay = self._next
        self._next = min(self._next * self.factor, self.cap)
        return delay

    def reset(self) -> None:
        self._next = self.initial


class ResilientSource:
    """A Source that reopens the real one (from ``open_source``) whenever it fails.

    ``blocks`` ends only when ``stop`` is set, ``end_when()`` turns true while waiting, or the
    underlying source ends on its own (a file).
    While waiting it calls ``heartbeat`` at least every ``tick`` seconds: waiting for a
    microphone is the loop working as intended, not a hang for the watchdog to punish.
    """

    def __init__(
        self,
        open_source: Callable[[], Source],
        *,
        status: StatusBoard | None = None,
        stop: threading.Event | None = None,
        heartbeat: Callable[[], None] = lambda: None,
        backoff: Backoff | None = None,
        tick: float = 1.0,
        end_when: Callable[[], bool] = lambda: False,
    ) -> None:
        self.open_source = open_source
        self.status = status
        self.stop = stop or threading.Event()
        self.heartbeat = heartbeat
        self.backoff = backoff or Backoff()
        self.tick = tick
        # E.g. "a reload is queued": the new config may name another device, so stop waiting.
        self.end_when = end_when
        self.failures = 0  # consecutive failed attempts, for tests and the status line
        self._current: Source | None = None
        self._audio_state = "unknown"
        self._lock = threading.Lock()

    def _set_audio(self, state: str, detail: str = "") -> None:
        self._audio_state = state
        if self.status is None:
            return
        fields: dict[str, object] = {"audio": {"state": state, "detail": detail}}
        if state == WAITING_FOR_MICROPHONE:
            fields["state"] = WAITING_FOR_MICROPHONE
        elif self.status.get("state") == WAITING_FOR_MICROPHONE:
            fields["state"] = "idle"
        self.status.update(**fields)

    def _wait(self, seconds: float) -> bool:
        """Sleep in ticks, pinging the watchdog; True when the stream should end meanwhile."""
        remaining = seconds
        while remaining > 0:
            self.heartbeat()
            if self.end_when():
                return True
            step = min(self.tick, remaining)
            if self.stop.wait(step):
                return True
            remaining -= step
        return self.stop.is_set() or self.end_when()

    def _fail(self, error: AudioError) -> bool:
        """Record a failure and wait; True when the stream should end."""
        self._close_current()
        self.failures += 1
        delay = self.backoff.next_delay()
        if self.failures == 1:
            log.warning("audio: %s; waiting for the microphone", error)
        else:
            log.debug("audio: still unavailable (attempt %d): %s", self.failures, error)
        self._set_audio(WAITING_FOR_MICROPHONE, f"{error}; retry in {delay:g} s")
        return self._wait(delay)

    def blocks(self) -> Iterator[np.ndarray]:
        try:
            while not self.stop.is_set():
                try:
                    source = self.open_source()
                    with self._lock:
                        self._current = source
                    for block in source.blocks():
                        if self._audio_state != "ok":
                            self._recovered()
                        self.heartbeat()
                        yield block
                        if self.stop.is_set():
                            return
                    return  # the source ended by itself (a file): so do we
                except AudioError as e:  # missing at open, or unplugged mid-stream
                    if self._fail(e):
                        return
        finally:
            self._close_current()

    def _recovered(self) -> None:
        if self.failures:
            log.warning("audio: the microphone is back after %d failed attempts", self.failures)
        self.failures = 0
        self.backoff.reset()
        self._set_audio("ok")

    def _close_current(self) -> None:
        with self._lock:
            source, self._current = self._current, None
        if source is not None:
            try:
                source.close()
            except Exception as e:  # a dead device may fail to close too; it is gone anyway
                log.debug("audio: closing the failed source: %s", e)

    def close(self) -> None:
        self.stop.set()
        self._close_current()
