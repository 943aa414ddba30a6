"""``assistant intents list | check FILE... | test "text"``: the intents Hearth understands,
the household's custom-intent files checked, and what a sentence would be understood as."""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("intents", help="list intents, check custom-intent files, test a sentence")
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    a = actions.add_parser("list", help="every intent, built in or custom", parents=[common])
    a.set_defaults(func=run, args=[])
    a = actions.add_parser("check", help="check custom-intent files", parents=[common])
    a.add_argument("args", nargs="*", metavar="FILE",
                   help="YAML files (default: every file in <config dir>/intents)")
    a.set_defaults(func=run)
    a = actions.add_parser("test", help="what a sentence is understood as", parents=[common])
    a.add_argument("args", nargs="+", metavar="TEXT")
    a.add_argument("--json", action="store_true", help="the understanding as JSON")
    a.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from assistant.sentences.load import load, user_dir

    if args.action == "list":
        s = load(log_problems=False)  # printed below, once
        for name in s.intents.intents:
            c = s.custom.get(name)
            where = f"custom ({c.source.name})" if c else "built in"
            print(f"{name:<20} {where}")
        for line in s.problems:
            print(f"skipped: {line}")
        return 1 if s.problems else 0
    if args.action == "check":
        files = [Path(a) for a in args.args] or sorted(user_dir().glob("*.yaml"))
        if not files:
            print(f"no custom intent files in {user_dir()}")
            return 0
        missing = [str(f) for f in files if not f.is_file()]
        if missing:
            print(f"{missing[0]}: no such file")
            return 1
        s = load(files=files, log_problems=False)
        for line in s.problems:
            print(line)
        for name, c in s.custom.items():
            print(f"ok: {c.source}: {name} (slots: {', '.join(c.slots) or 'none'})")
        return 1 if s.problems else 0
    return _test(args)


def _test(args: argparse.Namespace) -> int:
    from assistant.config import from_args
    from assistant.household.understander import live_understander
    from assistant.values.slots import resolve

    text = " ".join(args.args)
    if not text.strip():
        print('intents test needs a sentence: assistant intents test "set a timer for ten minutes"')
        return 2
    understander, _ = live_understander(from_args(args).understanding)
    u = resolve(understander.parse(text))
    slots = [{"name": s.name, "text": s.text, "value": _plain(s.value)} for s in u.slots]
    if args.json:
        print(json.dumps({"intent": u.intent, "confidence": round(u.confidence, 3),
                          "understood_by": u.source, "slots": slots}, indent=2))
        return 0
    print(f"intent:  {u.intent} ({u.confidence:.2f}, by {u.source})")
    for s in slots:
        print(f"  {s['name']} = {s['value']!r}  (said: {s['text']!r})")
    return 0


def _plain(v: object) -> object:
    return v if isinstance(v, (str, int, float, bool, type(None))) else str(v)
