"""Piper neural voice: the model is loaded once, then each sentence is synthesized on demand.

Splitting the reply ourselves (rather than letting piper phonemize the whole text first) means
the first sentence's audio is ready after one short inference, whatever the reply's length.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from assistant.about import About, package_version
from assistant.config import TtsConfig
from assistant.errors import ModelError
from assistant.onnx_session import open_session
from assistant.tts.base import locale
from assistant.tts.sentences import split_sentences


def _one_line(e: BaseException) -> str:
    text = str(e).strip().splitlines()
    return f"{type(e).__name__}: {text[0]}" if text else type(e).__name__


# Long sentences are synthesized in comma-separated parts: onnxruntime keeps the memory of the
# largest input it has seen, and a 300-character timer list grew the process by ~140 MB.
SYNTH_MAX_CHARS = 80


DEFAULT_VOICE = "joe-medium"


def voice_path(voice: str) -> Path:
    """``tts.voice``: a ``.onnx`` path, an installed model name, or "" for the joe voice."""
    if voice.endswith(".onnx") or "/" in voice:
        return Path(voice).expanduser()
    from assistant.models.registry import locate

    return locate(voice or DEFAULT_VOICE)


def from_config(cfg: TtsConfig) -> PiperSynth:
    return PiperSynth(voice_path(cfg.voice), cfg.volume, cfg.length_scale)


class PiperSynth:
    """A :class:`~assistant.tts.base.Synthesizer` for a piper ``.onnx`` voice (+ ``.onnx.json``)."""

    def __init__(self, model: Path, volume: float = 0.8, length_scale: float = 1.0) -> None:
        from piper import PiperVoice
        from piper.config import PiperConfig, SynthesisConfig

        config = Path(f"{model}.json")
        for p in (model, config):
            if not p.is_file():
                raise ModelError(f"piper voice file missing: {p}")
        try:
            piper_config = PiperConfig.from_dict(json.loads(config.read_text(encoding="utf-8")))
        except Exception as e:
            raise ModelError(f"piper voice {config.name} cannot be read: {_one_line(e)}") from None
        # PiperVoice.load would open the session with onnxruntime's defaults (see onnx_session)
        session = open_session(model, threads=0)
        self.voice = PiperVoice(session=session, config=piper_config)
        self.name = f"piper:{model.name.removesuffix('.onnx')}"
        self.about = About(model.name.removesuffix(".onnx"), package_version("piper-tts"),
                           "rhasspy", "https://github.com/rhasspy/piper",
                           (locale(self.voice.config.espeak_voice),))
        self.sample_rate: int = self.voice.config.sample_rate
        self._syn = SynthesisConfig(volume=volume, length_scale=length_scale)

    def stream(self, text: str) -> Iterator[np.ndarray]:
        """int16 audio, one chunk per sentence, each yielded as soon as it is synthesized."""
        for sentence in split_sentences(text, max_chars=SYNTH_MAX_CHARS):
            for chunk in self.voice.synthesize(sentence, self._syn):
                yield chunk.audio_int16_array
