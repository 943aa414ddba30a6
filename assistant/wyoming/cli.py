"""``assistant wyoming``: Hearth's speech, voice, wake word and skills for Home Assistant."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("wyoming", parents=[common],
                       help="serve speech-to-text, text-to-speech, wake word and skills over "
                            "the Wyoming protocol (Home Assistant)")
    # the same option as --wyoming-uri, under the name every Wyoming server uses
    p.add_argument("--uri", dest="opt:wyoming.uri", default=None, metavar="URI",
                   help="tcp://HOST:PORT or unix://PATH (default tcp://127.0.0.1:10700)")
    p.set_defaults(func=cmd_wyoming)


def cmd_wyoming(args: argparse.Namespace) -> int:
    from assistant.config import from_args
    from assistant.wyoming.daemon import run

    return run(lambda: from_args(args))
