"""Endpointing: when did the user start talking, and when did they stop?

Every voice-activity engine shares one state machine: speech opens after ``min_speech_ms`` of
voiced frames in a row (so a click or a cough does not), stays open through pauses shorter than
the trailing silence, and ends after ``silence_ms`` of silence, or sooner when the partial
transcript already parses (``end_early``). An engine decides only whether a frame is voiced
(``_voiced``): Silero VAD (``silero.py``) or the level over the room's noise floor (``vad.py``).
Times are seconds of audio since the endpointer started (or since ``reset``).
"""

from __future__ import annotations

import enum
import math

import numpy as np

from assistant.audio.base import SAMPLE_RATE
from assistant.config import EndpointConfig


class Status(enum.Enum):
    WAITING = "waiting"  # no speech yet
    SPEECH = "speech"  # speech started, utterance still open
    ENDPOINT = "endpoint"  # trailing silence reached the threshold
    NO_SPEECH = "no_speech"  # nobody spoke within no_speech_timeout_s
    MAX_LENGTH = "max_length"  # utterance capped at max_utterance_s

    @property
    def done(self) -> bool:
        return self not in (Status.WAITING, Status.SPEECH)


class Endpointer:
    """Feed 16 kHz int16 blocks of any size; read ``status``, ``speech_start``, ``speech_end``.

    Subclasses set ``name`` and ``frame`` (samples per decision) and decide ``_voiced``.
    """

    name = "endpointer"
    frame = SAMPLE_RATE * 30 // 1000
    lag_s = 0.0  # how long after the voice an engine still calls frames voiced

    def __init__(self, cfg: EndpointConfig | None = None,
                 no_speech_timeout_s: float | None = None, start_frames: int | None = None) -> None:
        self.cfg = cfg or EndpointConfig()
        self.no_speech_timeout_s = (
            self.cfg.no_speech_timeout_s if no_speech_timeout_s is None else no_speech_timeout_s
        )
        self.frame_ms = 1000 * self.frame / SAMPLE_RATE
        # consecutive voiced frames that open speech
        self.start_frames = start_frames or max(1, math.ceil(self.cfg.min_speech_ms / self.frame_ms))
        self.reset()

    def reset(self) -> None:
        """Start a new utterance."""
        self._pending = np.zeros(0, dtype=np.int16)
        self.samples = 0
        self.speech_start: float | None = None
        self.speech_end: float | None = None
        self._run = 0  # consecutive voiced frames while waiting
        self._run_start = 0.0
        self.silence_ms = self.cfg.silence_ms
        self.status = Status.WAITING

    # -- what an engine decides ------------------------------------------------------------
    def _voiced(self, frame: np.ndarray) -> bool:
        raise NotImplementedError

    def absorb_noise(self) -> None:
        """After an utterance hit the length cap (a fan, a tap): nothing to learn by default."""

    # -- the shared state machine ----------------------------------------------------------
    @property
    def elapsed(self) -> float:
        """Seconds of audio consumed since the last reset."""
        return self.samples / SAMPLE_RATE

    @property
    def heard_speech(self) -> bool:
        return self.speech_start is not None

    @property
    def in_speech(self) -> bool:
        """True while the last frame was voiced (after speech started)."""
        return self.heard_speech and self.trailing_silence_ms < self.frame_ms / 2

    @property
    def trailing_silence_ms(self) -> float:
        """Milliseconds since the last voiced frame (0 before speech)."""
        return 0.0 if self.speech_end is None else (self.elapsed - self.speech_end) * 1000

    @property
    def early_silence_ms(self) -> float:
        """The pause that ends a command whose partial already parses."""
        return self.cfg.early_silence_ms

    def end_early(self) -> Status:
        """The partial transcript already parses as a confident command: use the short wait.

        Returns the status right away, so a caller that already has enough silence ends now.
        """
        self.silence_ms = min(self.silence_ms, self.early_silence_ms)
        self._check_end()
        return self.status

    def _check_end(self) -> None:
        if self.status is not Status.SPEECH or self.speech_start is None:
            return
        if self.elapsed - self.speech_start >= self.cfg.max_utterance_s:
            self.status = Status.MAX_LENGTH
        elif self.trailing_silence_ms >= self.silence_ms:
            self.status = Status.ENDPOINT

    def _frame(self, frame: np.ndarray) -> None:
        start = self.elapsed
        self.samples += len(frame)
        voiced = self._voiced(frame)
        if self.status is Status.WAITING:
            if voiced:
                if self._run == 0:
                    self._run_start = start
                self._run += 1
                if self._run >= self.start_frames:
                    self.status = Status.SPEECH
                    self.speech_start = self._run_start
                    self._voice_heard()
            else:
                self._run = 0
                if self.elapsed >= self.no_speech_timeout_s:
                    self.status = Status.NO_SPEECH
            return
        if voiced:
            self._voice_heard()
        self._check_end()

    def _voice_heard(self) -> None:
        """Speech lasts until now, less the engine's lag: waits count from the voice's end."""
        self.speech_end = max(self.speech_start or 0.0, self.elapsed - self.lag_s)

    def feed(self, block: np.ndarray) -> Status:
        """Consume a block; once a final status is reached further audio is ignored."""
        if self.status.done:
            return self.status
        buf = np.concatenate([self._pending, np.asarray(block, dtype=np.int16)])
        n = len(buf) // self.frame * self.frame
        for i in range(0, n, self.frame):
            self._frame(buf[i : i + self.frame])
            if self.status.done:
                break
        self._pending = buf[n:]
        return self.status
