"""Helpers shared by the backends to turn engine output into ``Transcript``s."""

from __future__ import annotations

import math
import re

from assistant.events import Transcript, Word

_VARIANT = re.compile(r"\(\d+\)$")  # pocketsphinx pronunciation variants: "for(2)"


def clean_word(word: str) -> str | None:
    """The spoken word, or None for fillers and markers (<s>, <sil>, [NOISE], [unk])."""
    w = _VARIANT.sub("", word.strip())
    if not w or w.startswith(("<", "[", "+", "(")):
        return None
    return w


def clean_text(text: str) -> str:
    """Drop fillers and variant markers from a space-separated hypothesis."""
    return " ".join(w for w in (clean_word(t) for t in text.split()) if w)


def transcript(words: list[Word], alternatives: list[str] | None = None,
               confidence: float | None = None) -> Transcript:
    """A final transcript from words; confidence defaults to the mean word confidence."""
    text = " ".join(w.text for w in words)
    if confidence is None:
        confidence = sum(w.confidence for w in words) / len(words) if words else 0.0
    alts = [a for a in dict.fromkeys(alternatives or []) if a and a != text]
    return Transcript(text=text, is_final=True, confidence=float(confidence),
                      words=words, alternatives=alts)


def softmax_first(scores: list[float]) -> float:
    """Share of the best of several log-scores (how sure the engine is of its first choice)."""
    if not scores:
        return 0.0
    top = max(scores)
    exps = [math.exp(s - top) for s in scores]
    return exps[0] / sum(exps)
