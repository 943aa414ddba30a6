"""``make_understander(cfg.understanding, model_dir)``: the configured understander.

An engine is a builder from a model folder and one line in ``UNDERSTANDERS`` (and its name in
``config.UnderstandingEngine``). When the NLU model can't load, one log line and the keyword
matcher: the assistant keeps working.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from assistant.config import UnderstandingConfig
from assistant.errors import ModelError
from assistant.registry import Registry
from assistant.understanding.base import Understander
from assistant.understanding.keywords import KeywordUnderstander
from assistant.understanding.nlu import NluUnderstander


def keywords(_model_dir: Path) -> Understander:
    """The rules need no model."""
    return KeywordUnderstander()


UNDERSTANDERS: Registry[Callable[[Path], Understander]] = Registry("understanding.engine", {
    "nlu": NluUnderstander,
    "keywords": keywords,
})
FALLBACK = "keywords"

log = logging.getLogger(__name__)


def make_understander(cfg: UnderstandingConfig, model_dir: Path) -> Understander:
    """The configured understander on ``model_dir``; a model that can't load falls back to the
    keyword matcher (logged in one line)."""
    build = UNDERSTANDERS[cfg.engine]
    try:
        return build(model_dir)
    except ModelError as e:
        log.warning("NLU model unavailable (%s); using the keyword matcher", e)
    return UNDERSTANDERS[FALLBACK](model_dir)
