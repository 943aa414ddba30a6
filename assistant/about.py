"""What an engine is and whom to thank: every engine object carries its own ``About``.

Status lines and Home Assistant's ``info`` ask the loaded object, never the config string that
asked for it, so a fallback engine (espeak-ng for piper, pocketsphinx for a damaged model) is
reported as what it is.
"""

from __future__ import annotations

import importlib.metadata
from dataclasses import dataclass


@dataclass(frozen=True)
class About:
    """The model an engine runs, the engine package's version, and its attribution."""

    model: str  # "pocketsphinx-en-us", "en_US-joe-medium", "hey_jarvis"
    version: str | None  # version of the package that runs it; None when not installed as one
    credit: str  # who made it ("CMU Sphinx")
    url: str = ""
    languages: tuple[str, ...] = ("en",)


def package_version(package: str) -> str | None:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None
