"""``assistant nlu train | eval | card | pack``: build the shipped NLU heads and measure them."""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from assistant import paths


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("nlu", help="train or evaluate the understanding model", parents=[common])
    p.add_argument("action", choices=["train", "eval", "card", "pack"],
                   help="train and export the heads (and the base pack), evaluate them, "
                        "rewrite MODEL_CARD.md, or write only the base pack that the nightly "
                        "personalization job reads where the data sets are missing")
    p.add_argument("--data", help="data folder (default: $HEARTH_DATA or ../shared/data)")
    p.add_argument("--model-dir", default=str(paths.REPO_MODELS / "hearth-nlu"),
                   help="where heads are written (train) or read (eval)")
    p.add_argument("--no-aux", action="store_true",
                   help="train one out_of_scope class instead of auxiliary classes")
    p.add_argument("--fp32", action="store_true", help="export float32 weights instead of int8")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from assistant.training import modelcard, pack, train
    from assistant.understanding.modelfiles import ModelSpec

    t0 = time.monotonic()
    model_dir = Path(args.model_dir)
    if args.action == "card":  # e.g. after benchmarks/nlu.py refreshed its results
        spec = ModelSpec.read(model_dir)
        sizes = {p.name: p.stat().st_size for p in sorted(model_dir.iterdir())
                 if p.suffix in (".onnx", ".json", ".gz")}
        print(modelcard.write(model_dir, spec.meta, spec.meta.get("test", {}), sizes,
                              spec.threshold))
        return 0
    if args.action == "pack":  # the base pack alone, without retraining
        path = pack.write_pack(model_dir, args.data)
        print(f"wrote {path} ({path.stat().st_size} bytes)")
        return 0
    dataset = train.load_base_dataset(args.data)
    if args.action == "train":
        heads = train.train_heads(dataset, aux=not args.no_aux)
        metrics = train.evaluate(heads, dataset.test, train.featurize(dataset.test))
        heads.meta["test"] = metrics
        written = train.export(heads, model_dir, int8=not args.fp32)
        written.append(pack.write_pack(model_dir, dataset=dataset))
        sizes = {p.name: p.stat().st_size for p in written}
        modelcard.write(model_dir, heads.meta, metrics, sizes, heads.threshold)
        print(json.dumps(metrics, indent=1))
        print(f"wrote {model_dir} in {time.monotonic() - t0:.0f} s")
        return 0
    heads = train.load_heads(model_dir)
    print(json.dumps(train.evaluate(heads, dataset.test, train.featurize(dataset.test)), indent=1))
    return 0
