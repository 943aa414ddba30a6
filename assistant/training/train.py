"""Training Hearth's NLU heads on a frozen MiniLM encoder (``assistant nlu train``).

Reusable steps (the personalization room calls the same ones nightly, with ``init=`` set to
the live heads and user examples appended to the base data as replay):

- ``load_base_dataset(data=None) -> Splits``: HWU64 + CLINC150 + SNIPS (capped) + templated
  examples, mapped onto Hearth's intents and slots (``mapping.py``); train / val / test.
- ``featurize(examples) -> Features``: encoder vectors, cached on disk by text hash.
- ``train_heads(dataset, init=None) -> Heads``: intent model (MiniLM head + hashed n-gram
  head, mixed by a weight chosen on val), out-of-scope threshold (chosen on val), slot tagger
  (the same pair per word + BIO Viterbi).
- ``evaluate(heads, examples) -> dict``: accuracy, in-scope accuracy / OOS recall, slot F1.
- ``export(heads, out_dir)`` / ``load_heads(model_dir) -> Heads``: ONNX heads + ``nlu.json``.

Auxiliary classes: data-set intents Hearth has no skill for stay separate classes
(``aux:<name>``) and fold into out_of_scope at decision time; ``aux=False`` merges them into one
out_of_scope class instead (compare with ``assistant nlu train --no-aux``; MODEL_CARD.md
has the numbers).
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from assistant.errors import ModelError
from assistant.training import heads, lexical
from assistant.training.datasets import (
    Example,
    Splits,
    data_dir,
    load_clinc150,
    load_hwu64,
    load_snips,
)
from assistant.training.features import Features
from assistant.training.features import featurize as _featurize
from assistant.training.mapping import to_hearth
from assistant.training.metrics import accuracy, oos_scores, span_f1
from assistant.training.synth import generate
from assistant.understanding import decode, ngrams
from assistant.understanding.encoder import Encoder
from assistant.understanding.intents import AUX, INTENTS, OUT_OF_SCOPE, fold_aux
from assistant.understanding.keywords import KeywordUnderstander
from assistant.understanding.modelfiles import FILES, ModelSpec
from assistant.understanding.tagging import Transitions, allowed_transitions, window_features

LEX_WEIGHTS = (0.3, 0.5, 0.7, 1.0)
TAG_LEX_WEIGHTS = (0.0, 0.5, 1.0, 1.5)
TRANSITION_WEIGHTS = (0.0, 0.3, 1.0)
THRESHOLDS = tuple(np.round(np.arange(0.0, 0.91, 0.05), 2))
MAX_IN_SCOPE_DROP = 0.01  # in-scope accuracy the OOS threshold may cost on val
# Hearth's own phrasings (templates, the household's corrections) weigh more in the tagger:
# they are few, and the data sets label the same words differently ("car" is O in HWU64 taxi
# requests, part of a query in "where is my car").
SOURCE_WEIGHTS = {"synth": 3.0, "user": 3.0}
_RULES = KeywordUnderstander()
INTENT_BUCKETS, INTENT_DIM = 1 << 16, 64
TAG_BUCKETS, TAG_DIM = 1 << 16, 64


# --- data ----------------------------------------------------------------------------------

def holdout(examples: list[Example], fraction: float, seed: int) -> tuple[list[Example], list[Example]]:
    """Deterministic split, stratified by intent."""
    rng = random.Random(seed)
    by: dict[str, list[Example]] = {}
    for e in examples:
        by.setdefault(e.intent, []).append(e)
    keep, held = [], []
    for intent in sorted(by):
        group = by[intent][:]
        rng.shuffle(group)
        k = max(1, round(len(group) * fraction)) if len(group) > 3 else 0
        held += group[:k]
        keep += group[k:]
    return keep, held


def _cap(examples: list[Example], per_intent: int, seed: int) -> list[Example]:
    rng = random.Random(seed)
    by: dict[str, list[Example]] = {}
    for e in examples:
        by.setdefault(e.native, []).append(e)
    out = []
    for k in sorted(by):
        group = by[k][:]
        rng.shuffle(group)
        out += group[:per_intent]
    return out


def load_base_dataset(data: str | Path | None = None, *, snips_cap: int = 300,
                      synth: bool = True, seed: int = 0) -> Splits:
    """Hearth-labelled train / val / test from the three data sets plus templates."""
    root = data_dir(data)
    hwu, clinc, snips = load_hwu64(root), load_clinc150(root), load_snips(root)
    hwu_train, hwu_val = holdout(hwu.train, 0.1, seed)
    out = Splits(
        train=hwu_train + clinc.train + _cap(snips.train, snips_cap, seed),
        val=hwu_val + clinc.val + _cap(snips.val, snips_cap // 6, seed),
        test=hwu.test + clinc.test + _cap(snips.test, snips_cap // 6, seed),
    )
    out = Splits(*[[to_hearth(e) for e in part] for part in (out.train, out.val, out.test)])
    if synth:
        s_train, s_val = holdout(generate(), 0.15, seed)
        out.train += s_train
        out.val += s_val
    return out


# --- features ------------------------------------------------------------------------------

_ENCODER: Encoder | None = None


def encoder() -> Encoder:
    """The training encoder (2 threads: the build machine is shared)."""
    global _ENCODER
    if _ENCODER is None:
        _ENCODER = Encoder(threads=2)
    return _ENCODER


def featurize(examples: Sequence[Example], progress: bool = True) -> Features:
    """Encoder features for examples (disk-cached by text hash)."""
    return _featurize(encoder(), [e.words for e in examples], progress=progress)


def token_matrix(feats: Features) -> np.ndarray:
    """Stacked per-word tagger inputs for all utterances."""
    mats = [window_features(w) for w in feats.words]
    return np.concatenate(mats) if mats else np.zeros((0, 1), np.float32)


def token_rows(examples: Sequence[Example]) -> list[list[str]]:
    return [ngrams.token_ngrams(e.words, i) for e in examples for i in range(len(e.words))]


# --- models --------------------------------------------------------------------------------

@dataclass
class IntentModel:
    """MiniLM head and n-gram head over the same labels, mixed with ``weight``."""

    dense: heads.Head
    lex: lexical.LexicalHead
    weight: float

    @property
    def labels(self) -> list[str]:
        return self.dense.labels

    def proba(self, feats: Features, examples: Sequence[Example]) -> np.ndarray:
        rows = [ngrams.sentence_ngrams(e.words) for e in examples]
        return decode.combine(self.dense.proba(feats.pooled), self.lex.logits(rows), self.weight)


@dataclass
class TaggerModel:
    """Per-word MiniLM head and n-gram head, mixed with ``weight``, decoded by Viterbi
    with transition log-probs scaled by ``transition_weight`` (0 = BIO constraints only)."""

    dense: heads.Head
    lex: lexical.LexicalHead
    weight: float
    transitions: Transitions
    transition_weight: float = 1.0

    @property
    def labels(self) -> list[str]:
        return self.dense.labels

    def logp(self, feats: Features, examples: Sequence[Example]) -> list[np.ndarray]:
        """Per-utterance [n_words, L] log-probabilities."""
        if not examples:
            return []
        p = decode.combine(self.dense.proba(token_matrix(feats)),
                           self.lex.logits(token_rows(examples)), self.weight)
        lp = np.log(np.maximum(p, 1e-12))
        off = np.cumsum([0] + [len(e.words) for e in examples])
        return [lp[off[i]:off[i + 1]] for i in range(len(examples))]

    def predict(self, feats: Features, examples: Sequence[Example],
                allowed: Sequence[Sequence[str] | None] | None = None,
                intents: Sequence[str] | None = None) -> list[list[str]]:
        """BIO tags, limited to each example's ``allowed`` slots; with ``intents`` instead,
        to each intent's slots, completed by the keyword rules exactly as at run time."""
        out = []
        for i, (e, lp) in enumerate(zip(examples, self.logp(feats, examples), strict=True)):
            ok = (INTENTS[intents[i]][0] if intents is not None
                  else allowed[i] if allowed is not None else None)
            found = decode.decode_tags(lp, self.labels, self.transitions, ok,
                                       self.transition_weight)
            if intents is not None:
                found = decode.rule_slots(_RULES, e.words, intents[i], found)
            out.append(decode.tags_from_spans(len(e.words), found))
        return out


@dataclass
class Heads:
    """Everything ``nlu.py`` needs besides the encoder."""

    intent: IntentModel
    tagger: TaggerModel
    threshold: float
    meta: dict = field(default_factory=dict)


def _index(labels: Sequence[str], values: Sequence[str]) -> np.ndarray:
    pos = {lab: i for i, lab in enumerate(labels)}
    return np.array([pos[v] for v in values], dtype=np.int64)


def _balanced_weights(y: np.ndarray, power: float = 0.5) -> np.ndarray:
    """Soften class imbalance: weight ~ count^-power, mean 1."""
    counts = np.bincount(y)
    w = (1.0 / np.maximum(counts[y], 1)) ** power
    return (w / w.mean()).astype(np.float32)


def fit_intent(train: Sequence[Example], val: Sequence[Example], f_train: Features,
               f_val: Features, labels: list[str] | None = None, init: IntentModel | None = None,
               epochs_scale: float = 1.0, progress: bool = True,
               oos_labels: Sequence[str] = (OUT_OF_SCOPE,)) -> IntentModel:
    """Train both intent heads; the mixing weight maximizes val accuracy."""
    labels = labels or sorted({e.intent for e in train})
    y = _index(labels, [e.intent for e in train])
    sw = _balanced_weights(y)
    val_known = [i for i, e in enumerate(val) if e.intent in labels]
    yv = _index(labels, [val[i].intent for i in val_known])
    dense = heads.fit_head(
        f_train.pooled, y, labels, epochs=max(1, round(40 * epochs_scale)), l2=1e-3,
        sample_weight=sw, init=init.dense if init else None,
        x_val=f_val.pooled[val_known], y_val=yv, desc="intent head", progress=progress)
    lex = lexical.fit_lexical(
        [ngrams.sentence_ngrams(e.words) for e in train], y, labels, buckets=INTENT_BUCKETS,
        dim=INTENT_DIM, epochs=max(1, round(15 * epochs_scale)), sample_weight=sw,
        init=init.lex if init else None, desc="intent n-grams", progress=progress)
    model = IntentModel(dense, lex, LEX_WEIGHTS[0])
    gold = [fold_aux(e.intent) for e in val]
    best = (-1.0, LEX_WEIGHTS[0])
    p_dense = dense.proba(f_val.pooled)
    lex_logits = lex.logits([ngrams.sentence_ngrams(e.words) for e in val])
    for w in LEX_WEIGHTS:
        pred = decode.decide_all(decode.combine(p_dense, lex_logits, w), labels, 0.0, oos_labels)
        acc = accuracy([OUT_OF_SCOPE if g in oos_labels else g for g in gold], pred)
        if acc > best[0]:
            best = (acc, w)
    model.weight = best[1]
    return model


def choose_threshold(probs: np.ndarray, labels: Sequence[str], gold: Sequence[str],
                     oos_labels: Sequence[str] = (OUT_OF_SCOPE,),
                     max_drop: float = MAX_IN_SCOPE_DROP) -> tuple[float, dict[str, float]]:
    """Largest max-probability threshold whose val in-scope accuracy drops <= ``max_drop``.

    Rejects as much out-of-scope text as possible while giving up at most one point of
    in-scope accuracy on validation data.
    """
    gold = [OUT_OF_SCOPE if g in oos_labels else fold_aux(g) for g in gold]
    base = oos_scores(gold, decode.decide_all(probs, labels, 0.0, oos_labels), OUT_OF_SCOPE)
    chosen, scores = 0.0, base
    for t in THRESHOLDS:
        s = oos_scores(gold, decode.decide_all(probs, labels, float(t), oos_labels), OUT_OF_SCOPE)
        if s["in_scope_accuracy"] >= base["in_scope_accuracy"] - max_drop:
            chosen, scores = float(t), s
    return chosen, scores


def fit_transitions(seqs: Sequence[Sequence[int]], labels: Sequence[str], smoothing: float = 1.0) -> Transitions:
    """Count tag bigrams in the training sequences (add-``smoothing``), masked by BIO rules."""
    n = len(labels)
    counts = np.full((n, n), smoothing)
    first = np.full(n, smoothing)
    for s in seqs:
        if len(s):
            first[s[0]] += 1
        for a, b in zip(s[:-1], s[1:], strict=False):
            counts[a, b] += 1
    ok, ok_start = allowed_transitions(labels)
    counts[~ok] = 0.0
    first[~ok_start] = 0.0
    with np.errstate(divide="ignore"):
        trans = np.log(counts / counts.sum(axis=1, keepdims=True))
        start = np.log(first / first.sum())
    return Transitions(trans.astype(np.float32), start.astype(np.float32))


def fit_tagger(train: Sequence[Example], val: Sequence[Example], f_train: Features,
               f_val: Features, init: TaggerModel | None = None, epochs_scale: float = 1.0,
               progress: bool = True, native: bool = False) -> TaggerModel:
    """Train both per-word heads on examples with tags; Viterbi transitions from counts."""
    def tags(e: Example) -> tuple[str, ...] | None:
        return e.native_tags if native else e.tags

    tr = [i for i, e in enumerate(train) if tags(e) is not None]
    va = [i for i, e in enumerate(val) if tags(e) is not None]
    tr_ex, va_ex = [train[i] for i in tr], [val[i] for i in va]
    ft, fv = f_train.take(tr), f_val.take(va)
    labels = sorted({t for e in tr_ex for t in tags(e)} | ({"O"}))
    if init is not None:
        labels = sorted(set(labels) | set(init.labels))
    y = _index(labels, [t for e in tr_ex for t in tags(e)])
    sw = np.array([SOURCE_WEIGHTS.get(e.source, 1.0) for e in tr_ex for _ in e.words], np.float32)
    dense = heads.fit_head(
        token_matrix(ft), y, labels, epochs=max(1, round(12 * epochs_scale)), l2=1e-4,
        sample_weight=sw, init=init.dense if init else None, desc="slot head", progress=progress)
    lex = lexical.fit_lexical(
        token_rows(tr_ex), y, labels, buckets=TAG_BUCKETS, dim=TAG_DIM,
        epochs=max(1, round(10 * epochs_scale)), sample_weight=sw,
        init=init.lex if init else None, desc="slot n-grams", progress=progress)
    trans = fit_transitions([_index(labels, tags(e)) for e in tr_ex], labels)
    model = TaggerModel(dense, lex, TAG_LEX_WEIGHTS[0], trans)
    gold = [list(tags(e)) for e in va_ex]
    best = (-1.0, TAG_LEX_WEIGHTS[0], TRANSITION_WEIGHTS[0])
    for w in TAG_LEX_WEIGHTS:
        for tw in TRANSITION_WEIGHTS:
            model.weight, model.transition_weight = w, tw
            f1 = span_f1(gold, model.predict(fv, va_ex))["f1"] if va_ex else 0.0
            if f1 > best[0]:
                best = (f1, w, tw)
    model.weight, model.transition_weight = best[1], best[2]
    return model


def train_heads(dataset: Splits, init: Heads | None = None, *, aux: bool = True,
                epochs_scale: float = 1.0, progress: bool = True) -> Heads:
    """Train the product heads on Hearth labels and choose the OOS threshold on val."""
    ds = dataset if aux else _merge_aux(dataset)
    f_train, f_val = featurize(ds.train, progress), featurize(ds.val, progress)
    labels = sorted({e.intent for e in ds.train} | (set(init.intent.labels) if init else set()))
    intent = fit_intent(ds.train, ds.val, f_train, f_val, labels, init.intent if init else None,
                        epochs_scale, progress)
    probs = intent.proba(f_val, ds.val)
    threshold, val_scores = choose_threshold(probs, labels, [e.intent for e in ds.val])
    tagger = fit_tagger(ds.train, ds.val, f_train, f_val, init.tagger if init else None,
                        epochs_scale, progress)
    meta = {
        "trained": dt.date.today().isoformat(),
        "aux_classes": aux,
        "train_examples": dict(Counter(e.source for e in ds.train)),
        "val_oos": {k: round(v, 4) for k, v in val_scores.items()},
        "lex_weight": intent.weight, "tag_lex_weight": tagger.weight,
        "transition_weight": tagger.transition_weight,
    }
    return Heads(intent, tagger, threshold, meta)


def _merge_aux(ds: Splits) -> Splits:
    def m(part: list[Example]) -> list[Example]:
        return [replace(e, intent=OUT_OF_SCOPE) if e.intent.startswith(AUX) else e for e in part]

    return Splits(m(ds.train), m(ds.val), m(ds.test))


# --- evaluation ----------------------------------------------------------------------------

def predict(heads_: Heads, examples: Sequence[Example], feats: Features | None = None
            ) -> tuple[list[str], list[list[str]]]:
    """Hearth intents and BIO tags (slots restricted to each predicted intent's slots)."""
    feats = feats if feats is not None else featurize(examples, progress=False)
    probs = heads_.intent.proba(feats, examples)
    intents = decode.decide_all(probs, heads_.intent.labels, heads_.threshold)
    tags = heads_.tagger.predict(feats, examples, intents=intents)
    return intents, tags


def evaluate(heads_: Heads, examples: Sequence[Example], feats: Features | None = None
             ) -> dict[str, dict[str, float]]:
    """Per data source and overall: accuracy, in-scope accuracy, OOS recall, slot F1."""
    feats = feats if feats is not None else featurize(examples, progress=False)
    intents, tags = predict(heads_, examples, feats)
    out: dict[str, dict[str, float]] = {}
    sources = sorted({e.source for e in examples}) + ["all"]
    for src in sources:
        idx = [i for i, e in enumerate(examples) if src in ("all", e.source)]
        gold = [fold_aux(examples[i].intent) for i in idx]
        pred = [intents[i] for i in idx]
        m = {"n": len(idx), "accuracy": accuracy(gold, pred)}
        m.update(oos_scores(gold, pred, OUT_OF_SCOPE))
        tagged = [i for i in idx if examples[i].tags is not None]
        if tagged:
            gold_tags = [decode.restrict_tags(examples[i].tags,  # type: ignore[arg-type]
                                              INTENTS[fold_aux(examples[i].intent)][0])
                         for i in tagged]
            m["slot_f1"] = span_f1(gold_tags, [tags[i] for i in tagged])["f1"]
        out[src] = {k: round(float(v), 4) for k, v in m.items()}
    return out


# --- files ---------------------------------------------------------------------------------

def export(heads_: Heads, out_dir: Path, int8: bool = True) -> list[Path]:
    """Write the four ONNX heads and ``nlu.json`` (labels, weights, threshold, transitions)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [
        heads.to_onnx(heads_.intent.dense, out_dir / FILES["intent"], int8),
        lexical.to_onnx(heads_.intent.lex, out_dir / FILES["intent_lex"], int8),
        heads.to_onnx(heads_.tagger.dense, out_dir / FILES["slots"], int8),
        lexical.to_onnx(heads_.tagger.lex, out_dir / FILES["slots_lex"], int8),
    ]
    spec = ModelSpec(
        intent_labels=heads_.intent.labels, tag_labels=heads_.tagger.labels,
        lex_weight=heads_.intent.weight, tag_lex_weight=heads_.tagger.weight,
        transition_weight=heads_.tagger.transition_weight, threshold=heads_.threshold,
        intent_buckets=heads_.intent.lex.buckets, tag_buckets=heads_.tagger.lex.buckets,
        transitions=heads_.tagger.transitions, meta=heads_.meta)
    return paths + [spec.write(out_dir)]


def load_heads(model_dir: Path) -> Heads:
    """Heads from an exported folder (int8 weights dequantized), e.g. to fine-tune them."""
    spec = ModelSpec.read(model_dir)
    try:
        intent = IntentModel(heads.from_onnx(model_dir / FILES["intent"], spec.intent_labels),
                             lexical.from_onnx(model_dir / FILES["intent_lex"], spec.intent_labels),
                             spec.lex_weight)
        tagger = TaggerModel(heads.from_onnx(model_dir / FILES["slots"], spec.tag_labels),
                             lexical.from_onnx(model_dir / FILES["slots_lex"], spec.tag_labels),
                             spec.tag_lex_weight, spec.transitions, spec.transition_weight)
    except Exception as e:
        raise ModelError(f"cannot read NLU heads in {model_dir}: {str(e).splitlines()[0][:200]}") from None
    return Heads(intent, tagger, spec.threshold, spec.meta)
