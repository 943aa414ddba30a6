"""Generation benchmark: speed of the installed SmolLM2 ONNX model and accuracy of weight formats.

    python benchmarks/generation.py            # everything (about 2-4 minutes on 2 cores)
    python benchmarks/generation.py --quick    # speed only, installed model

Speed (installed model, ``threads`` intra-op threads): decode tokens/s with the KV cache vs
recomputing the whole sequence every step (the baseline, measured in the same run), time to
first token (system turn cached, as the assistant runs) and to prefill the whole prompt, peak
RSS of a process that loads the model and answers, size on disk. Medians.

On demand (as the loop holds it, ``generation.unload_after_s``; a fresh process): the time to
the first sentence of an answer with the model not yet loaded against loaded (the baseline, same
run), and the process's RSS before the first question, after its answer and after the model is
let go.

Accuracy: every weight format is built from the same GGUF and run teacher-forced over a few
hundred tokens of varied chat text; reported is how often its greedy next token equals the
fp32 reference's (the GGUF dequantized to float32), on the prompt path (all positions in one
pass) and on the decode path (one token at a time with the cache), plus decode speed and size.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from assistant.config import GenerationConfig
from assistant.generation.decoder import Decoder
from assistant.generation.generator import Generator
from assistant.generation.prompt import chat_prompt
from assistant.models.registry import locate

QUESTIONS = ["Why is the sky blue?", "How long should I boil an egg?",
             "What can I make with eggs and spinach?"]

# Teacher-forced text: chat turns as the model sees them, plus plain prose, numbers and code.
CORPUS = [
    chat_prompt("Why is the sky blue?") + "The sky looks blue because air molecules scatter "
    "short blue wavelengths of sunlight much more than red ones, so blue light reaches our eyes "
    "from every direction.<|im_end|>",
    chat_prompt("How long should I boil an egg?") + "For a soft yolk, boil it for about six "
    "minutes; for a firm, hard-boiled egg, give it ten to twelve minutes, then cool it in cold "
    "water.<|im_end|>",
    chat_prompt("What is the capital of France?") + "The capital of France is Paris.<|im_end|>",
    chat_prompt("Can I freeze cooked rice?") + "Yes. Cool it quickly, pack it in airtight bags and "
    "freeze it for up to a month; reheat it until it is steaming hot.<|im_end|>",
    chat_prompt("Tell me a fun fact about octopuses.") + "An octopus has three hearts and blue "
    "blood, and each of its eight arms can taste what it touches.<|im_end|>",
    "The recipe calls for 250 grams of flour, 2 eggs, 300 ml of milk and a pinch of salt. Whisk "
    "the eggs and milk together, then slowly add the flour until the batter is smooth.",
    "def average(values):\n    \"\"\"Return the mean of a list of numbers.\"\"\"\n    return "
    "sum(values) / len(values)\n",
    "Photosynthesis is the process by which green plants use sunlight, water and carbon dioxide "
    "to make glucose and release oxygen. It takes place mainly in the leaves.",
]

VARIANTS = [  # (label, scheme, accuracy level of the 4-bit layers)
    ("fp32 (reference)", "fp32", 0),
    ("q4 GGUF-exact, fp32 act", "q4", 0),
    ("q4 GGUF-exact, int8 act", "q4", 4),
    ("q4 re-quantized RTN", "q4-rtn", 4),
    ("q8 re-quantized", "q8", 4),
]


def _median_rate(samples: list[float]) -> float:
    return round(statistics.median(samples), 1)


def speed(model_dir: Path, threads: int, tokens: int, repeats: int, no_cache: bool = True) -> dict:
    """Decode tok/s with and without the KV cache and time to first token, medians."""
    gen = Generator(model_dir, GenerationConfig(threads=threads))
    dec, tok = gen.decoder, gen.tokenizer
    with_cache, without, ttft, prefill = [], [], [], []
    for r in range(repeats):
        question = QUESTIONS[r % len(QUESTIONS)]
        pieces = gen.stream(question)  # as the assistant runs it: system turn cached at load
        next(pieces)
        pieces.close()
        ttft.append(gen.last.first_token_s)
        ids = tok.encode(chat_prompt(question)).ids
        t0 = time.perf_counter()
        logits, cache = dec.forward(ids, dec.empty_cache())
        t1 = time.perf_counter()
        prefill.append(t1 - t0)
        seq = ids + [int(logits[-1].argmax())]
        for _ in range(tokens):
            logits, cache = dec.forward([seq[-1]], cache)
            seq.append(int(logits[-1].argmax()))
        with_cache.append(tokens / (time.perf_counter() - t1))
        if no_cache:  # baseline: the same continuation, recomputing the full sequence per token
            t2 = time.perf_counter()
            for i in range(tokens):
                dec.forward(seq[: len(ids) + 1 + i], dec.empty_cache())
            without.append(tokens / (time.perf_counter() - t2))
    out = {"prompt_tokens": len(ids), "new_tokens": tokens, "repeats": repeats,
           "tokens_per_s_kv_cache": _median_rate(with_cache),
           "time_to_first_token_ms": round(1000 * statistics.median(ttft), 1),
           "prefill_whole_prompt_ms": round(1000 * statistics.median(prefill), 1)}
    if no_cache:
        out["tokens_per_s_no_cache"] = _median_rate(without)
        out["kv_cache_speedup"] = round(statistics.median(with_cache) / statistics.median(without), 2)
    return out


def peak_rss_mb(model_dir: Path, threads: int) -> float:
    """Peak RSS of a fresh process that loads the generator and answers one question."""
    code = (
        "import resource, sys\n"
        "from pathlib import Path\n"
        "from assistant.config import GenerationConfig\n"
        "from assistant.generation.generator import Generator\n"
        f"g = Generator(Path({str(model_dir)!r}), GenerationConfig(threads={threads}))\n"
        "list(g.sentences('Why is the sky blue?'))\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return round(int(out.stdout.split()[-1]) / 1024, 1)


def _rss_mb() -> float:
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:")) / 1024


def on_demand_child(model_dir: Path, threads: int, repeats: int) -> dict:
    """Measured in this process (fresh: see ``on_demand``)."""
    from assistant.generation.on_demand import OnDemand

    cfg = GenerationConfig(threads=threads)
    model = OnDemand(lambda: Generator(model_dir, cfg), idle_s=0.05)
    out: dict = {"rss_before_mb": round(_rss_mb(), 1)}
    cold, warm, loaded, unloaded = [], [], [], []
    for r in range(repeats):
        question = QUESTIONS[r % len(QUESTIONS)]
        for times in (cold, warm):  # the first question loads it, the second finds it loaded
            t = time.perf_counter()
            answer = model.sentences(question)
            next(answer)
            times.append(time.perf_counter() - t)
            answer.close()
        loaded.append(_rss_mb())
        while model.loaded:
            time.sleep(0.01)
        unloaded.append(_rss_mb())
    out.update({"first_sentence_unloaded_ms": round(1000 * statistics.median(cold)),
                "first_sentence_loaded_ms": round(1000 * statistics.median(warm)),
                "load_ratio": round(statistics.median(cold) / statistics.median(warm), 2),
                "rss_loaded_mb": round(statistics.median(loaded), 1),
                "rss_let_go_mb": round(statistics.median(unloaded), 1)})
    return out


def on_demand(model_dir: Path, threads: int, repeats: int) -> dict:
    """``on_demand_child`` in a fresh process, so nothing loaded before counts."""
    out = subprocess.run([sys.executable, __file__, "--on-demand-child", "--model", str(model_dir),
                          "--threads", str(threads), "--repeats", str(repeats)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def _teacher_forced(dec: Decoder, texts: list[list[int]], stepwise: bool) -> np.ndarray:
    """Greedy next-token predictions at every position of every text, either in one pass
    (the prompt path, ``all_logits`` graph) or one token at a time with the KV cache (the path
    answers are generated on)."""
    preds = []
    for ids in texts:
        if not stepwise:
            preds.append(dec.forward(ids, dec.empty_cache())[0].argmax(-1)[:-1])
            continue
        cache = dec.empty_cache()
        for t in ids[:-1]:
            logits, cache = dec.forward([t], cache)
            preds.append(logits[-1:].argmax(-1))
    return np.concatenate(preds)


def agreement(threads: int, tokens: int) -> list[dict]:
    """Teacher-forced greedy agreement of each weight format with the fp32 reference."""
    import shutil

    from tokenizers import Tokenizer

    from assistant.generation.gguf_source import GgufSource
    from assistant.generation.graph import build_decoder

    installed = locate("smollm2-135m-onnx")
    src = GgufSource(locate("smollm2-135m-gguf"))
    tok = Tokenizer.from_file(str(installed / "tokenizer.json"))
    texts = [tok.encode(t).ids for t in CORPUS]
    rows, reference = [], {}
    with tempfile.TemporaryDirectory(prefix="hearth-genbench-") as tmp:
        for label, scheme, acc in VARIANTS:
            folder = Path(tmp) / f"{scheme}-{acc}"
            folder.mkdir()
            for name in ("generation.json", "tokenizer.json"):
                shutil.copy(installed / name, folder)
            row = {"variant": label, "scheme": scheme, "accuracy_level": acc}
            for path, all_logits in (("prompt_path", True), ("decode_path", False)):
                data = build_decoder(src, scheme, all_logits=all_logits,
                                     accuracy_level=acc).SerializeToString()
                (folder / "model.onnx").write_bytes(data)
                preds = _teacher_forced(Decoder(folder, threads), texts, stepwise=not all_logits)
                reference.setdefault(path, preds)
                row[f"top1_agreement_{path}"] = round(float((preds == reference[path]).mean()), 4)
            row["positions"] = int(len(preds))
            row["size_mb"] = round(len(data) / 1e6, 1)
            row["tokens_per_s_kv_cache"] = speed(folder, threads, tokens, 3, no_cache=False)[
                "tokens_per_s_kv_cache"]
            rows.append(row)
            print(json.dumps(row), file=sys.stderr)
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", type=Path, help="converted model folder (default: installed)")
    ap.add_argument("--threads", type=int, default=GenerationConfig().threads)
    ap.add_argument("--tokens", type=int, default=48, help="new tokens per speed run")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--quick", action="store_true", help="speed of the installed model only")
    ap.add_argument("--on-demand-child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    model_dir = args.model or locate("smollm2-135m-onnx")
    if args.on_demand_child:
        print(json.dumps(on_demand_child(model_dir, args.threads, args.repeats)))
        return
    result = {"model": str(model_dir), "threads": args.threads,
              "size_on_disk_mb": round(sum(f.stat().st_size for f in model_dir.iterdir()
                                               if f.is_file()) / 1e6, 1),
              **speed(model_dir, args.threads, args.tokens, args.repeats),
              "peak_rss_mb": peak_rss_mb(model_dir, args.threads),
              "on_demand": on_demand(model_dir, args.threads, args.repeats)}
    if not args.quick:
        result["formats"] = agreement(args.threads, 24)
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    main()
