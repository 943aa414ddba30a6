"""``assistant wake [--json] FILE...``: the configured wake engine over recordings.

How a person checks a wake word on their own recordings: the models load once, every file is
scanned in order, and each gives one line (with ``--json`` one JSON object per line:
``{"file": ..., "detections": [{"name": ..., "time": seconds, "score": ...}]}``). A file that
cannot be read gets ``"error"`` instead, and the others are still scanned.
"""

from __future__ import annotations

import argparse
import json
import sys


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("wake", help="find wake words in WAV files", parents=[common])
    p.add_argument("files", nargs="+", metavar="FILE", help="WAV files of any rate or format")
    p.add_argument("--json", action="store_true", help="one JSON object per file")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from assistant.audio.wav import read_wav
    from assistant.config import from_args
    from assistant.errors import HearthError
    from assistant.wake.base import scan
    from assistant.wake.factory import make_detector

    detector = make_detector(from_args(args).wake)
    rc = 0
    for path in args.files:
        try:
            found = scan(detector, read_wav(path))
        except HearthError as e:
            rc = 1
            if args.json:
                print(json.dumps({"file": path, "error": str(e)}), flush=True)
            else:
                print(f"error: {e}", file=sys.stderr)
            continue
        if args.json:
            print(json.dumps({"file": path, "detections": [
                {"name": d.name, "time": d.time, "score": d.score} for d in found]}), flush=True)
        else:
            heard = ", ".join(f"{d.name} at {d.time:.2f} s ({d.score:.2f})" for d in found)
            print(f"{path}: {heard or 'no wake word'}", flush=True)
    return rc
