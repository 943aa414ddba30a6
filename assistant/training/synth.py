"""Templated utterances for Hearth intents the public data sets barely cover.

Why: HWU64 and CLINC150 have no "pause the timer", "forget where I parked" or "clear the
shopping list", and never label list items, reminder tasks or remembered facts. The sentence
templates (``assistant/sentences``, the same ones the recognizer's grammar and the template
matcher use) are sampled into a few thousand phrasings with slot labels, numbers sometimes in
digits as people type them. Sampling is seeded, so the set is reproducible; ``HELD_OUT``
utterances are never generated, so tests can use them as unseen examples.
"""

from __future__ import annotations

from assistant.sentences.load import SentenceSet, builtin
from assistant.sentences.sample import sample
from assistant.training.datasets import Example
from assistant.understanding.intents import INTENTS

# utterances the tests use as unseen examples: never generated
HELD_OUT: frozenset[str] = frozenset({
    "set a timer for ten minutes", "pause the timer", "cancel the egg timer",
    "add milk and eggs to my shopping list", "remember that my car is parked on level 3",
    "remember that my car is parked on level three",
    "where is my car", "clear the shopping list", "make it twenty minutes instead",
    "how much time is left on the timer",
})
DIGITS = 0.3  # share of numbers written as digits: typed text ("5 minutes") is input too


def generate(per_template: int = 10, seed: int = 13, sentences: SentenceSet | None = None,
             ) -> list[Example]:
    """Distinct templated examples with BIO tags, up to ``per_template`` per template."""
    out: list[Example] = []
    seen: set[str] = set()
    for s in sample(sentences or builtin(), per_template, seed=seed, digits=DIGITS):
        if s.text in seen or s.text in HELD_OUT:
            continue
        seen.add(s.text)
        tags = _keep(s.bio(), INTENTS[s.intent][0] if s.intent in INTENTS else None)
        out.append(Example(s.words, s.intent, tags, "synth", s.intent, tags))
    return out


def _keep(tags: tuple[str, ...], allowed: tuple[str, ...] | None) -> tuple[str, ...]:
    """Tags of slots the intent has; a template's other lists (a date in "do I have an alarm
    tomorrow") are words, not slots, to this intent."""
    if allowed is None:
        return tags
    return tuple(t if t == "O" or t[2:] in allowed else "O" for t in tags)
