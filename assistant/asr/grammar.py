"""The command grammar: the sentence templates compiled into a minimal word automaton.

Every template the matcher acts on (``template_match`` not false) and that has no wildcard slot
goes in: alternatives, optionals, lists (each value's own template), number ranges as spoken
numbers, expansion rules. Each list and rule is compiled once into a minimal DFA and spliced in
where it is used; the whole is determinized and minimized again, so the copies of the duration,
time and number sub-languages are shared wherever what follows is the same. The automaton is
engine-neutral: ``sphinx_grammar.py`` writes it as a pocketsphinx FSG, any other engine may
decode along it.

Templates with a wildcard slot ("remind me to {task}", "add {item} to my list") are left out
of pocketsphinx's grammar: the open language model hears those (a word loop for the wildcard made
pocketsphinx's FSG 14 MB, 75 s to load and 760 MB of memory). A recognizer that writes freely and
snaps what it wrote onto the grammar (``snap.py``) takes them in, each wildcard one ``WILDCARD``
arc that stands for one or more heard words.
"""

from __future__ import annotations

import itertools
import re
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
from hassil.sample import sample_expression

from assistant.asr.automaton import Dfa, Nfa, compact
from assistant.errors import ModelError
from assistant.sentences.load import SentenceSet, number_range
from assistant.values.number import spoken

WILDCARD = "*"  # the arc of a wildcard slot (compile_grammar(..., wildcards=True))
MAX_GLUED = 200  # word-internal alternatives ("sprinkler[s]") expanded to whole words
_KEEP = re.compile(r"[^a-z0-9' ]+")


def words_of(text: str) -> list[str]:
    """The recognizer's words of a template chunk (lower case, no punctuation, no digits)."""
    return [w for w in _KEEP.sub(" ", text.lower().replace("-", " ")).split() if not w.isdigit()]


class Compiler:
    """hassil expressions -> word automata; each list and rule compiled once. With
    ``wildcards``, a wildcard slot is one ``WILDCARD`` arc; without, it is an error."""

    def __init__(self, wildcards: bool = False) -> None:
        self._memo: dict[Any, Dfa] = {}
        self.wildcards = wildcards

    def expression(self, nfa: Nfa, e: Expression, start: int, lists: dict[str, SlotList],
                   rules: dict[str, Any]) -> int:
        """Add ``e`` after ``start``; returns the state where it ends."""
        if isinstance(e, TextChunk):
            return nfa.words(start, words_of(e.original_text))
        if isinstance(e, Alternative):
            end = nfa.state()
            for item in e.items:
                nfa.arc(self.expression(nfa, item, start, lists, rules), None, end)
            if e.is_optional:
                nfa.arc(start, None, end)
            return end
        if isinstance(e, Permutation):
            orders = [Sequence(_spaced(p)) for p in itertools.permutations(e.items)]
            return self.expression(nfa, Alternative(orders), start, lists, rules)
        if isinstance(e, Sequence):
            for run in _runs(e.items):
                start = self._run(nfa, run, start, lists, rules)
            return start
        if isinstance(e, RuleReference):
            rule = rules.get(e.rule_name)
            if rule is None:
                raise ModelError(f"unknown rule <{e.rule_name}> in a template")
            dfa = self._sub(("rule", e.rule_name, id(rule)), rule.expression, lists, rules)
            return nfa.copy_dfa(dfa, start)
        if isinstance(e, ListReference):
            return nfa.copy_dfa(self._list(e, lists, rules), start)
        return start

    def _sub(self, key: Any, e: Expression, lists: dict, rules: dict) -> Dfa:
        dfa = self._memo.get(key)
        if dfa is None:
            self._memo[key] = Dfa([{}], set())  # a rule that refers to itself adds nothing
            sub = Nfa()
            start = sub.state()
            end = self.expression(sub, e, start, lists, rules)
            dfa = self._memo[key] = compact(sub, start, end)
        return dfa

    def _run(self, nfa: Nfa, run: list[Expression], start: int, lists: dict, rules: dict) -> int:
        if len(run) == 1:
            return self.expression(nfa, run[0], start, lists, rules)
        # parts glued inside a word ("sprinkler[s]"): spell out the whole words
        end = nfa.state()
        texts: set[str] = set()
        for text in sample_expression(Sequence(run), lists, rules, language="en"):
            texts.add(" ".join(words_of(text)))
            if len(texts) > MAX_GLUED:
                raise ModelError(f"a template glues too many alternatives into one word: {run}")
        for text in sorted(texts):
            nfa.arc(nfa.words(start, text.split()), None, end)
        return end

    def _list(self, ref: ListReference, lists: dict, rules: dict) -> Dfa:
        numbers = number_range(ref, lists)
        if numbers is not None:
            return self._numbers(numbers)
        slot_list = lists.get(ref.list_name)
        if isinstance(slot_list, TextSlotList):
            key = ("list", ref.list_name, id(slot_list))
            values = Alternative([v.text_in for v in slot_list.values])
            return self._sub(key, values, lists, rules)
        if isinstance(slot_list, WildcardSlotList):
            if self.wildcards:
                return Dfa([{WILDCARD: 1}, {}], {1})
            raise ModelError(f"wildcard {{{ref.list_name}}} cannot be in the grammar")
        raise ModelError(f"unknown list {{{ref.list_name}}} in a template")

    def _numbers(self, numbers: range) -> Dfa:
        """Every number of the range in words; the minimal DFA factors "forty two" into tens
        and units by itself (1-1000: a few dozen states)."""
        key = ("range", numbers.start, numbers.stop, numbers.step)
        dfa = self._memo.get(key)
        if dfa is None:
            nfa = Nfa()
            start, end = nfa.state(), nfa.state()
            for n in numbers:
                if 0 <= n < 1_000_000:
                    nfa.arc(nfa.words(start, spoken(n).split()), None, end)
            dfa = self._memo[key] = compact(nfa, start, end)
        return dfa


def _spaced(items: tuple[Expression, ...]) -> list[Expression]:
    out: list[Expression] = []
    for i, item in enumerate(items):
        if i:
            out.append(TextChunk(" "))
        out.append(item)
    return out


def _glued(left: Expression, right: Expression) -> bool:
    """True when two neighbours in a sequence join inside a word (no space between them)."""
    if isinstance(left, TextChunk) and (not left.original_text or left.original_text[-1].isspace()):
        return False
    return not (isinstance(right, TextChunk)
                and (not right.original_text or right.original_text[0].isspace()))


def _runs(items: list[Expression]) -> list[list[Expression]]:
    """A sequence cut where a space separates its parts (a run is one or more glued parts)."""
    runs: list[list[Expression]] = []
    for item in items:
        if isinstance(item, TextChunk) and not item.original_text:
            continue
        if runs and _glued(runs[-1][-1], item) and not (
                isinstance(item, TextChunk) and isinstance(runs[-1][-1], TextChunk)):
            runs[-1].append(item)
        else:
            runs.append([item])
    return runs


def in_grammar(sentences: SentenceSet, wildcards: bool = False
               ) -> list[tuple[str, Expression, dict, dict]]:
    """(intent, expression, lists, rules) of every template the grammar holds: matchable, and
    with no wildcard slot unless ``wildcards``."""
    it = sentences.intents
    out = []
    for name, intent in it.intents.items():
        for i, data in enumerate(intent.data):
            if not sentences.matchable(name, i):
                continue
            lists = {**it.slot_lists, **data.slot_lists}
            rules = {**it.expansion_rules, **data.expansion_rules}
            for s in data.sentences:
                if not wildcards and any(isinstance(lists.get(n), WildcardSlotList)
                                         for n in s.list_names(rules)):
                    continue
                out.append((name, s.expression, lists, rules))
    return out


def compile_grammar(sentences: SentenceSet, wildcards: bool = False) -> Dfa:
    """The minimal DFA of every sentence the grammar holds (``wildcards``: see ``Compiler``)."""
    templates = in_grammar(sentences, wildcards)
    if not templates:
        raise ModelError("no sentence templates to build a grammar from")
    compiler = Compiler(wildcards)
    nfa = Nfa()
    start, end = nfa.state(), nfa.state()
    for _, e, lists, rules in templates:
        nfa.arc(compiler.expression(nfa, e, start, lists, rules), None, end)
    return compact(nfa, start, end)
