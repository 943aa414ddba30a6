"""Sample-format and rate conversion: anything in, 16 kHz mono int16 out.

Everything inside the loop runs on 16 kHz mono int16, so every input (WAV files of any format,
microphones that only do 44.1/48 kHz) goes through here exactly once.
"""

from __future__ import annotations

import functools
from math import gcd

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from assistant.audio.base import SAMPLE_RATE
from assistant.errors import AudioError

# WAVE format tags
PCM = 1
IEEE_FLOAT = 3


def decode_pcm(data: bytes, format_tag: int, bits: int, channels: int) -> np.ndarray:
    """Raw interleaved WAV sample bytes -> float32 array (frames, channels) in [-1, 1]."""
    width = bits // 8
    if channels < 1 or width < 1 or bits % 8:
        raise AudioError(f"unsupported sample layout: {bits}-bit, {channels} channels")
    usable = len(data) - len(data) % (width * channels)
    data = data[:usable]
    if format_tag == IEEE_FLOAT and bits in (32, 64):
        x = np.frombuffer(data, dtype="<f4" if bits == 32 else "<f8").astype(np.float32)
        x = np.nan_to_num(x, nan=0.0, posinf=1.0, neginf=-1.0)
    elif format_tag == PCM and bits == 8:  # 8-bit WAV is unsigned
        x = (np.frombuffer(data, dtype=np.uint8).astype(np.float32) - 128.0) / 128.0
    elif format_tag == PCM and bits == 16:
        x = np.frombuffer(data, dtype="<i2").astype(np.float32) / 32768.0
    elif format_tag == PCM and bits == 24:
        b = np.frombuffer(data, dtype=np.uint8).reshape(-1, 3).astype(np.int32)
        v = b[:, 0] | (b[:, 1] << 8) | (b[:, 2] << 16)
        v = np.where(v & 0x800000, v - 0x1000000, v)
        x = v.astype(np.float32) / 8388608.0
    elif format_tag == PCM and bits == 32:
        x = (np.frombuffer(data, dtype="<i4").astype(np.float64) / 2147483648.0).astype(np.float32)
    else:
        kind = "float" if format_tag == IEEE_FLOAT else f"format {format_tag}"
        raise AudioError(f"unsupported sample format: {bits}-bit {kind}")
    return x.reshape(-1, channels)


def to_mono(x: np.ndarray) -> np.ndarray:
    """Average the channels of a (frames, channels) array; 1-D input passes through."""
    return x if x.ndim == 1 else x.mean(axis=1, dtype=np.float32)


@functools.lru_cache(maxsize=8)
def _polyphase(up: int, down: int) -> tuple[np.ndarray, int]:
    """The anti-aliasing filter split into ``up`` phases (row p: taps p, p+up, ..., reversed)
    and the number of leading outputs that are filter delay.

    The filter is scipy's ``resample_poly`` default (Kaiser-windowed sinc, beta 5, ten zero
    crossings per side at the lower Nyquist rate, unit DC gain), so results match it; scipy
    itself is not used because importing ``scipy.signal`` costs the loop 76 MB of memory.
    """
    rate = max(up, down)
    half = 10 * rate
    taps = np.sinc((np.arange(2 * half + 1) - half) / rate) * np.kaiser(2 * half + 1, 5.0)
    pre = down - half % down  # centres the output samples, as resample_poly does
    h = np.concatenate([np.zeros(pre), taps / taps.sum() * up])
    width = -(-len(h) // up)
    h = np.concatenate([h, np.zeros(width * up - len(h))])
    return np.ascontiguousarray(h.reshape(width, up).T[:, ::-1], np.float32), (half + pre) // down


def _resample_poly(x: np.ndarray, up: int, down: int, block: int = 4096) -> np.ndarray:
    """``x`` upsampled by ``up`` and downsampled by ``down`` (zero-padded at both ends)."""
    phases, skip = _polyphase(up, down)
    width = phases.shape[1]
    n_out = -(-len(x) * up // down)
    t = np.arange(skip, skip + n_out, dtype=np.int64) * down
    last = int(t[-1] // up) if n_out else 0
    padded = np.concatenate([np.zeros(width - 1, np.float32), x.astype(np.float32),
                             np.zeros(max(0, last - len(x) + 1), np.float32)])
    windows = sliding_window_view(padded, width)  # windows[n] ends at x[n]
    out = np.empty(n_out, np.float32)
    for a in range(0, n_out, block):  # bounded temporaries for long files
        tt = t[a : a + block]
        out[a : a + block] = np.einsum("ij,ij->i", phases[tt % up], windows[tt // up])
    return out


def resample(x: np.ndarray, rate_in: int, rate_out: int) -> np.ndarray:
    """Polyphase resampling of a float 1-D signal (no-op when the rates match)."""
    if rate_in <= 0 or rate_out <= 0:
        raise AudioError(f"bad sample rate {rate_in} -> {rate_out}")
    if rate_in == rate_out or len(x) == 0:
        return x.astype(np.float32, copy=False)
    g = gcd(rate_in, rate_out)
    return _resample_poly(x, rate_out // g, rate_in // g)


def float_to_int16(x: np.ndarray) -> np.ndarray:
    """Clip to [-1, 1] and scale to int16."""
    return (np.clip(x, -1.0, 32767 / 32768) * 32768.0).astype(np.int16)


def int16_to_float(x: np.ndarray) -> np.ndarray:
    return x.astype(np.float32) / 32768.0


def to_loop_format(x: np.ndarray, rate: int) -> np.ndarray:
    """Float (frames[, channels]) audio at ``rate`` -> 16 kHz mono int16."""
    if x.dtype == np.int16:
        x = int16_to_float(x)
    return float_to_int16(resample(to_mono(x), rate, SAMPLE_RATE))


class StreamResampler:
    """Resample an endless stream block by block without clicks at block edges.

    A microphone that only runs at 44.1 or 48 kHz is resampled in blocks; resampling each block
    on its own would zero-pad the edges. This keeps enough context on both sides so every output
    sample equals the one-shot ``resample`` result (it lags by ``context`` input samples).
    """

    def __init__(self, rate_in: int, rate_out: int = SAMPLE_RATE) -> None:
        g = gcd(rate_in, rate_out)
        self.up, self.down = rate_out // g, rate_in // g
        half = 10 * max(self.up, self.down) / self.up + 2  # the filter's half-length (input samples)
        self.context = int(np.ceil(half / self.down)) * self.down
        self._buf = np.zeros(self.context, dtype=np.float32)

    def push(self, x: np.ndarray) -> np.ndarray:
        """Feed float samples; returns the output samples that are now final."""
        if self.up == self.down:
            return x.astype(np.float32, copy=False)
        self._buf = np.concatenate([self._buf, x.astype(np.float32)])
        n = ((len(self._buf) - 2 * self.context) // self.down) * self.down
        if n <= 0:
            return np.zeros(0, dtype=np.float32)
        y = _resample_poly(self._buf, self.up, self.down)
        a = self.context * self.up // self.down
        out = y[a : a + n * self.up // self.down].astype(np.float32)
        self._buf = self._buf[n:]
        return out
