"""``make_understander(cfg.understanding, model_dir)``: the configured understander.

An engine is a builder from a model folder and one line in ``UNDERSTANDERS`` (and its name in
``config.UnderstandingEngine``). When the NLU model can't load, one log line and the keyword
matcher: the assistant keeps working.
"""

from __future__ import annotations

import logging
from pathlib import Path

from assistant.config import UnderstandingConfig
from assistant.registry import Registry
from assistant.understanding.base import Understander
from assistant.understanding.keywords import KeywordUnderstander
from assistant.understanding.nlu import NluUnderstander


def keywords(_model_dir: Path) -> Understander:
    """The rules need no model."""
    return KeywordUnderstander()


log = logging.getLogger(__name__)

UNDERSTANDERS: Registry[Understander] = Registry("understanding.engine", {
    "nlu": NluUnderstander,
    "keywords": keywords,
}, fallback="keywords", instead="NLU model unavailable: using the keyword matcher", log=log)


def make_understander(cfg: UnderstandingConfig, model_dir: Path) -> Understander:
    """The configured understander on ``model_dir``; a model that can't load falls back to the
    keyword matcher (logged in one line)."""
    return UNDERSTANDERS.build(cfg.engine, model_dir)
