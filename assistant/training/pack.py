"""The base pack: the part of the base data set the nightly personalization job needs.

The job (``personalize/``) replays a fixed sample of the base training data against forgetting
and gates promotion on the base test set.
Those come from ``shared/data`` on a development machine; a household's device has no such
folder, so the shipped model folder carries them in ``base-pack.jsonl.gz``: the exact subsets
:func:`select` draws (Hearth labels, words, slot tags, source), written by ``assistant nlu
train`` with the model and by ``assistant nlu pack`` / ``python -m assistant.training.pack``.

The file is gzip-compressed JSON lines with a fixed gzip mtime, so the same data gives the same
bytes: first a header (format, the sizes and seed it was drawn with, counts, licenses), then
one object per example: ``{"split", "words", "intent", "tags", "source", "native"}``.
Format 2 dropped the validation sample format 1 carried (the frozen-encoder heads mixed their
parts on it; the fine-tuned model needs none at night).

:func:`load_base_subsets` prefers the data folder when it holds the data sets (so training and
benchmarks see exactly what they always did) and falls back to the pack.
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import logging
import random
import sys
from pathlib import Path

from assistant import paths
from assistant.errors import HearthError, ModelError
from assistant.files import write_atomic
from assistant.training.datasets import Example, Splits, data_dir

log = logging.getLogger(__name__)

PACK_NAME = "base-pack.jsonl.gz"
PACK_FORMAT = 2
PACK_KIND = "hearth-nlu-base-pack"
# The nightly subsets (personalize/model.py uses these): base training examples replayed against
# forgetting, test examples for the promotion gate.
REPLAY = 4000
TEST: int | None = None  # None: the whole base test set (~6900)
SEED = 0
SPLITS = ("replay", "test")  # pack split names for Splits.train and Splits.test
DATA_SETS = ("hwu64", "clinc150/data_full.json", "snips")
LICENSES = {"hwu64": "CC BY 4.0", "clinc150": "CC BY 3.0", "snips": "CC0",
            "synth": "Apache-2.0 (Hearth templates)"}


def default_path() -> Path:
    """The pack inside the shipped model folder."""
    return paths.REPO_MODELS / "hearth-nlu" / PACK_NAME


def select(ds: Splits, replay: int = REPLAY, test: int | None = TEST, seed: int = SEED) -> Splits:
    """The seeded subsets the job uses: train = the replay sample, test (None: all)."""
    rng = random.Random(seed)
    t = ds.test if test is None else rng.sample(ds.test, min(test, len(ds.test)))
    r = rng.sample(ds.train, min(replay, len(ds.train)))
    return Splits(r, [], t)


def data_root(data: str | Path | None = None) -> tuple[Path | None, str]:
    """The data folder if it holds the three data sets, else None and why not."""
    try:
        root = data_dir(data)
    except HearthError as e:
        return None, str(e)
    missing = [s for s in DATA_SETS if not (root / s).exists()]
    if missing:
        return None, f"training data not found at {root} (no {', '.join(missing)})"
    return root, ""


# --- writing -------------------------------------------------------------------------------

def _record(split: str, e: Example) -> dict:
    return {"split": split, "words": list(e.words), "intent": e.intent,
            "tags": list(e.tags) if e.tags is not None else None, "source": e.source,
            "native": e.native}


def pack_bytes(subsets: Splits, replay: int = REPLAY, test: int | None = TEST,
               seed: int = SEED) -> bytes:
    """The pack file's bytes (reproducible: fixed gzip mtime, no file name, sorted keys)."""
    parts = dict(zip(SPLITS, (subsets.train, subsets.test), strict=True))
    header = {"format": PACK_FORMAT, "kind": PACK_KIND, "replay": replay, "test": test, "seed": seed,
              "counts": {k: len(v) for k, v in parts.items()},
              "licenses": LICENSES,
              "attribution": "HWU64 (Liu et al. 2019), CLINC150 (Larson et al. 2019), "
                             "SNIPS (Coucke et al. 2018); citations in MODEL_CARD.md"}
    lines = [json.dumps(header, sort_keys=True, separators=(",", ":"))]
    lines += [json.dumps(_record(k, e), sort_keys=True, separators=(",", ":"))
              for k, part in parts.items() for e in part]
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, compresslevel=9, mtime=0) as gz:
        gz.write(("\n".join(lines) + "\n").encode("utf-8"))
    return buf.getvalue()


def write_pack(out_dir: Path, data: str | Path | None = None, dataset: Splits | None = None) -> Path:
    """Draw the subsets from the data folder (or ``dataset``) and write ``out_dir/base-pack``."""
    if dataset is None:
        from assistant.training.train import load_base_dataset

        root, why = data_root(data)
        if root is None:
            raise HearthError(f"cannot make the base pack: {why}")
        dataset = load_base_dataset(root)
    path = out_dir / PACK_NAME
    write_atomic(path, pack_bytes(select(dataset)))
    return path


# --- reading -------------------------------------------------------------------------------

def read_pack(path: Path) -> tuple[dict, Splits]:
    """The header and the subsets (train = replay); any problem is one ModelError line."""
    try:
        with gzip.open(path, "rt", encoding="utf-8") as f:
            lines = f.read().splitlines()
        header = json.loads(lines[0])
        if header.get("kind") != PACK_KIND or header.get("format") != PACK_FORMAT:
            raise ValueError(f"not a format-{PACK_FORMAT} base pack")
        parts: dict[str, list[Example]] = {k: [] for k in SPLITS}
        for line in lines[1:]:
            r = json.loads(line)
            tags = tuple(r["tags"]) if r["tags"] is not None else None
            parts[r["split"]].append(Example(tuple(r["words"]), r["intent"], tags, r["source"],
                                             r["native"]))
    except FileNotFoundError:
        raise ModelError(f"base pack missing: {path}") from None
    except (OSError, EOFError, ValueError, KeyError, IndexError, TypeError) as e:
        raise ModelError(f"base pack {path} is corrupt: {str(e).splitlines()[0][:200]}") from None
    counts = {k: len(v) for k, v in parts.items()}
    if counts != header.get("counts"):
        raise ModelError(f"base pack {path} is corrupt: counts {counts} != header {header.get('counts')}")
    return header, Splits(parts["replay"], [], parts["test"])


def load_base_subsets(replay: int = REPLAY, test: int | None = TEST, seed: int = SEED, *,
                      data: str | Path | None = None,
                      pack: Path | None = None) -> tuple[Splits, str]:
    """The job's base subsets and where they came from (the data folder, else the pack).

    From the data folder they are :func:`select` of the base data set. From the pack they are
    the pack's subsets when drawn with the same sizes and seed; smaller sizes draw seeded
    subsets of the pack (deterministic, though not the same examples as from the data folder).
    """
    root, why = data_root(data)
    if root is not None:
        from assistant.training.train import load_base_dataset

        return select(load_base_dataset(root), replay, test, seed), str(root)
    pack = pack or default_path()
    if not pack.is_file():
        raise ModelError(f"no base data: {why}, and no base pack at {pack} "
                         "(make it where the data is with `assistant nlu pack`)")
    header, subsets = read_pack(pack)
    if (header["replay"], header["test"], header["seed"]) == (replay, test, seed):
        return subsets, str(pack)
    short = [f"{name} {want} > {len(have)}" for name, want, have in (
        ("replay", replay, subsets.train), ("test", test, subsets.test))
        if want is not None and want > len(have)]
    if test is None and header["test"] is not None:
        short.append(f"test: all > {len(subsets.test)}")
    if short:
        log.warning("base pack %s holds fewer examples than asked (%s): using all it has",
                    pack, "; ".join(short))
    return select(subsets, replay, test, seed), str(pack)


# --- command -------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    """``python -m assistant.training.pack [--data DIR] [--model-dir DIR]``."""
    ap = argparse.ArgumentParser(prog="python -m assistant.training.pack",
                                 description="write the base pack into the model folder")
    ap.add_argument("--data", help="data folder (default: $HEARTH_DATA or ../shared/data)")
    ap.add_argument("--model-dir", default=str(default_path().parent))
    args = ap.parse_args(argv)
    try:
        path = write_pack(Path(args.model_dir), args.data)
    except HearthError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    header, _ = read_pack(path)
    print(f"wrote {path} ({path.stat().st_size} bytes; {header['counts']})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
