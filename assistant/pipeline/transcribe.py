"""``assistant transcribe IN.wav [--json]``: speech to text with the recognizer ``run`` hears
with (the same engine, household vocabulary and templates)."""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("transcribe", help="transcribe a WAV file (or raw PCM on stdin: -)",
                       parents=[common])
    p.add_argument("input", metavar="IN.wav", help="WAV file of any format, or - for raw "
                   "s16le 16 kHz mono on stdin")
    p.add_argument("--json", action="store_true", help="words, timings and confidences as JSON")
    p.add_argument("--grammar", action="append", default=[], metavar="PHRASE",
                   help="only recognize these phrases (repeatable)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from assistant.asr.base import GrammarRestrictable
    from assistant.asr.factory import make_recognizer
    from assistant.audio.pcm import PcmSource
    from assistant.audio.wav import WavSource
    from assistant.config import from_args
    from assistant.errors import ConfigError
    from assistant.household.vocabulary import vocabulary
    from assistant.sentences.load import load as load_sentences

    cfg = from_args(args)
    source = (PcmSource(block_ms=cfg.audio.block_ms) if args.input == "-"
              else WavSource(Path(args.input), block_ms=cfg.audio.block_ms))
    recognizer = make_recognizer(cfg.asr, vocabulary(cfg, load_sentences()))
    if args.grammar:
        if not isinstance(recognizer, GrammarRestrictable):
            raise ConfigError(f"--grammar: the {recognizer.name} recognizer cannot be held to "
                              "phrases")
        recognizer.set_grammar(args.grammar)
    started, samples = time.perf_counter(), 0
    for block in source.blocks():
        samples += len(block)
        recognizer.accept(block)
    result = recognizer.final()
    elapsed = time.perf_counter() - started
    if not args.json:
        print(result.text)
        return 0
    print(json.dumps({
        "text": result.text,
        "confidence": round(result.confidence, 4),
        "words": [{"word": w.text, "start": round(w.start, 3), "end": round(w.end, 3),
                   "confidence": round(w.confidence, 4)} for w in result.words],
        "alternatives": result.alternatives,
        "engine": recognizer.name,
        "audio_seconds": round(samples / 16000, 3),
        "decode_seconds": round(elapsed, 3),
    }, indent=2, ensure_ascii=False))
    return 0
