"""Wake word: false rejects on many voices and conditions, false accepts per hour, CPU.

    python benchmarks/wake.py [--hours 2] [--phrase "hey jarvis"] [--model hey_jarvis]

Both engines hear the same audio in the same run: openWakeWord with ``--model`` and pocketsphinx
spotting ``--phrase`` (by default the same words, "hey jarvis", so neither is judged on a phrase
it was not set up for).

- False rejects: the phrase spoken by every voice the project has (piper joe in four
  renditions, every flite voice, espeak-ng's English accents and all its variants; every other
  voice says "<phrase>, <command>" without a pause, the others the phrase alone), each clip
  clean, slower and faster (sox tempo 0.85 / 1.15), lower and higher (pitch -300 / +300 cents),
  in a reverberant room, and in pink noise at 20, 10, 5 and 0 dB SNR. A clip counts as heard when
  the engine fires between its start and 1 s after its end; the clips of one condition follow
  each other in one stream, 1.2 s apart, as on a shelf.
- False accepts per hour: ``--hours`` of audio without the wake word, and ``--noisy-hours`` of
  it again with pink noise at 10 dB SNR: paragraphs of sentences from the HWU64, CLINC150 and
  SNIPS test sets and of Hearth's own command sentences, spoken by the same voices (no sentence
  names a wake word), plus pink noise, white noise and babble (several paragraphs at once).
- CPU: seconds of CPU per second of audio while listening (the negative stream), each engine and
  Silero VAD on the same audio, and openWakeWord + Silero together.

The synthesized audio is made once and cached under benchmarks/results/wake-cache (it takes a
while the first time). Prints the tables; writes JSON and a PNG to benchmarks/results/.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path[0] = str(ROOT)  # as a script this folder comes first; the repo root takes its place
sys.path.insert(1, str(ROOT / "tests"))
RESULTS = ROOT / "benchmarks" / "results"
CACHE = RESULTS / "wake-cache"
DATA = ROOT.parent / "shared" / "data"
RATE = 16000

CONDITIONS = ["clean", "tempo0.85", "tempo1.15", "pitch-300", "pitch+300", "reverb",
              "snr20", "snr10", "snr5", "snr0"]
COMMANDS = ["what time is it", "set a timer for five minutes", "turn on the kitchen lights",
            "add milk to the shopping list", "what's the weather like", "stop",
            "remind me to call mum at six", "how long is left on my timer", "tell me a joke",
            "set an alarm for seven a m", "turn the volume up", "what's fifteen percent of eighty"]
WAKE_NAMES = ("jarvis", "alexa", "nabu", "mycroft", "rhasspy", "computer")
FLITE = ["slt", "kal16", "awb", "rms", "kal"]
ESPEAK_ACCENTS = ["en-us", "en-gb", "en-gb-scotland", "en-gb-x-rp", "en-029", "en-us-nyc",
                  "en-gb-x-gbclan", "en-gb-x-gbcwmd"]
GAP_S = 1.2


# -- voices -----------------------------------------------------------------------------------
def espeak_variants() -> list[str]:
    out = subprocess.run(["espeak-ng", "--voices=variant"], capture_output=True, text=True,
                         check=True).stdout.splitlines()[1:]
    return [line.split()[4].removeprefix("!v/") for line in out if len(line.split()) >= 5]


def voices() -> list[str]:
    """Every voice: piper:N (renditions of joe), flite:NAME, espeak:LANG[+VARIANT]."""
    return ([f"piper:{i}" for i in range(4)] + [f"flite:{v}" for v in FLITE]
            + [f"espeak:{a}" for a in ESPEAK_ACCENTS]
            + [f"espeak:en-us+{v}" for v in espeak_variants()])


PIPER_RENDITIONS = [(1.0, False), (0.9, True), (1.15, True), (1.0, True)]  # length scale, random


def say(voice: str, text: str) -> np.ndarray:
    """``text`` in ``voice`` as 16 kHz int16 (cached on disk by synth_helpers)."""
    from synth_helpers import espeak_wav, flite_wav, piper_samples

    from assistant.audio.convert import to_loop_format
    from assistant.audio.wav import read_wav, write_wav

    engine, name = voice.split(":", 1)
    if engine == "flite":
        return read_wav(flite_wav(text, name))
    if engine == "espeak":
        return read_wav(espeak_wav(text, name))
    path = CACHE / "piper" / f"{name}-{abs(hash_text(text))}.wav"
    if not path.exists():
        scale, vary = PIPER_RENDITIONS[int(name)]
        samples, rate = piper_samples(text, length_scale=scale, variation=vary)
        path.parent.mkdir(parents=True, exist_ok=True)
        write_wav(path, to_loop_format(samples.astype(np.float32) / 32768.0, rate))
    return read_wav(path)


def hash_text(text: str) -> int:
    import hashlib

    return int(hashlib.sha1(text.encode()).hexdigest()[:12], 16)


# -- conditions -------------------------------------------------------------------------------
def pink(n: int, rng: np.random.Generator) -> np.ndarray:
    spec = np.fft.rfft(rng.normal(0, 1, n))
    spec /= np.sqrt(np.maximum(np.fft.rfftfreq(n, 1 / RATE), 50.0))
    x = np.fft.irfft(spec, n)
    return x / np.std(x)


def active_power(x: np.ndarray) -> float:
    """Mean power of the frames within 40 dB of the loudest (the speech, not the pauses)."""
    n = len(x) // 160
    p = np.mean(x[: n * 160].astype(np.float64).reshape(n, 160) ** 2, axis=1)
    return float(np.mean(p[p > p.max() * 1e-4]))


def with_noise(x: np.ndarray, snr_db: float, rng: np.random.Generator,
               power: float | None = None) -> np.ndarray:
    power = active_power(x) if power is None else power
    noisy = x.astype(np.float64) + pink(len(x), rng) * np.sqrt(power / 10 ** (snr_db / 10))
    return np.clip(noisy, -32768, 32767).astype(np.int16)


def sox(x: np.ndarray, effect: list[str]) -> np.ndarray:
    from assistant.audio.wav import read_wav, write_wav

    with tempfile.TemporaryDirectory() as tmp:
        src, dst = Path(tmp) / "in.wav", Path(tmp) / "out.wav"
        write_wav(src, x)
        subprocess.run(["sox", str(src), str(dst), *effect], check=True, capture_output=True)
        return read_wav(dst)


def condition(x: np.ndarray, cond: str, rng: np.random.Generator) -> np.ndarray:
    if cond == "clean":
        return x
    if cond.startswith("tempo"):
        return sox(x, ["tempo", cond[5:]])
    if cond.startswith("pitch"):
        return sox(x, ["pitch", cond[5:]])
    if cond == "reverb":
        return sox(x, ["reverb", "50", "50", "80"])
    return with_noise(x, float(cond[3:]), rng)


# -- the audio --------------------------------------------------------------------------------
def positives(phrase: str, every: int = 1) -> list[tuple[str, np.ndarray]]:
    """(voice, clean clip) for every ``every``-th voice: the phrase alone, or every other voice
    "<phrase>, <command>" without a pause, as people say both."""
    from tqdm import tqdm

    out = []
    for i, voice in enumerate(tqdm(voices(), desc="wake phrases", leave=False)):
        if i % every == 0:
            text = phrase if i % 2 == 0 else f"{phrase}, {COMMANDS[i // 2 % len(COMMANDS)]}"
            out.append((voice, say(voice, text)))
    return out


def sentences() -> tuple[list[str], list[str]]:
    """Test-set sentences (HWU64, CLINC150, SNIPS) and Hearth's command sentences, none naming
    a wake word, each list shuffled with a fixed seed."""
    import csv

    from assistant.asr.corpus import corpus

    data: set[str] = set()
    for f in sorted((DATA / "hwu64" / "test").glob("*.csv")):
        with open(f, newline="", encoding="utf-8") as fh:
            data.update(row["answer_from_anno"] for row in csv.DictReader(fh, delimiter=";"))
    clinc = json.loads((DATA / "clinc150" / "data_full.json").read_text())
    data.update(text for text, _ in clinc["test"] + clinc["oos_test"])
    data.update((DATA / "snips" / "test" / "seq.in").read_text().splitlines())
    commands = set(corpus([], []))

    def clean(xs: set[str]) -> list[str]:
        keep = sorted(s.strip() for s in xs if s.strip()
                      and not any(w in s.lower() for w in WAKE_NAMES))
        random.Random(11).shuffle(keep)
        return keep

    return clean(data), clean(commands - data)


def negatives(hours: float) -> Iterator[tuple[str, np.ndarray]]:
    """(kind, clip) pieces adding up to ``hours`` of audio without a wake word."""
    from tqdm import tqdm

    rng = np.random.default_rng(5)
    talk, commands = sentences()
    every = voices()
    target = hours * 3600
    budget = {"paragraphs": 0.6 * target, "commands": 0.25 * target, "noise": 0.15 * target}
    made = {k: 0.0 for k in budget}
    bar = tqdm(total=int(target), desc="speech without the wake word", unit="s", leave=False)
    babble: list[np.ndarray] = []
    for kind, pool in (("paragraphs", talk), ("commands", commands)):
        i = 0
        while made[kind] < budget[kind] and i < len(pool):
            voice = every[(i // 6 * 7 + len(kind)) % len(every)]
            if voice.startswith("piper") and (i // 6) % 4:  # piper for a quarter: it is slow
                voice = every[4 + (i // 6) % (len(every) - 4)]
            clip = say(voice, ". ".join(pool[i : i + 6]))
            i += 6
            made[kind] += len(clip) / RATE
            bar.update(int(len(clip) / RATE))
            if len(babble) < 12:
                babble.append(clip)
            yield kind, clip
    seconds = int(budget["noise"] / 3)
    level = 0.03 * 32768
    yield "noise", np.clip(pink(seconds * RATE, rng) * level, -32768, 32767).astype(np.int16)
    yield "noise", np.clip(rng.normal(0, level, seconds * RATE), -32768, 32767).astype(np.int16)
    mix = np.zeros(seconds * RATE)
    for clip in babble:
        start = rng.integers(0, max(1, len(mix) - len(clip)))
        part = clip[: len(mix) - start].astype(np.float64)
        mix[start : start + len(part)] += part / 3
    yield "noise", np.clip(mix, -32768, 32767).astype(np.int16)
    bar.update(3 * seconds)
    bar.close()


# -- running an engine ------------------------------------------------------------------------
def run_stream(detector, clips: list[np.ndarray], gap_s: float = GAP_S) -> tuple[list[float],
                                                                              list[tuple]]:
    """Feed the clips one after another (``gap_s`` apart); detection times and clip windows."""
    times, windows = [], []
    gap = np.zeros(int(gap_s * RATE), np.int16)
    detector.reset()
    t0 = detector.elapsed
    for clip in clips:
        for part in (clip, gap):
            start = detector.elapsed - t0
            if part is clip:
                windows.append((start, start + len(clip) / RATE))
            for i in range(0, len(part), 480):
                if detector.accept(part[i : i + 480]):
                    times.append(detector.last.time - t0)
    return times, windows


def false_rejects(detector, clips: list[np.ndarray]) -> dict:
    times, windows = run_stream(detector, clips)
    heard = [any(a <= t <= b + 1.0 for t in times) for a, b in windows]
    stray = sum(not any(a <= t <= b + 1.0 for a, b in windows) for t in times)
    return {"n": len(clips), "missed": len(clips) - sum(heard),
            "frr": round(100 * (1 - sum(heard) / len(clips)), 1), "stray": stray,
            "heard": heard}


def negative_run(detector, pieces: list[np.ndarray], noisy: bool, hours: float) -> dict:
    """Detections on (the first ``hours`` of) the negative stream; CPU seconds per audio
    second while listening."""
    rng = np.random.default_rng(9)
    hits, seconds = 0, 0.0
    cpu0 = time.process_time()
    for clip in pieces:
        if seconds >= hours * 3600:
            break
        if noisy:
            clip = with_noise(clip, 10.0, rng)
        times, _ = run_stream(detector, [clip], gap_s=0.5)
        hits += len(times)
        seconds += len(clip) / RATE + 0.5
    cpu = time.process_time() - cpu0
    return {"hours": round(seconds / 3600, 3), "false_accepts": hits,
            "per_hour": round(hits / (seconds / 3600), 2), "cpu_per_audio_s": round(cpu / seconds, 4)}


def silero_cpu(pieces: list[np.ndarray], limit_s: float = 1200.0) -> float:
    """Silero VAD's CPU per audio second over (the first ``limit_s`` of) the same audio."""
    from assistant.audio.silero import FRAME, load_vad

    vad = load_vad()
    seconds, cpu0 = 0.0, time.process_time()
    for clip in pieces:
        for i in range(0, len(clip) - FRAME + 1, FRAME):
            vad.process_samples((clip[i : i + FRAME] / 32768.0).tolist())
        seconds += len(clip) / RATE
        if seconds >= limit_s:
            break
    return round((time.process_time() - cpu0) / seconds, 4)


# -- report -----------------------------------------------------------------------------------
def print_tables(res: dict) -> None:
    conds = res["conditions"]
    print(f"\nfalse rejects, % of {res['voices']} voices saying '{res['phrase']}' "
          "(alone, or every other voice followed by a command)")
    print(f"{'engine':<26}" + "".join(f"{c:>10}" for c in conds))
    for name, eng in res["engines"].items():
        print(f"{name:<26}" + "".join(f"{eng['frr'][c]['frr']:>9.1f}%" for c in conds))
    print(f"\n{'engine':<26}{'FA/h clean':>12}{'FA/h 10 dB':>12}{'hours':>8}"
          f"{'CPU s/s':>10}{'stray hits':>12}")
    for name, eng in res["engines"].items():
        c, n = eng["negatives"]["clean"], eng["negatives"]["snr10"]
        stray = sum(v["stray"] for v in eng["frr"].values())
        print(f"{name:<26}{c['per_hour']:>12.2f}{n['per_hour']:>12.2f}{c['hours'] + n['hours']:>8.2f}"
              f"{c['cpu_per_audio_s']:>10.3f}{stray:>12}")
    print(f"{'silero vad':<26}{'':>12}{'':>12}{'':>8}{res['silero_cpu_per_audio_s']:>10.3f}")
    print(f"{'openwakeword + silero':<26}{'':>12}{'':>12}{'':>8}{res['wake_plus_vad_cpu']:>10.3f}")
    print("\nfalse rejects by voice family, clean / snr10 (%):")
    for name, eng in res["engines"].items():
        fam = eng["by_family"]
        print(f"  {name:<24}" + "  ".join(f"{k} {v['clean']:.0f}/{v['snr10']:.0f}"
                                         for k, v in fam.items()))


def by_family(heard: dict[str, list[bool]], names: list[str]) -> dict:
    out: dict[str, dict[str, float]] = {}
    for fam in ("piper", "flite", "espeak"):
        idx = [i for i, v in enumerate(names) if v.startswith(fam)]
        if not idx:
            continue
        out[fam] = {c: round(100 * (1 - np.mean([heard[c][i] for i in idx])), 1)
                    for c in ("clean", "snr10")}
    return out


def plot(res: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    conds = res["conditions"]
    fig, ax = plt.subplots(figsize=(10, 4.5))
    width = 0.8 / len(res["engines"])
    for k, (name, eng) in enumerate(res["engines"].items()):
        ax.bar(np.arange(len(conds)) + k * width, [eng["frr"][c]["frr"] for c in conds],
               width, label=f"{name} ({eng['negatives']['clean']['per_hour']:.2f} FA/h)")
    ax.axhline(5, color="tab:red", ls="--", lw=1, label="5% target")
    ax.set_xticks(np.arange(len(conds)) + width * (len(res["engines"]) - 1) / 2, conds)
    ax.set_ylabel("false rejects (%)")
    ax.set_title(f"Wake word '{res['phrase']}' over {res['voices']} voices")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def load(cfg):
    """The engine as the factory builds it, less openWakeWord's phrase aligner (it only finds
    where the command starts, 50 ms of CPU per detection, and decides nothing)."""
    from assistant.wake.factory import make_detector
    from assistant.wake.openwakeword import OpenWakeWordDetector

    if cfg.engine == "openwakeword":
        return OpenWakeWordDetector(cfg.model, cfg.threshold, cfg.trigger_level)
    detector = make_detector(cfg)
    if detector.name != cfg.engine:
        raise SystemExit(f"error: {cfg.engine} did not load (see the log line above)")
    return detector


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--hours", type=float, default=2.0, help="audio without the wake word")
    ap.add_argument("--noisy-hours", type=float, default=1.0, help="of it again at 10 dB SNR")
    ap.add_argument("--every", type=int, default=1, help="every N-th voice only (a quick look)")
    ap.add_argument("--model", default="hey_jarvis", help="openWakeWord model")
    ap.add_argument("--phrase", default="hey jarvis", help="what is spoken; pocketsphinx spots it")
    ap.add_argument("--threshold", type=float, default=None, help="openWakeWord threshold")
    ap.add_argument("--trigger-level", type=int, default=None)
    args = ap.parse_args()

    from assistant import paths

    os.environ.setdefault("HEARTH_MODELS_DIR", str(paths.models_dir()))
    os.environ.setdefault("HEARTH_TEST_SPEECH_DIR", str(CACHE / "speech"))
    from assistant.config import WakeConfig

    oww = WakeConfig(model=[args.model])
    if args.threshold is not None:
        oww.threshold = args.threshold
    if args.trigger_level is not None:
        oww.trigger_level = args.trigger_level
    engines = {f"openwakeword {args.model}": oww,
               f"pocketsphinx '{args.phrase}'": WakeConfig(engine="pocketsphinx",
                                                            phrase=args.phrase)}
    pos = positives(args.phrase, args.every)
    names = [v for v, _ in pos]
    rng = np.random.default_rng(3)
    cond_clips = {c: [condition(x, c, rng) for _, x in pos] for c in CONDITIONS}
    neg = [clip for _, clip in negatives(max(args.hours, args.noisy_hours))]
    res: dict = {"phrase": args.phrase, "voices": len(pos), "conditions": CONDITIONS,
                 "engines": {}, "settings": {"threshold": oww.threshold,
                                             "trigger_level": oww.trigger_level}}
    for name, cfg in engines.items():
        detector = load(cfg)
        print(f"{name}: false rejects ...", file=sys.stderr)
        frr = {c: false_rejects(detector, clips) for c, clips in cond_clips.items()}
        print(f"{name}: {args.hours} h without the wake word, {args.noisy_hours} h at 10 dB ...",
              file=sys.stderr)
        negs = {"clean": negative_run(detector, neg, False, args.hours),
                "snr10": negative_run(detector, neg, True, args.noisy_hours)}
        heard = {c: v.pop("heard") for c, v in frr.items()}
        res["engines"][name] = {"frr": frr, "negatives": negs,
                                "by_family": by_family(heard, names),
                                "missed_clean": [names[i] for i, h in enumerate(heard["clean"])
                                                 if not h]}
    res["silero_cpu_per_audio_s"] = silero_cpu(neg)
    first = next(iter(res["engines"].values()))
    res["wake_plus_vad_cpu"] = round(first["negatives"]["clean"]["cpu_per_audio_s"]
                                     + res["silero_cpu_per_audio_s"], 4)
    print_tables(res)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "wake.json").write_text(json.dumps(res, indent=1))
    plot(res, RESULTS / "wake.png")
    print(f"\nwrote {RESULTS / 'wake.json'} and {RESULTS / 'wake.png'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
