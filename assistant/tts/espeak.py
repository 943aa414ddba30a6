"""espeak-ng fallback voice: robotic but tiny, always there when no piper voice is installed."""

from __future__ import annotations

import io
import shutil
import subprocess
import wave
from collections.abc import Iterator

import numpy as np

from assistant.about import About
from assistant.config import TtsConfig
from assistant.errors import ModelError
from assistant.tts.base import locale
from assistant.tts.sentences import split_sentences

DEFAULT_WPM = 175  # espeak-ng's own default speed
TIMEOUT_S = 30.0


def from_config(cfg: TtsConfig) -> EspeakSynth:
    return EspeakSynth(volume=cfg.volume, length_scale=cfg.length_scale)


class EspeakSynth:
    """Runs ``espeak-ng --stdout`` once per sentence (text on stdin, so no option injection)."""

    def __init__(self, voice: str = "en-us", volume: float = 0.8, length_scale: float = 1.0) -> None:
        binary = shutil.which("espeak-ng")
        if binary is None:
            raise ModelError("espeak-ng is not installed; run: sudo apt-get install espeak-ng")
        self.binary, self.voice, self.volume = binary, voice, volume
        self.speed = max(80, min(450, round(DEFAULT_WPM / length_scale)))
        self.name = "espeak-ng"
        self.about = About(voice, None, "eSpeak NG", "https://github.com/espeak-ng/espeak-ng",
                           (locale(voice),))
        self.sample_rate = 22050  # espeak-ng's rate; updated from each WAV header

    def _sentence(self, sentence: str) -> np.ndarray:
        cmd = [self.binary, "--stdout", "-v", self.voice, "-s", str(self.speed)]
        try:
            proc = subprocess.run(cmd, input=sentence.encode("utf-8"), capture_output=True,
                                  timeout=TIMEOUT_S, check=True)
            with wave.open(io.BytesIO(proc.stdout)) as w:
                self.sample_rate = w.getframerate()
                raw = w.readframes(w.getnframes())  # espeak-ng writes a placeholder length
        except subprocess.CalledProcessError as e:
            err = e.stderr.decode(errors="replace").strip().splitlines()
            raise ModelError(f"espeak-ng failed: {err[0] if err else e}") from None
        except (subprocess.TimeoutExpired, wave.Error, EOFError, OSError) as e:
            raise ModelError(f"espeak-ng failed: {e}") from None
        audio = np.frombuffer(raw[: len(raw) // 2 * 2], dtype="<i2").astype(np.float32)
        peak = float(np.max(np.abs(audio))) if audio.size else 0.0
        if peak > 0:  # same loudness as piper, which normalizes each sentence to full scale
            audio *= 32767.0 * self.volume / peak
        return np.clip(audio, -32768, 32767).astype(np.int16)

    def stream(self, text: str) -> Iterator[np.ndarray]:
        for sentence in split_sentences(text):
            yield self._sentence(sentence)
