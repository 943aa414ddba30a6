"""Word error rate: the measure every ASR choice in Hearth is judged by."""

from __future__ import annotations


def word_edits(reference: str, hypothesis: str) -> int:
    """Minimum substitutions + insertions + deletions turning the hypothesis into the reference."""
    ref, hyp = reference.split(), hypothesis.split()
    prev = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        cur = [i] + [0] * len(hyp)
        for j, h in enumerate(hyp, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (r != h))
        prev = cur
    return prev[-1]


def wer(pairs: list[tuple[str, str]]) -> float:
    """Corpus WER over (reference, hypothesis) pairs: total edits / total reference words."""
    words = sum(len(r.split()) for r, _ in pairs)
    return sum(word_edits(r, h) for r, h in pairs) / words if words else 0.0
