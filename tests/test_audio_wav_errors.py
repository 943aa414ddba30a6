"""Bad audio files give one clear line naming the file and the problem, never a traceback."""

from __future__ import annotations

import io
import struct
import subprocess
import sys

import numpy as np
import pytest
from synth_helpers import tone, wav_bytes

from assistant.audio.pcm import PcmSink, PcmSource
from assistant.audio.wav import WavSource, read_wav
from assistant.errors import AudioError

GOOD = wav_bytes(tone(440, 0.5, 16000), 16000)


def write(tmp_path, name: str, data: bytes):
    p = tmp_path / name
    p.write_bytes(data)
    return p


@pytest.mark.parametrize(
    ("name", "data", "problem"),
    [
        ("empty.wav", b"", "empty"),
        ("text.wav", b"hello, this is not audio at all" * 4, "not a WAV"),
        ("mp3.wav", b"ID3\x03\x00" + bytes(200), "not a WAV"),
        ("truncated.wav", GOOD[: len(GOOD) // 2], "truncated"),
        ("header-only.wav", GOOD[:30], "truncated format"),
        ("no-data.wav", GOOD[:36], "no 'data' chunk"),
        ("alaw.wav", GOOD[:20] + struct.pack("<H", 6) + GOOD[22:], "compressed"),
        ("zero.wav", GOOD[:40] + struct.pack("<I", 0), "no audio"),
        ("silly.wav", GOOD[:22] + struct.pack("<H", 0) + GOOD[24:], "implausible"),
    ],
)
def test_bad_files(tmp_path, name, data, problem):
    path = write(tmp_path, name, data)
    with pytest.raises(AudioError) as e:
        read_wav(path)
    msg = str(e.value)
    assert "\n" not in msg
    assert name in msg and problem in msg


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(AudioError, match="no such file"):
        WavSource(tmp_path / "nope.wav")
    with pytest.raises(AudioError, match="is a folder"):
        read_wav(tmp_path)


def test_streamed_wav_with_placeholder_size_is_read_to_the_end(tmp_path):
    data = bytearray(GOOD)
    data[40:44] = struct.pack("<I", 0xFFFFFFFF)  # writer could not seek back
    assert len(read_wav(write(tmp_path, "stream.wav", bytes(data)))) == 8000


def test_cli_prints_one_line_for_a_corrupt_file(tmp_path):
    path = write(tmp_path, "broken.wav", GOOD[:100])
    r = subprocess.run([sys.executable, "-m", "assistant", "transcribe", str(path)],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 1
    assert r.stderr.strip().startswith("error:") and "broken.wav" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    assert "Traceback" not in r.stderr


def test_pcm_source_rebuilds_blocks_from_odd_reads():
    x = (tone(300, 1.0, 16000) * 20000).astype(np.int16)

    class Trickle(io.BytesIO):
        def read(self, n=-1):  # a pipe hands out whatever it has
            return super().read(min(n, 333) if n > 0 else n)

    blocks = list(PcmSource(Trickle(x.tobytes() + b"\x01"), block_ms=30).blocks())
    assert all(len(b) == 480 for b in blocks[:-1])
    np.testing.assert_array_equal(np.concatenate(blocks), x)


def test_pcm_sink_resamples_to_its_rate():
    out = io.BytesIO()
    sink = PcmSink(out, rate=16000)
    sink.write((tone(300, 1.0, 22050) * 20000).astype(np.int16), 22050)
    sink.close()
    assert abs(len(out.getvalue()) // 2 - 16000) <= 1
