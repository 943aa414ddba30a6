"""One way to split an utterance into words, shared by every understander.

Slots carry word indices (``Slot.start``/``Slot.end``), so the keyword rules, the NLU model and
the skills must agree on what a "word" is: lower-cased, whitespace-split, with punctuation at the
edges of a word removed (inner characters such as ``5.5``, ``10:30`` or ``don't`` are kept).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_EDGE = "\"'.,!?;:()[]{}<>«»“”‘’…"
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Words:
    """The normalized words of an utterance and where each starts in ``text`` (" "-joined)."""

    words: tuple[str, ...]
    starts: tuple[int, ...]

    @property
    def text(self) -> str:
        return " ".join(self.words)

    def word_span(self, char_start: int, char_end: int) -> tuple[int, int]:
        """Word indices [start, end) covering the characters [char_start, char_end) of ``text``."""
        first = last = -1
        for i, s in enumerate(self.starts):
            e = s + len(self.words[i])
            if e > char_start and s < char_end:
                if first < 0:
                    first = i
                last = i
        return (first, last + 1) if first >= 0 else (-1, -1)

    def join(self, start: int, end: int) -> str:
        return " ".join(self.words[start:end])


def split_words(text: str) -> Words:
    """Lower-case, split on whitespace and strip punctuation at word edges; drop empty words."""
    words: list[str] = []
    for raw in _SPACE.split(text.lower()):
        w = raw.strip(_EDGE)
        if not w and raw and set(raw) <= set("+-*/x%"):
            w = raw
        if w:
            words.append(w)
    starts: list[int] = []
    pos = 0
    for w in words:
        starts.append(pos)
        pos += len(w) + 1
    return Words(tuple(words), tuple(starts))
