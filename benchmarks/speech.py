"""Test speech for the benchmarks: many voices, each changed the ways rooms and people change it.

Voices: piper joe, every flite voice (``flite -lv``, less the time-only ``awb_time``), espeak-ng
variants. Conditions (sox): ``clean``; ``varied`` (speed 0.85-1.2x, pitch +-3 semitones,
loudness -12..0 dB, room reverberation); ``snrN`` (varied, then pink noise or babble at N dB
SNR); ``paused`` (clean, with a pause mid-sentence: a sentence holding " ... " is said in parts,
0.6 s of silence between, as people pause mid-command). Every file is made once and cached
under ``<cache dir>/benchmarks/speech``, keyed by voice, text and condition, so a rerun only
decodes. The random changes are seeded by the key, so the same sentence in the same condition
always sounds the same.
"""

from __future__ import annotations

import hashlib
import random
import subprocess
import sys
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

RATE = 16000
FLITE = ("slt", "kal16", "kal", "awb", "rms")
ESPEAK = ("espeak:en-us", "espeak:en-us+f3", "espeak:en-gb+m3", "espeak:en-gb-scotland",
          "espeak:en-gb-x-rp+f2", "espeak:en-029")
VOICES = ("joe", *FLITE, *ESPEAK)
PAUSE = " ... "  # in a sentence: the speaker pauses there
# what babble is made of: other people talking about other things, four at once
BABBLE_TEXT = [
    "so we drove up to the lake on saturday and the weather was just perfect all day long",
    "i told him the meeting had been moved to thursday but he never checked his email",
    "the recipe says two cups of flour but i always add a little more to make it thicker",
    "have you seen the new bakery on the corner they make the best croissants in town",
    "my brother is moving to denver next month and he still has not found an apartment",
    "the kids spent the whole afternoon building a fort out of blankets in the living room",
    "we should probably paint the fence before winter or the wood will start to rot",
    "she said the train was delayed again because of the signal problems near the bridge",
]


def cache() -> Path:
    from assistant import paths

    d = paths.cache_dir() / "benchmarks" / "speech"
    d.mkdir(parents=True, exist_ok=True)
    return d


def _sox(*args: str) -> None:
    subprocess.run(["sox", *args], check=True, capture_output=True)


class Voices:
    """Cached, varied synthesized speech (16 kHz mono int16 WAV files)."""

    def __init__(self) -> None:
        self._piper = None

    def raw(self, voice: str, text: str) -> Path:
        """The voice saying ``text``, resampled to 16 kHz mono, with 0.3 s of silence around."""
        out = cache() / f"{_safe(voice)}-{_key(voice, text)}.wav"
        if out.exists():
            return out
        if PAUSE in text:
            part = out.with_suffix(".part.wav")
            write(part, np.concatenate([read(self.raw(voice, t)) for t in text.split(PAUSE)]))
            part.rename(out)
            return out
        tmp = out.with_suffix(".synth.wav")
        if voice == "joe":
            self._joe(text, tmp)
        elif voice in FLITE:
            subprocess.run(["flite", "-voice", voice, "-t", text, "-o", str(tmp)], check=True)
        elif voice.startswith("espeak:"):
            subprocess.run(["espeak-ng", "-v", voice.split(":", 1)[1], "-w", str(tmp), text],
                           check=True)
        else:
            raise ValueError(f"unknown voice {voice!r}")
        part = out.with_suffix(".part.wav")
        _sox(str(tmp), "-r", str(RATE), "-c", "1", "-b", "16", str(part), "norm", "-3",
             "pad", "0.3", "0.3")
        tmp.unlink()
        part.rename(out)
        return out

    def wav(self, voice: str, text: str, condition: str = "clean") -> Path:
        """``text`` by ``voice`` in ``condition`` (``clean``, ``paused``, ``varied`` or
        ``snr<dB>``)."""
        if condition == "clean":
            return self.raw(voice, text)
        if condition == "paused":
            return self.raw(voice, pause_in(text, random.Random(_key(voice, text, condition))))
        out = cache() / f"{_safe(voice)}-{_key(voice, text, condition)}-{condition}.wav"
        if out.exists():
            return out
        rng = random.Random(_key(voice, text, condition))
        src = self.raw(voice, text)
        part = out.with_suffix(".part.wav")
        tempo = rng.uniform(0.85, 1.2)
        pitch = rng.uniform(-300, 300)
        gain = rng.uniform(-12, 0)
        reverb = rng.uniform(20, 70)
        effects = ["tempo", f"{tempo:.3f}", "pitch", f"{pitch:.0f}", "reverb", f"{reverb:.0f}",
                   "50", "80", "channels", "1", "rate", str(RATE), "norm", f"{gain:.1f}"]
        _sox(str(src), "-b", "16", str(part), *effects)
        if condition.startswith("snr"):
            snr = float(condition[3:])
            speech = read(part)
            kind = "babble" if rng.random() < 0.5 else "pink"
            noise = self.noise(kind, len(speech), rng)
            write(part, mix(speech, noise, snr))
        elif condition != "varied":
            raise ValueError(f"unknown condition {condition!r}")
        part.rename(out)
        return out

    def noise(self, kind: str, n: int, rng: random.Random) -> np.ndarray:
        """``n`` samples of pink noise or babble (four voices at once), from a random offset."""
        src = cache() / f"noise-{kind}.wav"
        if not src.exists():
            part = src.with_suffix(".part.wav")
            if kind == "pink":
                _sox("-n", "-r", str(RATE), "-c", "1", "-b", "16", str(part), "synth", "60",
                     "pinknoise", "norm", "-6")
            else:
                tracks = []
                for i in range(4):
                    voice = VOICES[(3 * i + 1) % len(VOICES)]
                    parts = [read(self.raw(voice, t)) for t in BABBLE_TEXT[i::2] + BABBLE_TEXT]
                    tracks.append(np.concatenate(parts).astype(np.float64))
                m = min(len(t) for t in tracks)
                write(part, np.clip(sum(t[:m] for t in tracks) / 2.5, -32768, 32767))
            part.rename(src)
        noise = read(src)
        reps = n // len(noise) + 2
        noise = np.tile(noise, reps)
        start = rng.randrange(len(noise) - n)
        return noise[start:start + n]

    def _joe(self, text: str, path: Path) -> None:
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
        from synth_helpers import piper_wav

        piper_wav(text, path)


def pause_in(text: str, rng: random.Random) -> str:
    """``text`` with a pause (``PAUSE``) after its second word or later; under four words, as
    it is."""
    words = text.split()
    if len(words) < 4:
        return text
    at = rng.randrange(2, len(words) - 1)
    return " ".join(words[:at]) + PAUSE + " ".join(words[at:])


def mix(speech: np.ndarray, noise: np.ndarray, snr_db: float) -> np.ndarray:
    """Speech plus noise scaled so the speech's voiced parts are ``snr_db`` above it."""
    s = speech.astype(np.float64)
    n = noise.astype(np.float64)
    frames = s[: len(s) // 320 * 320].reshape(-1, 320)
    energy = (frames ** 2).mean(axis=1)
    voiced = energy[energy > energy.max() * 1e-3]  # leave the silence around out of it
    p_speech = voiced.mean() if len(voiced) else energy.mean()
    p_noise = (n ** 2).mean() or 1.0
    n *= np.sqrt(p_speech / (p_noise * 10 ** (snr_db / 10)))
    out = s + n
    peak = np.abs(out).max()
    if peak > 32000:
        out *= 32000 / peak
    return out


def read(path: Path) -> np.ndarray:
    with wave.open(str(path), "rb") as w:
        return np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16)


def write(path: Path, x: np.ndarray) -> None:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(np.asarray(np.round(x), dtype=np.int16).tobytes())


def _key(*parts: str) -> str:
    return hashlib.sha1("\0".join(parts).encode()).hexdigest()[:16]


def _safe(voice: str) -> str:
    return voice.replace(":", "_").replace("+", "_")


@dataclass(frozen=True)
class Utterance:
    """One spoken test sentence: what was said, by whom, in what condition."""

    text: str
    voice: str
    condition: str
    group: str = ""

    def wav(self, voices: Voices) -> Path:
        return voices.wav(self.voice, self.text, self.condition)
