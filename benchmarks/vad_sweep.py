"""Silero VAD hysteresis: how late it hears the voice end, and how often it ends it too early.

    python benchmarks/vad_sweep.py [--n 24]

How ``endpoint.speech_threshold`` / ``endpoint.silence_threshold`` were checked, on sentences
kept apart from the ones ``benchmarks/pipeline.py`` reports: Hearth command sentences not in its
list, spoken by piper, flite and espeak voices, clean and in pink noise at 10 and 5 dB SNR. For
each setting: the lag from the true end of the voice (the last 10 ms frame within 40 dB of the
loudest, before noise) to the end the endpointer reports (after its own lag correction), p50 and
p90, and how many utterances it ends over 100 ms before the true end (a weak last syllable lost,
which the early end on a parsed partial would cut). The loop's wait after that end is
``endpoint.silence_ms`` (or ``early_silence_ms``) on top of the lag, for every engine alike.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path[0] = str(ROOT)
sys.path.insert(1, str(ROOT / "tests"))
sys.path.insert(2, str(ROOT / "benchmarks"))

SETTINGS = [(0.5, 0.35), (0.5, 0.45), (0.5, 0.5), (0.6, 0.6), (0.4, 0.3)]  # speech, silence
VOICES = ["piper:1", "flite:slt", "flite:awb", "flite:rms", "espeak:en-us", "espeak:en-gb"]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=24, help="how many sentences")
    args = ap.parse_args()

    os.environ.setdefault("HEARTH_TEST_SPEECH_DIR", str(ROOT / "benchmarks/results/wake-cache/speech"))
    import pipeline
    import wake

    from assistant.asr.corpus import corpus
    from assistant.audio.silero import FRAME, SileroEndpointer
    from assistant.config import EndpointConfig

    sents = sorted(set(corpus([], [])) - set(pipeline.COMMANDS))
    random.Random(21).shuffle(sents)
    sents = [s for s in sents if 2 <= len(s.split()) <= 9][: args.n]
    rng = np.random.default_rng(17)
    clips = []  # ({condition: audio}, true end s)
    for i, text in enumerate(sents):
        x = wake.say(VOICES[i % len(VOICES)], text)
        clip = np.concatenate([np.zeros(8000, np.int16), x, np.zeros(24000, np.int16)])
        voiced = slice(8000, 8000 + pipeline.last_voiced(x))
        clips.append(({"clean": clip, "snr10": pipeline.mix(clip, voiced, 10, rng),
                       "snr5": pipeline.mix(clip, voiced, 5, rng)}, voiced.stop / 16000))
    print(f"{len(clips)} sentences, {len(VOICES)} voices: lag of the reported voice end (ms) "
          "and ends over 100 ms early")
    print(f"{'speech/silence':<16}" + "".join(f"{c + ' p50/p90':>18}{'early':>7}"
                                             for c in ("clean", "snr10", "snr5")))
    for speech, silence in SETTINGS:
        ep = SileroEndpointer(EndpointConfig(speech_threshold=speech, silence_threshold=silence))
        line = f"{speech:.2f}/{silence:.2f}".ljust(16)
        for cond in ("clean", "snr10", "snr5"):
            lags, early = [], 0
            for conds, end in clips:
                audio = conds[cond]
                ep.reset()
                for i in range(0, len(audio), FRAME):
                    if ep.feed(audio[i : i + FRAME]).done:
                        break
                if ep.speech_end is None:
                    early += 1
                    continue
                lags.append((ep.speech_end - end) * 1000)
                early += ep.speech_end < end - 0.1
            line += f"{np.median(lags):>10.0f} / {np.percentile(lags, 90):<5.0f}{early:>7}"
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
