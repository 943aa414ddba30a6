"""Split reply text into sentences so speech can start after the first one.

``split_sentences`` cuts a whole text; ``SentenceStream`` takes text as it is generated (tokens,
characters) and hands out each sentence as soon as it is known to be complete. Both use the same
boundary rule, and a boundary is only accepted once the first character of the next sentence is
seen, so a streamed reply is cut exactly like the same text given whole ("3." + "5" stays "3.5").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

# Abbreviations that never end a sentence before a capitalised word ("Dr. Smith").
_TITLES = {"mr", "mrs", "ms", "dr", "prof", "st", "sr", "jr", "mt", "vs", "gen", "capt", "lt",
           "col", "sgt", "rev", "hon"}
# Abbreviations that only precede a number ("No. 5", "vol. 2"); "the answer is no. 5 more" is rare.
_NUMBERED = {"no", "nos", "vol", "ch", "pt", "fig", "approx"}
# A candidate end: terminators, closing quotes/brackets, whitespace, then the next character.
_END = re.compile(r"([.!?\u2026]+)([\"'\u201d\u2019)\]]*)(\s+)(\S)")
_NEWLINE = re.compile(r"\n\s*(\S)")
_OPENERS = "\"'\u201c\u2018([-*"
MAX_CHARS = 200  # a longer sentence is also cut after a comma, to start speaking sooner


def _word_before(text: str, end: int) -> str:
    m = re.search(r"([\w.]+)$", text[:end])
    return m.group(1) if m else ""


def _is_end(text: str, m: re.Match[str]) -> bool:
    """Does the terminator in ``m`` end a sentence, given the word before and the next char?"""
    terms, nxt = m.group(1), m.group(4)
    if "!" in terms or "?" in terms:
        return True
    starts_sentence = nxt.isupper() or nxt.isdigit() or nxt in _OPENERS
    if not starts_sentence:
        return False  # "approx. five", "e.g. this" and other lowercase continuations
    word = _word_before(text, m.start(1)).lower()
    if terms == "." and (word in _TITLES or (word in _NUMBERED and nxt.isdigit())):
        return False
    # single initials ("J. Smith", "U.S. Army") are not ends
    return not (terms == "." and re.fullmatch(r"(?:[a-z]\.)*[a-z]", word) is not None)


def _boundaries(text: str) -> list[int]:
    """Cut positions (after the terminator and closers) whose next sentence has begun."""
    cuts = {m.end(2) for m in _END.finditer(text) if _is_end(text, m)}
    cuts |= {m.start() for m in _NEWLINE.finditer(text)}
    return sorted(c for c in cuts if c > 0)


def _comma_cut(text: str, max_chars: int) -> int | None:
    """Where to cut an over-long sentence: after the last comma/semicolon within ``max_chars``."""
    if len(text) <= max_chars:
        return None
    cuts = [m.end(1) for m in re.finditer(r"([,;:])\s+\S", text[: max_chars + 1])]
    return cuts[-1] if cuts else None


class SentenceStream:
    """Feed text pieces; get back complete sentences (stripped, never empty) in order."""

    def __init__(self, max_chars: int = MAX_CHARS) -> None:
        self.max_chars = max_chars
        self._buf = ""

    def _take(self) -> list[str]:
        out: list[str] = []
        while True:
            cuts = _boundaries(self._buf)
            cut = cuts[0] if cuts and cuts[0] <= self.max_chars else None
            if cut is None:
                cut = _comma_cut(self._buf, self.max_chars)
            if cut is None:
                cut = cuts[0] if cuts else None
            if cut is None:
                return out
            piece, self._buf = self._buf[:cut].strip(), self._buf[cut:].lstrip()
            if piece:
                out.append(piece)

    def feed(self, piece: str) -> list[str]:
        """Add text; returns the sentences it completed (possibly none)."""
        self._buf += piece
        return self._take()

    def flush(self) -> list[str]:
        """The end of the text: whatever is left is the last sentence."""
        out = self._take()
        rest, self._buf = self._buf.strip(), ""
        return out + ([rest] if rest else [])


def stream_sentences(pieces: Iterable[str], max_chars: int = MAX_CHARS) -> Iterator[str]:
    """Sentences from a token/character stream, each yielded as soon as it is complete."""
    splitter = SentenceStream(max_chars)
    for piece in pieces:
        yield from splitter.feed(piece)
    yield from splitter.flush()


def split_sentences(text: str, max_chars: int = MAX_CHARS) -> list[str]:
    """Sentences of a whole text (same cuts as streaming it)."""
    return list(stream_sentences([text], max_chars))
