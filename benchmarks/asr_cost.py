"""What a recognizer costs: CPU seconds per audio second, decode latency after the audio ends,
and the peak memory of a process that loads it; Whisper tiny.en against today's default
(pocketsphinx with the domain LM), each in a fresh process.

Audio: the first ``--n`` hand-written test commands (``command_sets.py``), clean, voices
rotating as in ``asr.py``. Both recognizers are fed 30 ms blocks as the loop feeds them;
"latency" is the time ``final()`` takes (what the person waits for after the endpointer cuts),
"CPU" is the process CPU time of ``accept`` + ``final`` over the audio's length. Run it on an
otherwise idle machine: the CPU figure holds under load, the latency does not.

Usage: .venv/bin/python benchmarks/asr_cost.py [--n 20] [--threads 1] [--systems whisper,domain]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

_CHILD = r"""
import json, resource, statistics, sys, time
sys.path.insert(0, sys.argv[1])
system, n, threads = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
from command_sets import BUILTIN, CUSTOM, parse
from hearing import household
from speech import VOICES, Voices, read
sentences = household()
items = [t for _, t in parse(BUILTIN)] + [t for _, t in parse(CUSTOM)]
items = items[:: max(1, len(items) // n)][:n]
voices = Voices()
audio = [read(voices.wav(VOICES[k % len(VOICES)], t, "clean")) for k, t in enumerate(items)]
base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
from assistant.asr.factory import make_recognizer
from assistant.asr.vocabulary import Vocabulary
from assistant.config import AsrConfig
t0 = time.perf_counter()
if system == "whisper":
    from assistant.asr.whisper import from_config
    # Whisper alone: the partials' search is the domain LM measured beside it
    rec = from_config(AsrConfig(whisper_threads=threads, whisper_partials=False),
                      Vocabulary(templates=sentences))
else:
    rec = make_recognizer(AsrConfig(engine="pocketsphinx"), Vocabulary(templates=sentences))
load_s = time.perf_counter() - t0
def run(x):
    rec.reset()
    c0 = time.process_time()
    for i in range(0, len(x), 480):
        rec.accept(x[i:i + 480])
    t1 = time.perf_counter()
    text = rec.final().text
    return time.process_time() - c0, time.perf_counter() - t1, text
run(audio[0])  # warm-up
cpu, lat, secs = [], [], 0.0
for x in audio:
    c, l, _ = run(x)
    cpu.append(c); lat.append(l); secs += len(x) / 16000
lat.sort()
print(json.dumps({"system": system, "n": len(audio), "audio_s": round(secs, 1),
                  "load_s": round(load_s, 2),
                  "cpu_per_audio_s": round(sum(cpu) / secs, 3),
                  "final_p50_s": round(statistics.median(lat), 3),
                  "final_p90_s": round(lat[int(0.9 * (len(lat) - 1))], 3),
                  "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                  "rss_before_load_mb": round(base_rss)}))
"""


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=20, help="commands decoded (after one warm-up)")
    ap.add_argument("--threads", type=int, default=1, help="Whisper's CPU threads")
    ap.add_argument("--systems", default="whisper,domain")
    ap.add_argument("--json", default="")
    args = ap.parse_args(argv)
    env = dict(os.environ, OMP_NUM_THREADS="1")
    here = str(Path(__file__).resolve().parent)
    rows = []
    for system in args.systems.split(","):
        out = subprocess.run([sys.executable, "-c", _CHILD, here, system, str(args.n),
                              str(args.threads)], capture_output=True, text=True, env=env,
                             check=True)
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
        r = rows[-1]
        print(f"{r['system']:<8} n={r['n']} ({r['audio_s']} s of audio): CPU "
              f"{r['cpu_per_audio_s']:.3f} s per audio s, final() p50 {r['final_p50_s']:.2f} s "
              f"p90 {r['final_p90_s']:.2f} s, load {r['load_s']:.1f} s, peak RSS "
              f"{r['peak_rss_mb']} MB ({r['rss_before_load_mb']} MB before loading)")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
