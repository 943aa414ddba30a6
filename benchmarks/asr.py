"""ASR word error rate on spoken commands: the domain (command) LM vs the general English LM.

Commands come from the corpus templates, some literally in the LM training corpus and some
held out (sentences the LM never saw), plus hand-written paraphrases. They are spoken by the
piper joe voice (cached WAVs, so reruns only decode) and decoded by pocketsphinx with each LM.

Usage: python benchmarks/asr.py [--n 60] [--voices joe,slt] [--json benchmarks/results/asr.json]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import statistics
import subprocess
import sys
import time
import wave
from pathlib import Path

import numpy as np
from tqdm import tqdm

from assistant import paths
from assistant.asr import corpus
from assistant.asr.factory import make_recognizer
from assistant.asr.wer import wer, word_edits
from assistant.audio.wav import read_wav
from assistant.config import AsrConfig
from assistant.sentences.load import builtin
from assistant.sentences.sample import sample

RESULTS = Path(__file__).resolve().parent / "results"
# Phrasings no template produces: how the LM copes with people not reading the manual.
PARAPHRASES = [
    "could you please set a timer for twelve minutes",
    "put bananas on my grocery list",
    "how long is left on the pasta timer please",
    "switch the bedroom lights off",
    "i need an alarm at six thirty tomorrow",
    "what's nine plus four",
    "make the volume a little lower",
    "please remind me to water the plants tonight",
    "is there anything on my shopping list",
    "hey what time is it right now",
]


def sentences(n: int, seed: int) -> list[tuple[str, str]]:
    """(kind, sentence): half literally in the training corpus, half held out, + paraphrases."""
    trained = set(corpus.corpus())
    pool = [(x.intent, x.text) for x in sample(builtin(), 60, seed=seed)]
    rng = random.Random(seed)
    rng.shuffle(pool)
    seen_intents: dict[tuple[str, str], int] = {}
    picked: list[tuple[str, str]] = []
    want = {"in_corpus": n // 2, "held_out": n - n // 2}
    for intent, s in pool:
        kind = "in_corpus" if s in trained else "held_out"
        if want[kind] == 0 or seen_intents.get((intent, kind), 0) >= 2 or len(s.split()) < 2:
            continue
        seen_intents[(intent, kind)] = seen_intents.get((intent, kind), 0) + 1
        want[kind] -= 1
        picked.append((kind, s))
    picked += [("paraphrase", s) for s in PARAPHRASES if s not in trained]
    return picked


def speech_cache() -> Path:
    d = paths.cache_dir() / "benchmarks" / "asr-speech"
    d.mkdir(parents=True, exist_ok=True)
    return d


class Voices:
    """Cached synthesis: piper joe (the brief's voice) and flite voices for a cross-check."""

    def __init__(self) -> None:
        self._joe = None

    def wav(self, voice: str, text: str) -> Path:
        key = hashlib.sha1(f"{voice}\0{text}".encode()).hexdigest()[:16]
        path = speech_cache() / f"{voice}-{key}.wav"
        if path.exists():
            return path
        if voice == "joe":
            self._piper(text, path)
        else:
            subprocess.run(["flite", "-voice", voice, "-t", text, "-o", str(path)], check=True)
        return path

    def _piper(self, text: str, path: Path) -> None:
        from piper import PiperVoice

        from assistant.models.registry import locate

        if self._joe is None:
            self._joe = PiperVoice.load(locate("joe-medium"))
        chunks = list(self._joe.synthesize(text))
        audio = np.concatenate([c.audio_int16_array for c in chunks])
        with wave.open(str(path), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(chunks[0].sample_rate)
            w.writeframes(audio.tobytes())


def decode(rec, audio: np.ndarray) -> tuple[str, float]:
    """Stream 30 ms blocks as the loop does; returns (text, seconds spent decoding)."""
    start = time.perf_counter()
    rec.reset()
    for i in range(0, len(audio), 480):
        rec.accept(audio[i : i + 480])
    text = rec.final().text
    return text, time.perf_counter() - start


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=60, help="template sentences (plus paraphrases)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--voices", default="joe", help="comma list: joe (piper), slt, kal16 (flite)")
    ap.add_argument("--json", default=str(RESULTS / "asr.json"))
    args = ap.parse_args(argv)

    items = sentences(args.n, args.seed)
    voices = [v.strip() for v in args.voices.split(",") if v.strip()]
    synth = Voices()
    audio = {}
    for voice in voices:
        for _, s in tqdm(items, desc=f"speech ({voice}, cached)", unit="utt"):
            audio[voice, s] = read_wav(synth.wav(voice, s))
    lms = {}
    for lm in ("general", "domain"):
        t0 = time.perf_counter()
        lms[lm] = (make_recognizer(AsrConfig(language_model=lm)), time.perf_counter() - t0)

    rows = []
    for voice in voices:
        for kind, s in tqdm(items, desc=f"decoding ({voice})", unit="utt"):
            row = {"voice": voice, "kind": kind, "reference": s,
                   "audio_s": len(audio[voice, s]) / 16000}
            for lm, (rec, _) in lms.items():
                text, secs = decode(rec, audio[voice, s])
                row[lm] = {"text": text, "edits": word_edits(s, text), "decode_s": secs}
            rows.append(row)

    def summary(lm: str, subset: list[dict]) -> dict:
        pairs = [(r["reference"], r[lm]["text"]) for r in subset]
        return {
            "wer": round(wer(pairs), 4),
            "sentence_acc": round(sum(r[lm]["edits"] == 0 for r in subset) / len(subset), 4),
            "median_rtf": round(statistics.median(r[lm]["decode_s"] / r["audio_s"]
                                                  for r in subset), 4),
            "n": len(subset),
        }

    groups = {"all": rows}
    for kind in ("in_corpus", "held_out", "paraphrase"):
        groups[kind] = [r for r in rows if r["kind"] == kind]
    for voice in voices:
        groups[f"voice:{voice}"] = [r for r in rows if r["voice"] == voice]
    table = {g: {lm: summary(lm, sub) for lm in lms} for g, sub in groups.items() if sub}

    print(f"\n{'subset':<14}{'n':>4}  {'WER general':>11}  {'WER domain':>10}  {'ratio':>6}  "
          f"{'sent.acc g/d':>13}  {'RTF g/d':>12}")
    for g, t in table.items():
        gen, dom = t["general"], t["domain"]
        ratio = dom["wer"] / gen["wer"] if gen["wer"] else float("nan")
        print(f"{g:<14}{gen['n']:>4}  {gen['wer']:>11.3f}  {dom['wer']:>10.3f}  {ratio:>6.2f}  "
              f"{gen['sentence_acc']:>6.2f}/{dom['sentence_acc']:<6.2f}  "
              f"{gen['median_rtf']:>5.3f}/{dom['median_rtf']:<6.3f}")
    print("\nexamples where the two LMs differ:")
    shown = 0
    for r in rows:
        if r["general"]["text"] != r["domain"]["text"] and shown < 12:
            shown += 1
            print(f"  [{r['kind']}] {r['reference']}\n     general: {r['general']['text']}\n"
                  f"     domain:  {r['domain']['text']}")
    out = Path(args.json)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({
        "table": table,
        "load_s": {lm: round(v[1], 3) for lm, v in lms.items()},
        "rows": rows,
    }, indent=2))
    print(f"\nwrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
