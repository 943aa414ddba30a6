"""Pick the synthesizer from the config: piper when its voice loads, else espeak-ng."""

from __future__ import annotations

import logging
from pathlib import Path

from assistant.config import TtsConfig
from assistant.errors import ConfigError, ModelError
from assistant.tts.base import Synthesizer

log = logging.getLogger(__name__)
DEFAULT_VOICE = "joe-medium"


def voice_path(voice: str) -> Path:
    """``tts.voice``: a ``.onnx`` path, an installed model name, or "" for the joe voice."""
    if voice.endswith(".onnx") or "/" in voice:
        return Path(voice).expanduser()
    from assistant.models.registry import locate

    return locate(voice or DEFAULT_VOICE)


def _check(cfg: TtsConfig) -> None:
    if cfg.engine not in ("piper", "espeak"):
        raise ConfigError(f"config: tts.engine must be 'piper' or 'espeak', got {cfg.engine!r}")
    if not 0.0 <= cfg.volume <= 2.0:
        raise ConfigError(f"config: tts.volume must be between 0 and 2, got {cfg.volume}")
    if not 0.25 <= cfg.length_scale <= 4.0:
        raise ConfigError(f"config: tts.length_scale must be between 0.25 and 4, "
                          f"got {cfg.length_scale}")


def make_synthesizer(cfg: TtsConfig) -> Synthesizer:
    """The configured voice; a missing or corrupt piper voice falls back to espeak-ng with a
    one-line warning, because speaking robotically beats not answering."""
    from assistant.tts.espeak import EspeakSynth

    _check(cfg)
    if cfg.engine == "piper":
        from assistant.tts.piper_voice import PiperSynth

        try:
            return PiperSynth(voice_path(cfg.voice), cfg.volume, cfg.length_scale)
        except ModelError as e:
            log.warning("%s; speaking with espeak-ng instead", e)
    return EspeakSynth(volume=cfg.volume, length_scale=cfg.length_scale)
