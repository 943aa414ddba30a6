"""``assistant say TEXT [-o OUT.wav]``: speak with the configured voice, to a file or the speaker."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("say", help="speak text with the configured voice", parents=[common])
    p.add_argument("text", nargs="+", help="what to say")
    p.add_argument("-o", "--output", metavar="OUT.wav", help="write a WAV file instead of playing")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from assistant.config import from_args
    from assistant.tts.factory import make_synthesizer

    cfg = from_args(args)
    text = " ".join(args.text).strip()
    if not text:
        from assistant.errors import HearthError

        raise HearthError("say: nothing to say (the text is empty)")
    synth = make_synthesizer(cfg.tts)
    if args.output:
        from assistant.audio.wav import WavSink

        sink = WavSink(args.output)
    else:
        from assistant.audio.device import SpeakerSink

        sink = SpeakerSink(cfg.audio.output_device)  # volume is already applied by the voice
    try:
        for chunk in synth.stream(text):
            sink.write(chunk, synth.sample_rate)
        sink.flush()
    finally:
        sink.close()
    if args.output:
        print(f"wrote {args.output} ({synth.name})")
    return 0
