"""Decode Whisper along the command grammar: a beam search whose every token keeps the text a
prefix of some command sentence.

A free decode writes what it heard and a grammar can only correct it afterwards when the words
are near ("ice mocha" -> "iced mocha"). On a voice Whisper hears badly the free text is too far
off ("sit the farm to medium") for any edit search, but the audio still favours the right
command among the grammar's sentences: searching only those sentences, token by token, finds it.

The word automaton (``automaton.Dfa``) becomes a token automaton lazily: each state's outgoing
words, tokenized with a leading space as Whisper writes them, form a trie. A wildcard arc (a
free-text slot) lets Whisper write freely, at least one word, until a grammar word or the end
follows. The sentence ends with Whisper's end-of-text token, at an accepting state only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from assistant.asr.automaton import Dfa
from assistant.asr.grammar import WILDCARD
from assistant.asr.whisper_step import Cache

WILD_TOKENS = 24  # tokens a wildcard may take
WILD_CHOICES = 3  # free tokens tried per hypothesis inside a wildcard
MARGIN = 8.0  # nats: hypotheses this much less likely than a sentence found are given up
WILD_BEAM = 2  # hypotheses inside a wildcard kept beside the beam's: free text is likely
# token by token ("note that {text}" takes whatever was heard), so without a cap it fills the beam
# and the closed command sentences are never reached (benchmarks/calibrate_whisper.py)


@dataclass(frozen=True)
class Position:
    """Where a hypothesis is in the grammar: a state of the word automaton and a node of that
    state's token trie (0: between words), or inside a wildcard (``wild`` tokens taken so far;
    ``state`` is then the state after it)."""

    state: int
    node: int = 0
    wild: int = -1


@dataclass
class _Trie:
    """One automaton state's words as token sequences: ``children[node][token] -> node``;
    ``ends[node]``: the automaton state a word ending at ``node`` leads to."""

    children: list[dict[int, int]]
    ends: dict[int, int]


class TokenGrammar:
    """The command automaton read token by token (tries built on first use, then kept)."""

    def __init__(self, dfa: Dfa, tokenize: Callable[[str], list[int]], end_token: int) -> None:
        self.dfa = dfa
        self.tokenize = tokenize
        self.end = end_token
        self._tries: dict[int, _Trie] = {}

    def _trie(self, state: int) -> _Trie:
        trie = self._tries.get(state)
        if trie is None:
            trie = _Trie([{}], {})
            for word, target in self.dfa.arcs[state].items():
                if word == WILDCARD:
                    continue
                node = 0
                for tok in self.tokenize(" " + word):
                    nxt = trie.children[node].get(tok)
                    if nxt is None:
                        nxt = len(trie.children)
                        trie.children[node][tok] = nxt
                        trie.children.append({})
                    node = nxt
                trie.ends[node] = target
            self._tries[state] = trie
        return trie

    def start(self) -> Position:
        return Position(self.dfa.start)

    def moves(self, pos: Position) -> dict[int, Position | None]:
        """The grammar's next tokens from ``pos`` and where each leads (``None``: the sentence
        ends). Inside a wildcard only the ways out are listed; ``wild_open`` says whether free
        tokens may follow too."""
        if pos.wild >= 0 or pos.node == 0:  # inside a wildcard (a free token taken) or between words
            return self._between(pos.state)
        trie = self._trie(pos.state)
        out: dict[int, Position | None] = {}
        if pos.node in trie.ends:  # a word is complete: the next one may start
            out.update(self._between(trie.ends[pos.node]))
        out.update({tok: self._settle(pos.state, node)
                    for tok, node in trie.children[pos.node].items()})
        return out

    def wild_open(self, pos: Position) -> bool:
        """Whether free tokens may follow ``pos``: inside a wildcard (within its length), or
        between words before a wildcard arc."""
        if pos.wild >= 0:
            return pos.wild < WILD_TOKENS
        return pos.node == 0 and WILDCARD in self.dfa.arcs[pos.state]

    def enter_wild(self, pos: Position) -> Position:
        """The position after a free token: inside the wildcard from ``pos``."""
        if pos.wild >= 0:
            return Position(pos.state, 0, pos.wild + 1)
        return Position(self.dfa.arcs[pos.state][WILDCARD], 0, 1)

    def _between(self, state: int) -> dict[int, Position | None]:
        """Moves at the start of a word in ``state``: its words' first tokens, the end."""
        trie = self._trie(state)
        out: dict[int, Position | None] = {tok: self._settle(state, node)
                                           for tok, node in trie.children[0].items()}
        if state in self.dfa.final:
            out[self.end] = None
        return out

    def _settle(self, state: int, node: int) -> Position:
        """A node that only ends a word is the next state's start (one canonical position)."""
        trie = self._trie(state)
        if node in trie.ends and not trie.children[node]:
            return Position(trie.ends[node])
        return Position(state, node)


@dataclass(frozen=True)
class Found:
    """A grammar sentence the search completed: its tokens (end excluded), the sum of their
    log-probabilities, the end's included, and the end's own."""

    tokens: tuple[int, ...]
    logprob: float
    end: float

    @property
    def mean(self) -> float:
        """Log-probability per token, the end included (Whisper's own ranking of finished
        hypotheses: a sum favours stopping early, "hey" over "heat the hallway to eighteen")."""
        return self.logprob / (len(self.tokens) + 1)


@dataclass(frozen=True)
class _Hyp:
    tokens: tuple[int, ...]
    logprob: float
    pos: Position


def search(grammar: TokenGrammar, cache: Cache, logprobs: np.ndarray,
           step: Callable[[Cache, list[list[int]]], tuple[Cache, np.ndarray]],
           beam: int = 4, nbest: int = 3, max_tokens: int = 40,
           is_text: Callable[[int], bool] = lambda t: True,
           stop: Callable[[], bool] = lambda: False) -> list[Found]:
    """Beam search over the grammar's sentences. ``cache``/``logprobs``: the decoder after its
    start tokens; ``step`` appends one token per hypothesis. Returns up to ``nbest`` sentences,
    best first by log-probability per token. ``beam`` hypotheses between or in grammar words
    are kept each step, and beside them up to ``WILD_BEAM`` inside a wildcard.

    The search stops when no hypothesis left is within ``MARGIN`` of the likeliest sentence
    found (log-probabilities only fall as tokens are added), so a wildcard that runs on through
    Whisper's noise captions ("blank audio blank audio") is not followed to its end; and, with
    what was found so far, as soon as ``stop()`` says the search is no longer needed."""
    live = [_Hyp((), 0.0, grammar.start())]
    found: list[Found] = []
    for _ in range(max_tokens):
        if stop():
            break
        options: list[tuple[float, int, int, Position | None]] = []
        for i, hyp in enumerate(live):
            lp = logprobs[i]
            moves = grammar.moves(hyp.pos)
            if grammar.wild_open(hyp.pos):
                top = np.argpartition(-lp, WILD_CHOICES * 4)[:WILD_CHOICES * 4]
                free = sorted((int(t) for t in top if is_text(int(t)) and int(t) not in moves),
                              key=lambda t: -lp[t])[:WILD_CHOICES]
                options += [(hyp.logprob + float(lp[t]), i, t, grammar.enter_wild(hyp.pos))
                            for t in free]
            if moves:
                toks = np.fromiter(moves, int, len(moves))
                best = toks[np.argsort(-lp[toks])[:beam]]
                options += [(hyp.logprob + float(lp[t]), i, int(t), moves[int(t)]) for t in best]
        options.sort(key=lambda o: -o[0])
        nxt: list[tuple[float, int, int, Position]] = []
        wild: list[tuple[float, int, int, Position]] = []
        for score, i, tok, pos in options:
            if pos is None:
                found.append(Found(live[i].tokens, score, score - live[i].logprob))
            elif pos.wild >= 0:
                if len(wild) < WILD_BEAM:
                    wild.append((score, i, tok, pos))
            elif len(nxt) < beam:
                nxt.append((score, i, tok, pos))
        nxt = sorted(nxt + wild, key=lambda o: -o[0])
        likeliest = max((f.logprob for f in found), default=-np.inf)
        nxt = [n for n in nxt if n[0] >= likeliest - MARGIN]
        if not nxt:
            break
        live = [_Hyp((*live[i].tokens, tok), score, pos) for score, i, tok, pos in nxt]
        cache, logprobs = step(cache.select([i for _, i, _, _ in nxt]), [[tok] for _, _, tok, _ in nxt])
    return sorted(found, key=lambda f: -f.mean)[:nbest]
