"""Random sentences from the templates, with the words each slot took.

One sampler serves the recognizer's language model (text only, numbers in words) and the NLU's
training examples (words with BIO tags, numbers sometimes as digits, as people type them).
Wildcard lists are filled from their ``examples`` (and the household's words), since a
wildcard itself stands for any words. Sampling is seeded: the same inputs give the same output.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from hassil.expression import (
    Alternative,
    Expression,
    ListReference,
    Permutation,
    RuleReference,
    Sequence,
    TextChunk,
)
from hassil.intents import SlotList, TextSlotList, WildcardSlotList

from assistant.sentences.load import SentenceSet, number_range
from assistant.values.number import spoken

# lists that hold names of things: household words join them
HOUSEHOLD_LISTS = ("item", "timer_name", "place", "query")


@dataclass(frozen=True)
class Sampled:
    """One sentence: words, and the slot name each word belongs to (None = outside)."""

    intent: str
    words: tuple[str, ...]
    labels: tuple[str | None, ...]

    @property
    def text(self) -> str:
        return " ".join(self.words)

    def bio(self) -> tuple[str, ...]:
        tags = []
        for i, label in enumerate(self.labels):
            if label is None:
                tags.append("O")
            else:
                inside = i > 0 and self.labels[i - 1] == label
                tags.append(("I-" if inside else "B-") + label)
        return tuple(tags)


class Sampler:
    """Random fillings of a ``SentenceSet``'s templates."""

    def __init__(self, sentences: SentenceSet, rng: random.Random, digits: float = 0.0,
                 extra_words: Iterable[str] = ()) -> None:
        self.s = sentences
        self.rng = rng
        self.digits = digits  # chance a number is written in digits ("5 minutes")
        extra = [" ".join(w.lower().split()) for w in extra_words if w.strip()]
        self.examples = {name: sentences.examples(name) + (extra if name in HOUSEHOLD_LISTS else [])
                         for name in sentences.raw.get("lists", {})}
        self.values = {name: extra for name in HOUSEHOLD_LISTS if extra}

    def sentence(self, intent: str, expression: Expression, lists: dict[str, SlotList],
                 rules: dict[str, Any]) -> Sampled:
        chars: list[tuple[str, str | None]] = []
        self._walk(expression, None, chars, lists, rules, 0)
        words: list[str] = []
        labels: list[str | None] = []
        current = ""
        label: str | None = None
        for ch, lab in chars + [(" ", None)]:
            if ch.isspace():
                if current:
                    words.append(current)
                    labels.append(label)
                current = ""
                continue
            if not current:
                label = lab
            current += ch
        return Sampled(intent, tuple(w.lower() for w in words), tuple(labels))

    def _emit(self, text: str, label: str | None, out: list[tuple[str, str | None]]) -> None:
        out.extend((c, label) for c in text)

    def _walk(self, e: Expression, label: str | None, out: list, lists: dict[str, SlotList],
              rules: dict[str, Any], depth: int) -> None:
        if depth > 40:
            raise ValueError("templates nest too deeply (a rule refers to itself?)")
        if isinstance(e, TextChunk):
            self._emit(e.original_text, label, out)
        elif isinstance(e, Alternative):
            items = list(e.items) + ([TextChunk("")] if e.is_optional else [])
            self._walk(self.rng.choice(items), label, out, lists, rules, depth + 1)
        elif isinstance(e, Permutation):
            items = list(e.items)
            self.rng.shuffle(items)
            for i, item in enumerate(items):
                if i:
                    self._emit(" ", label, out)
                self._walk(item, label, out, lists, rules, depth + 1)
        elif isinstance(e, Sequence):
            for item in e.items:
                self._walk(item, label, out, lists, rules, depth + 1)
        elif isinstance(e, RuleReference):
            self._walk(rules[e.rule_name].expression, label, out, lists, rules, depth + 1)
        elif isinstance(e, ListReference):
            slot = label or e.slot_name  # a list inside a slot's value is part of that slot
            self._emit(" ", None, out)
            self._list(e, slot, out, lists, rules, depth)
            self._emit(" ", None, out)

    def _list(self, ref: ListReference, slot: str, out: list, lists: dict[str, SlotList],
              rules: dict[str, Any], depth: int) -> None:
        numbers = number_range(ref, lists)
        slot_list = lists.get(ref.list_name)
        if numbers is not None:
            self._emit(self._number(self.rng.randrange(numbers.start, numbers.stop, numbers.step)),
                       slot, out)
        elif isinstance(slot_list, TextSlotList):
            extra = self.values.get(ref.list_name, [])
            n = len(slot_list.values) + len(extra)
            i = self.rng.randrange(n)
            if i < len(slot_list.values):
                self._walk(slot_list.values[i].text_in, slot, out, lists, rules, depth + 1)
            else:
                self._emit(extra[i - len(slot_list.values)], slot, out)
        elif isinstance(slot_list, WildcardSlotList):
            pool = self.examples.get(ref.list_name) or ["something"]
            self._emit(self.rng.choice(pool), slot, out)
        else:
            raise KeyError(f"unknown list {{{ref.list_name}}}")

    def _number(self, n: int) -> str:
        return str(n) if self.rng.random() < self.digits else spoken(n)

    def templates(self, intents: Iterable[str] | None = None) -> Iterator[tuple[str, Any, dict, dict]]:
        """(intent, expression, lists, rules) for every template, file order."""
        it = self.s.intents
        for name, intent in it.intents.items():
            if intents is not None and name not in intents:
                continue
            for data in intent.data:
                lists = {**it.slot_lists, **data.slot_lists}
                rules = {**it.expansion_rules, **data.expansion_rules}
                for sentence in data.sentences:
                    yield name, sentence.expression, lists, rules


def sample(sentences: SentenceSet, per_template: int, seed: int = 0, digits: float = 0.0,
           extra_words: Iterable[str] = (), intents: Iterable[str] | None = None) -> list[Sampled]:
    """Up to ``per_template`` distinct fillings of every template (a template with fewer
    fillings gives all it has), in file order."""
    sampler = Sampler(sentences, random.Random(seed), digits, extra_words)
    out: list[Sampled] = []
    for intent, expression, lists, rules in sampler.templates(intents):
        seen: set[str] = set()
        for _ in range(per_template * 3):
            s = sampler.sentence(intent, expression, lists, rules)
            if s.words and s.text not in seen:
                seen.add(s.text)
                out.append(s)
            if len(seen) >= per_template:
                break
    return out
