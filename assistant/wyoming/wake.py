"""Wake word: ``detect`` + audio -> one ``detection`` per time the phrase is said, and
``not-detected`` after ``audio-stop`` when it never was.

The detector is the loop's own (``wake.factory``: openWakeWord by default), one per stream from
the shared pool. A detect stream may run for hours (a satellite listening for the wake word), so
it has no time limit; its memory is the detector's, which keeps a few seconds of audio at most.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

import numpy as np
from wyoming.audio import AudioChunk
from wyoming.event import Eventable
from wyoming.wake import Detect, Detection, NotDetected

from assistant.wake.base import WakeDetector
from assistant.wyoming.audio_in import AudioIn
from assistant.wyoming.engines import Engines, same_wake_word

log = logging.getLogger(__name__)


class WakeStream:
    """One connection's wake word stream."""

    def __init__(self, engines: Engines, send: Callable[[Eventable], Awaitable[None]]) -> None:
        self.engines = engines
        self.send = send
        self._wanted: set[str] = set(engines.wake_names)  # ours the client listens for
        self._detector: WakeDetector | None = None
        self._audio = AudioIn()
        self._hits = 0

    @property
    def active(self) -> bool:
        return self._detector is not None

    def detect(self, request: Detect) -> None:
        ours = list(self.engines.wake_names)
        asked = request.names or []
        self._wanted = {n for n in ours if not asked or any(same_wake_word(n, a) for a in asked)}
        if not self._wanted:
            log.warning("wake: the client listens for %s; this server has %s",
                        ", ".join(asked), ", ".join(ours))

    async def start(self) -> None:
        if self._detector is not None:
            await self.abort()
        self._detector = await self.engines.run(self.engines.wake_detectors.take)
        self._audio = AudioIn()
        self._hits = 0

    async def chunk(self, chunk: AudioChunk) -> None:
        if self._detector is None:
            await self.start()
        samples = self._audio.convert(chunk)
        ms = chunk.timestamp if chunk.timestamp is not None else int(self._audio.seconds * 1000)
        await self._feed(samples, ms)

    async def _feed(self, samples: np.ndarray, ms: int) -> None:
        if not self._wanted or not len(samples):
            return
        name = await self.engines.run(self._accept, samples)
        if name is not None:
            self._hits += 1
            await self.send(Detection(name=name, timestamp=ms))

    def _accept(self, samples: np.ndarray) -> str | None:
        """The wake word heard in ``samples`` (one the client listens for), or None."""
        d = self._detector
        assert d is not None
        if not d.accept(samples) or d.last is None or d.last.name not in self._wanted:
            return None
        return d.last.name

    async def stop(self) -> None:
        if self._detector is not None:
            await self._feed(self._audio.flush(), int(self._audio.seconds * 1000))
            await self.abort()
        if not self._hits:
            await self.send(NotDetected())

    async def abort(self) -> None:
        """The detector goes back to the pool, fresh for the next stream."""
        detector, self._detector = self._detector, None
        if detector is not None:
            await self.engines.run(self._give, detector)

    def _give(self, detector: WakeDetector) -> None:
        detector.reset()
        self.engines.wake_detectors.give(detector)
