"""``make_endpointer(cfg.endpoint)``: Silero VAD, or the energy endpointer when it cannot load.

An engine is an ``Endpointer`` class taking the config and one line in ``ENDPOINTERS`` (and its
name in ``config.VadEngine``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from assistant.audio.endpoint import Endpointer
from assistant.audio.silero import SileroEndpointer
from assistant.audio.vad import EnergyEndpointer
from assistant.config import EndpointConfig
from assistant.errors import ModelError
from assistant.registry import Registry

log = logging.getLogger(__name__)

ENDPOINTERS: Registry[Callable[[EndpointConfig], Endpointer]] = Registry("endpoint.vad", {
    "silero": SileroEndpointer,
    "energy": EnergyEndpointer,
})
FALLBACK = "energy"  # needs no model


def make_endpointer(cfg: EndpointConfig) -> Endpointer:
    """The voice-activity engine ``cfg.vad``; a missing or damaged model is one log line."""
    build = ENDPOINTERS[cfg.vad]
    if cfg.vad == FALLBACK:
        return build(cfg)
    try:
        return build(cfg)
    except ModelError as e:
        log.warning("endpointing: %s; using the %s endpointer instead", e, FALLBACK)
    return ENDPOINTERS[FALLBACK](cfg)
