"""Training Hearth's NLU model: MiniLM fine-tuned for intent and slots (``assistant nlu train``).

Reusable steps (the personalization room calls the same ones nightly, starting from the live
model with the household's examples added to a replay sample of the base data):

- ``load_base_dataset(data=None) -> Splits``: HWU64 + CLINC150 + SNIPS (capped) + templated
  examples, mapped onto Hearth's intents and slots (``mapping.py``); train / val / test.
- ``train_model(dataset) -> Trained``: all-MiniLM-L6-v2 fine-tuned end to end
  (``finetune.py``), then calibrated on val (``calibrate``): a softmax temperature, the
  out-of-scope threshold and the weight of the tag transitions.
- ``export(trained, out_dir)`` / ``load_trained(model_dir)``: one int8 ONNX graph, its
  tokenizer and ``nlu.json``; and back (the nightly job's starting point).
- ``evaluate(model_dir, examples) -> dict``: accuracy, in-scope accuracy / OOS recall, slot F1,
  measured by running the exported model through the runtime's own ``NluUnderstander``.

Auxiliary classes: data-set intents Hearth has no skill for stay separate classes
(``aux:<name>``) and fold into out_of_scope at decision time; with the CLINC150 ``oos``
utterances they are the trained side of out-of-scope detection, the threshold the other.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
import shutil
import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from assistant.errors import ModelError
from assistant.training import augment
from assistant.training.datasets import (
    Example,
    Splits,
    data_dir,
    load_clinc150,
    load_hwu64,
    load_snips,
)
from assistant.training.mapping import to_hearth
from assistant.training.metrics import accuracy, oos_scores, span_f1
from assistant.training.synth import generate
from assistant.understanding import decode
from assistant.understanding.intents import AUX, INTENTS, OUT_OF_SCOPE, fold_aux
from assistant.understanding.modelfiles import FILES, ModelSpec
from assistant.understanding.tagging import Transitions, allowed_transitions

BASE_MODEL = "minilm-l6-v2"  # fp32 all-MiniLM-L6-v2 and its tokenizer (models/manifest.toml)
TRANSITION_WEIGHTS = (0.0, 0.3, 1.0)
TEMPERATURES = tuple(np.round(np.arange(0.5, 3.01, 0.1), 2))
THRESHOLDS = tuple(np.round(np.arange(0.0, 0.91, 0.05), 2))
MAX_IN_SCOPE_DROP = 0.01  # in-scope accuracy the OOS threshold may cost on val
# Utterances kept per auxiliary intent (CLINC150 alone has 120 of them, 100 utterances each):
# all of CLINC150's, so out-of-scope requests are learnt as fully as in-scope ones.
AUX_CAP = 100


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


def load_base_dataset(data: str | Path | None = None, *, snips_cap: int = 300, aux_cap: int = AUX_CAP,
                      synth: bool = True, augmented: float = augment.SHARE, seed: int = 0) -> Splits:
    """Hearth-labelled train / val / test from the three data sets plus templates; training
    keeps at most ``aux_cap`` utterances of each auxiliary (out-of-scope) intent, and gains an
    ``augmented`` share of terse, disfluent and written phrasings (``augment.py``)."""
    root = data_dir(data)
    hwu, clinc, snips = load_hwu64(root), load_clinc150(root), load_snips(root)
    hwu_train, hwu_val = holdout(hwu.train, 0.1, seed)
    out = Splits(
        train=hwu_train + clinc.train + _cap(snips.train, snips_cap, seed),
        val=hwu_val + clinc.val + _cap(snips.val, snips_cap // 6, seed),
        test=hwu.test + clinc.test + _cap(snips.test, snips_cap // 6, seed),
    )
    out = Splits(*[[to_hearth(e) for e in part] for part in (out.train, out.val, out.test)])
    aux = [e for e in out.train if e.intent.startswith(AUX)]
    out.train = [e for e in out.train if not e.intent.startswith(AUX)] + _cap(aux, aux_cap, seed)
    if synth:
        s_train, s_val = holdout(generate(), 0.15, seed)
        out.train += s_train
        out.val += s_val
    out.train += augment.augment(out.train, augmented, seed)
    return out


# --- model ---------------------------------------------------------------------------------

@dataclass
class Trained:
    """A fine-tuned model with its labels and what calibration chose (torch side)."""

    model: object  # minilm.JointModel
    intent_labels: list[str]
    tag_labels: list[str]
    temperature: float = 1.0
    threshold: float = 0.0
    transitions: Transitions | None = None
    transition_weight: float = 0.0
    meta: dict = field(default_factory=dict)
    tokenizer: Path | None = None  # its tokenizer.json (exported next to the graph)


def base_model_dir() -> Path:
    """The folder with the fp32 ``model.safetensors`` and ``tokenizer.json``."""
    from assistant.models.registry import locate

    return locate(BASE_MODEL)


def labels_of(examples: Sequence[Example]) -> tuple[list[str], list[str]]:
    """Intent labels and BIO tag labels the examples use (sorted; ``O`` always there)."""
    tags = {t for e in examples if e.tags is not None for t in e.tags} | {"O"}
    return sorted({e.intent for e in examples}), sorted(tags)


def train_model(dataset: Splits, recipe=None, *, progress: bool = True,
                calibrate_on: Sequence[Example] | None = None) -> Trained:
    """Fine-tune all-MiniLM-L6-v2 on ``dataset.train`` and calibrate on ``dataset.val``."""
    from assistant.training import finetune
    from assistant.training.minilm import JointModel, load_checkpoint
    from assistant.understanding.wordpieces import WordPieces

    recipe = recipe or finetune.Recipe()
    base = base_model_dir()
    intents, tags = labels_of(dataset.train)
    from assistant.training.torch_cpu import torch

    torch.manual_seed(recipe.seed)
    model = JointModel(len(intents), len(tags))
    load_checkpoint(model, base / "model.safetensors")
    data = finetune.encode(WordPieces(base / "tokenizer.json"), dataset.train, intents, tags)
    finetune.fit(model, data, recipe, progress)
    trained = Trained(model, intents, tags, tokenizer=base / FILES["tokenizer"], meta={
        "trained": dt.date.today().isoformat(), "recipe": dataclasses.asdict(recipe),
        "train_examples": dict(Counter(e.source for e in dataset.train))})
    trained.transitions = fit_transitions(
        [[tags.index(t) for t in e.tags] for e in dataset.train if e.tags is not None], tags)
    calibrate(trained, list(calibrate_on if calibrate_on is not None else dataset.val), recipe.threads)
    return trained


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


def temperature(probs: np.ndarray, gold: np.ndarray) -> float:
    """The softmax temperature with the lowest validation log-loss (Guo et al. 2017), so the
    threshold works on calibrated confidences."""
    logits = np.log(np.maximum(probs, 1e-12))
    best = (np.inf, 1.0)
    for t in TEMPERATURES:
        lp = decode.log_softmax(logits / t)
        best = min(best, (float(-lp[np.arange(len(gold)), gold].mean()), float(t)))
    return best[1]


def slots_of(intent: str) -> tuple[str, ...] | None:
    """The slots a Hearth intent takes; None (any) for a data set's own intent label."""
    hearth = fold_aux(intent)
    return INTENTS[hearth][0] if hearth in INTENTS else None


def calibrate(trained: Trained, val: Sequence[Example], threads: int = 2) -> None:
    """Temperature, OOS threshold and tag transition weight, chosen on ``val`` with the model
    exported exactly as it will run (int8)."""
    from assistant.understanding.nlu import NluModel

    val = [e for e in val if e.intent in trained.intent_labels]
    with tempfile.TemporaryDirectory() as d:
        trained.temperature, trained.threshold = 1.0, 0.0
        export(trained, Path(d))
        probs, logp = NluModel(Path(d), threads=threads).run([e.words for e in val])
    index = {lab: i for i, lab in enumerate(trained.intent_labels)}
    trained.temperature = temperature(probs, np.array([index[e.intent] for e in val]))
    calibrated = decode.softmax(np.log(np.maximum(probs, 1e-12)) / trained.temperature)
    trained.threshold, scores = choose_threshold(calibrated, trained.intent_labels,
                                                 [e.intent for e in val])
    best = (-1.0, 0.0)
    tagged = [i for i, e in enumerate(val) if e.tags is not None]
    gold = [decode.restrict_tags(val[i].tags or (), slots_of(val[i].intent) or ()) if slots_of(val[i].intent)
            is not None else list(val[i].tags or ()) for i in tagged]
    for w in TRANSITION_WEIGHTS:
        pred = [decode.tags_from_spans(len(val[i].words), decode.decode_tags(
            logp[i], trained.tag_labels, trained.transitions, slots_of(val[i].intent), w))
            for i in tagged]
        best = max(best, (span_f1(gold, pred)["f1"], w))
    trained.transition_weight = best[1]
    trained.meta.update(temperature=trained.temperature, threshold=trained.threshold,
                        transition_weight=trained.transition_weight,
                        val_oos={k: round(v, 4) for k, v in scores.items()},
                        val_slot_f1=round(best[0], 4))


# --- files ---------------------------------------------------------------------------------

def export(trained: Trained, out_dir: Path, int8: bool = True) -> list[Path]:
    """``model.onnx`` (temperature folded into the intent layer), ``tokenizer.json`` and
    ``nlu.json``; returns the paths written."""
    from assistant.training import joint_onnx
    from assistant.training.minilm import weights_of

    out_dir.mkdir(parents=True, exist_ok=True)
    w = weights_of(trained.model)  # type: ignore[arg-type]
    w["intent.weight"] = w["intent.weight"] / trained.temperature
    w["intent.bias"] = w["intent.bias"] / trained.temperature
    model = joint_onnx.write(w, out_dir / FILES["model"], int8)
    tok = out_dir / FILES["tokenizer"]
    source = trained.tokenizer or base_model_dir() / FILES["tokenizer"]
    if not tok.exists() or not tok.samefile(source):
        shutil.copyfile(source, tok)
    return [model, tok, write_spec(trained, out_dir)]


def unseen(test: Sequence[Example], train_ex: Sequence[Example]) -> tuple[list[Example], int]:
    """Test examples whose text is not verbatim in the training data, and how many were: a
    sentence the model was trained on measures its memory, not what it makes of new phrasings."""
    seen = {e.text for e in train_ex}
    kept = [e for e in test if e.text not in seen]
    return kept, len(test) - len(kept)


def write_spec(trained: Trained, out_dir: Path) -> Path:
    """``nlu.json``: labels, calibration and the training run's ``meta``."""
    transitions = trained.transitions or fit_transitions([], trained.tag_labels)
    return ModelSpec(intent_labels=trained.intent_labels, tag_labels=trained.tag_labels,
                     threshold=trained.threshold, transition_weight=trained.transition_weight,
                     transitions=transitions, meta=trained.meta).write(out_dir)


def load_trained(model_dir: Path) -> Trained:
    """The model of an exported folder as a torch model (int8 weights dequantized, the
    temperature left folded in), to fine-tune it further."""
    from assistant.training import joint_onnx
    from assistant.training.minilm import from_weights

    spec = ModelSpec.read(model_dir)
    try:
        model = from_weights(joint_onnx.read_weights(Path(model_dir) / FILES["model"]))
    except Exception as e:
        raise ModelError(f"cannot read the NLU model in {model_dir}: {str(e).splitlines()[0][:200]}") from None
    return Trained(model, spec.intent_labels, spec.tag_labels, 1.0, spec.threshold,
                   spec.transitions, spec.transition_weight, dict(spec.meta),
                   Path(model_dir) / FILES["tokenizer"])


def int8_agreement(trained: Trained, examples: Sequence[Example], threads: int = 2) -> float:
    """Share of examples for which the int8 graph decides the same intent as the fp32 one."""
    from assistant.understanding.nlu import NluUnderstander

    words = [e.words for e in examples]
    decided = []
    with tempfile.TemporaryDirectory() as d:
        for int8 in (True, False):
            export(trained, Path(d) / str(int8), int8=int8)
            decided.append([u.intent for u in NluUnderstander(Path(d) / str(int8), threads).parse_many(words)])
    return round(float(np.mean([a == b for a, b in zip(*decided, strict=True)])), 4)


# --- evaluation ----------------------------------------------------------------------------

def predict(model_dir: Path, examples: Sequence[Example], threads: int = 2):  # -> list[Understanding]
    """The runtime's understanding of each example (exactly what the assistant would do)."""
    from assistant.understanding.nlu import NluUnderstander

    return NluUnderstander(model_dir, threads=threads).parse_many([e.words for e in examples])


def tags_of(u, n: int) -> list[str]:  # noqa: ANN001 - an Understanding
    return decode.tags_from_spans(n, u.slots)


def evaluate(model_dir: Path, examples: Sequence[Example], by: str = "source", threads: int = 2
             ) -> dict[str, dict[str, float]]:
    """Per data source (or other ``Example`` field) and overall: accuracy, in-scope accuracy,
    OOS recall, slot F1 (gold slots restricted to the gold intent's, as the skill sees them)."""
    found = predict(model_dir, examples, threads)
    return score(examples, [u.intent for u in found],
                 [tags_of(u, len(e.words)) for u, e in zip(found, examples, strict=True)], by)


def score(examples: Sequence[Example], intents: Sequence[str], tags: Sequence[Sequence[str]],
          by: str = "source") -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    groups = sorted({getattr(e, by) for e in examples}) + ["all"]
    for grp in groups:
        idx = [i for i, e in enumerate(examples) if grp in ("all", getattr(e, by))]
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
        out[grp] = {k: round(float(v), 4) for k, v in m.items()}
    return out
