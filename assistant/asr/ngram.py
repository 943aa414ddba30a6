"""A small interpolated Kneser-Ney trigram estimator that writes ARPA files.

Hearth's command corpus is a few thousand sentences, so a pure-Python estimator is fast enough
and spares us an external LM toolkit. Interpolated KN written as ARPA: the probability of a seen
n-gram is the full interpolated value, and the backoff weight of a context is its interpolation
weight ``D * N1+(h .) / c(h)``, which makes ARPA backoff reproduce the interpolated model exactly.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path

BOS, EOS = "<s>", "</s>"
Gram = tuple[str, ...]


def _discount(counts: Counter[Gram]) -> float:
    """Ney's estimate D = n1 / (n1 + 2 n2), kept within sane bounds for tiny corpora."""
    c = Counter(counts.values())
    n1, n2 = c.get(1, 0), c.get(2, 0)
    d = n1 / (n1 + 2 * n2) if n1 + n2 else 0.5
    return min(max(d, 0.1), 0.9)


class KneserNey:
    """Interpolated Kneser-Ney n-gram model (order 1..3) estimated from tokenized sentences."""

    def __init__(self, sentences: Iterable[list[str]], order: int = 3,
                 vocabulary: Iterable[str] = ()) -> None:
        if order not in (1, 2, 3):
            raise ValueError("order must be 1, 2 or 3")
        self.order = order
        raw: list[Counter[Gram]] = [Counter() for _ in range(order + 1)]
        for words in sentences:
            toks = [BOS, *words, EOS]
            for n in range(1, order + 1):
                for i in range(len(toks) - n + 1):
                    raw[n][tuple(toks[i : i + n])] += 1
        self.vocab = sorted({g[0] for g in raw[1]} | set(vocabulary) | {BOS, EOS})
        # The counts each order is estimated from: raw counts at the top order and for n-grams
        # that start with <s> (nothing can precede them); continuation counts elsewhere.
        self.counts: list[Counter[Gram]] = [Counter() for _ in range(order + 1)]
        self.counts[order] = raw[order]
        for n in range(1, order):
            cont: Counter[Gram] = Counter(g[1:] for g in raw[n + 1])
            for g, c in raw[n].items():
                self.counts[n][g] = c if g[0] == BOS else cont.get(g, 0)
        self.counts[1][(BOS,)] = 0
        self.discount = [0.0] + [_discount(+self.counts[n]) for n in range(1, order + 1)]
        self._prob: list[dict[Gram, float]] = [{} for _ in range(order + 1)]
        self._bow: list[dict[Gram, float]] = [{} for _ in range(order + 1)]
        self._estimate()

    def _estimate(self) -> None:
        # unigrams: discounted continuation counts + the freed mass spread uniformly
        c1 = self.counts[1]
        total = sum(c1.values())
        d = self.discount[1]
        words = [w for w in self.vocab if w != BOS]
        kept = sum(max(c1.get((w,), 0) - d, 0) for w in words)
        uniform = (1.0 - kept / total) / len(words)
        for w in words:
            self._prob[1][(w,)] = max(c1.get((w,), 0) - d, 0) / total + uniform
        self._prob[1][(BOS,)] = 0.0
        for n in range(2, self.order + 1):
            d = self.discount[n]
            ctx_total: dict[Gram, int] = defaultdict(int)
            ctx_types: dict[Gram, int] = defaultdict(int)
            for g, c in self.counts[n].items():
                if c > 0:
                    ctx_total[g[:-1]] += c
                    ctx_types[g[:-1]] += 1
            gamma = {h: d * ctx_types[h] / ctx_total[h] for h in ctx_total}
            for g, c in self.counts[n].items():
                if c <= 0:
                    continue
                h = g[:-1]
                lower = self.prob(g[1:])
                self._prob[n][g] = max(c - d, 0) / ctx_total[h] + gamma[h] * lower
            self._bow[n - 1] = gamma

    def prob(self, gram: Gram) -> float:
        """P(last word | the words before it), backing off through shorter histories."""
        n = len(gram)
        if n == 1:
            return self._prob[1].get(gram, 0.0)
        if gram in self._prob[n]:
            return self._prob[n][gram]
        return self._bow[n - 1].get(gram[:-1], 1.0) * self.prob(gram[1:])

    def sentence_logprob(self, words: list[str]) -> float:
        """log10 P(sentence) including </s>, for tests and perplexity."""
        toks = [BOS, *words, EOS]
        lp = 0.0
        for i in range(1, len(toks)):
            gram = tuple(toks[max(0, i - self.order + 1) : i + 1])
            lp += math.log10(max(self.prob(gram), 1e-99))
        return lp

    def write_arpa(self, path: Path) -> Path:
        """The model in ARPA text format (pocketsphinx and most decoders read it)."""

        def lg(p: float) -> str:
            return f"{math.log10(p):.6f}" if p > 0 else "-99"

        grams = [list(self._prob[n].items()) for n in range(self.order + 1)]
        lines = ["\\data\\"]
        lines += [f"ngram {n}={len(grams[n])}" for n in range(1, self.order + 1)]
        for n in range(1, self.order + 1):
            lines += ["", f"\\{n}-grams:"]
            for g, p in sorted(grams[n]):
                line = f"{lg(p)}\t{' '.join(g)}"
                if n < self.order and g in self._bow[n]:
                    line += f"\t{lg(self._bow[n][g])}"
                elif n < self.order and g[-1] != EOS:
                    line += "\t0.000000"
                lines.append(line)
        lines += ["", "\\end\\", ""]
        path.write_text("\n".join(lines), encoding="utf-8")
        return path
