"""``make_endpointer(cfg.endpoint)``: Silero VAD, or the energy endpointer when it cannot load.

An engine is an ``Endpointer`` class taking the config and one line in ``ENDPOINTERS`` (and its
name in ``config.VadEngine``).
"""

from __future__ import annotations

import logging

from assistant.audio.endpoint import Endpointer
from assistant.audio.silero import SileroEndpointer
from assistant.audio.vad import EnergyEndpointer
from assistant.config import EndpointConfig
from assistant.registry import Registry

log = logging.getLogger(__name__)

ENDPOINTERS: Registry[Endpointer] = Registry("endpoint.vad", {
    "silero": SileroEndpointer,
    "energy": EnergyEndpointer,  # needs no model
}, fallback="energy", instead="endpointing with the energy endpointer instead", log=log)


def make_endpointer(cfg: EndpointConfig) -> Endpointer:
    """The voice-activity engine ``cfg.vad``; a missing or damaged model is one log line."""
    return ENDPOINTERS.build(cfg.vad, cfg)
