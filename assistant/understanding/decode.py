"""Turning head outputs into decisions: one code path for the runtime and for evaluation.

Why shared: the thresholds and weights are chosen on validation data by running exactly this
code, so the numbers in the model card are the numbers the assistant gets.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import replace

import numpy as np

from assistant.events import Slot
from assistant.understanding.intents import INTENTS, OUT_OF_SCOPE, fold_aux
from assistant.understanding.keywords import KeywordUnderstander
from assistant.understanding.tagging import Transitions, spans, viterbi

# Slots with a fixed shape (numbers, units, clock times) that the keyword rules find reliably:
# when the tagger misses one that the rules find for the same intent, the rules' span is used.
PATTERN_SLOTS = frozenset({"duration", "time", "date", "recurrence", "amount", "from_unit",
                           "to_unit", "expression", "level"})
RULE_SLOT_CONFIDENCE = 0.6
# Free-text slots the rules delimit by the command's own words ("remember that <fact>", "add
# <item> to"): the tagger tends to stop early on a trailing number ("level [three]") or miss an
# unseen name ("gran's tablets"), so the rules' span wins when it covers the tagger's.
FREE_SLOTS = frozenset({"fact", "task", "item", "query"})
RELABEL_MIN = 0.2  # mean per-word probability an allowed type needs to take over a span


def softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def log_softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=-1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=-1, keepdims=True))


def decide(probs: np.ndarray, labels: Sequence[str], threshold: float,
           oos_labels: Collection[str] = (OUT_OF_SCOPE,)) -> tuple[str, float, list[tuple[str, float]]]:
    """(intent, confidence, top-3 alternatives) for one probability row.

    Auxiliary classes fold into out_of_scope; the top class is rejected as out_of_scope when
    it is itself out of scope or its probability is under ``threshold``.
    """
    folded: dict[str, float] = {}
    for lab, p in zip(labels, probs, strict=True):
        key = OUT_OF_SCOPE if lab in oos_labels else fold_aux(lab)
        folded[key] = folded.get(key, 0.0) + float(p)
    top = int(np.argmax(probs))
    top_label = labels[top]
    top_key = OUT_OF_SCOPE if top_label in oos_labels else fold_aux(top_label)
    if top_key == OUT_OF_SCOPE or probs[top] < threshold:
        intent = OUT_OF_SCOPE
        best_in = max((p for k, p in folded.items() if k != OUT_OF_SCOPE), default=0.0)
        confidence = 1.0 - best_in
    else:
        intent, confidence = top_key, float(probs[top])
    alts = sorted(((k, p) for k, p in folded.items() if k != intent), key=lambda kv: -kv[1])[:3]
    return intent, round(confidence, 4), [(k, round(p, 4)) for k, p in alts]


def decide_all(probs: np.ndarray, labels: Sequence[str], threshold: float,
               oos_labels: Collection[str] = (OUT_OF_SCOPE,)) -> list[str]:
    """Intents for many rows (vectorized version of :func:`decide`, without alternatives)."""
    top = probs.argmax(axis=1)
    out = []
    for i, t in enumerate(top):
        lab = labels[t]
        key = OUT_OF_SCOPE if lab in oos_labels else fold_aux(lab)
        out.append(OUT_OF_SCOPE if key == OUT_OF_SCOPE or probs[i, t] < threshold else key)
    return out


def decode_tags(logp: np.ndarray, tag_labels: Sequence[str], transitions: Transitions,
                allowed: Collection[str] | None = None, weight: float = 1.0,
                min_type_mass: float = RELABEL_MIN, words: Sequence[str] | None = None) -> list[Slot]:
    """Slots from per-word log-probs [T, L] (text from ``words`` when given).

    Spans first, types second: BIO Viterbi over all tags finds the spans; a span whose type
    the intent doesn't take gets the allowed type with the most probability over the span
    (training data label "my car" as a fact in one intent and a query in another), or is
    dropped when no allowed type has ``min_type_mass``. Confidence: mean tag probability.
    """
    if not len(logp):
        return []
    path = viterbi(logp, transitions, weight)
    tags = [tag_labels[j] for j in path]
    probs = np.exp(logp)
    chosen = probs[np.arange(len(path)), path]
    found = spans(tags, chosen, words)
    if allowed is None:
        return found
    index = {t: j for j, t in enumerate(tag_labels)}
    out = []
    for slot in found:
        if slot.name in allowed:
            out.append(slot)
            continue
        s, e = slot.start, slot.end
        best = (0.0, "")
        for t in allowed:
            b, i = index.get(f"B-{t}"), index.get(f"I-{t}")
            if b is None:
                continue
            inside = probs[s + 1:e, i].sum() if i is not None else 0.0
            mass = float((probs[s, b] + inside) / (e - s))
            best = max(best, (mass, t))
        if best[0] >= min_type_mass:
            out.append(replace(slot, name=best[1], confidence=best[0]))
    return out


def restrict_tags(tags: Sequence[str], allowed: Collection[str]) -> list[str]:
    """Gold tags as the product sees them: slots the intent doesn't take become O."""
    return [t if t == "O" or t[2:] in allowed else "O" for t in tags]


def tags_from_spans(n: int, found: Sequence[Slot]) -> list[str]:
    """BIO tags of length ``n`` for decoded slots (for span F1 against gold tags)."""
    tags = ["O"] * n
    for slot in found:
        s, e = slot.start, slot.end
        tags[s:e] = [f"B-{slot.name}"] + [f"I-{slot.name}"] * (e - s - 1)
    return tags


def rule_slots(rules: KeywordUnderstander, words: Sequence[str], intent: str,
               found: list[Slot]) -> list[Slot]:
    """``found`` completed by the keyword rules when they agree on the intent.

    Pattern slots the tagger missed are added; free-text slots the tagger cut short or missed
    take the rules' span (see FREE_SLOTS).
    """
    allowed = set(INTENTS[intent][0])
    have = {f.name for f in found}
    if not ((allowed & PATTERN_SLOTS) - have or allowed & FREE_SLOTS):
        return found
    rules_found = rules.agreeing_slots(words, intent)
    if rules_found is None:
        return found
    out = list(found)
    for s in rules_found:
        if s.name in FREE_SLOTS:
            mine = [f for f in out if f.name == s.name]
            if all(s.start <= f.start and f.end <= s.end for f in mine):
                out = [f for f in out if f not in mine and (f.end <= s.start or f.start >= s.end)]
                conf = max((f.confidence for f in mine), default=RULE_SLOT_CONFIDENCE)
                out.append(replace(s, confidence=conf))
        elif s.name in PATTERN_SLOTS and s.name not in have and all(
                s.end <= f.start or s.start >= f.end for f in out):
            out.append(replace(s, confidence=RULE_SLOT_CONFIDENCE))
    return sorted(out, key=lambda f: f.start)
