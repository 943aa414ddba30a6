"""Stream time: what a person would have experienced had the audio been spoken in real time.

Live, that is wall time; on files it is seconds of audio consumed plus the wall time spent
after the last block, so the per-stage timings of ``assistant process`` mean the same as on
the shelf.
"""

from __future__ import annotations

import time

from assistant.audio.base import SAMPLE_RATE


class StreamClock:
    """Stream time: audio seconds consumed plus wall time since the last block arrived."""

    def __init__(self) -> None:
        self.audio_s = 0.0
        self._wall = time.monotonic()

    def advance(self, samples: int) -> None:
        self.audio_s += samples / SAMPLE_RATE
        self._wall = time.monotonic()

    def __call__(self) -> float:
        return self.audio_s + (time.monotonic() - self._wall)
