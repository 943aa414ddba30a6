"""``make_recognizer(cfg.asr, vocabulary)``: the configured engine, model loaded once.

An engine is a module with ``from_config(cfg, vocabulary)`` and one line in ``RECOGNIZERS``
(its name also goes into ``config.AsrEngine``, so a typo fails when the config loads).
"""

from __future__ import annotations

import logging

from assistant.asr import sphinx, vosk_backend, whisper
from assistant.asr.base import Recognizer
from assistant.asr.vocabulary import Vocabulary
from assistant.config import AsrConfig
from assistant.registry import Registry

log = logging.getLogger(__name__)

RECOGNIZERS: Registry[Recognizer] = Registry("asr.engine", {
    "whisper": whisper.from_config,
    "pocketsphinx": sphinx.from_config,  # its model ships inside its wheel
    "vosk": vosk_backend.from_config,
}, fallback="pocketsphinx", instead="hearing with pocketsphinx instead", log=log)


def make_recognizer(cfg: AsrConfig, vocabulary: Vocabulary | None = None) -> Recognizer:
    """The recognizer ``cfg`` asks for; bad settings raise one clear line, and an engine whose
    model is missing or damaged gives way to pocketsphinx (one log line)."""
    return RECOGNIZERS.build(cfg.engine, cfg, vocabulary or Vocabulary())
