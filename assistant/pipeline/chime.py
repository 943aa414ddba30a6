"""The timer chime: two soft sine tones, generated, so no sound file has to ship."""

from __future__ import annotations

import numpy as np

from assistant.audio.base import SAMPLE_RATE


def chime(volume: float = 0.4) -> np.ndarray:
    """A 0.6 s two-note chime (E6 then C6) with fade-in/out, mono int16 at 16 kHz."""
    parts = []
    for freq in (1318.5, 1046.5):
        t = np.arange(int(0.3 * SAMPLE_RATE)) / SAMPLE_RATE
        tone = np.sin(2 * np.pi * freq * t) * np.exp(-4 * t)
        ramp = min(160, len(tone) // 2)
        tone[:ramp] *= np.linspace(0, 1, ramp)
        tone[-ramp:] *= np.linspace(1, 0, ramp)
        parts.append(tone)
    return (np.concatenate(parts) * volume * 32767).astype(np.int16)
