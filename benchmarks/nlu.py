"""NLU benchmark: Hearth's model vs TF-IDF + logistic regression vs a fastText-style model.

One command trains all three on the same splits and measures them the same way:

    python benchmarks/nlu.py [--data DIR] [--json benchmarks/results/nlu.json] [--hearth]

- CLINC150 (150 intents + out-of-scope, full split): in-scope accuracy and OOS recall at the
  max-probability threshold chosen on CLINC val (largest threshold costing <= 1 point of
  in-scope accuracy on val), as in Larson et al. 2019.
- HWU64 (64 intents, fold 1; 10% of train held out for validation): accuracy.
- SNIPS (standard split): slot span F1 (conlleval-style), all decoded with the same BIO Viterbi.
- p50 latency of one utterance's intent on 1 thread, and size on disk.
- int8 vs fp32 heads: share of CLINC test utterances given the same intent.
- ``--hearth``: also trains the product heads on Hearth's labels with auxiliary classes and
  with a single out_of_scope class, to compare them.
"""

from __future__ import annotations

import argparse
import json
import pickle
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assistant.training import heads, lexical, train  # noqa: E402
from assistant.training.datasets import (  # noqa: E402
    Example,
    data_dir,
    load_clinc150,
    load_hwu64,
    load_snips,
)
from assistant.training.metrics import accuracy, oos_scores, span_f1  # noqa: E402
from assistant.training.train import fit_transitions  # noqa: E402
from assistant.understanding import decode, ngrams  # noqa: E402
from assistant.understanding.encoder import Encoder  # noqa: E402
from assistant.understanding.tagging import viterbi  # noqa: E402

OOS = ("oos",)
LATENCY_N = 200


def p50_ms(fn: Callable[[Example], object], examples: Sequence[Example]) -> float:
    fn(examples[0])  # warm up
    times = []
    for e in examples[:LATENCY_N]:
        t = time.perf_counter()
        fn(e)
        times.append((time.perf_counter() - t) * 1000)
    return round(float(np.median(times)), 3)


def clinc_scores(probs_val: np.ndarray, probs_test: np.ndarray, labels: list[str],
                 val: list[Example], test: list[Example]) -> dict[str, float]:
    """Threshold chosen on val, then in-scope accuracy / OOS recall on test (CLINC labels)."""
    thr, _ = train.choose_threshold(probs_val, labels, [e.intent for e in val], OOS)
    pred = decode.decide_all(probs_test, labels, thr, OOS)
    gold = ["out_of_scope" if e.intent == "oos" else e.intent for e in test]
    s = oos_scores(gold, pred, "out_of_scope")
    return {"clinc_in_scope_acc": s["in_scope_accuracy"], "clinc_oos_recall": s["oos_recall"],
            "clinc_threshold": thr}


def hwu_split(root: Path) -> tuple[list[Example], list[Example], list[Example]]:
    hwu = load_hwu64(root)
    tr, va = train.holdout(hwu.train, 0.1, 0)
    return tr, va, hwu.test


# --- TF-IDF + logistic regression ---------------------------------------------------------

class TfidfLR:
    """scikit-learn baseline: word 1-2-gram + char 2-5-gram TF-IDF, logistic regression."""

    def __init__(self) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import FeatureUnion, make_pipeline

        self.pipe = make_pipeline(
            FeatureUnion([("w", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)),
                          ("c", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5),
                                                sublinear_tf=True, min_df=2))]),
            LogisticRegression(C=10, max_iter=300))

    def fit(self, texts: list[str], y: list[str]) -> TfidfLR:
        self.pipe.fit(texts, y)
        self.labels = list(self.pipe.classes_)
        return self

    def proba(self, texts: list[str]) -> np.ndarray:
        return self.pipe.predict_proba(texts)


def tfidf_tagger(train_ex: list[Example], test_ex: list[Example]) -> float:
    """Per-word logistic regression on TF-IDF of the word's n-gram features, then Viterbi."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vec = TfidfVectorizer(analyzer=lambda feats: feats, sublinear_tf=True)
    x = vec.fit_transform(train.token_rows(train_ex))
    y = [t for e in train_ex for t in e.native_tags]  # type: ignore[union-attr]
    lr = LogisticRegression(C=10, max_iter=200).fit(x, y)
    labels = list(lr.classes_)
    trans = fit_transitions([[labels.index(t) for t in e.native_tags] for e in train_ex], labels)  # type: ignore[union-attr]
    logp = np.log(np.maximum(lr.predict_proba(vec.transform(train.token_rows(test_ex))), 1e-12))
    return _viterbi_f1(logp, labels, trans, test_ex)


def _viterbi_f1(logp: np.ndarray, labels: list[str], trans, test_ex: list[Example]) -> float:
    off = np.cumsum([0] + [len(e.words) for e in test_ex])
    pred = [[labels[j] for j in viterbi(logp[off[i]:off[i + 1]], trans)] for i in range(len(test_ex))]
    return span_f1([list(e.native_tags) for e in test_ex], pred)["f1"]  # type: ignore[arg-type]


# --- main ---------------------------------------------------------------------------------

def run(data: str | None, hearth: bool) -> dict:
    root = data_dir(data)
    enc1 = Encoder(threads=1)
    clinc = load_clinc150(root)
    hwu_tr, hwu_va, hwu_te = hwu_split(root)
    snips = load_snips(root)
    feats = {name: train.featurize(ex) for name, ex in (
        ("c_tr", clinc.train), ("c_va", clinc.val), ("c_te", clinc.test), ("h_tr", hwu_tr),
        ("h_va", hwu_va), ("h_te", hwu_te), ("s_tr", snips.train), ("s_va", snips.val),
        ("s_te", snips.test))}
    res: dict[str, dict] = {"hearth": {}, "minilm_head_only": {}, "tfidf_lr": {}, "fasttext_numpy": {}}
    t_train: dict[str, float] = {k: 0.0 for k in res}

    # CLINC150
    t = time.monotonic()
    cm = train.fit_intent(clinc.train, clinc.val, feats["c_tr"], feats["c_va"])
    t_train["hearth"] += time.monotonic() - t
    labels = cm.labels
    rows_va = [ngrams.sentence_ngrams(e.words) for e in clinc.val]
    rows_te = [ngrams.sentence_ngrams(e.words) for e in clinc.test]
    dense_va, dense_te = cm.dense.proba(feats["c_va"].pooled), cm.dense.proba(feats["c_te"].pooled)
    lex_va, lex_te = cm.lex.logits(rows_va), cm.lex.logits(rows_te)
    res["hearth"].update(clinc_scores(decode.combine(dense_va, lex_va, cm.weight),
                                      decode.combine(dense_te, lex_te, cm.weight), labels,
                                      clinc.val, clinc.test))
    res["minilm_head_only"].update(clinc_scores(dense_va, dense_te, labels, clinc.val, clinc.test))
    res["fasttext_numpy"].update(clinc_scores(decode.softmax(lex_va), decode.softmax(lex_te), labels,
                                              clinc.val, clinc.test))
    t = time.monotonic()
    tf = TfidfLR().fit([e.text for e in clinc.train], [e.intent for e in clinc.train])
    t_train["tfidf_lr"] += time.monotonic() - t
    res["tfidf_lr"].update(clinc_scores(tf.proba([e.text for e in clinc.val]),
                                        tf.proba([e.text for e in clinc.test]), tf.labels,
                                        clinc.val, clinc.test))

    # latency (one utterance, 1 thread) and size, on the CLINC models
    def hearth_one(e: Example) -> object:
        enc = enc1.encode([e.words])[0]
        return decode.combine(cm.dense.proba(enc.pooled[None]),
                              cm.lex.logits([ngrams.sentence_ngrams(e.words)]), cm.weight)

    res["hearth"]["p50_ms"] = p50_ms(hearth_one, clinc.test)
    res["minilm_head_only"]["p50_ms"] = p50_ms(
        lambda e: cm.dense.proba(enc1.encode([e.words])[0].pooled[None]), clinc.test)
    res["fasttext_numpy"]["p50_ms"] = p50_ms(lambda e: cm.lex.proba([ngrams.sentence_ngrams(e.words)]), clinc.test)
    res["tfidf_lr"]["p50_ms"] = p50_ms(lambda e: tf.proba([e.text]), clinc.test)
    with tempfile.TemporaryDirectory() as d:
        dp = Path(d)
        enc_mb = enc1.model_path.stat().st_size / 1e6
        dense8 = heads.to_onnx(cm.dense, dp / "d8.onnx", int8=True)
        dense32 = heads.to_onnx(cm.dense, dp / "d32.onnx", int8=False)
        lex8 = lexical.to_onnx(cm.lex, dp / "l8.onnx", int8=True)
        lex32 = lexical.to_onnx(cm.lex, dp / "l32.onnx", int8=False)
        mb = {k: p.stat().st_size / 1e6 for k, p in
              (("d8", dense8), ("d32", dense32), ("l8", lex8), ("l32", lex32))}
        (dp / "tf.pkl").write_bytes(pickle.dumps(tf.pipe))
        res["hearth"]["size_mb"] = round(enc_mb + mb["d8"] + mb["l8"], 2)
        res["minilm_head_only"]["size_mb"] = round(enc_mb + mb["d8"], 2)
        res["fasttext_numpy"]["size_mb"] = round(mb["l8"], 2)
        res["tfidf_lr"]["size_mb"] = round((dp / "tf.pkl").stat().st_size / 1e6, 2)
        agree = int8_agreement(dense8, dense32, lex8, lex32, feats["c_te"].pooled, rows_te,
                               cm.lex.buckets, cm.weight)
    res["hearth"]["int8_vs_fp32_same_intent"] = agree

    # HWU64
    t = time.monotonic()
    hm = train.fit_intent(hwu_tr, hwu_va, feats["h_tr"], feats["h_va"])
    t_train["hearth"] += time.monotonic() - t
    gold = [e.intent for e in hwu_te]
    rows = [ngrams.sentence_ngrams(e.words) for e in hwu_te]
    dense, lexl = hm.dense.proba(feats["h_te"].pooled), hm.lex.logits(rows)
    res["hearth"]["hwu64_acc"] = accuracy(gold, [hm.labels[i] for i in decode.combine(dense, lexl, hm.weight).argmax(1)])
    res["minilm_head_only"]["hwu64_acc"] = accuracy(gold, [hm.labels[i] for i in dense.argmax(1)])
    res["fasttext_numpy"]["hwu64_acc"] = accuracy(gold, [hm.labels[i] for i in lexl.argmax(1)])
    t = time.monotonic()
    tfh = TfidfLR().fit([e.text for e in hwu_tr], [e.intent for e in hwu_tr])
    t_train["tfidf_lr"] += time.monotonic() - t
    res["tfidf_lr"]["hwu64_acc"] = accuracy(gold, [tfh.labels[i] for i in tfh.proba([e.text for e in hwu_te]).argmax(1)])

    # SNIPS slots
    t = time.monotonic()
    tg = train.fit_tagger(snips.train, snips.val, feats["s_tr"], feats["s_va"], native=True)
    t_train["hearth"] += time.monotonic() - t
    gold_tags = [list(e.native_tags) for e in snips.test]  # type: ignore[arg-type]
    res["hearth"]["snips_slot_f1"] = span_f1(gold_tags, tg.predict(feats["s_te"], snips.test))["f1"]
    dense_lp = np.log(np.maximum(tg.dense.proba(train.token_matrix(feats["s_te"])), 1e-12))
    lex_lp = decode.log_softmax(tg.lex.logits(train.token_rows(snips.test)))
    res["minilm_head_only"]["snips_slot_f1"] = _viterbi_f1(dense_lp, tg.labels, tg.transitions, snips.test)
    res["fasttext_numpy"]["snips_slot_f1"] = _viterbi_f1(lex_lp, tg.labels, tg.transitions, snips.test)
    t = time.monotonic()
    res["tfidf_lr"]["snips_slot_f1"] = tfidf_tagger(snips.train, snips.test)
    t_train["tfidf_lr"] += time.monotonic() - t
    for k in res:
        res[k] = {m: (round(v, 4) if isinstance(v, float) else v) for m, v in res[k].items()}
    res["_train_seconds"] = {k: round(v) for k, v in t_train.items() if v}
    if hearth:
        res["_hearth_labels"] = hearth_variants(data)
    return res


def int8_agreement(d8: Path, d32: Path, l8: Path, l32: Path, pooled: np.ndarray,
                   rows: list[list[str]], buckets: int, weight: float) -> float:
    """Share of utterances whose top intent is the same with int8 and fp32 ONNX heads."""
    from assistant.onnx_session import open_session

    ids, tf = ngrams.padded_inputs(rows, buckets)

    def top(dp: Path, lp: Path) -> np.ndarray:
        (p,) = open_session(dp, 1).run(None, {"x": pooled})
        (lg,) = open_session(lp, 1).run(None, {"ids": ids, "tf": tf})
        return decode.combine(p, lg, weight).argmax(1)

    return round(float((top(d8, l8) == top(d32, l32)).mean()), 4)


def hearth_variants(data: str | None) -> dict:
    """Product heads with auxiliary classes vs one out_of_scope class (Hearth labels, test)."""
    ds = train.load_base_dataset(data)
    f_test = train.featurize(ds.test)
    out = {}
    for name, aux in (("aux_classes", True), ("single_oos_class", False)):
        h = train.train_heads(ds, aux=aux)
        out[name] = train.evaluate(h, ds.test, f_test)["all"]
    return out


def table(res: dict) -> str:
    cols = ["clinc_in_scope_acc", "clinc_oos_recall", "hwu64_acc", "snips_slot_f1", "p50_ms", "size_mb"]
    lines = ["| system | " + " | ".join(cols) + " |", "|---" * (len(cols) + 1) + "|"]
    for name, m in res.items():
        if not name.startswith("_"):
            lines.append(f"| {name} | " + " | ".join(str(m.get(c, "")) for c in cols) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", help="data folder (default: $HEARTH_DATA or ../shared/data)")
    ap.add_argument("--json", default=str(Path(__file__).parent / "results" / "nlu.json"))
    ap.add_argument("--hearth", action="store_true", help="also compare aux classes vs one OOS class")
    args = ap.parse_args(argv)
    t = time.monotonic()
    res = run(args.data, args.hearth)
    res["_seconds"] = round(time.monotonic() - t)
    print(table(res))
    print(json.dumps({k: v for k, v in res.items() if k.startswith("_")}, indent=1))
    out = Path(args.json)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(res, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
