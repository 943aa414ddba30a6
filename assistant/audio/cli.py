"""``assistant devices``: which microphones and speakers PortAudio sees."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("devices", help="list audio input and output devices", parents=[common])
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from assistant.audio.device import list_devices

    print(list_devices())
    return 0
