"""Energy endpointing with an adaptive noise floor.

The loop needs to know when the user has stopped talking, fast: every millisecond of trailing
silence we wait is latency. Frames 30 ms long are "voiced" when their energy rises a margin
above a noise floor that follows the room (falls at once to quieter frames, rises slowly).
Speech opens at 10 dB over the floor but continues down to 6 dB (hysteresis): in a noisy room
weak syllables sit between the two, and counting them as pauses cut commands short.
Times are seconds of audio since the endpointer started (or since ``reset``).
"""

from __future__ import annotations

import enum
from collections import deque

import numpy as np

from assistant.audio.base import SAMPLE_RATE
from assistant.config import EndpointConfig

FRAME_MS = 30
# An utterance whose loudest frame is less than this over the noise floor was said in a noisy
# room: there, a complete-looking partial waits twice the early pause before it ends the turn.
NOISY_SNR_DB = 30.0
FLOOR_BAND_DB = 4.0  # frames this close over the floor are the room's noise flickering


class Status(enum.Enum):
    WAITING = "waiting"  # no speech yet
    SPEECH = "speech"  # speech started, utterance still open
    ENDPOINT = "endpoint"  # trailing silence reached the threshold
    NO_SPEECH = "no_speech"  # nobody spoke within no_speech_timeout_s
    MAX_LENGTH = "max_length"  # utterance capped at max_utterance_s

    @property
    def done(self) -> bool:
        return self not in (Status.WAITING, Status.SPEECH)


def frame_db(frame: np.ndarray) -> float:
    """RMS level of an int16 frame in dB relative to full scale."""
    x = frame.astype(np.float32) / 32768.0
    return float(10.0 * np.log10(np.mean(x * x) + 1e-10))


class Endpointer:
    """Feed 16 kHz int16 blocks of any size; read ``status``, ``speech_start``, ``speech_end``."""

    def __init__(
        self,
        cfg: EndpointConfig | None = None,
        no_speech_timeout_s: float | None = None,
        margin_db: float = 10.0,
        continue_margin_db: float = 6.0,
        min_level_db: float = -55.0,
        initial_floor_db: float = -50.0,
        learn_frames: int = 5,
        start_frames: int = 3,
        floor_rise_db_per_s: float = 1.0,
    ) -> None:
        self.cfg = cfg or EndpointConfig()
        self.no_speech_timeout_s = (
            self.cfg.no_speech_timeout_s if no_speech_timeout_s is None else no_speech_timeout_s
        )
        self.margin_db = margin_db
        self.continue_margin_db = continue_margin_db
        self.min_level_db = min_level_db  # never "voiced" below this (digital silence, hiss)
        self.start_frames = start_frames  # consecutive voiced frames that open speech
        self.frame = SAMPLE_RATE * FRAME_MS // 1000
        self._rise = floor_rise_db_per_s * FRAME_MS / 1000
        self.floor_db: float | None = None
        self._recent_db: deque[float] = deque(maxlen=1000 // FRAME_MS)  # the last second
        self._initial_floor = initial_floor_db
        self._learning = learn_frames  # frames of a new stream that only set the noise floor
        self.reset()

    def reset(self, keep_floor: bool = True) -> None:
        """Start a new utterance; the noise floor learned so far is kept unless asked."""
        if not keep_floor:
            self.floor_db = None
        self._pending = np.zeros(0, dtype=np.int16)
        self.samples = 0
        self.speech_start: float | None = None
        self.speech_end: float | None = None
        self._run = 0  # consecutive voiced frames while waiting
        self._run_start = 0.0
        self.peak_db = -120.0  # loudest voiced frame of this utterance
        self.silence_ms = self.cfg.silence_ms
        self.status = Status.WAITING

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
        return self.heard_speech and self.trailing_silence_ms < FRAME_MS / 2

    @property
    def trailing_silence_ms(self) -> float:
        """Milliseconds since the last voiced frame (0 before speech)."""
        return 0.0 if self.speech_end is None else (self.elapsed - self.speech_end) * 1000

    @property
    def early_silence_ms(self) -> float:
        """The pause that ends a command whose partial already parses: short in a quiet room,
        twice as long in a noisy one (at 10 dB SNR, 21 of 52 benchmark commands had a 150 ms
        dip before their last word, 2 a 300 ms one; in clean speech none)."""
        noisy = self.floor_db is not None and self.peak_db - self.floor_db < NOISY_SNR_DB
        return self.cfg.early_silence_ms * (2 if noisy else 1)

    def end_early(self) -> Status:
        """The partial transcript already parses as a confident command: use the short wait.

        Returns the status right away, so a caller that already has enough silence ends now.
        """
        self.silence_ms = min(self.silence_ms, self.early_silence_ms)
        self._check_end()
        return self.status

    def absorb_noise(self) -> None:
        """After an utterance hit the length cap: take the quietest recent level as the floor.

        Speech has pauses and a 12 s "utterance" without one is a fan, a tap or a vacuum
        cleaner; from here on it is background, so always-listening does not fire again.
        """
        if self._recent_db:
            self.floor_db = max(self.floor_db or -120.0, min(self._recent_db))

    def _voiced(self, db: float) -> bool:
        self._recent_db.append(db)
        if self._learning > 0:  # a fresh stream: its first frames are the room, not a voice
            self._learning -= 1
            self.floor_db = db if self.floor_db is None else min(self.floor_db, db)
            return False
        if self.floor_db is None:
            self.floor_db = min(db, self._initial_floor)
        margin = self.continue_margin_db if self.status is Status.SPEECH else self.margin_db
        voiced = db > self.floor_db + margin and db > self.min_level_db
        if voiced:
            self.peak_db = max(self.peak_db, db)
        if db < self.floor_db:
            self.floor_db = db
        elif not voiced and self.status is not Status.SPEECH:
            # follow the room's own flicker quickly, anything louder slowly: a voice that
            # rises gently must not drag the floor up with it and never count as speech
            near = db < self.floor_db + FLOOR_BAND_DB
            self.floor_db += (0.1 if near else 0.03) * (db - self.floor_db)
        else:  # very slow rise: a steady fan is absorbed, a 12 s utterance is not; within an
            # utterance weak sounds must not lift the floor into the speech's own range
            self.floor_db += self._rise
        return voiced

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
        voiced = self._voiced(frame_db(frame))
        if self.status is Status.WAITING:
            if voiced:
                if self._run == 0:
                    self._run_start = start
                self._run += 1
                if self._run >= self.start_frames:
                    self.status = Status.SPEECH
                    self.speech_start = self._run_start
                    self.speech_end = self.elapsed
            else:
                self._run = 0
                if self.elapsed >= self.no_speech_timeout_s:
                    self.status = Status.NO_SPEECH
            return
        if voiced:
            self.speech_end = self.elapsed
        self._check_end()

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
