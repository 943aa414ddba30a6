"""Template matching: a transcript that one of the sentence templates produces is understood
exactly (confidence 1), its slots the template's lists; everything else goes to the NLU model.

Why first: the templates are what the recognizer's grammar decodes against, so a grammar
transcript always matches one, and a match needs no model to be right. Template blocks marked
``template_match: false`` (too broad, like "what is {query}") are left to the model, which can
say "that is an open question" where a template cannot.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from hassil import recognize_all
from hassil.models import MatchEntity

from assistant.events import Slot, Understanding
from assistant.sentences.load import NO_MATCH, SentenceSet
from assistant.understanding.intents import INTENTS, OUT_OF_SCOPE
from assistant.understanding.text import Words, split_words

log = logging.getLogger(__name__)

SOURCE = "templates"
MAX_WORDS = 40  # a template sentence is short; longer text is not worth matching
# Words a person adds to any command that change nothing ("could you set the kitchen to 19
# degrees please"): text that matches no template as said is tried without them, so custom
# intents need not spell out politeness. Only then: a wildcard keeps them ("remind me to ask
# can you come").
SKIP_WORDS = ("please", "can you", "could you", "would you", "will you")
_HAS_SKIP_WORD = re.compile(r"\b(?:" + "|".join(SKIP_WORDS) + r")\b")  # split_words lowercases


class TemplateMatcher:
    """Text -> the best matching template's intent and slots, or None."""

    def __init__(self, sentences: SentenceSet) -> None:
        self.sentences = sentences
        self._skip = {id(d) for intent in sentences.intents.intents.values() for d in intent.data
                      if (d.metadata or {}).get(NO_MATCH, True) is False}

    def match(self, text: str) -> Understanding | None:
        words = split_words(text if isinstance(text, str) else "")
        if not words.words or len(words.words) > MAX_WORDS:
            return None
        try:
            results = self._results(words.text)
            if not results and _HAS_SKIP_WORD.search(words.text):  # without them it differs
                results = self._results(words.text, SKIP_WORDS)
        except Exception as e:  # a matcher bug must not cost the utterance: the NLU still runs
            log.warning("template matching failed on %r: %s", text[:80], e)
            return None
        if not results:
            return None
        best = min(results, key=_score)
        intent = best.intent.name
        return Understanding(text=text, intent=intent, confidence=1.0,
                             slots=_slots(best.entities_list, words, INTENTS.get(intent, (None,))[0]),
                             in_scope=intent != OUT_OF_SCOPE, source=SOURCE)

    def _results(self, text: str, skip_words: tuple[str, ...] = ()) -> list[Any]:
        """hassil's matches, without the template blocks left to the model."""
        return [r for r in recognize_all(text, self.sentences.intents, skip_words=skip_words, language="en")
                if id(r.intent_data) not in self._skip]


def _score(result: Any) -> tuple[int, int, int, str]:
    """hassil's own order: fewer wildcards, more literal text, less text in wildcards."""
    wild = [e for e in result.entities_list if e.is_wildcard]
    return (len(wild), -result.text_chunks_matched, sum(len(e.text or "") for e in wild),
            result.intent.name)


def _slots(entities: list[MatchEntity], words: Words, allowed: tuple[str, ...] | None) -> list[Slot]:
    """Top-level entities as slots, placed on the words: a number inside "{count} minutes" is
    part of the duration, not a slot of its own; a built-in intent keeps only its slots.

    hassil's character spans are not reliable (they drift after a number), so each entity's
    words are found in the utterance, longest first, nearest to hassil's hint."""
    placed: list[tuple[int, int, MatchEntity]] = []
    # longest first; on the same words the intent's own slot wins ("at six": time, not hour)
    for e in sorted(entities, key=lambda e: (-len(e.text.split()), allowed is not None and e.name not in allowed)):
        target = split_words(e.text).words
        n = len(target)
        hits = [i for i in range(len(words.words) - n + 1) if n and words.words[i:i + n] == target]
        free = [i for i in hits if not any(i < b and a < i + n for a, b, _ in placed)]
        if not free:
            continue  # inside a longer slot (or not in the words at all)
        hint = e.text_span[0] if e.text_span else 0
        i = min(free, key=lambda i: abs(words.starts[i] - hint))
        placed.append((i, i + n, e))
    out = []
    for a, b, e in sorted(placed, key=lambda p: p[0]):
        if allowed is None or e.name in allowed:
            text = words.join(a, b)
            out.append(Slot(e.name, text, meaning(e.value, text), 1.0, a, b))
    return out


def meaning(value: Any, text: str) -> Any:
    """What the list says the words stand for: its out value or number; None when that is just
    the words (``values.slots.resolve`` reads them as it reads any understander's slots)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    if isinstance(value, int):
        return value
    value = str(value).strip()
    return None if not value or value.lower() == text.lower() else value
