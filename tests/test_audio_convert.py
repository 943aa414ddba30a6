"""WAV decoding and conversion to the loop format (16 kHz mono int16) for every input layout."""

from __future__ import annotations

import numpy as np
import pytest
from synth_helpers import tone, wav_bytes

from assistant.audio.convert import StreamResampler, resample
from assistant.audio.wav import WavSink, WavSource, read_wav, read_wav_native, wav_info


def peak_hz(x: np.ndarray, rate: int = 16000) -> float:
    spec = np.abs(np.fft.rfft(x.astype(np.float64)))
    return float(np.fft.rfftfreq(len(x), 1 / rate)[np.argmax(spec)])


def rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean((x.astype(np.float64) / 32768) ** 2)))


@pytest.mark.parametrize(
    ("rate", "bits", "fmt", "channels", "extensible"),
    [
        (8000, 32, "float", 2, False),  # 8 kHz stereo float
        (44100, 24, "int", 1, False),
        (48000, 32, "int", 2, False),
        (22050, 8, "int", 1, False),
        (16000, 16, "int", 1, False),
        (96000, 64, "float", 1, False),
        (48000, 24, "int", 2, True),  # WAVE_FORMAT_EXTENSIBLE
        (32000, 32, "float", 3, True),
    ],
)
def test_any_layout_becomes_16k_mono_int16(tmp_path, rate, bits, fmt, channels, extensible):
    x = tone(440, 1.0, rate, amp=0.5)
    stereo = np.stack([x] * channels, axis=1)
    path = tmp_path / "in.wav"
    path.write_bytes(wav_bytes(stereo, rate, bits, fmt, extensible))
    info = wav_info(path)
    assert (info.rate, info.channels, info.bits) == (rate, channels, bits)
    y = read_wav(path)
    assert y.dtype == np.int16
    assert abs(len(y) - 16000) <= 1
    assert peak_hz(y) == pytest.approx(440, abs=2)
    assert rms(y[1000:-1000]) == pytest.approx(0.5 / np.sqrt(2), rel=0.03)


def test_channels_are_averaged(tmp_path):
    left, right = tone(440, 0.5, 16000, 0.4), np.zeros(8000, dtype=np.float32)
    path = tmp_path / "lr.wav"
    path.write_bytes(wav_bytes(np.stack([left, right], axis=1), 16000, 16))
    assert rms(read_wav(path)) == pytest.approx(0.2 / np.sqrt(2), rel=0.02)


def test_float_overrange_and_nan_are_clipped(tmp_path):
    x = np.array([2.0, -3.0, np.nan, 0.5] * 400, dtype=np.float32)
    path = tmp_path / "hot.wav"
    path.write_bytes(wav_bytes(x, 16000, 32, "float"))
    y = read_wav(path)
    assert y.max() == 32767 and y.min() == -32768
    assert y[2] == 0


@pytest.mark.parametrize("rate_in", [48000, 44100, 22050, 8000])
def test_stream_resampler_matches_one_shot(rate_in):
    x = np.random.default_rng(1).standard_normal(rate_in).astype(np.float32) * 0.1
    r = StreamResampler(rate_in, 16000)
    out = np.concatenate([r.push(x[i : i + 777]) for i in range(0, len(x), 777)])
    ref = resample(x, rate_in, 16000)
    assert len(out) > 0.9 * len(ref)
    np.testing.assert_allclose(out, ref[: len(out)], atol=1e-5)


def test_wav_sink_writes_at_synth_rate_and_resamples_later_writes(tmp_path):
    path = tmp_path / "out" / "reply.wav"
    sink = WavSink(path)
    sink.write((tone(300, 0.5, 22050) * 32767).astype(np.int16), 22050)
    sink.write(tone(300, 0.5, 16000), 16000)  # float at another rate: resampled to 22050
    sink.close()
    samples, rate = read_wav_native(path)
    assert rate == 22050
    assert abs(len(samples) - 22050) <= 2
    assert peak_hz(read_wav(path)) == pytest.approx(300, abs=2)


def test_wav_source_blocks(tmp_path):
    path = tmp_path / "t.wav"
    path.write_bytes(wav_bytes(tone(440, 1.0, 16000), 16000))
    blocks = list(WavSource(path, block_ms=30).blocks())
    assert [len(b) for b in blocks[:-1]] == [480] * (len(blocks) - 1)
    assert sum(len(b) for b in blocks) == 16000


@pytest.mark.parametrize(("rate_in", "rate_out"), [(22050, 16000), (48000, 16000), (44100, 16000),
                                                   (8000, 16000), (16000, 22050), (96000, 16000)])
def test_resampler_equals_scipy_resample_poly(rate_in, rate_out):
    """The numpy polyphase filter is scipy's (checked here; scipy is only a training dependency)."""
    from math import gcd

    signal = pytest.importorskip("scipy.signal")
    g = gcd(rate_in, rate_out)
    for n in (1, 7, 777, rate_in // 3):
        x = np.random.default_rng(n).standard_normal(n).astype(np.float32)
        ref = signal.resample_poly(x, rate_out // g, rate_in // g)
        got = resample(x, rate_in, rate_out)
        assert len(got) == len(ref)
        np.testing.assert_allclose(got, ref, atol=1e-4)


def test_the_loop_reads_and_resamples_audio_without_scipy(tmp_path):
    """Importing scipy.signal would cost the running loop 76 MB."""
    import subprocess
    import sys

    path = tmp_path / "in.wav"
    path.write_bytes(wav_bytes(tone(440, 0.5, 44100)[:, None], 44100, 16, "int", False))
    code = ("import sys; from assistant.audio.wav import read_wav; "
            f"x = read_wav({str(path)!r}); assert len(x) == 8000, len(x); "
            "print(sorted(m for m in sys.modules if m.startswith('scipy')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
