"""Snap heard words onto the command automaton: the grammar sentences nearest to what a free
recognizer wrote.

Whisper hears most of a command and misspells the rest in ways a grammar knows better: "ice
mocha" for "iced mocha", "light rose" for "light roast", "and milk" for "add milk". A word edit
distance finds the grammar sentences near what it wrote; substitutions cost less between words
spelt alike, and short function words cost less to drop or add. A wildcard arc (a free-text slot,
``grammar.WILDCARD``) takes one or more heard words as they are.

The search only *proposes*: the acoustic model then scores each proposal against the audio
(``steer.py``), so it may be generous; it is bounded (``MAX_POPS``) so it is always fast.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass
from functools import lru_cache

from assistant.asr.automaton import Dfa
from assistant.asr.grammar import WILDCARD

SUB_BASE = 0.3  # a substitution of two words spelt alike still costs this much
MAX_SUB = 0.85  # words further apart than this are never substituted for each other
LIGHT = 0.5  # cost to drop or add a short function word ("a", "to", "the", "i")
HEAVY = 1.0  # ... any other word
WILD_WORD = 0.02  # each heard word a wildcard takes (prefer spelling out what the grammar knows)
LIGHT_WORDS = frozenset({
    "a", "an", "the", "to", "i", "me", "my", "of", "in", "on", "at", "for", "and", "is", "it",
    "be", "please", "uh", "um", "so", "oh", "hey", "okay", "just", "can", "you", "could", "would",
    "will", "what's", "that", "this", "some", "up", "now",
})
MAX_POPS = 30_000  # search steps: about 50 ms of Python at the most


@dataclass(frozen=True)
class Snapped:
    """A grammar sentence near the heard words: its words and the edit cost to get there."""

    words: tuple[str, ...]
    cost: float

    @property
    def text(self) -> str:
        return " ".join(self.words)


@lru_cache(maxsize=65536)
def substitution(heard: str, said: str) -> float:
    """The cost of reading ``heard`` as ``said``: 0 when equal, else by their letters'
    edit distance; above ``MAX_SUB``: not a substitution."""
    if heard == said:
        return 0.0
    return SUB_BASE + (1 - SUB_BASE) * _letters(heard, said) / max(len(heard), len(said))


def _letters(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def indel(word: str) -> float:
    """The cost of a word heard but not in the sentence, or in the sentence but not heard."""
    return LIGHT if word in LIGHT_WORDS else HEAVY


def distance(heard: list[str], said: list[str]) -> float:
    """The edit cost between two word sequences, by the same costs as ``snap`` (for a sentence
    found another way: by decoding along the grammar)."""
    prev = [0.0]
    for w in said:
        prev.append(prev[-1] + indel(w))
    for h in heard:
        cur = [prev[0] + indel(h)]
        for j, w in enumerate(said, 1):
            sub = substitution(h, w)
            cur.append(min(prev[j] + indel(h), cur[j - 1] + indel(w),
                           prev[j - 1] + sub if sub <= MAX_SUB else math.inf))
        prev = cur
    return prev[-1]


def budget(n_words: int) -> float:
    """How far a proposal may be from the heard words: a few edits, more for longer commands."""
    return 1.0 + 0.35 * n_words


def snap(dfa: Dfa, heard: list[str], k: int = 4, max_cost: float | None = None) -> list[Snapped]:
    """Up to ``k`` distinct grammar sentences nearest to ``heard``, cheapest first.

    A uniform-cost search over (heard words read, automaton state, inside a wildcard, a fixed
    word heard yet); each node is expanded at most ``k`` times (the k cheapest ways to reach
    it), so the k cheapest whole sentences are found. Wildcard arcs are written back as the
    heard words they took. A sentence none of whose own words was heard ("remember" put before
    any question, its wildcard taking all of it) is no proposal.
    """
    limit = budget(len(heard)) if max_cost is None else max_cost
    n = len(heard)
    tie = 0
    Node = tuple[float, int, int, int, bool, bool, tuple[str, ...]]
    # (cost, tie, heard words read, state, inside a wildcard, a fixed word heard, words so far)
    heap: list[Node] = [(0.0, 0, 0, dfa.start, False, False, ())]
    expanded: dict[tuple[int, int, bool, bool], int] = {}
    found: dict[tuple[str, ...], float] = {}
    pops = 0
    while heap and len(found) < k and pops < MAX_POPS:
        cost, _, i, s, wild, anchored, words = heapq.heappop(heap)
        pops += 1
        if i == n and s in dfa.final and anchored and words not in found:
            found[words] = cost
            continue
        key = (i, s, wild, anchored)
        if expanded.get(key, 0) >= k:
            continue
        expanded[key] = expanded.get(key, 0) + 1

        def push(c: float, i2: int, s2: int, w2: bool, a2: bool, words2: tuple[str, ...]) -> None:
            nonlocal tie
            if c <= limit:
                tie += 1
                heapq.heappush(heap, (c, tie, i2, s2, w2, a2, words2))

        if wild and i < n:  # the wildcard takes one more heard word
            push(cost + WILD_WORD, i + 1, s, True, anchored, (*words, heard[i]))
        if i < n:  # a heard word the sentence does not have
            push(cost + indel(heard[i]), i + 1, s, False, anchored, words)
        for w, t in dfa.arcs[s].items():
            if w == WILDCARD:
                if i < n:
                    push(cost + WILD_WORD, i + 1, t, True, anchored, (*words, heard[i]))
                continue
            push(cost + indel(w), i, t, False, anchored, (*words, w))  # said but not heard
            if i < n:
                sub = substitution(heard[i], w)
                if sub <= MAX_SUB:
                    push(cost + sub, i + 1, t, False, True, (*words, w))
    return [Snapped(w, c) for w, c in sorted(found.items(), key=lambda x: x[1])]
