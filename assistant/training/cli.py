"""``assistant nlu train | eval | card | pack | parse``: build the shipped NLU model, measure it,
and try it on your own sentences."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from assistant import paths

SHIPPED = paths.REPO_MODELS / "hearth-nlu"


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("nlu", help="train, evaluate or try the understanding model", parents=[common])
    p.add_argument("action", choices=["train", "eval", "card", "pack", "parse"],
                   help="train: fine-tune and export the model (and the base pack); eval: score it "
                        "on the base test set (sentences verbatim in training left out); card: "
                        "rewrite MODEL_CARD.md; pack: write only the base pack the nightly job reads "
                        "where the data sets are missing; parse: read one utterance a line on stdin, "
                        "print one JSON line each")
    p.add_argument("--data", help="data folder (default: $HEARTH_DATA or ../shared/data)")
    p.add_argument("--model-dir", help="model folder written (train) or read (default: the shipped "
                                       "model; for parse, the live model the assistant uses)")
    p.add_argument("--fp32", action="store_true", help="train: export float32 weights instead of int8")
    p.add_argument("--epochs", type=float, help="train: passes over the training data (default 4)")
    p.add_argument("--threads", type=int, default=2, help="train: CPU threads for training and "
                                                         "evaluation (1 on a machine shared with other work)")
    p.add_argument("--seed", type=int, default=0, help="train: random seed (same seed, same model)")
    p.add_argument("--write", action="store_true", help="eval: keep the scores in nlu.json and rewrite "
                                                       "MODEL_CARD.md")
    p.set_defaults(func=run)


def parse_lines(args: argparse.Namespace) -> int:
    """One JSON line per input line; the model is loaded once. Imports only the runtime."""
    from assistant.config import from_args
    from assistant.household.understander import live_understander
    from assistant.understanding.factory import make_understander
    from assistant.values.slots import resolve

    cfg = from_args(args)
    if args.model_dir:
        understander = make_understander(cfg.understanding, Path(args.model_dir))
    else:
        understander, _ = live_understander(cfg.understanding)
    for line in sys.stdin:
        text = line.strip()
        u = resolve(understander.parse(text))
        print(json.dumps({
            "text": text, "intent": u.intent, "confidence": round(u.confidence, 4),
            "in_scope": u.in_scope, "source": u.source,
            "slots": [{"name": s.name, "text": s.text, "value": s.value} for s in u.slots],
        }, default=str), flush=True)
    return 0


def run(args: argparse.Namespace) -> int:
    if args.action == "parse":
        return parse_lines(args)
    from assistant.training import modelcard, pack, train
    from assistant.understanding.modelfiles import ModelSpec

    t0 = time.monotonic()
    model_dir = Path(args.model_dir) if args.model_dir else SHIPPED
    if args.action == "card":  # e.g. after benchmarks/nlu.py refreshed its results
        spec = ModelSpec.read(model_dir)
        print(modelcard.write(model_dir, spec.meta, spec.meta.get("test", {}), _sizes(model_dir)))
        return 0
    if args.action == "pack":  # the base pack alone, without retraining
        path = pack.write_pack(model_dir, args.data)
        print(f"wrote {path} ({path.stat().st_size} bytes)")
        return 0
    dataset = train.load_base_dataset(args.data)
    if args.action == "train":
        from assistant.training.finetune import Recipe

        recipe = Recipe(seed=args.seed, threads=args.threads,
                        **({"epochs": args.epochs} if args.epochs else {}))
        trained = train.train_model(dataset, recipe)
        trained.meta["train_seconds"] = round(time.monotonic() - t0)
        print(json.dumps(publish(trained, dataset, model_dir, int8=not args.fp32, threads=args.threads),
                         indent=1))
        print(f"wrote {model_dir} in {time.monotonic() - t0:.0f} s")
        return 0
    test, verbatim = train.unseen(dataset.test, dataset.train)
    metrics = train.evaluate(model_dir, test, threads=args.threads)
    print(json.dumps(metrics, indent=1))
    if args.write:
        spec = ModelSpec.read(model_dir)
        spec.meta.update(test=metrics, test_verbatim_in_train_removed=verbatim)
        spec.write(model_dir)
        print(modelcard.write(model_dir, spec.meta, metrics, _sizes(model_dir)))
    return 0


def publish(trained, dataset, model_dir: Path, int8: bool = True, threads: int = 2) -> dict:  # noqa: ANN001
    """Export a trained model with its test scores, int8 agreement, base pack and card."""
    from assistant.training import modelcard, pack, train

    test, verbatim = train.unseen(dataset.test, dataset.train)
    trained.meta["int8_vs_fp32"] = train.int8_agreement(trained, test, threads)
    train.export(trained, model_dir, int8=int8)
    metrics = train.evaluate(model_dir, test, threads=threads)
    trained.meta.update(test=metrics, test_verbatim_in_train_removed=verbatim)
    train.write_spec(trained, model_dir)  # nlu.json with the test scores
    pack.write_pack(model_dir, dataset=dataset)
    modelcard.write(model_dir, trained.meta, metrics, _sizes(model_dir))
    return metrics


def _sizes(model_dir: Path) -> dict[str, int]:
    return {p.name: p.stat().st_size for p in sorted(model_dir.iterdir())
            if p.suffix in (".onnx", ".json", ".gz")}
