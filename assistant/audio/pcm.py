"""Raw PCM over pipes: ``arecord -f S16_LE -r 16000 -c 1 | assistant ...`` and ``... | aplay``.

Pipes let Hearth run behind any audio stack (ALSA tools, PulseAudio's parec, a network bridge)
without PortAudio.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from typing import BinaryIO

import numpy as np

from assistant.audio.base import SAMPLE_RATE
from assistant.audio.convert import float_to_int16, int16_to_float, resample
from assistant.errors import AudioError


class PcmSource:
    """Raw s16le 16 kHz mono from a binary stream (stdin by default), in ``block_ms`` blocks."""

    def __init__(self, stream: BinaryIO | None = None, block_ms: int = 30) -> None:
        if block_ms <= 0:
            raise AudioError(f"block_ms must be positive, got {block_ms}")
        self.stream = stream if stream is not None else sys.stdin.buffer
        self.block_bytes = SAMPLE_RATE * block_ms // 1000 * 2

    def blocks(self) -> Iterator[np.ndarray]:
        pending = b""
        while True:
            chunk = self.stream.read(self.block_bytes - len(pending))
            if not chunk:
                break
            pending += chunk
            if len(pending) == self.block_bytes:
                yield np.frombuffer(pending, dtype="<i2").astype(np.int16)
                pending = b""
        usable = len(pending) - len(pending) % 2
        if usable:
            yield np.frombuffer(pending[:usable], dtype="<i2").astype(np.int16)

    def close(self) -> None:
        pass




class PcmSink:
    """Raw s16le mono to a binary stream (stdout by default).

    A pipe has no header, so the reader must know the rate: pass ``rate`` to resample everything
    to it; with ``rate=None`` samples go out at whatever rate they arrive (the synth rate).
    """

    def __init__(self, stream: BinaryIO | None = None, rate: int | None = None) -> None:
        self.stream = stream if stream is not None else sys.stdout.buffer
        self.rate = rate

    def write(self, samples: np.ndarray, rate: int) -> None:
        x = np.asarray(samples)
        if self.rate is not None and rate != self.rate:
            f = int16_to_float(x) if x.dtype == np.int16 else x.astype(np.float32)
            x = float_to_int16(resample(f, rate, self.rate))
        elif x.dtype != np.int16:
            x = float_to_int16(x.astype(np.float32))
        try:
            self.stream.write(x.astype("<i2").tobytes())
        except BrokenPipeError:
            raise AudioError("audio output pipe was closed by the reader") from None

    def flush(self) -> None:
        try:
            self.stream.flush()
        except BrokenPipeError:
            raise AudioError("audio output pipe was closed by the reader") from None

    def stop(self) -> None:
        """Bytes already in the pipe cannot be recalled; just stop writing more."""

    def close(self) -> None:
        with contextlib.suppress(BrokenPipeError, ValueError):
            self.stream.flush()
