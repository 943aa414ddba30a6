"""End of speech -> first reply audio, streaming loop vs a naive sequential pipeline.

    python benchmarks/pipeline.py [--n 52] [--snr 10] [--vad silero,energy]
                                  [--recognizers pocketsphinx,grammar-first,whisper,whisper-partials]
                                  [--live]

Each command is spoken by the piper joe voice, then mixed with noise at ``--snr`` dB; both the
clean and the noisy copy go through (a) the real streaming loop (``VoiceLoop``: endpointing,
early end on a complete partial, streaming ASR, understanding, skills, first TTS sentence) and
(b) a naive pipeline measured in the same run: wait for the full silence timeout, recognize the
whole recording, understand, synthesize the whole reply. Latency is counted from the last voiced
sample, so the endpoint wait counts. The streaming loop runs once per voice-activity engine
(``--vad``: Silero VAD and the energy endpointer, on the same audio in the same run), and the
``cut`` column counts commands whose endpoint came before their end. All of it runs once per
recognizer (``--recognizers``: pocketsphinx's domain LM, grammar-first, Whisper), in the same
run, each p50 also divided by the first's. Prints a table; writes JSON and a PNG to benchmarks/results/.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
# As a script, this folder comes first on sys.path, and benchmarks/personalize.py would hide
# the personalize package: the repo root takes its place.
sys.path[0] = str(ROOT)
sys.path.insert(1, str(ROOT / "tests"))
RESULTS = ROOT / "benchmarks" / "results"

# the recognizers compared, in turn, on the same audio (the first is the baseline)
SYSTEMS = {
    "pocketsphinx": {"engine": "pocketsphinx", "grammar_first": False},  # the domain LM
    "grammar-first": {"engine": "pocketsphinx", "grammar_first": True},
    "whisper": {"engine": "whisper"},  # the turn ends early on the speculative decode's text
    # pocketsphinx's domain LM hears along for partials (the default before)
    "whisper-partials": {"engine": "whisper", "whisper_partials": True},
}

COMMANDS = [
    "what time is it", "what day is it today", "what's the date", "set a timer for five minutes",
    "set a timer for ten minutes", "set a pasta timer for twelve minutes",
    "how long is left on my timer", "cancel the timer", "pause the timer",
    "set an alarm for seven a m", "wake me up at six thirty tomorrow", "what alarms do i have",
    "remind me to call mum at six", "remember that my car is on level three",
    "where is my car", "add milk to the shopping list", "add eggs to my shopping list",
    "what's on my shopping list", "remove milk from the shopping list",
    "add buy stamps to my to do list", "what's fifteen percent of eighty",
    "what is twelve times seven", "how many ounces in a kilo",
    "convert five miles to kilometers", "turn the volume up", "turn it down", "set the volume to five",
    "mute", "stop", "what did you say", "what can you do", "hello", "thank you",
    "who are you", "tell me a joke", "what's the weather like", "play some music",
    "what's the news", "turn off the lights", "turn on the kitchen lights", "never mind",
    "yes", "no", "how long until christmas", "set a timer for an hour and a half",
    "set a timer for ninety seconds", "what's two plus two", "good morning",
    "add bread to the shopping list", "clear the to do list", "what's my reminder",
    "set the volume to three",
]


def noise_like(n: int, rng: np.random.Generator) -> np.ndarray:
    """Pink-ish noise (a kitchen fan or a running tap more than white hiss)."""
    white = rng.normal(0, 1, n)
    spec = np.fft.rfft(white)
    f = np.fft.rfftfreq(n, 1 / 16000)
    spec /= np.sqrt(np.maximum(f, 50.0))
    pink = np.fft.irfft(spec, n)
    return pink / np.std(pink)


def mix(speech: np.ndarray, voiced: slice, snr_db: float, rng: np.random.Generator) -> np.ndarray:
    x = speech.astype(np.float64)
    p_speech = np.mean(x[voiced] ** 2)
    noise = noise_like(len(x), rng) * np.sqrt(p_speech / 10 ** (snr_db / 10))
    return np.clip(x + noise, -32768, 32767).astype(np.int16)


def percentile(xs: list[float], q: float) -> float:
    return float(np.percentile(xs, q)) if xs else float("nan")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=len(COMMANDS), help="how many commands")
    ap.add_argument("--snr", type=float, default=10.0, help="noise level, dB SNR")
    ap.add_argument("--tail", type=float, default=1.5, help="silence after each command, s")
    ap.add_argument("--vad", default="silero,energy", help="voice-activity engines to compare")
    ap.add_argument("--no-generation", action="store_true",
                    help="don't load the generative model (smaller RSS)")
    ap.add_argument("--recognizers", default=",".join(SYSTEMS),
                    help=f"recognizers to run in turn, the first the baseline the others' p50s "
                         f"are divided by (of {', '.join(SYSTEMS)})")
    ap.add_argument("--live", action="store_true",
                    help="feed the audio in real time, as a microphone does (work started in a "
                         "pause, such as Whisper's speculative decode, runs while it arrives)")
    ap.add_argument("--synth-only", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="hearth-bench-"))
    from assistant import paths

    # a scratch data dir for the dialogue state, but the installed models where they are
    os.environ.setdefault("HEARTH_MODELS_DIR", str(paths.models_dir()))
    os.environ.setdefault("HEARTH_DATA_DIR", str(tmp / "data"))
    os.environ.setdefault("HEARTH_TEST_SPEECH_DIR", str(RESULTS / "speech-cache"))
    from synth_helpers import piper_wav

    if args.synth_only:  # fills the speech cache; its memory must not count as the loop's
        for text in COMMANDS[: args.n]:
            piper_wav(text)
        return 0
    subprocess.run([sys.executable, __file__, "--synth-only", "--n", str(args.n)], check=True)

    from assistant.config import Config

    summaries = {}
    all_rows: list[dict] = []
    labels = [s.strip() for s in args.recognizers.split(",") if s.strip()]
    if not labels or set(labels) - set(SYSTEMS):
        raise SystemExit(f"error: --recognizers takes some of {', '.join(SYSTEMS)}")
    for label in labels:
        cfg = Config()  # the defaults a user gets: the generative model is loaded (RSS counts it)
        cfg.generation.enabled = not args.no_generation
        for key, value in SYSTEMS[label].items():
            setattr(cfg.asr, key, value)
        rows, cpu_per_audio, load_s = run(cfg, args, tmp)
        all_rows += [{**r, "recognizer": label} for r in rows]
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        summaries[label] = summarize(rows, cpu_per_audio, peak_mb, load_s)
        print(f"\n{label}:")
        print_table(summaries[label])
    (base_label, base), *others = summaries.items()
    for label, other in others:
        for cond in base["conditions"]:
            b, a = base["conditions"][cond], other["conditions"][cond]
            print(f"{cond}: end of speech -> first audio p50, {label} / {base_label} = "
                  f"{a['first_audio_p50'] / b['first_audio_p50']:.3f} ({a['first_audio_p50']:.0f} "
                  f"vs {b['first_audio_p50']:.0f} ms, same run)")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "pipeline.json").write_text(json.dumps({"summary": summaries, "rows": all_rows},
                                                      indent=1))
    plot([r for r in all_rows if r["recognizer"] == list(summaries)[-1]], RESULTS / "pipeline.png")
    print(f"\nwrote {RESULTS / 'pipeline.json'} and {RESULTS / 'pipeline.png'}")
    return 0


def run(cfg, args, tmp: Path) -> tuple[list[dict], float, float]:
    """Every command, clean and noisy, through the components ``cfg`` builds, once per
    voice-activity engine; returns the rows, the loop's CPU seconds per audio second (every
    thread's; the naive pipeline's not) and load time."""
    from synth_helpers import piper_wav

    from assistant.audio.endpointers import make_endpointer
    from assistant.audio.null import NullSink
    from assistant.audio.wav import read_wav
    from assistant.pipeline.components import build
    from assistant.pipeline.loop import VoiceLoop
    from assistant.store import Store

    t0 = time.perf_counter()
    comp = build(cfg, audio_in=True, store=Store(tmp / f"bench-{cfg.asr.engine}-{cfg.asr.grammar_first}.db"),
                 mode="always")
    load_s = time.perf_counter() - t0
    rng = np.random.default_rng(7)
    rows: list[dict] = []
    audio_total = 0.0
    noisy = f"snr{args.snr:g}"
    vads = [v.strip() for v in args.vad.split(",") if v.strip()]
    clips = []  # (text, {condition: audio}, true end of speech in s): the same audio for all
    for text in COMMANDS[: args.n]:
        voice = read_wav(piper_wav(text))
        lead = np.zeros(8000, np.int16)
        clip = np.concatenate([lead, voice, np.zeros(int(args.tail * 16000), np.int16)])
        voiced = slice(len(lead), len(lead) + last_voiced(voice))
        clips.append((text, {"clean": clip, noisy: mix(clip, voiced, args.snr, rng)},
                      voiced.stop / 16000))
    # One loop per engine and condition, fed clip after clip like a microphone in one room:
    # the endpointer's noise floor and the recognizer's channel estimate carry over, as on the
    # shelf, and every room starts from the same channel estimate.
    start = comp.recognizer.channel()
    naive: dict = {}  # the naive pipeline has no endpointer: measured once per clip
    for vad in vads:
        for cond in ("clean", noisy):
            endpointer = make_endpointer(dataclasses.replace(cfg.endpoint, vad=vad))
            loop = VoiceLoop(comp, NullSink(), endpointer=endpointer)
            loop.listener.live = args.live  # a microphone's pace: never wait for a decode
            if endpointer.name != vad:
                raise SystemExit(f"error: the {vad} endpointer did not load")
            with own_channel(comp.recognizer, start):
                for text, audio, speech_end in clips:
                    audio_total += len(audio[cond]) / 16000
                    row = measure(comp, loop, text, cond, audio[cond], speech_end,
                                  naive.get((text, cond)), live=args.live)
                    naive[text, cond] = row["naive_ms"]
                    rows.append({**row, "vad": vad, "cond": f"{vad} {cond}"})
    return rows, sum(r["loop_cpu_s"] for r in rows) / audio_total, load_s


@contextlib.contextmanager
def own_channel(rec, start) -> Iterator[None]:
    """A room of its own: the recognizer's channel estimate (cepstral mean), which adapts to
    what it hears, starts from ``start`` and is put back afterwards."""
    rec.set_channel(start)
    rec.keep_channel()
    try:
        yield
    finally:
        rec.set_channel(start)
        rec.keep_channel()


def last_voiced(voice: np.ndarray, frame: int = 160) -> int:
    """Index just past the last 10 ms frame within 40 dB of the loudest (the true speech end)."""
    n = len(voice) // frame
    db = 10 * np.log10(np.mean(voice[: n * frame].astype(np.float64).reshape(n, frame) ** 2, 1) + 1)
    return int((np.nonzero(db > db.max() - 40)[0][-1] + 1) * frame)


def measure(comp, loop, text: str, cond: str, audio: np.ndarray, speech_end: float,
            naive: dict | None = None, live: bool = False) -> dict:
    """One command through the streaming loop and (unless ``naive`` is given) the naive one.

    ``speech_end`` is the true last voiced sample of the clean speech (seconds into the clip),
    so an endpointer that noise fools into ending late is charged for it. ``live``: each block
    arrives when a microphone would deliver it, not as soon as the loop asks.
    """
    offset = loop.clock.audio_s  # stream time at which this clip starts
    speech_end += offset
    blocks = [audio[i : i + 480] for i in range(0, len(audio), 480)]

    class Src:
        def blocks(self):
            start, spoken_s = time.monotonic(), 0.0
            for block in blocks:
                spoken_s += len(block) / 16000
                if live:  # due when its last sample has been spoken
                    time.sleep(max(0.0, start + spoken_s - time.monotonic()))
                yield block

    cpu0 = time.process_time()
    turns = list(loop.run(Src()))
    row: dict = {"text": text, "cond": cond, "turns": len(turns),
                 "loop_cpu_s": time.process_time() - cpu0}  # every thread's, the naive run's not
    if turns:
        t = turns[0]
        ms = t.times.durations_ms()
        if t.times.first_audio is not None:
            ms["speech_end_to_first_audio"] = round((t.times.first_audio - speech_end) * 1000, 1)
            ms["endpoint"] = round((t.times.endpoint - speech_end) * 1000, 1)
        row.update(heard=t.transcript.text,
                   intent=t.understanding.intent if t.understanding else None, stream_ms=ms)
    channel = comp.recognizer.channel()  # the room's; the naive run must not move it
    if naive is not None:
        row["naive_ms"] = naive
        return row
    # Naive: wait out the full silence timeout, decode everything, understand, synthesize all.
    ep_wait = comp.cfg.endpoint.silence_ms / 1000
    rec = comp.recognizer
    t0 = time.perf_counter()
    rec.reset()
    rec.accept(audio)
    text_naive = rec.final().text
    t1 = time.perf_counter()
    u = comp.understander.parse(text_naive) if text_naive else None
    reply = comp.dialogue.respond(u) if u else None
    t2 = time.perf_counter()
    spoken = reply.text if reply and reply.text else "Sorry, I didn't catch that."
    if reply is not None and reply.stream is not None:
        spoken = " ".join(reply.stream)
    list(comp.synth.stream(spoken))
    t3 = time.perf_counter()
    rec.set_channel(channel)
    row["naive_ms"] = {"endpoint": ep_wait * 1000, "asr": (t1 - t0) * 1000,
                       "understand+skill": (t2 - t1) * 1000, "tts_whole": (t3 - t2) * 1000,
                       "total": (ep_wait + t3 - t0) * 1000}
    return row


CUT_MS = -100  # an endpoint this far before the last voiced sample cut the command short


def _group(rows: list[dict]) -> dict:
    """p50 / p95 of one set of rows (a condition, or all of them)."""
    rs = [r for r in rows if "stream_ms" in r]
    lat = [r["stream_ms"]["speech_end_to_first_audio"] for r in rs
           if "speech_end_to_first_audio" in r["stream_ms"]]
    naive = [r["naive_ms"]["total"] for r in rows]
    stages = {}
    for st in ("endpoint", "asr_final", "understood", "replied", "first_audio"):
        vals = [r["stream_ms"][st] for r in rs if st in r["stream_ms"]]
        stages[st] = {"p50": round(percentile(vals, 50), 1), "p95": round(percentile(vals, 95), 1)}
    return {
        "n": len(rows),
        "answered": len(lat),
        "cut_short": sum(r["stream_ms"].get("endpoint", 0) < CUT_MS for r in rs),
        "intent_match_clean_ref": None,
        "first_audio_p50": round(percentile(lat, 50), 1),
        "first_audio_p95": round(percentile(lat, 95), 1),
        "naive_p50": round(percentile(naive, 50), 1),
        "naive_p95": round(percentile(naive, 95), 1),
        "ratio_p50": round(percentile(lat, 50) / percentile(naive, 50), 3),
        "stages": stages,
    }


def summarize(rows: list[dict], cpu_per_audio_s: float, peak_mb: float, load_s: float) -> dict:
    out: dict = {"cpu_s_per_audio_s": round(cpu_per_audio_s, 3), "peak_rss_mb": round(peak_mb, 1),
                 "load_s": round(load_s, 2), "conditions": {}}
    first = rows[0]["vad"]
    clean = {r["text"]: r.get("intent") for r in rows if r["cond"] == f"{first} clean"}
    groups = {cond: [r for r in rows if r["cond"] == cond] for cond in dict.fromkeys(r["cond"] for r in rows)}
    for vad in dict.fromkeys(r["vad"] for r in rows):
        groups[f"{vad} all"] = [r for r in rows if r["vad"] == vad]
    for cond, rs in groups.items():
        d = out["conditions"][cond] = _group(rs)
        same = [r.get("intent") == clean.get(r["text"]) for r in rs]
        d["intent_match_clean_ref"] = round(sum(same) / max(1, len(same)), 3)
    return out


def print_table(s: dict) -> None:
    print(f"{'condition':<16} {'n':>3} {'first audio p50':>16} {'p95':>8} {'naive p50':>10} "
          f"{'p95':>8} {'ratio':>6} {'cut':>4}   stage p50 (endpoint / asr / nlu / skill / tts1)")
    for cond, d in s["conditions"].items():
        st = d["stages"]
        stages = " / ".join(f"{st[k]['p50']:.0f}" for k in
                            ("endpoint", "asr_final", "understood", "replied", "first_audio"))
        print(f"{cond:<16} {d['n']:>3} {d['first_audio_p50']:>13.0f} ms {d['first_audio_p95']:>5.0f} ms "
              f"{d['naive_p50']:>7.0f} ms {d['naive_p95']:>5.0f} ms {d['ratio_p50']:>6.2f} "
              f"{d['cut_short']:>4}   {stages} ms")
    print(f"cut: commands whose endpoint came over {-CUT_MS} ms before their last voiced sample. "
          f"CPU {s['cpu_s_per_audio_s']:.2f} s per audio second; peak RSS {s['peak_rss_mb']:.0f} MB; "
          f"models loaded in {s['load_s']:.1f} s")


def plot(rows: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    conds = list(dict.fromkeys(r["cond"] for r in rows))
    data, labels = [], []
    for cond in conds:
        data.append([r["stream_ms"]["speech_end_to_first_audio"] for r in rows
                     if r["cond"] == cond and "speech_end_to_first_audio" in r.get("stream_ms", {})])
        labels.append(f"streaming\n{cond}")
        data.append([r["naive_ms"]["total"] for r in rows if r["cond"] == cond])
        labels.append(f"naive\n{cond}")
    fig, ax = plt.subplots(figsize=(11, 4.5))
    ax.boxplot(data, tick_labels=labels, showfliers=True)
    ax.axhline(400, color="tab:red", ls="--", lw=1, label="400 ms target")
    ax.set_ylabel("end of speech -> first reply audio (ms)")
    ax.set_title("Hearth voice loop latency")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)


if __name__ == "__main__":
    raise SystemExit(main())
