"""Finite word automata: build with epsilon arcs, then determinize and minimize.

The command grammar is a finite language (no loops), so an acyclic automaton holds it. Built
naively, every sentence that says a time or a duration carries its own copy of the clock-time
and number sub-languages (pocketsphinx's JSGF compiler does that: 45,000 states for Hearth's
commands). The minimal deterministic automaton shares every such copy wherever what follows is
the same, which is what keeps the recognizer's search small.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass
class Nfa:
    """States are ints; ``arcs[s]`` lists (word or None for epsilon, target)."""

    arcs: list[list[tuple[str | None, int]]] = field(default_factory=list)

    def state(self) -> int:
        self.arcs.append([])
        return len(self.arcs) - 1

    def arc(self, a: int, word: str | None, b: int) -> None:
        self.arcs[a].append((word, b))

    def words(self, start: int, words: Iterable[str]) -> int:
        """A chain of word arcs from ``start``; returns its last state."""
        for w in words:
            nxt = self.state()
            self.arc(start, w, nxt)
            start = nxt
        return start

    def copy_dfa(self, dfa: Dfa, start: int) -> int:
        """Splice ``dfa`` in after ``start``; returns the one state its accepting states lead to."""
        ids = [self.state() for _ in dfa.arcs]
        end = self.state()
        self.arc(start, None, ids[dfa.start])
        for s, out in enumerate(dfa.arcs):
            for w, t in out.items():
                self.arc(ids[s], w, ids[t])
            if s in dfa.final:
                self.arc(ids[s], None, end)
        return end


@dataclass
class Dfa:
    """A deterministic acyclic automaton: ``arcs[s]`` maps a word to the next state."""

    arcs: list[dict[str, int]]
    final: set[int]
    start: int = 0

    @property
    def n_arcs(self) -> int:
        return sum(len(a) for a in self.arcs)

    def accepts(self, words: Iterable[str]) -> bool:
        s = self.start
        for w in words:
            nxt = self.arcs[s].get(w)
            if nxt is None:
                return False
            s = nxt
        return s in self.final

    def vocabulary(self) -> set[str]:
        return {w for out in self.arcs for w in out}


def determinize(nfa: Nfa, start: int, end: int) -> Dfa:
    """Subset construction; ``end`` is the NFA's one accepting state."""
    closures: dict[int, frozenset[int]] = {}

    def closure(s: int) -> frozenset[int]:
        got = closures.get(s)
        if got is None:
            seen = {s}
            todo = [s]
            while todo:
                for w, t in nfa.arcs[todo.pop()]:
                    if w is None and t not in seen:
                        seen.add(t)
                        todo.append(t)
            got = closures[s] = frozenset(seen)
        return got

    first = closure(start)
    index = {first: 0}
    arcs: list[dict[str, int]] = [{}]
    final: set[int] = set()
    todo = [first]
    while todo:
        subset = todo.pop()
        me = index[subset]
        if end in subset:
            final.add(me)
        moves: dict[str, set[int]] = {}
        for s in subset:
            for w, t in nfa.arcs[s]:
                if w is not None:
                    moves.setdefault(w, set()).update(closure(t))
        for w, targets in moves.items():
            key = frozenset(targets)
            nxt = index.get(key)
            if nxt is None:
                nxt = index[key] = len(arcs)
                arcs.append({})
                todo.append(key)
            arcs[me][w] = nxt
    return Dfa(arcs, final)


def minimize(dfa: Dfa) -> Dfa:
    """The minimal DFA of an acyclic one: states with the same future are one state.

    Bottom-up (Revuz): a state's signature is whether it accepts plus its arcs to already
    merged states, so each state is looked at once. States that reach no accepting state go.
    """
    order: list[int] = []  # post-order: every state after all states it leads to
    seen: set[int] = set()
    stack: list[tuple[int, bool]] = [(dfa.start, False)]
    while stack:
        s, done = stack.pop()
        if done:
            order.append(s)
            continue
        if s in seen:
            continue
        seen.add(s)
        stack.append((s, True))
        stack.extend((t, False) for t in dfa.arcs[s].values() if t not in seen)
    canon: dict[int, int] = {}  # old state -> new state (absent: leads nowhere)
    by_sig: dict[tuple, int] = {}
    arcs: list[dict[str, int]] = []
    final: set[int] = set()
    for s in order:
        out = tuple(sorted((w, canon[t]) for w, t in dfa.arcs[s].items() if t in canon))
        accepting = s in dfa.final
        if not out and not accepting:
            continue
        sig = (accepting, out)
        new = by_sig.get(sig)
        if new is None:
            new = by_sig[sig] = len(arcs)
            arcs.append(dict(out))
            if accepting:
                final.add(new)
        canon[s] = new
    if dfa.start not in canon:
        raise ValueError("the automaton accepts nothing")
    # renumber so the start state is 0 and states follow a breadth-first order (stable files)
    start = canon[dfa.start]
    number = {start: 0}
    queue = [start]
    for s in queue:
        for _, t in sorted(arcs[s].items()):
            if t not in number:
                number[t] = len(number)
                queue.append(t)
    new_arcs: list[dict[str, int]] = [{} for _ in number]
    for s, n in number.items():
        new_arcs[n] = {w: number[t] for w, t in arcs[s].items()}
    return Dfa(new_arcs, {number[s] for s in final}, 0)


def compact(nfa: Nfa, start: int, end: int) -> Dfa:
    """The minimal DFA of the NFA fragment ``start`` -> ``end``."""
    return minimize(determinize(nfa, start, end))


def strings(dfa: Dfa, limit: int = 1000) -> list[str]:
    """Up to ``limit`` sentences the automaton accepts (depth first, for tests and checks)."""
    out: list[str] = []
    stack: list[tuple[int, tuple[str, ...]]] = [(dfa.start, ())]
    while stack and len(out) < limit:
        s, words = stack.pop()
        if s in dfa.final and words:
            out.append(" ".join(words))
        stack.extend((t, (*words, w)) for w, t in sorted(dfa.arcs[s].items(), reverse=True))
    return out
