"""Command accuracy on varied voices: grammar-first vs today's domain LM vs the general LM
(and, with ``--whisper``, Whisper tiny.en with the household's vocabulary prompt: as it writes
freely, and steered by the command grammar, ``asr/steer.py``).

A command is right when its transcript is understood as the sentence itself is: the same
intent and every slot value the same (resolved against one fixed clock), and that intent is the
one the test sentence was written for. Test sentences are written by hand apart from the
templates (``command_sets.py``): Hearth's built-in intents, and a thermostat domain Hearth does
not ship, added as a household's YAML file. Each sentence is spoken in every condition (clean;
varied = speed 0.85-1.2x, pitch, loudness, reverb; varied + pink noise or babble at 20, 10 and
5 dB SNR; paused = clean, with a pause mid-sentence), the voice rotating over piper joe, every
flite voice and six espeak-ng variants (``speech.py``; audio made once and cached).

One grammar-first recognizer decodes each utterance; its open search *is* today's domain LM, so
"domain LM" is today's result on the same audio in the same run. The general LM decodes it too.

Also printed: what each system's turns led to (right and acted on, right after asking "did
you mean ...?" first, wrong and acted on, and of those the wrong actions: something changed),
open questions (WER, and how often the grammar wrongly took one), the grammar's
compile time, size and decoder memory for the built-in templates plus 20 custom intents, and
decode time per command. Timings on a busy machine are noisy: compare the ratios.

Usage: .venv/bin/python benchmarks/asr.py [--conditions clean,varied,snr20,snr10,snr5,paused]
       [--limit N] [--no-general] [--whisper [--whisper-window FRAMES]
       [--set asr.KEY=VALUE ...]]
       [--json benchmarks/results/asr.json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

from tqdm import tqdm

sys.path.insert(0, str(Path(__file__).resolve().parent))

from command_sets import BUILTIN, CUSTOM, parse  # noqa: E402
from false_actions import Acting  # noqa: E402
from hearing import Meanings, Recognizers, household  # noqa: E402
from speech import VOICES, Voices, read  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
CONDITIONS = ("clean", "varied", "snr20", "snr10", "snr5", "paused")
SYSTEMS = ("grammar_first", "domain", "general", "whisper_free", "whisper")
QUESTIONS = [
    "what is the capital of france", "who wrote romeo and juliet", "why is the sky blue",
    "how far away is the moon", "what is the tallest mountain in the world",
    "how many legs does a spider have", "who painted the mona lisa", "what do bees make",
    "how does a rainbow form", "what is the biggest animal in the ocean",
    "when did the first man land on the moon", "what is the speed of light",
    "how many bones are in the human body", "who invented the telephone",
    "what language do they speak in brazil", "why do leaves change color in the fall",
]
DEVICES = ["blinds", "garage door", "coffee machine", "robot vacuum", "sprinklers", "ceiling fan",
           "space heater", "dishwasher", "washing machine", "oven", "fireplace", "air purifier",
           "humidifier", "television", "porch light"]


def twenty_custom_intents() -> str:
    """The thermostat's 5 intents plus 15 device intents that use the built-in lists."""
    from command_sets import THERMOSTAT

    lines = THERMOSTAT.split("lists:")[0].rstrip().splitlines()
    for i, device in enumerate(DEVICES):
        lines += [f"  Device{i}:", "    data:", "      - sentences:",
                  f'          - "(turn|switch) (on|off) the {device} [in the {{place}}]"',
                  f'          - "set the {device} to {{level}}"',
                  f'          - "run the {device} for {{duration}}"',
                  f'          - "(start|stop) the {device} [at {{time}}] [{{date}}]"',
                  f'    response: "{device} done."']
    return "\n".join(lines) + "\nlists:" + THERMOSTAT.split("lists:")[1]


def grammar_cost() -> dict:
    """Compile time, size and decoder memory: built-in templates alone and plus 20 custom
    intents, each compiled fresh in its own process (RSS then says what the decoder costs)."""
    out = {}
    for name, yaml_text in (("builtin", None), ("builtin+20 custom", twenty_custom_intents())):
        code = _COST_CHILD
        env = dict(os.environ, HEARTH_BENCH_YAML=yaml_text or "")
        res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                             check=True)
        out[name] = json.loads(res.stdout.strip().splitlines()[-1])
    return out


_COST_CHILD = r"""
import json, os, tempfile, time
from pathlib import Path
tmp = Path(tempfile.mkdtemp())
files = []
if os.environ["HEARTH_BENCH_YAML"]:
    (tmp / "custom.yaml").write_text(os.environ["HEARTH_BENCH_YAML"])
    files = [tmp / "custom.yaml"]
def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS"):
            return int(line.split()[1]) / 1024
from assistant.sentences.load import load
from assistant.asr.sphinx_grammar import build_grammar
from assistant.asr.sphinx_backend import SphinxModel, make_decoder
s = load(files=files)
assert not s.problems, s.problems
model = SphinxModel.bundled()
base = rss()
t0 = time.perf_counter()
g = build_grammar(s, model.dict, cache=tmp)
compile_s = time.perf_counter() - t0
after_compile = rss()
t0 = time.perf_counter()
d = make_decoder(model.hmm, g.dict, fsg=g.fsg, bestpath=False)
load_s = time.perf_counter() - t0
print(json.dumps({"intents": len(s.intents.intents), "templates": g.sentences, "states": g.states,
                  "arcs": g.arcs, "words": g.words, "fsg_kb": round(g.fsg.stat().st_size / 1024),
                  "compile_s": round(compile_s, 2), "compile_mb": round(after_compile - base, 1),
                  "decoder_load_s": round(load_s, 2), "decoder_mb": round(rss() - after_compile, 1)}))
"""


def items(limit: int | None) -> list[tuple[str, str, str]]:
    """(group, intended intent, sentence)."""
    out = [("builtin", i, t) for i, t in parse(BUILTIN)] + [("custom", i, t) for i, t in parse(CUSTOM)]
    if limit:
        out = out[:: max(1, len(out) // limit)][:limit]
    return out


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--conditions", default=",".join(CONDITIONS))
    ap.add_argument("--limit", type=int, default=0, help="test sentences (0 = all 205)")
    ap.add_argument("--no-general", action="store_true", help="skip the general LM")
    ap.add_argument("--whisper", action="store_true",
                    help="add Whisper tiny.en, free and steered by the grammar")
    ap.add_argument("--set", action="append", default=[], metavar="asr.KEY=VALUE",
                    help="a Whisper option, as the CLI's --set takes it (asr.grammar_offer=0.3, "
                         "asr.whisper_grammar_beam=0: only correct what it wrote, "
                         "asr.whisper_model=FOLDER)")
    ap.add_argument("--whisper-window", type=int, default=0,
                    help="Whisper's shortest encoder window in 10 ms frames (default: the "
                         "recognizer's, whisper_decode.MIN_WINDOW; 3000 = always 30 s)")
    ap.add_argument("--no-cost", action="store_true", help="skip the grammar compile costs")
    ap.add_argument("--json", default=str(RESULTS / "asr.json"))
    args = ap.parse_args(argv)
    conditions = [c for c in args.conditions.split(",") if c]

    print("grammar cost (fresh compile, one process each):")
    cost = {} if args.no_cost else grammar_cost()
    for name, c in cost.items():
        print(f"  {name:<18} {c['intents']:>3} intents {c['templates']:>4} templates -> "
              f"{c['states']:>5} states {c['arcs']:>6} arcs {c['words']:>4} words "
              f"{c['fsg_kb']:>5} KB; compile {c['compile_s']:.2f} s (+{c['compile_mb']:.0f} MB), "
              f"decoder load {c['decoder_load_s']:.2f} s (+{c['decoder_mb']:.0f} MB)")

    sentences = household()
    meanings = Meanings(sentences)
    recs = Recognizers(sentences, general=not args.no_general, whisper=args.whisper,
                       options=args.set)
    if recs.whisper is not None and args.whisper_window:
        recs.whisper.decoder.min_window = args.whisper_window
    systems = [s for s in SYSTEMS if (s != "general" or not args.no_general)
               and (not s.startswith("whisper") or args.whisper)]
    voices = Voices()
    acting = Acting(sentences)
    tests = items(args.limit)
    covered = {t: meanings.of(t)[0] == intent for _, intent, t in tests}
    rows = []
    for ci, cond in enumerate(conditions):
        for k, (group, intent, text) in enumerate(tqdm(tests, desc=cond, unit="utt")):
            voice = VOICES[(k + 3 * ci) % len(VOICES)]
            audio = read(voices.wav(voice, text, cond))
            heard = recs.hear(audio)
            truth = meanings.of(text)
            row = {"group": group, "cond": cond, "voice": voice, "text": text, "intent": intent,
                   "covered": covered[text], "audio_s": len(audio) / 16000,
                   "decode_s": heard.decode_s, "whisper_s": heard.whisper_s,
                   "whisper_cpu_s": heard.whisper_cpu_s,
                   "whisper_written": heard.whisper_written,
                   "heard_by": heard.grammar_first.source}
            choice = recs.whisper.choice if recs.whisper is not None else None
            if choice is not None:  # what steering weighed
                row["whisper_choice"] = {"confidence": round(choice.confidence, 4),
                                         "proposals": [text for text, _ in choice.proposals]}
            for name in systems:
                t = getattr(heard, name)
                got = meanings.understand(t.text, t.confidence) if t.text else None
                m = meanings.of(t.text)
                right = covered[text] and m == truth
                acts = got is not None and got.confidence >= 0.55
                row[name] = {"text": t.text, "right": right, "acts": acts,
                             "changes_wrongly": acts and not right and acting.acts(got)}
            rows.append(row)

    table = accuracy_table(rows, systems, conditions)
    table["outcomes"] = outcomes(rows, systems, conditions)
    questions = open_questions(recs, voices)
    out = Path(args.json)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"grammar_cost": cost, "accuracy": table, "questions": questions,
                               "rows": rows}, indent=1))
    print(f"\nrecognizers loaded in {recs.load_s:.1f} s (grammar-first); timings on a busy "
          f"machine are noisy: compare the ratios.\nwrote {out}")
    return 0


def accuracy_table(rows: list[dict], systems: list[str], conditions: list[str]) -> dict:
    table: dict = {}
    print("\ncommand accuracy (intent and every slot right); coverage = share of test sentences "
          "the templates themselves understand")
    head = "".join(f"{s:>15}" for s in systems)
    print(f"{'group':<9}{'cond':<8}{'n':>5}{'coverage':>9}{head}{'errors g-f/domain':>19}"
          f"{'heard by grammar':>17}")
    for group in ("builtin", "custom", "all"):
        for cond in [*conditions, "all"]:
            sub = [r for r in rows if group in ("all", r["group"]) and cond in ("all", r["cond"])]
            if not sub:
                continue
            acc = {s: sum(r[s]["right"] for r in sub) / len(sub) for s in systems}
            err_ratio = (1 - acc["grammar_first"]) / (1 - acc["domain"]) if acc["domain"] < 1 else float("nan")
            cov = sum(r["covered"] for r in sub) / len(sub)
            by_g = sum(r["heard_by"] == "grammar" for r in sub) / len(sub)
            table[f"{group}/{cond}"] = {"n": len(sub), "coverage": round(cov, 4),
                                        **{s: round(a, 4) for s, a in acc.items()},
                                        "error_ratio": round(err_ratio, 3), "by_grammar": round(by_g, 3)}
            cells = "".join(f"{acc[s]:>15.3f}" for s in systems)
            print(f"{group:<9}{cond:<8}{len(sub):>5}{cov:>9.3f}{cells}{err_ratio:>19.2f}{by_g:>17.3f}")
    rtf = statistics.median(r["decode_s"] / r["audio_s"] for r in rows)
    dec = statistics.median(r["decode_s"] for r in rows)
    print(f"grammar-first decode (three searches, streamed in 30 ms blocks): median {dec:.2f} s "
          f"per command, real-time factor {rtf:.2f}")
    table["decode"] = {"median_s": round(dec, 3), "median_rtf": round(rtf, 3)}
    if "whisper" in systems:
        w = sorted(r["whisper_s"] for r in rows)
        w_rtf = statistics.median(r["whisper_s"] / r["audio_s"] for r in rows)
        cpu = {c: statistics.median(r["whisper_cpu_s"] for r in rows if r["cond"] == c)
               for c in conditions}
        print(f"whisper steered (one decode and the proposals' scores, after the audio ends): p50 {statistics.median(w):.2f} s, "
              f"p90 {w[int(0.9 * (len(w) - 1))]:.2f} s per command, real-time factor {w_rtf:.2f}; "
              "CPU p50 (both cores) " + ", ".join(f"{c} {1000 * v:.0f} ms" for c, v in cpu.items()))
        table["whisper_decode"] = {"median_s": round(statistics.median(w), 3),
                                   "median_rtf": round(w_rtf, 3),
                                   "cpu_median_s": {c: round(v, 4) for c, v in cpu.items()}}
    return table


def outcomes(rows: list[dict], systems: list[str], conditions: list[str]) -> dict:
    """What each system's turns led to: right and acted on, right after a "did you mean ...?"
    (understood too weakly to act: the dialogue asks first), wrong and acted on (an answer or
    an action nobody asked for), and of those, wrong actions: a list, timer, alarm, reminder,
    memory, volume, lights or custom command changed (``false_actions.Acting``)."""
    out: dict = {}
    print("\noutcomes, % of commands: right = acted on + asked about first; wrong and acted on; "
          "of those, changing something")
    print(f"{'cond':<8}{'system':<15}{'right':>7}{'acted':>7}{'asked':>7}{'wrong acted':>13}"
          f"{'changed':>9}")
    for cond in conditions:
        sub = [r for r in rows if r["cond"] == cond]
        for s in systems:
            got = [r[s] for r in sub]
            cells = {"right": sum(g["right"] for g in got),
                     "acted": sum(g["right"] and g["acts"] for g in got),
                     "wrong_acted": sum(g["acts"] and not g["right"] for g in got),
                     "changed": sum(g["changes_wrongly"] for g in got)}
            pct = {k: round(100 * v / len(sub), 1) for k, v in cells.items()}
            out[f"{cond}/{s}"] = pct
            print(f"{cond:<8}{s:<15}{pct['right']:>7.1f}{pct['acted']:>7.1f}"
                  f"{pct['right'] - pct['acted']:>7.1f}{pct['wrong_acted']:>13.1f}"
                  f"{pct['changed']:>9.1f}")
    return out


def open_questions(recs: Recognizers, voices: Voices) -> dict:
    """WER on open questions (clean, joe and slt): what the generative model gets to answer."""
    from assistant.asr.wer import wer

    pairs: dict[str, list[tuple[str, str]]] = {"grammar_first": [], "domain": [], "general": [],
                                                "whisper_free": [], "whisper": []}
    taken = whisper_took = 0
    for voice in ("joe", "slt"):
        for q in QUESTIONS:
            heard = recs.hear(read(voices.wav(voice, q)))
            taken += heard.grammar_first.source == "grammar"
            whisper_took += heard.whisper is not None and heard.whisper.source == "grammar"
            for name in pairs:
                t = getattr(heard, name)
                if t is not None:
                    pairs[name].append((q, t.text))
    res = {name: round(wer(p), 4) for name, p in pairs.items() if p}
    res["grammar_took"] = taken
    res["whisper_grammar_took"] = whisper_took
    res["n"] = 2 * len(QUESTIONS)
    print(f"\nopen questions (n={res['n']}, clean, joe+slt): WER "
          + ", ".join(f"{k} {v:.3f}" for k, v in res.items() if k in pairs)
          + f"; the grammar took {taken} of them (grammar-first), {whisper_took} (Whisper steered)")
    return res


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
