"""``make_detector(cfg.wake)``: the configured wake engine, loaded once, with its fallback.

openWakeWord is the default: neural models made for wake words. pocketsphinx spots any phrase.
When the configured engine's model is missing or corrupt, another engine takes over with one
log line saying what to say now, so Hearth still wakes. An engine is a module with
``from_config(cfg)`` and one line in ``DETECTORS`` (and its name in ``config.WakeEngine``).
"""

from __future__ import annotations

import logging

from assistant.config import WakeConfig
from assistant.errors import ConfigError, ModelError
from assistant.registry import Registry
from assistant.wake import openwakeword, pocketsphinx
from assistant.wake.base import WakeDetector, model_id

log = logging.getLogger(__name__)

DETECTORS: Registry[WakeDetector] = Registry("wake.engine", {
    "openwakeword": openwakeword.from_config,
    "pocketsphinx": pocketsphinx.from_config,
})


def wake_phrases(cfg: WakeConfig) -> list[str]:
    """What a person says to wake Hearth with this config (the recognizer's LM knows them)."""
    if cfg.engine == "pocketsphinx":
        return [pocketsphinx.phrase_of(cfg)]
    return [model_id(m).replace("_", " ") for m in cfg.model]


def make_detector(cfg: WakeConfig) -> WakeDetector:
    """The engine ``cfg.engine``; if its model cannot load, the next that does (logged once)."""
    try:
        return DETECTORS[cfg.engine](cfg)
    except ModelError as e:
        failures = [f"{e}"]
        for other in DETECTORS.names():
            if other == cfg.engine:
                continue
            try:
                detector = DETECTORS[other](cfg)
            except (ModelError, ConfigError) as e2:
                failures.append(f"{other}: {e2}")
                continue
            log.warning("wake: %s; listening for %s with %s instead", e,
                        " or ".join(f"'{w}'" for w in detector.words), other)
            return detector
        raise ModelError(f"no wake engine could load: {'; and '.join(failures)}") from None


def make_stop_spotter(cfg: WakeConfig) -> WakeDetector:
    """"stop", which cuts a playing reply: one word no openWakeWord model knows."""
    return pocketsphinx.SphinxWakeDetector("stop", cfg.phrase_threshold)
