"""The ``assistant`` command. Each room of the code registers its own subcommands.

A room adds a module with ``register(subparsers, common)`` to ``COMMAND_MODULES``; ``common`` is
a parent parser carrying the config flags, so every subcommand accepts every option.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

from assistant import config as config_mod
from assistant.errors import HearthError

COMMAND_MODULES: list[str] = [
    "assistant.pipeline.cli",
    "assistant.config_cli",
    "assistant.training.cli",
    "assistant.service.cli",
    "assistant.models.cli",
    "assistant.tts.cli",
    "assistant.history.cli",
    "personalize.cli",
    "assistant.audio.cli",
    "assistant.pipeline.transcribe",
    "assistant.wake.cli",
    "assistant.skills.cli",
    "assistant.household.cli",
    "assistant.wyoming.cli",
]


def _config_flags(parser: argparse.ArgumentParser) -> None:
    """``--config FILE``, ``--set section.key=value`` and one ``--section-key`` flag per option."""
    parser.add_argument("--config", metavar="FILE", help="config file (default: XDG config dir)")
    parser.add_argument(
        "--set", action="append", default=[], metavar="KEY=VALUE", help="override any option"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug details")
    for key, value in config_mod.options(config_mod.Config()):
        flag = "--" + key.replace(".", "-").replace("_", "-")
        parser.add_argument(flag, dest="opt:" + key, metavar=type(value).__name__.upper(),
                            default=None, help=argparse.SUPPRESS)


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    _config_flags(common)
    parser = argparse.ArgumentParser(
        prog="assistant",
        description="Hearth, the offline voice assistant. Options go after the command.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in COMMAND_MODULES:
        importlib.import_module(module).register(sub, common)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if getattr(args, "verbose", False) else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s" if getattr(args, "verbose", False)
        else "%(message)s",
    )
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except HearthError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
