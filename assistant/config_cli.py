"""``assistant config show | path``."""

from __future__ import annotations

import argparse

from assistant import config as config_mod


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("config", help="show the effective configuration", parents=[common])
    p.add_argument("action", choices=["show", "path"], nargs="?", default="show")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from assistant.config import from_args

    if args.action == "path":
        print(args.config or config_mod.default_path())
        return 0
    print(config_mod.to_toml(from_args(args)), end="")
    return 0
