"""Custom commands said in other words: a second look at the household's own intents when
neither a template nor the model understood a sentence.

The NLU model is trained on the built-in intents only, so a custom intent is understood only as
its templates say it: "set the {room} to {degrees} degrees" matches, "bump the living room up to
twenty two" matches nothing and the model calls it out of scope. Here the values the custom
templates' lists hold are found in the sentence (hassil matches each list on the words, so
"kids room" is the nursery and "twenty two" is 22), each stands in for its slot, and the result
is compared with every word sequence the intent's templates can say, each slot one word there
too. A sentence is taken as the intent when it shares at least ``THRESHOLD`` of its words (Dice)
with a template sentence that names exactly the slots it names.

On purpose narrow, since acting on speech that was no command is worse than asking again: a
sentence must name at least one of the intent's values (a near miss with nothing to hold on to
is more likely other talk) and no value of a list the intent does not use; one slot heard with
two different values is no match; wildcard slots (free text) cannot be found this way, so their
templates never match here; and built-in intents are left to the model.
"""

from __future__ import annotations

import itertools
import logging
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from hassil import recognize_all
from hassil.expression import (
    Alternative,
    Expression,
    Group,
    ListReference,
    Permutation,
    RuleReference,
    TextChunk,
)
from hassil.intents import Intents, SlotList, WildcardSlotList

from assistant.events import Slot, Understanding
from assistant.sentences.load import SentenceSet, list_references
from assistant.understanding.templates import meaning
from assistant.understanding.text import Words, split_words

log = logging.getLogger(__name__)

SOURCE = "near"
THRESHOLD = 0.7  # Dice of word bags: the share of words two sentences have in common
PER_TEMPLATE = 2000  # word sequences per template at most (its optional words multiply them)
MAX_SPAN = 4  # words a list value may take ("frost protection", "twenty two")
MAX_WORDS = 20  # a longer sentence is not a command said in other words


@dataclass(frozen=True)
class Spotted:
    """A list value found in the words: ``start``..``end`` (word indexes) is ``value``."""

    list_name: str
    start: int
    end: int
    value: object


class NearTemplates:
    """Text -> the custom intent a template sentence near it names, or None."""

    def __init__(self, sentences: SentenceSet) -> None:
        custom = list(sentences.custom)
        intents = sentences.intents
        self.lists: dict[str, SlotList] = dict(intents.slot_lists)
        self.refs: dict[str, dict[str, str]] = {}  # intent -> list name -> slot name
        for name in custom:
            for data in intents.intents[name].data:
                self.lists.update(data.slot_lists)
                for s in data.sentences:
                    # rules are not followed: a list inside one is never found in the words,
                    # so a template that fills a slot through a rule never matches here
                    for ref in list_references(s.expression):
                        self.refs.setdefault(name, {})[ref.list_name] = ref.slot_name
        wild = {n for n, lst in self.lists.items() if isinstance(lst, WildcardSlotList)}
        spot = {n for refs in self.refs.values() for n in refs if n not in wild}
        self._spotter = Intents.from_dict({"language": "en", "intents": {
            n: {"data": [{"sentences": [f"{{{n}}}"]}]} for n in sorted(spot)}})
        # intent -> its template sentences with each slot as one "{slot}" word, and the slots
        # each names; only those with slots (see the module docstring)
        self.skeletons: dict[str, dict[tuple[str, ...], frozenset[str]]] = {}
        try:
            for name in custom if spot else ():
                for data in intents.intents[name].data:
                    rules = {**intents.expansion_rules, **data.expansion_rules}
                    for sentence in data.sentences:
                        for text in _expand(sentence.expression, rules):
                            sk = _words(text)
                            names = frozenset(w[1:-1] for w in sk if w.startswith("{"))
                            if names:
                                self.skeletons.setdefault(name, {})[sk] = names
        except (ValueError, RecursionError) as e:  # templates load checked; never fail the door
            log.warning("custom commands in other words are off: %s", e)
            self.skeletons = {}

    def match(self, text: str) -> Understanding | None:
        words = split_words(text if isinstance(text, str) else "")
        if not self.skeletons or not words.words or len(words.words) > MAX_WORDS:
            return None
        try:
            found = self._spot(words.words)
        except Exception as e:  # a matcher bug must not cost the utterance
            log.warning("near-template matching failed on %r: %s", text[:80], e)
            return None
        best: tuple[float, str, list[tuple[str, Spotted]]] | None = None
        for intent, skeletons in self.skeletons.items():
            if any(f.list_name not in self.refs[intent] for f in found):
                continue  # words the intent has no slot for ("set the bedroom to eco")
            slots = _slots_of(found, self.refs[intent])
            if slots is None:
                continue
            heard = _skeleton(words.words, _labels(len(words.words), slots))
            names = {n for n, _ in slots}
            for sk, named in skeletons.items():
                if named != names:
                    continue
                score = dice(heard, sk)
                if score >= THRESHOLD and (best is None or score > best[0]):
                    best = (score, intent, slots)
        if best is None:
            return None
        score, intent, slots = best
        first: dict[str, Spotted] = {}  # one slot per name: where it was first said
        for name, s in slots:
            first.setdefault(name, s)
        return Understanding(text=text, intent=intent, confidence=round(score, 3),
                             slots=[_slot(name, s, words, score) for name, s in first.items()],
                             in_scope=True, source=SOURCE)

    def _spot(self, words: tuple[str, ...]) -> list[Spotted]:
        """Every list value in the words, longest first, none overlapping."""
        found: list[Spotted] = []
        taken: set[int] = set()
        n = len(words)
        for size in range(min(MAX_SPAN, n), 0, -1):
            for i in range(n - size + 1):
                if taken & set(range(i, i + size)):
                    continue
                phrase = " ".join(words[i:i + size])
                for r in recognize_all(phrase, self._spotter, slot_lists=self.lists, language="en"):
                    entity = r.entities_list[0]
                    found.append(Spotted(r.intent.name, i, i + size, entity.value))
                    taken |= set(range(i, i + size))
                    break
        return found


def dice(a: tuple[str, ...], b: tuple[str, ...]) -> float:
    """2 |a & b| / (|a| + |b|) over word bags: 1 for the same words, 0 for none shared."""
    common = sum((Counter(a) & Counter(b)).values())
    return 2 * common / (len(a) + len(b)) if a or b else 0.0


def _slots_of(found: list[Spotted], refs: dict[str, str]) -> list[tuple[str, Spotted]] | None:
    """The spotted values (all of them the intent's lists') as (slot, value) in word order (a
    value said twice is there twice); None when there are none or one slot was heard with two
    different values."""
    slots = [(refs[s.list_name], s) for s in found]
    values: dict[str, object] = {}
    for name, s in slots:
        if values.setdefault(name, s.value) != s.value:
            return None
    return sorted(slots, key=lambda x: x[1].start) or None


def _labels(n: int, slots: list[tuple[str, Spotted]]) -> tuple[str | None, ...]:
    labels: list[str | None] = [None] * n
    for name, s in slots:
        labels[s.start:s.end] = [name] * (s.end - s.start)
    return tuple(labels)


def _skeleton(words: tuple[str, ...], labels: tuple[str | None, ...]) -> tuple[str, ...]:
    """The words with each slot's words as one "{slot}" token."""
    out: list[str] = []
    for i, (w, label) in enumerate(zip(words, labels, strict=True)):
        if label is None:
            out.append(w)
        elif i == 0 or labels[i - 1] != label:
            out.append(f"{{{label}}}")
    return tuple(out)


def _slot(name: str, s: Spotted, words: Words, confidence: float) -> Slot:
    text = words.join(s.start, s.end)
    return Slot(name, text, meaning(s.value, text), confidence, s.start, s.end)


def _expand(e: Expression, rules: dict[str, Any], depth: int = 0) -> Iterator[str]:
    """The texts a template says, in order, with each list as " {slot} ": at most
    ``PER_TEMPLATE`` of them, and so at most that many of every part, however many optional
    words nest."""
    if depth > 40:
        raise ValueError("templates nest too deeply (a rule refers to itself?)")
    return itertools.islice(_texts(e, rules, depth), PER_TEMPLATE)


def _texts(e: Expression, rules: dict[str, Any], depth: int) -> Iterator[str]:
    if isinstance(e, TextChunk):
        yield e.original_text
    elif isinstance(e, ListReference):
        yield f" {{{e.slot_name}}} "
    elif isinstance(e, RuleReference):
        if e.rule_name in rules:
            yield from _expand(rules[e.rule_name].expression, rules, depth + 1)
    elif isinstance(e, Alternative):  # in turns, so a cut keeps some of every alternative
        ways = [_expand(item, rules, depth + 1) for item in e.items]
        if e.is_optional:
            ways.append(iter([""]))
        for texts in itertools.zip_longest(*ways):
            yield from (t for t in texts if t is not None)
    elif isinstance(e, Permutation):
        for order in itertools.permutations(e.items):
            for parts in itertools.product(*(_expand(i, rules, depth + 1) for i in order)):
                yield " ".join(parts)
    elif isinstance(e, Group):  # a sequence
        for parts in itertools.product(*(_expand(i, rules, depth + 1) for i in e.items)):
            yield "".join(parts)


def _words(text: str) -> tuple[str, ...]:
    """A template text's words as the utterance's are split, its "{slot}" words kept."""
    return tuple(w for token in text.split()
                 for w in ((token,) if token.startswith("{") else split_words(token).words))
