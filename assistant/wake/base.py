"""What every wake engine offers the loop (and the Wyoming server): audio in, detections out.

``accept(chunk)`` takes 16 kHz mono int16 audio in blocks of any size and returns True once per
spoken wake word; ``last`` then says which word, when (seconds of audio since the detector was
made) and how sure the engine was. ``audio_after_phrase()`` is what followed the wake word (a
command often comes without a pause), ``reset()`` forgets partial evidence.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from assistant.about import About
from assistant.audio.base import SAMPLE_RATE


@dataclass(frozen=True)
class Detection:
    """One wake word heard: ``name`` is the model ("hey_jarvis") or phrase ("hey computer"),
    ``time`` the stream second at which it was decided, ``score`` the engine's confidence
    (openWakeWord: the model's probability; pocketsphinx: the spotter's posterior)."""

    name: str
    time: float
    score: float


class WakeDetector(Protocol):
    name: str  # the engine, for status lines ("openwakeword", "pocketsphinx")
    about: About
    ids: list[str]  # the names its detections carry ("hey_jarvis"; pocketsphinx: the phrase)
    words: list[str]  # what wakes it, as a person would say it ("hey jarvis"), one per id
    last: Detection | None  # the most recent detection

    @property
    def elapsed(self) -> float: ...  # seconds of audio consumed since creation

    def accept(self, chunk: np.ndarray) -> bool: ...

    def audio_after_phrase(self) -> np.ndarray: ...

    def reset(self) -> None: ...


def is_path(spec: str) -> bool:
    """A ``wake.model`` entry naming a user's model file rather than a bundled one."""
    return spec.endswith(".tflite") or "/" in spec


def model_id(spec: str) -> str:
    """The name a detection carries: the bundled name, or a user file's stem."""
    return Path(spec).stem if is_path(spec) else spec


class AudioRing:
    """The last few seconds of a stream, addressed by stream sample index."""

    def __init__(self, seconds: float = 4.0) -> None:
        self.keep = int(seconds * SAMPLE_RATE)
        self._chunks: deque[np.ndarray] = deque()
        self._held = 0
        self.total = 0  # samples appended since creation

    def append(self, chunk: np.ndarray) -> None:
        self._chunks.append(chunk)
        self._held += len(chunk)
        self.total += len(chunk)
        while self._held - len(self._chunks[0]) > self.keep:
            self._held -= len(self._chunks.popleft())

    @property
    def first(self) -> int:
        """Stream index of the oldest sample still held."""
        return self.total - self._held

    def between(self, start: int, end: int) -> np.ndarray:
        """Stream samples [max(start, first), end) that are still held."""
        buf = np.concatenate(list(self._chunks)) if self._chunks else np.zeros(0, np.int16)
        return buf[max(0, start - self.first) : max(0, end - self.first)]


def scan(detector: WakeDetector, samples: np.ndarray, block: int = 480, lead_s: float = 1.5,
         tail_s: float = 1.0) -> list[Detection]:
    """Every wake word in a recording, times in seconds from its start.

    The detector starts afresh on ``lead_s`` of silence (an engine needs a second or so of
    audio before it scores, as it has on a live stream), and ``tail_s`` of silence follows the
    audio, because an engine decides a little after the phrase ends and a file may stop there.
    """
    detector.reset()
    pad = lambda s: np.zeros(int(s * SAMPLE_RATE), np.int16)  # noqa: E731
    audio = np.concatenate([pad(lead_s), np.asarray(samples, np.int16), pad(tail_s)])
    start = detector.elapsed + lead_s
    found = []
    for i in range(0, len(audio), block):
        if detector.accept(audio[i : i + block]) and detector.last is not None:
            d = detector.last
            found.append(Detection(d.name, round(d.time - start, 3), d.score))
    return found
