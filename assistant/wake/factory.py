"""``make_detector(cfg.wake)``: the configured wake engine, loaded once, with its fallback.

openWakeWord is the default: neural models made for wake words. pocketsphinx spots any phrase.
When the configured engine's model is missing or corrupt, the other engine takes over with one
log line saying what to say now, so Hearth still wakes.
"""

from __future__ import annotations

import logging

from assistant.config import WakeConfig
from assistant.errors import ConfigError, ModelError
from assistant.wake.base import WakeDetector
from assistant.wake.openwakeword import PhraseEnd, check_specs, model_id

log = logging.getLogger(__name__)

ENGINES = ("openwakeword", "pocketsphinx")


def sphinx_phrase(cfg: WakeConfig) -> str:
    """The phrase pocketsphinx spots: ``wake.phrase``, else the first model's words."""
    return " ".join(cfg.phrase.split()) or (model_id(cfg.model[0]).replace("_", " ")
                                            if cfg.model else "")


def wake_phrases(cfg: WakeConfig) -> list[str]:
    """What a person says to wake Hearth with this config (the recognizer's LM knows them)."""
    if cfg.engine == "pocketsphinx":
        return [sphinx_phrase(cfg)]
    return [model_id(m).replace("_", " ") for m in cfg.model]


def _aligner(phrases: list[str]) -> PhraseEnd | None:
    """pocketsphinx finds where an openWakeWord phrase ended; without it, the level does."""
    from assistant.wake.pocketsphinx import PhraseAligner

    try:
        return PhraseAligner(phrases).phrase_end
    except ModelError as e:
        log.info("wake: phrase ends found by level, not aligned: %s", e)
        return None


def _build(engine: str, cfg: WakeConfig) -> WakeDetector:
    if engine == "openwakeword":
        from assistant.wake.openwakeword import OpenWakeWordDetector

        return OpenWakeWordDetector(cfg.model, cfg.threshold, cfg.trigger_level, _aligner)
    from assistant.wake.pocketsphinx import SphinxWakeDetector

    return SphinxWakeDetector(sphinx_phrase(cfg), cfg.phrase_threshold)


def make_detector(cfg: WakeConfig) -> WakeDetector:
    """The engine ``cfg.engine``; if its model cannot load, the other one (logged once)."""
    if cfg.engine not in ENGINES:
        raise ConfigError(f"wake.engine must be one of {', '.join(ENGINES)}, got '{cfg.engine}'")
    if cfg.engine == "openwakeword":
        check_specs(cfg.model)  # a typo is a config error, not a reason to fall back
    try:
        return _build(cfg.engine, cfg)
    except ModelError as e:
        other = next(x for x in ENGINES if x != cfg.engine)
        try:
            detector = _build(other, cfg)
        except (ModelError, ConfigError) as e2:
            raise ModelError(f"no wake engine could load: {e}; and {other}: {e2}") from None
        log.warning("wake: %s; listening for %s with %s instead", e,
                    " or ".join(f"'{w}'" for w in detector.words), other)
        return detector


def make_stop_spotter(cfg: WakeConfig) -> WakeDetector:
    """"stop", which cuts a playing reply: one word no openWakeWord model knows."""
    from assistant.wake.pocketsphinx import SphinxWakeDetector

    return SphinxWakeDetector("stop", cfg.phrase_threshold)
