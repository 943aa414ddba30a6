"""The synthesizer interface: load once, then a generator of audio chunks per text."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

import numpy as np

from assistant.about import About


class Synthesizer(Protocol):
    """Yields mono int16 chunks at ``sample_rate``, one or more per sentence, as soon as ready."""

    name: str
    about: About  # the voice, its package and languages (Home Assistant's ``info`` lists them)
    sample_rate: int

    def stream(self, text: str) -> Iterator[np.ndarray]: ...


def locale(espeak_voice: str) -> str:
    """An espeak-ng voice name ("en-us", which a piper voice names too) as a locale: "en_US"."""
    lang, _, region = (espeak_voice or "en-us").partition("-")
    return f"{lang}_{region.upper()}" if region else lang
