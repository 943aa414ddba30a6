"""Normalized slot values (seconds, clock times, numbers) from the skills room's ``spoken`` module.

Both understanders call :func:`slot_value`; it never raises, because an odd slot text must not
take the loop down: the skill then sees ``value=None`` and can ask back.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import cache
from typing import Any

log = logging.getLogger(__name__)


@cache
def _normalizer() -> Callable[[str, str], Any] | None:
    try:
        from assistant.understanding.spoken import normalize_slot
    except ImportError:
        return None
    return normalize_slot


def slot_value(name: str, text: str) -> Any:
    """The normalized value of slot ``name`` spoken as ``text``, or None when unknown."""
    fn = _normalizer()
    if fn is None:
        return None
    try:
        return fn(name, text)
    except Exception as e:  # a normalizer bug must not break understanding
        log.debug("normalize_slot(%r, %r) failed: %s", name, text, e)
        return None
