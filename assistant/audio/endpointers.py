"""``make_endpointer(cfg.endpoint)``: Silero VAD, or the energy endpointer when it cannot load."""

from __future__ import annotations

import logging

from assistant.audio.endpoint import Endpointer
from assistant.config import EndpointConfig
from assistant.errors import ConfigError, ModelError

log = logging.getLogger(__name__)

ENGINES = ("silero", "energy")


def make_endpointer(cfg: EndpointConfig) -> Endpointer:
    """The voice-activity engine ``cfg.vad``; a missing or damaged Silero model is one log line."""
    from assistant.audio.vad import EnergyEndpointer

    if cfg.vad not in ENGINES:
        raise ConfigError(f"endpoint.vad must be one of {', '.join(ENGINES)}, got '{cfg.vad}'")
    if cfg.vad == "silero":
        from assistant.audio.silero import SileroEndpointer

        try:
            return SileroEndpointer(cfg)
        except ModelError as e:
            log.warning("endpointing: %s; using the energy endpointer instead", e)
    return EnergyEndpointer(cfg)
