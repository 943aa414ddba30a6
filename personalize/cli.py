"""``assistant personalize run | rollback | status`` (the nightly job lives in ``personalize/``)."""

from __future__ import annotations

import argparse
import json


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("personalize", help="nightly personalization: run, roll back, status",
                       parents=[common])
    p.add_argument("action", choices=["run", "rollback", "status"], nargs="?", default="status")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from assistant.config import from_args
    from personalize.__main__ import act

    return act(args.action, from_args(args), as_json=args.json, progress=not args.quiet,
               out=print, dumps=json.dumps)
