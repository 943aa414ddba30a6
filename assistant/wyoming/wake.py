"""Wake word: ``detect`` + audio -> one ``detection`` per time the phrase is said, and
``not-detected`` after ``audio-stop`` when it never was.

A detect stream may run for hours (a satellite listening for the wake word), so it has no time
limit; its memory is the detector's, which keeps a few seconds of audio at most.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

import numpy as np
from wyoming.audio import AudioChunk
from wyoming.event import Eventable
from wyoming.wake import Detect, Detection, NotDetected

from assistant.asr.wake import WakeWordDetector
from assistant.wyoming.audio_in import AudioIn
from assistant.wyoming.engines import Engines, wake_model_name

log = logging.getLogger(__name__)


class WakeStream:
    """One connection's wake word stream."""

    def __init__(self, engines: Engines, send: Callable[[Eventable], Awaitable[None]]) -> None:
        self.engines = engines
        self.send = send
        self.names: list[str] | None = None  # what the client listens for; None = any of ours
        self._detector: WakeWordDetector | None = None
        self._audio = AudioIn()
        self._hits = 0
        self._listening = True

    @property
    def active(self) -> bool:
        return self._detector is not None

    @property
    def name(self) -> str:
        return next(iter(self.engines.wake_names))

    def detect(self, request: Detect) -> None:
        self.names = [wake_model_name(n) for n in request.names] if request.names else None
        ours = set(self.engines.wake_names)
        self._listening = self.names is None or bool(ours & set(self.names))
        if not self._listening:
            log.warning("wake: the client listens for %s; this server has %s",
                        ", ".join(self.names or []), ", ".join(sorted(ours)))

    async def start(self) -> None:
        self._detector = await self.engines.run(self.engines.new_wake_detector)
        self._audio = AudioIn()
        self._hits = 0

    async def chunk(self, chunk: AudioChunk) -> None:
        if self._detector is None:
            await self.start()
        samples = self._audio.convert(chunk)
        ms = chunk.timestamp if chunk.timestamp is not None else int(self._audio.seconds * 1000)
        await self._feed(samples, ms)

    async def _feed(self, samples: np.ndarray, ms: int) -> None:
        if not self._listening or not len(samples):
            return
        if await self.engines.run(self._accept, samples):
            self._hits += 1
            await self.send(Detection(name=self.name, timestamp=ms))

    def _accept(self, samples: np.ndarray) -> bool:
        assert self._detector is not None
        if not self._detector.accept(samples):
            return False
        self._detector.reset()
        return True

    async def stop(self) -> None:
        if self._detector is not None:
            await self._feed(self._audio.flush(), int(self._audio.seconds * 1000))
        self._detector = None
        if not self._hits:
            await self.send(NotDetected())

    async def abort(self) -> None:
        self._detector = None
