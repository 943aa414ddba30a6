"""Energy endpointing with an adaptive noise floor: the fallback when Silero VAD cannot load.

Frames 30 ms long are "voiced" when their energy rises a margin above a noise floor that
follows the room (falls at once to quieter frames, rises slowly). Speech opens at 10 dB over
the floor but continues down to 6 dB (hysteresis): in a noisy room weak syllables sit between
the two, and counting them as pauses cut commands short.
"""

from __future__ import annotations

from collections import deque

import numpy as np

from assistant.audio.endpoint import Endpointer, Status
from assistant.config import EndpointConfig

FRAME_MS = 30
FLOOR_BAND_DB = 4.0  # frames this close over the floor are the room's noise flickering
# An utterance whose loudest frame is less than this over the noise floor was said in a noisy
# room: there, a complete-looking partial waits twice the early pause before it ends the turn.
NOISY_SNR_DB = 30.0


def frame_db(frame: np.ndarray) -> float:
    """RMS level of an int16 frame in dB relative to full scale."""
    x = frame.astype(np.float32) / 32768.0
    return float(10.0 * np.log10(np.mean(x * x) + 1e-10))


class EnergyEndpointer(Endpointer):
    """The level over a learned noise floor decides; the floor is kept across utterances."""

    name = "energy"

    def __init__(
        self,
        cfg: EndpointConfig | None = None,
        no_speech_timeout_s: float | None = None,
        margin_db: float = 10.0,
        continue_margin_db: float = 6.0,
        min_level_db: float = -55.0,
        initial_floor_db: float = -50.0,
        learn_frames: int = 5,
        start_frames: int | None = None,
        floor_rise_db_per_s: float = 1.0,
    ) -> None:
        self.margin_db = margin_db
        self.continue_margin_db = continue_margin_db
        self.min_level_db = min_level_db  # never "voiced" below this (digital silence, hiss)
        self._rise = floor_rise_db_per_s * FRAME_MS / 1000
        self.floor_db: float | None = None
        self._initial_floor = initial_floor_db
        self._learning = learn_frames  # frames of a new stream that only set the noise floor
        self._recent_db: deque[float] = deque(maxlen=1000 // FRAME_MS)  # the last second
        super().__init__(cfg, no_speech_timeout_s, start_frames)

    def reset(self, keep_floor: bool = True) -> None:
        """Start a new utterance; the noise floor learned so far is kept unless asked."""
        if not keep_floor:
            self.floor_db = None
        self.peak_db = -120.0  # loudest voiced frame of this utterance
        super().reset()

    @property
    def early_silence_ms(self) -> float:
        """Short in a quiet room, twice as long in a noisy one (at 10 dB SNR, 21 of 52 benchmark
        commands had a 150 ms dip before their last word, 2 a 300 ms one; in clean speech none)."""
        noisy = self.floor_db is not None and self.peak_db - self.floor_db < NOISY_SNR_DB
        return self.cfg.early_silence_ms * (2 if noisy else 1)

    def absorb_noise(self) -> None:
        """After an utterance hit the length cap: take the quietest recent level as the floor.

        Speech has pauses and a 12 s "utterance" without one is a fan, a tap or a vacuum
        cleaner; from here on it is background, so always-listening does not fire again.
        """
        if self._recent_db:
            self.floor_db = max(self.floor_db or -120.0, min(self._recent_db))

    def _voiced(self, frame: np.ndarray) -> bool:
        db = frame_db(frame)
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
