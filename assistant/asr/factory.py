"""``make_recognizer(cfg.asr, vocabulary)``: the configured engine, model loaded once.

An engine is a module with ``from_config(cfg, vocabulary)`` and one line in ``RECOGNIZERS``
(its name also goes into ``config.AsrEngine``, so a typo fails when the config loads).
"""

from __future__ import annotations

from collections.abc import Callable

from assistant.asr import sphinx, vosk_backend
from assistant.asr.base import Recognizer
from assistant.asr.vocabulary import Vocabulary
from assistant.config import AsrConfig
from assistant.registry import Registry

Builder = Callable[[AsrConfig, Vocabulary], Recognizer]

RECOGNIZERS: Registry[Builder] = Registry("asr.engine", {
    "pocketsphinx": sphinx.from_config,
    "vosk": vosk_backend.from_config,
})


def make_recognizer(cfg: AsrConfig, vocabulary: Vocabulary | None = None) -> Recognizer:
    """The recognizer ``cfg`` asks for; bad settings and missing models raise one clear line."""
    return RECOGNIZERS[cfg.engine](cfg, vocabulary or Vocabulary())
