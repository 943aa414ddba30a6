"""Wyoming audio chunks, in whatever format a client sends, as the loop's 16 kHz mono int16.

Home Assistant sends 16 kHz 16-bit mono, but satellites and other clients may not; each chunk
says its own format. The conversion is the loop's own (``audio/convert.py``: the same decoder
as for WAV files, a polyphase resampler that keeps its state across chunks), so a recognizer
hears a Wyoming stream exactly as it would hear the same audio from a file.
"""

from __future__ import annotations

import numpy as np
from wyoming.audio import AudioChunk

from assistant.audio.base import SAMPLE_RATE
from assistant.audio.convert import PCM, StreamResampler, decode_pcm, float_to_int16, to_mono
from assistant.errors import AudioError

MIN_RATE, MAX_RATE = 4000, 192000
MAX_CHANNELS = 8


class AudioIn:
    """Converts one stream chunk by chunk; ``seconds`` is how much audio has come in."""

    def __init__(self) -> None:
        self._format: tuple[int, int, int] | None = None
        self._resampler: StreamResampler | None = None
        self.seconds = 0.0

    def convert(self, chunk: AudioChunk) -> np.ndarray:
        """The chunk's samples at 16 kHz mono int16 (a resampler may hold a few back)."""
        fmt = (chunk.rate, chunk.width, chunk.channels)
        tail = np.zeros(0, np.int16)
        if fmt != self._format:  # the first chunk, or a client that changed format mid-stream
            check_format(*fmt)
            tail = self.flush()
            self._format = fmt
            self._resampler = StreamResampler(chunk.rate, SAMPLE_RATE)
        rate, width, channels = fmt
        self.seconds += len(chunk.audio) / (rate * width * channels)
        if fmt == (SAMPLE_RATE, 2, 1):
            out = np.frombuffer(chunk.audio[: len(chunk.audio) // 2 * 2], "<i2").astype(np.int16)
        else:
            x = to_mono(decode_pcm(chunk.audio, PCM, width * 8, channels))
            assert self._resampler is not None
            out = float_to_int16(self._resampler.push(x))
        return np.concatenate([tail, out]) if len(tail) else out

    def flush(self) -> np.ndarray:
        """What the resampler still holds, at the end of the stream."""
        r = self._resampler
        if r is None or r.up == r.down:
            return np.zeros(0, np.int16)
        return float_to_int16(r.push(np.zeros(2 * r.context + r.down, np.float32)))


def check_format(rate: int, width: int, channels: int) -> None:
    """One line naming what is wrong with a chunk's format."""
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (rate, width, channels)):
        raise AudioError(f"audio format must be whole numbers, got rate={rate!r} "
                         f"width={width!r} channels={channels!r}")
    if not MIN_RATE <= rate <= MAX_RATE:
        raise AudioError(f"audio rate {rate} Hz is outside {MIN_RATE}..{MAX_RATE}")
    if width not in (1, 2, 3, 4):
        raise AudioError(f"audio width {width} bytes is not 1, 2, 3 or 4")
    if not 1 <= channels <= MAX_CHANNELS:
        raise AudioError(f"audio channels {channels} is outside 1..{MAX_CHANNELS}")
