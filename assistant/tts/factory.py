"""Pick the synthesizer from the config: piper when its voice loads, else espeak-ng.

An engine is a module with ``from_config(cfg)`` and one line in ``SYNTHESIZERS`` (and its name
in ``config.TtsEngine``).
"""

from __future__ import annotations

import logging

from assistant.config import TtsConfig
from assistant.errors import ConfigError
from assistant.registry import Registry
from assistant.tts import espeak, piper_voice
from assistant.tts.base import Synthesizer

log = logging.getLogger(__name__)

SYNTHESIZERS: Registry[Synthesizer] = Registry("tts.engine", {
    "piper": piper_voice.from_config,
    "espeak": espeak.from_config,
}, fallback="espeak", instead="speaking with espeak-ng instead", log=log)


def _check(cfg: TtsConfig) -> None:
    if not 0.0 <= cfg.volume <= 2.0:
        raise ConfigError(f"config: tts.volume must be between 0 and 2, got {cfg.volume}")
    if not 0.25 <= cfg.length_scale <= 4.0:
        raise ConfigError(f"config: tts.length_scale must be between 0.25 and 4, "
                          f"got {cfg.length_scale}")


def make_synthesizer(cfg: TtsConfig) -> Synthesizer:
    """The configured voice; a missing or corrupt one falls back to espeak-ng with a one-line
    warning (speaking robotically beats not answering)."""
    _check(cfg)
    return SYNTHESIZERS.build(cfg.engine, cfg)
