"""NLU benchmark: fine-tuned MiniLM (Hearth) vs frozen MiniLM vs TF-IDF + logistic regression.

One command trains every system on the same splits and measures them the same way:

    nice -n 10 python benchmarks/nlu.py [--data DIR] [--quick] [--fresh]
    nice -n 10 python benchmarks/nlu.py --kitchen-only   # the shipped model on the kitchen set
    nice -n 10 python benchmarks/nlu.py --only native --recipe epochs=6   # another recipe

1. **Data sets on their own labels** (each system trained on that data set alone): CLINC150
   in-scope accuracy and out-of-scope recall (threshold chosen on CLINC val: the largest one
   costing <= 1 point of in-scope accuracy, Larson et al. 2019), HWU64 accuracy (fold 1, 10% of
   train held out), SNIPS slot F1 (conlleval spans, BIO Viterbi); int8 vs fp32 agreement. The
   same figures on each data set's validation split are what a recipe is chosen by
   (``--recipe KEY=VALUE`` trains Hearth with another; the test figures are for reporting).
2. **Generalization on Hearth's labels**: (a) leave one data set out: train on the other two
   plus the templates, test on the held-out data set's test utterances (those that map to
   Hearth intents, and its out-of-scope ones); (b) ``benchmarks/data/kitchen.tsv``, written by
   hand apart from the templates and data sets and never trained on, against models trained on
   everything (Hearth: the shipped model), also split into the sentences the templates accept
   (understood before the model runs, so partly a measure of the templates) and those they do
   not (``benchmarks/kitchen.py``). (c) Test utterances that also occur verbatim in the
   system's training data are counted and left out of every figure.
3. **Out-of-scope method** (``out_of_scope.py``), on the generalization sets and the base test
   set: the trained out-of-scope classes alone, with the confidence threshold (what ships), with
   an energy or a distance score on the pooled output, those scores alone; and a model trained
   without any out-of-scope data, with each score. Thresholds are chosen on validation.
4. p50 latency of intent + slots for one utterance on 1 thread, and model size.

"frozen" is the same graph with MiniLM left as published and only the output layers trained
(the design before fine-tuning). Fine-tuned models are cached under
``benchmarks/results/models/`` by a digest of their data, recipe and training code (``--fresh``
retrains). ``--quick`` trains on small samples for one epoch, to check the script end to end.
``--kitchen-only`` trains nothing: the shipped model on the kitchen set, split by template
coverage, terse vs the rest and style (seconds).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import kitchen as kitchen_set  # noqa: E402
import out_of_scope  # noqa: E402

from assistant.training import finetune, train  # noqa: E402
from assistant.training.datasets import (  # noqa: E402
    Example,
    Splits,
    data_dir,
    load_annotated,
    load_clinc150,
    load_hwu64,
    load_snips,
)
from assistant.training.mapping import to_hearth  # noqa: E402
from assistant.training.metrics import accuracy, oos_scores, span_f1  # noqa: E402
from assistant.understanding import decode  # noqa: E402
from assistant.understanding.intents import INTENTS, OUT_OF_SCOPE, fold_aux  # noqa: E402
from assistant.understanding.modelfiles import FILES  # noqa: E402
from assistant.understanding.tagging import Transitions, allowed_transitions  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results"
KITCHEN = kitchen_set.KITCHEN
SHIPPED = ROOT / "models" / "hearth-nlu"
SOURCES = ("hwu64", "clinc150", "snips")
FROZEN = finetune.Recipe(train_from=6, epochs=8, head_lr=3e-3)
LATENCY_N = 200
CODE = [ROOT / "assistant" / "training" / f for f in ("finetune.py", "minilm.py", "joint_onnx.py", "train.py")]


def recipe_of(changes: Sequence[str], threads: int, quick: bool) -> finetune.Recipe:
    """Hearth's recipe (the shipped one unless ``changes`` say ``KEY=VALUE``, a field of
    ``finetune.Recipe`` and a value of its type), to compare recipes on validation."""
    recipe = finetune.Recipe(threads=threads, epochs=1.0 if quick else finetune.Recipe.epochs)
    fields = finetune.Recipe.__dataclass_fields__
    for change in changes:
        key, _, value = change.partition("=")
        if key not in fields or not value:
            raise SystemExit(f"--recipe {change!r}: expected KEY=VALUE with KEY one of {', '.join(fields)}")
        recipe = replace(recipe, **{key: type(getattr(recipe, key))(value)})
    return recipe


def frozen(recipe: finetune.Recipe) -> finetune.Recipe:
    """The frozen baseline's recipe on the threads the run trains with."""
    return replace(FROZEN, threads=recipe.threads)


# --- systems -------------------------------------------------------------------------------

class Cache:
    """Exported models by a digest of what went into them."""

    def __init__(self, fresh: bool) -> None:
        self.fresh = fresh
        self.code = hashlib.sha256(b"".join(p.read_bytes() for p in CODE)).hexdigest()

    def model(self, name: str, ds: Splits, recipe: finetune.Recipe, int8: bool = True,
              fp32_too: bool = False) -> Path:
        h = hashlib.sha256(self.code.encode())
        h.update(json.dumps([recipe.__dict__, int8]).encode())
        for part in (ds.train, ds.val):
            for e in part:
                h.update(f"{e.text}\t{e.intent}\t{e.tags}\t{e.source}\n".encode())
        folder = RESULTS / "models" / f"{name}-{h.hexdigest()[:12]}"
        if (folder / FILES["config"]).is_file() and not self.fresh:
            return folder
        t = time.monotonic()
        print(f"training {name} on {len(ds.train)} utterances ...", flush=True)
        trained = train.train_model(ds, recipe, progress=False)
        trained.meta["train_seconds"] = round(time.monotonic() - t)
        train.export(trained, folder, int8=int8)
        if fp32_too:
            train.export(trained, folder / "fp32", int8=False)
        print(f"  {name}: {time.monotonic() - t:.0f} s", flush=True)
        return folder


class TfidfLR:
    """scikit-learn baseline: word 1-2-gram + char 2-5-gram TF-IDF, logistic regression; slots:
    per-word logistic regression on the word's context features, BIO Viterbi."""

    def __init__(self, train_ex: Sequence[Example], tags: bool = True) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import FeatureUnion, make_pipeline

        self.pipe = make_pipeline(
            FeatureUnion([("w", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)),
                          ("c", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5),
                                                sublinear_tf=True, min_df=2))]),
            LogisticRegression(C=10, max_iter=300))
        self.pipe.fit([e.text for e in train_ex], [e.intent for e in train_ex])
        self.labels = list(self.pipe.classes_)
        self.tagger = None
        tagged = [e for e in train_ex if e.tags is not None and any(t != "O" for t in e.tags)]
        if tags and tagged:
            vec = TfidfVectorizer(analyzer=_as_is, sublinear_tf=True)
            x = vec.fit_transform([f for e in tagged for f in _word_feats(e.words)])
            lr = LogisticRegression(C=10, max_iter=200).fit(x, [t for e in tagged for t in e.tags])
            self.tagger = (vec, lr, list(lr.classes_))

    def proba(self, examples: Sequence[Example]) -> np.ndarray:
        return self.pipe.predict_proba([e.text for e in examples])

    def logp(self, examples: Sequence[Example]) -> list[np.ndarray]:
        vec, lr, _ = self.tagger  # type: ignore[misc]
        lp = np.log(np.maximum(lr.predict_proba(vec.transform(
            [f for e in examples for f in _word_feats(e.words)])), 1e-12))
        off = np.cumsum([0] + [len(e.words) for e in examples])
        return [lp[off[i]:off[i + 1]] for i in range(len(examples))]


def _as_is(feats: list[str]) -> list[str]:
    """The tagger's analyzer: a word's features are already its tokens (a module function, so
    the baseline pickles for its size)."""
    return feats


def _word_feats(words: Sequence[str]) -> list[list[str]]:
    """Each word's features for the baseline tagger: itself, neighbours, affixes, shape."""
    pad = ["<s2>", "<s>", *words, "</s>", "</s2>"]
    out = []
    for j in range(2, len(words) + 2):
        w = pad[j]
        out.append([f"w:{w}", f"w-1:{pad[j - 1]}", f"w+1:{pad[j + 1]}", f"w-2:{pad[j - 2]}",
                    f"w+2:{pad[j + 2]}", f"b-:{pad[j - 1]} {w}", f"b+:{w} {pad[j + 1]}",
                    f"p3:{w[:3]}", f"s3:{w[-3:]}", f"d:{any(c.isdigit() for c in w)}"])
    return out


def _bio(labels: Sequence[str]) -> Transitions:
    ok, start = allowed_transitions(labels)
    return Transitions(np.where(ok, 0.0, -np.inf).astype(np.float32),
                       np.where(start, 0.0, -np.inf).astype(np.float32))


# --- 1. data sets on their own labels -------------------------------------------------------

def native(e: Example) -> Example:
    intent = OUT_OF_SCOPE if e.native == "oos" else e.native
    return replace(e, intent=intent, tags=e.native_tags)


def native_splits(root: Path, quick: bool, max_train: int | None = None) -> dict[str, Splits]:
    clinc, snips, hwu = load_clinc150(root), load_snips(root), load_hwu64(root)
    hwu_tr, hwu_va = train.holdout(hwu.train, 0.1, 0)
    out = {"clinc150": Splits(clinc.train, clinc.val, clinc.test),
           "hwu64": Splits(hwu_tr, hwu_va, hwu.test),
           "snips": Splits(snips.train, snips.val, snips.test)}
    out = {k: Splits(*[[native(e) for e in part] for part in (s.train, s.val, s.test)])
           for k, s in out.items()}
    return {k: cap_train(shrink(s, quick), max_train) for k, s in out.items()}


def cap_train(s: Splits, n: int | None, seed: int = 0) -> Splits:
    """At most ``n`` training utterances (a seeded sample; validation and test untouched): a
    reduced run for a machine without the time for the full recipe, said so in the table."""
    if n is None or len(s.train) <= n:
        return s
    return Splits(random.Random(seed).sample(s.train, n), s.val, s.test)


def shrink(s: Splits, quick: bool, seed: int = 0) -> Splits:
    if not quick:
        return s
    rng = random.Random(seed)
    return Splits(*[rng.sample(p, min(len(p), n)) for p, n in ((s.train, 2500), (s.val, 600), (s.test, 600))])


def run_model(folder: Path, examples: Sequence[Example], threads: int = 2):  # noqa: ANN201
    from assistant.understanding.nlu import NluModel

    m = NluModel(folder, threads)
    probs, logp = m.run([e.words for e in examples])
    return m.spec, probs, logp


def native_scores(name: str, s: Splits, proba_val: np.ndarray, proba_test: np.ndarray,
                  labels: list[str], logp: tuple[list[np.ndarray], list[np.ndarray]] | None,
                  tag_labels: list[str] | None) -> dict[str, float]:
    """Test scores, and the validation scores a recipe is chosen by (``*_val``); ``logp`` is the
    tag log-probabilities of validation and test."""
    if name == "clinc150":
        thr, val = train.choose_threshold(proba_val, labels, [e.intent for e in s.val])
        pred = decode.decide_all(proba_test, labels, thr)
        sc = oos_scores([e.intent for e in s.test], pred, OUT_OF_SCOPE)
        return {"clinc_in_scope_acc": sc["in_scope_accuracy"], "clinc_oos_recall": sc["oos_recall"],
                "clinc_threshold": thr, "clinc_in_scope_acc_val": val["in_scope_accuracy"],
                "clinc_oos_recall_val": val["oos_recall"]}
    if name == "hwu64":
        return {"hwu64_acc": accuracy([e.intent for e in s.test], [labels[i] for i in proba_test.argmax(1)]),
                "hwu64_acc_val": accuracy([e.intent for e in s.val], [labels[i] for i in proba_val.argmax(1)])}
    trans = _bio(tag_labels or [])
    f1 = {}
    for part, lps in zip(("val", "test"), logp or ([], []), strict=True):
        pred = [[tag_labels[j] for j in decode.viterbi(lp, trans)] for lp in lps]  # type: ignore[index]
        gold = s.val if part == "val" else s.test
        f1[part] = span_f1([list(e.tags) for e in gold], pred)["f1"]  # type: ignore[arg-type]
    return {"snips_slot_f1": f1["test"], "snips_slot_f1_val": f1["val"],
            "snips_intent_acc": accuracy([e.intent for e in s.test], [labels[i] for i in proba_test.argmax(1)])}


def table_native(root: Path, cache: Cache, quick: bool, recipe: finetune.Recipe,
                 max_train: int | None = None) -> dict[str, dict]:
    res: dict[str, dict] = {"hearth": {}, "frozen": {}, "tfidf_lr": {}}
    for name, s in native_splits(root, quick, max_train).items():
        for system, rec in (("hearth", recipe), ("frozen", frozen(recipe))):
            folder = cache.model(f"{name}-{system}", s, rec, fp32_too=system == "hearth" and name == "clinc150")
            spec, pv, lv = run_model(folder, s.val)
            _, pt, lt = run_model(folder, s.test)
            res[system].update(native_scores(name, s, pv, pt, spec.intent_labels, (lv, lt), spec.tag_labels))
            if system == "hearth" and name == "clinc150":
                _, p32, _ = run_model(folder / "fp32", s.test)
                res[system]["int8_vs_fp32_same_intent"] = round(float((pt.argmax(1) == p32.argmax(1)).mean()), 4)
        tf = TfidfLR(s.train, tags=name == "snips")
        lps = (tf.logp(s.val), tf.logp(s.test)) if tf.tagger else None
        res["tfidf_lr"].update(native_scores(name, s, tf.proba(s.val), tf.proba(s.test), tf.labels, lps,
                                             tf.tagger[2] if tf.tagger else None))
    return res


# --- 2. generalization on Hearth labels -----------------------------------------------------

def loo_splits(root: Path, quick: bool) -> dict[str, tuple[Splits, list[Example]]]:
    """Per data set: training data without it (plus templates), and its whole test split."""
    base = train.load_base_dataset(root)
    snips_test = [to_hearth(e) for e in load_snips(root).test]
    out = {}
    for src in SOURCES:
        test = snips_test if src == "snips" else [e for e in base.test if e.source == src]
        s = Splits([e for e in base.train if e.source != src], [e for e in base.val if e.source != src], test)
        s = shrink(s, quick)
        out[src] = (Splits(s.train, s.val, []), s.test)
    return out


def hearth_scores(test: Sequence[Example], intents: Sequence[str], tags: Sequence[Sequence[str]] | None
                  ) -> dict[str, float]:
    m = train.score(test, intents, tags or [["O"] * len(e.words) for e in test], by="source")["all"]
    out = {"n": int(m["n"]), "in_scope_acc": m["in_scope_accuracy"], "oos_rejected": m["oos_recall"]}
    if tags is not None and "slot_f1" in m:
        out["slot_f1"] = m["slot_f1"]
    return out


def predict_hearth(folder: Path, test: Sequence[Example], threshold: float | None = None
                   ) -> tuple[list[str], list[list[str]]]:
    from assistant.understanding.nlu import NluUnderstander

    u = NluUnderstander(folder, threads=2)
    if threshold is not None:
        u.spec.threshold = threshold
    found = u.parse_many([e.words for e in test])
    return [x.intent for x in found], [train.tags_of(x, len(e.words)) for x, e in zip(found, test, strict=True)]


def predict_tfidf(tf: TfidfLR, val: Sequence[Example], test: Sequence[Example]) -> tuple[list[str], list[list[str]]]:
    thr, _ = train.choose_threshold(tf.proba(val), tf.labels, [e.intent for e in val])
    intents = decode.decide_all(tf.proba(test), tf.labels, thr)
    tags = []
    labels = tf.tagger[2] if tf.tagger else ["O"]
    trans = _bio(labels)
    logps = tf.logp(test) if tf.tagger else [np.zeros((len(e.words), 1)) for e in test]
    for e, intent, lp in zip(test, intents, logps, strict=True):
        found = decode.decode_tags(lp, labels, trans, train.slots_of(intent) or ())
        tags.append(decode.tags_from_spans(len(e.words), found))
    return intents, tags


def generalization(root: Path, cache: Cache, quick: bool, recipe: finetune.Recipe) -> dict[str, dict]:
    """rows: test set -> system -> scores (verbatim training duplicates left out)."""
    sets: dict[str, tuple[Splits, list[Example], Path | None]] = {
        f"loo_{src}": (s, test, None) for src, (s, test) in loo_splits(root, quick).items()}
    base = shrink(train.load_base_dataset(root), quick)
    kitchen = load_annotated(KITCHEN, "kitchen")
    sets["kitchen"] = (Splits(base.train, base.val, []), kitchen, None if quick else SHIPPED)
    res: dict[str, dict] = {}
    pooled: dict[str, list] = {}
    for name, (s, test, shipped) in sets.items():
        test, dups = train.unseen(test, s.train)
        row: dict[str, dict] = {}
        folders = {"hearth": shipped or cache.model(f"{name}-hearth", s, recipe),
                   "frozen": cache.model(f"{name}-frozen", s, frozen(recipe))}
        preds = {k: predict_hearth(f, test) for k, f in folders.items()}
        preds["tfidf_lr"] = predict_tfidf(TfidfLR(s.train), s.val, test)
        for system, (intents, tags) in preds.items():
            row[system] = {**hearth_scores(test, intents, tags), "verbatim_in_train_removed": dups}
            p = pooled.setdefault(system, [[], [], []])
            p[0] += test
            p[1] += intents
            p[2] += tags
        res[name] = row
        print(f"  {name}: " + ", ".join(f"{k} {v['in_scope_acc']:.3f}/{v['oos_rejected']:.3f}"
                                        for k, v in row.items()), flush=True)
        if name == "kitchen":
            covered = covered_mask(test)
            for part, want in (("kitchen: templates accept", True), ("kitchen: templates do not", False)):
                res[part] = {system: subset_scores(test, intents, tags, [c == want for c in covered])
                             for system, (intents, tags) in preds.items()}
    res["all (4a+4b)"] = {k: hearth_scores(*v) for k, v in pooled.items()}
    return res


def covered_mask(test: Sequence[Example]) -> list[bool]:
    """Per kitchen sentence, whether a built-in template accepts it (whatever the intent)."""
    return [m is not None for m in kitchen_set.template_intents(test)]


def subset_scores(test: Sequence[Example], intents: Sequence[str], tags: Sequence[Sequence[str]],
                  keep: Sequence[bool]) -> dict[str, float]:
    """``hearth_scores`` on the kept sentences, with how many are in scope and out of scope (a
    figure with nothing to measure is left blank), and in-scope ``exact``: intent and every slot
    right."""
    idx = [i for i, k in enumerate(keep) if k]
    if not idx:
        return {"n": 0}
    out = hearth_scores([test[i] for i in idx], [intents[i] for i in idx], [tags[i] for i in idx])
    ins = [i for i in idx if fold_aux(test[i].intent) != OUT_OF_SCOPE]
    out["n_in_scope"], out["n_oos"] = len(ins), len(idx) - len(ins)
    if ins:
        out["exact"] = round(sum(slots_right(test[i], intents[i], tags[i]) for i in ins) / len(ins), 4)
    else:
        del out["in_scope_acc"]
    if not out["n_oos"]:
        del out["oos_rejected"]
    return out


def slots_right(e: Example, intent: str, tags: Sequence[str]) -> bool:
    """The intent right and exactly the gold slots (those the intent carries) found."""
    gold = decode.restrict_tags(e.tags, INTENTS[fold_aux(e.intent)][0])  # type: ignore[arg-type]
    return intent == fold_aux(e.intent) and list(tags) == list(gold)


def kitchen_only(root: Path) -> dict[str, dict]:
    """The shipped model alone on the kitchen set, nothing trained: verbatim training duplicates
    left out, then split by template coverage, terse vs the rest, and style."""
    test = kitchen_set.load()
    base = train.load_base_dataset(root)
    test, dups = train.unseen(test, base.train)
    covered = covered_mask(test)
    intents, tags = predict_hearth(SHIPPED, test)
    terse = [e.native == kitchen_set.TERSE for e in test]
    parts: dict[str, list[bool]] = {
        "all": [True] * len(test),
        "templates accept": covered,
        "templates do not": [not c for c in covered],
        "terse": terse,
        "not terse": [not t for t in terse],
        "terse, templates do not": [t and not c for t, c in zip(terse, covered, strict=True)],
    }
    for style in sorted({e.native for e in test} - {kitchen_set.TERSE}):
        parts[f"style {style}"] = [e.native == style for e in test]
    rows = {name: subset_scores(test, intents, tags, keep) for name, keep in parts.items()}
    rows["all"]["verbatim_in_train_removed"] = dups
    preds = [{"intent": e.intent, "predicted": p, "style": e.native, "templates": c, "text": e.text,
              "tags": list(t), "exact": slots_right(e, p, t)}
             for e, p, t, c in zip(test, intents, tags, covered, strict=True)]
    return {"rows": rows, "predictions": preds}


def oos_methods(root: Path, cache: Cache, quick: bool, recipe: finetune.Recipe) -> dict[str, dict]:
    """Out-of-scope methods (``out_of_scope.METHODS``) on the generalization sets, each with the
    model trained for that set; plus a model trained without out-of-scope data on the kitchen
    and base test sets. Rows: test set -> method -> scores."""
    base = shrink(train.load_base_dataset(root), quick)
    full = SHIPPED if not quick else cache.model("kitchen-hearth", Splits(base.train, base.val, []), recipe)
    in_scope = Splits([e for e in base.train if fold_aux(e.intent) != OUT_OF_SCOPE], base.val, [])
    no_oos = cache.model("no-oos-data-hearth", in_scope, recipe)
    runs = [(cache.model(f"loo_{src}-hearth", s, recipe), s, {f"loo_{src}": test})
            for src, (s, test) in loo_splits(root, quick).items()]
    runs.append((full, base, {"kitchen": load_annotated(KITCHEN, "kitchen"), "base_test": base.test}))
    res: dict[str, dict] = {}
    pooled: dict[str, list[list[str]]] = {k: [[], []] for k in out_of_scope.WITH_CLASSES}
    for folder, s, tests in runs:
        tests = {name: train.unseen(test, s.train)[0] for name, test in tests.items()}
        judged = out_of_scope.judge(folder, s.train, s.val, tests, out_of_scope.WITH_CLASSES)
        if folder == full:
            for name, per in out_of_scope.judge(no_oos, in_scope.train, base.val, tests,
                                                out_of_scope.NO_OOS_DATA).items():
                judged[name] |= {f"no out-of-scope data: {k}": v for k, v in per.items()}
        for name, per in judged.items():
            res[name] = {k: j.row() for k, j in per.items()}
            print(f"  {name}: " + ", ".join(f"{k} {r['in_scope_acc']:.3f}/{r['oos_rejected']:.3f}"
                                            for k, r in res[name].items()), flush=True)
            if name != "base_test":
                for k, (gold, pred) in pooled.items():
                    gold += per[k].gold
                    pred += per[k].decisions()
    res["all (loo + kitchen)"] = {}
    for k, (gold, pred) in pooled.items():
        acc, rej = out_of_scope.rates(gold, pred)
        res["all (loo + kitchen)"][k] = {"n": len(gold), "in_scope_acc": round(acc, 4), "oos_rejected": round(rej, 4)}
    return res


# --- 4. latency and size --------------------------------------------------------------------

def p50_ms(fn: Callable[[str], object], texts: Sequence[str]) -> float:
    fn(texts[0])
    times = []
    for t in texts[:LATENCY_N]:
        s = time.perf_counter()
        fn(t)
        times.append((time.perf_counter() - s) * 1000)
    return round(float(np.median(times)), 3)


def latency(root: Path, quick: bool) -> dict[str, dict]:
    from assistant.understanding.nlu import NluUnderstander

    texts = [e.text for e in load_annotated(KITCHEN, "kitchen")]
    base = shrink(train.load_base_dataset(root), True)
    tf = TfidfLR(base.train)

    def tfidf_one(text: str) -> object:
        e = Example(tuple(text.split()), "")
        return tf.proba([e]), tf.logp([e])

    folder = SHIPPED
    hearth = NluUnderstander(folder, threads=1)
    res = {"hearth": {"p50_ms": p50_ms(hearth.parse, texts),
                      "size_mb": round((folder / FILES["model"]).stat().st_size / 1e6, 2)},
           "tfidf_lr": {"p50_ms": p50_ms(tfidf_one, texts)}}
    with tempfile.TemporaryDirectory() as d:
        import pickle

        (Path(d) / "tf.pkl").write_bytes(pickle.dumps((tf.pipe, tf.tagger)))
        res["tfidf_lr"]["size_mb"] = round((Path(d) / "tf.pkl").stat().st_size / 1e6, 2)
    res["hearth"]["p50_vs_tfidf"] = round(res["hearth"]["p50_ms"] / res["tfidf_lr"]["p50_ms"], 2)
    return res


# --- output ---------------------------------------------------------------------------------

def fmt(rows: dict[str, dict], cols: list[str], first: str = "system") -> str:
    lines = [f"| {first} | " + " | ".join(cols) + " |", "|---" * (len(cols) + 1) + "|"]
    for name, m in rows.items():
        lines.append(f"| {name} | " + " | ".join(str(round(m[c], 4) if isinstance(m.get(c), float) else m.get(c, ""))
                                                 for c in cols) + " |")
    return "\n".join(lines)


def tables(res: dict) -> str:
    out = []
    if "native" in res:
        cap = res.get("_native_max_train")
        reduced = f" (REDUCED: every system trained on at most {cap} utterances per data set)" if cap else ""
        out += [f"Data sets on their own labels{reduced}:", fmt(res["native"], [
            "clinc_in_scope_acc", "clinc_oos_recall", "hwu64_acc", "snips_slot_f1", "snips_intent_acc",
            "int8_vs_fp32_same_intent"]), "",
            f"The same on validation (what a recipe is chosen by; recipe {res.get('_recipe')}):",
            fmt(res["native"], ["clinc_in_scope_acc_val", "clinc_oos_recall_val", "hwu64_acc_val",
                                "snips_slot_f1_val"]), ""]
    if "generalization" in res:
        out.append("Generalization on Hearth's labels (verbatim training duplicates removed):")
        rows = {f"{t} / {s}": m for t, per in res["generalization"].items() for s, m in per.items()}
        out += [fmt(rows, ["n", "in_scope_acc", "oos_rejected", "slot_f1", "verbatim_in_train_removed"],
                    "test set / system"), ""]
    if "oos_methods" in res:
        rows = {f"{t} / {s}": m for t, per in res["oos_methods"].items() for s, m in per.items()}
        out += ["Out-of-scope method (thresholds chosen on validation; in_scope_at_90: the best in-scope "
                "accuracy at >= 90% rejected, threshold chosen on the test set itself, for comparison only):",
                fmt(rows, ["n", "in_scope_acc", "oos_rejected", "threshold", "auroc", "in_scope_at_90"],
                    "test set / method"), ""]
    if "kitchen_only" in res:
        out += [f"Kitchen set, shipped model only ({SHIPPED.relative_to(ROOT)}; verbatim training "
                f"duplicates removed: {res['kitchen_only']['rows']['all']['verbatim_in_train_removed']}):",
                fmt(res["kitchen_only"]["rows"], ["n", "n_in_scope", "n_oos", "in_scope_acc", "oos_rejected",
                                                  "slot_f1", "exact"], "sentences"),
                ""]
    if "latency" in res:
        out += ["Latency (intent + slots, one utterance, 1 thread) and size:",
                fmt(res["latency"], ["p50_ms", "p50_vs_tfidf", "size_mb"])]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", help="data folder (default: $HEARTH_DATA or ../shared/data)")
    ap.add_argument("--json", default=str(RESULTS / "nlu.json"))
    ap.add_argument("--quick", action="store_true", help="small samples, one epoch: a smoke test")
    ap.add_argument("--fresh", action="store_true", help="retrain cached models")
    ap.add_argument("--native-max-train", type=int, help="native table: train every system on at most "
                    "this many utterances per data set (a reduced run; the table says so)")
    ap.add_argument("--only", choices=["native", "generalization", "oos_methods", "latency"], action="append")
    ap.add_argument("--threads", type=int, default=2, help="CPU threads for training (1 leaves a core "
                    "free on a 2-core machine)")
    ap.add_argument("--recipe", action="append", default=[], metavar="KEY=VALUE",
                    help="Hearth's training recipe changed for a comparison run (epochs=6, lr=2e-4): "
                    "choose by the validation table")
    ap.add_argument("--kitchen-only", action="store_true", help="train nothing: the shipped model on the "
                    "kitchen set (template-covered vs not, terse vs the rest, per style), in seconds")
    args = ap.parse_args(argv)
    root = data_dir(args.data)
    if args.kitchen_only:
        t = time.monotonic()
        res = {"kitchen_only": kitchen_only(root), "_seconds": 0}
        res["_seconds"] = round(time.monotonic() - t)
        print(tables(res))
        out = Path(args.json if args.json != ap.get_default("json") else RESULTS / "nlu-kitchen.json")
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(res, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {out} ({res['_seconds']} s)")
        return 0
    cache = Cache(args.fresh)
    recipe = recipe_of(args.recipe, args.threads, args.quick)
    t = time.monotonic()
    res: dict = {"_recipe": {k: v for k, v in recipe.__dict__.items() if k != "threads"}}
    parts = {"native": lambda r, c, q, rec: table_native(r, c, q, rec, args.native_max_train), "generalization": generalization, "oos_methods": oos_methods,
             "latency": lambda r, c, q, rec: latency(r, q)}
    for name, fn in parts.items():
        if not args.only or name in args.only:
            print(f"[{name}]", flush=True)
            res[name] = fn(root, cache, args.quick, recipe)
    res["_seconds"] = round(time.monotonic() - t)
    res["_quick"] = args.quick
    res["_native_max_train"] = args.native_max_train
    print(tables(res))
    out = Path(args.json)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(res, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {out} ({res['_seconds']} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
