"""``assistant history list | export FILE | forget [--all | --since DATE]``.

Forgetting turns forgets what was learned from them too (``household.learned``)."""

from __future__ import annotations

import argparse
import json
from datetime import datetime

from assistant.errors import HearthError
from assistant.store import Store


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("history", help="list, export or forget the dialogue history",
                       parents=[common])
    acts = p.add_subparsers(dest="history_action", metavar="ACTION", required=True)
    ls = acts.add_parser("list", help="show the latest turns", parents=[common])
    ls.add_argument("-n", "--limit", type=int, default=20, help="how many turns (default 20)")
    ls.set_defaults(func=run_list)
    ex = acts.add_parser("export", help="write every turn as JSON lines", parents=[common])
    ex.add_argument("file", help="output file ('-' for standard output)")
    ex.set_defaults(func=run_export)
    fg = acts.add_parser("forget", help="delete history", parents=[common])
    which = fg.add_mutually_exclusive_group(required=True)
    which.add_argument("--all", action="store_true", help="delete every turn")
    which.add_argument("--since", metavar="DATE", help="delete turns from DATE on (YYYY-MM-DD[THH:MM])")
    fg.set_defaults(func=run_forget)


def _store(args: argparse.Namespace) -> Store:
    """The one database (its path follows HEARTH_DATA_DIR)."""
    return Store()


def parse_date(text: str) -> float:
    """ISO date or date-time (local time) to epoch seconds, or a one-line error."""
    try:
        return datetime.fromisoformat(text).timestamp()
    except ValueError:
        raise HearthError(f"--since needs a date like 2025-01-31 or 2025-01-31T18:00, got '{text}'") from None


def run_list(args: argparse.Namespace) -> int:
    from assistant.history.store import turns

    rows = list(turns(_store(args), limit=args.limit, newest_first=True))
    if not rows:
        print("no history")
        return 0
    for r in reversed(rows):
        kinds = ",".join(f["kind"] for f in r["feedback"]) or "-"
        intent = f"{r['intent'] or '-'}:{(r['intent_confidence'] or 0):.2f}"
        ok = "ok" if r["reply_ok"] else "FAIL"
        print(f"{r['id']:>6}  {r['time']}  {intent:<24} {ok:<4} {kinds:<16} {r['asr_text']}")
    return 0


def run_export(args: argparse.Namespace) -> int:
    import contextlib
    import sys

    from assistant.files import open_private
    from assistant.history.store import turns

    n = 0
    with contextlib.ExitStack() as stack:
        out = sys.stdout if args.file == "-" else stack.enter_context(open_private(args.file))
        for r in turns(_store(args)):
            out.write(json.dumps(r, ensure_ascii=False) + "\n")
            n += 1
    if args.file != "-":
        print(f"exported {n} turns to {args.file}")
    return 0


def run_forget(args: argparse.Namespace) -> int:
    from assistant.history.store import forget
    from assistant.household.learned import forget_learned

    since = None if args.all else parse_date(args.since)
    learned = forget_learned()  # first: a busy database below must not keep it
    n = forget(_store(args), since)
    print(f"forgot {n} turns")
    if learned:
        print("and what was learned from the history: " + "; ".join(learned))
        print("the next night learns again from what is left; a running assistant forgets "
              "at its next reload (systemctl reload hearth)")
    return 0
