"""TTS latency: time to first audio (streamed by sentence) vs synthesizing the whole reply first,
and the real-time factor, median over typical assistant replies.

Usage: python benchmarks/tts.py [--engine piper|espeak] [--runs N] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time

import numpy as np

from assistant.config import TtsConfig
from assistant.tts.base import Synthesizer
from assistant.tts.factory import make_synthesizer

REPLIES = [
    "The timer is set for ten minutes.",
    "It is twenty one degrees and sunny. Expect light rain after six in the evening.",
    "I added milk, eggs and bread to your shopping list. You now have seven items.",
    "Good morning! You have two reminders today. The first one is the dentist at ten thirty.",
    "The living room lights are off.",
    "Sorry, I did not catch that. Could you say it again?",
    "Your alarm is set for six forty five tomorrow morning. Sleep well.",
    "Paris is the capital of France. It is known for the Eiffel Tower. About two million people live there.",
    "The volume is now at forty percent.",
    "There are three timers running. The pasta timer has four minutes left. The tea timer is done.",
]


def measure(synth: Synthesizer, text: str) -> dict[str, float]:
    """Streamed: time to the first chunk and to the last; audio seconds for the RTF."""
    start = time.perf_counter()
    first = None
    samples = 0
    for chunk in synth.stream(text):
        if first is None:
            first = time.perf_counter() - start
        samples += len(chunk)
    total = time.perf_counter() - start
    audio_s = samples / synth.sample_rate
    return {"first_chunk_s": first or total, "whole_text_s": total, "audio_s": audio_s,
            "rtf": total / audio_s}


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--engine", default="piper", choices=["piper", "espeak"])
    ap.add_argument("--runs", type=int, default=len(REPLIES))
    ap.add_argument("--json", metavar="OUT")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    synth = make_synthesizer(TtsConfig(engine=args.engine))
    load_s = time.perf_counter() - t0
    list(synth.stream("Warm up."))  # first inference allocates; not what a user waits for
    rows = [measure(synth, REPLIES[i % len(REPLIES)]) for i in range(args.runs)]
    med = {k: statistics.median(r[k] for r in rows) for k in rows[0]}
    result = {"engine": synth.name, "load_s": load_s, "runs": len(rows),
              **{f"median_{k}": v for k, v in med.items()},
              "first_chunk_share": float(np.median([r["first_chunk_s"] / r["whole_text_s"]
                                                    for r in rows]))}
    for k, v in result.items():
        print(f"{k:28} {v:.3f}" if isinstance(v, float) else f"{k:28} {v}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({"summary": result, "rows": rows}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
