"""Calibrate Whisper's steering (``assistant/asr/steer.py``): when to take the command sentence
nearest to what Whisper wrote, and how far to trust what it wrote.

Calibration speech is apart from every reported test: voices no test uses (espeak-ng variants
that ``speech.VOICES`` does not hold), sentences *sampled from the built-in templates* (in the
grammar, and wildcard ones), and speech that is no command (CLINC150 *validation* queries of
other domains, the calibration half of the licence prose); each in a random condition (clean,
varied, 20/10/5 dB SNR), one in four said with a pause mid-sentence. And real people: 100 of
Asterisk's recorded prompts, from the half that ``real_speech.py`` does not report on (the
synthetic voices are all ones Whisper hears poorly; a person it hears surely, asking what no
command does, is what must not be turned into one).
The script asserts all three: no calibration voice is a test voice, no calibration sentence is a
test sentence of ``command_sets.py`` or a non-command that ``false_actions.py`` reports on, and
no recording is one ``real_speech.py`` reports on.

For each utterance it records the steering evidence (``steer.Evidence``: each proposal's
log-probability, its gap to Whisper's own transcript and margin over the other proposals, its
edit cost, how much of what Whisper wrote it leaves out, whether it holds free text, how
likely the speech ends where it does, Whisper's confidence) and fits three logistic models by
Newton's method:

* P(a proposal means what was said), on every proposal: ranks them;
* P(the likeliest proposal means what was said): the grammar sentence is taken at or above
  ``asr.grammar_threshold``, and offered (asked about) from ``asr.grammar_offer`` up to it;
* P(Whisper's own transcript means what was said): its confidence otherwise.

Prints the weights to paste into ``assistant/asr/steer.py`` and what they decide.

Usage: .venv/bin/python benchmarks/calibrate_whisper.py [--n 450] [--seed 2] [--refit]
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

import numpy as np
from tqdm import tqdm

sys.path.insert(0, str(Path(__file__).resolve().parent))

from calibrate_grammar import CONDITIONS, arguments, fit, save  # noqa: E402
from command_sets import BUILTIN, CUSTOM, parse  # noqa: E402
from hearing import Meanings, allison, feed, household, non_commands, prose  # noqa: E402
from speech import VOICES, Voices, pause_in, read  # noqa: E402

REAL = 100  # real recordings of speech that is no command (Asterisk's prompts, the half
# real_speech.py does not report on): clear speech that Whisper hears surely, as people speak
CAL_VOICES = ("espeak:en-us+m2", "espeak:en-us+f4", "espeak:en-gb-x-gbclan", "espeak:en-gb-x-gbcwmd",
              "espeak:en-us+michael", "espeak:en-gb+andy", "espeak:en-us+annie",
              "espeak:en-gb-x-rp+m4")


def calibration_set(n: int, seed: int) -> list[tuple[str, str]]:
    """(kind, sentence): "grammar" (a command the grammar holds without wildcards), "wildcard"
    (a command with a free-text slot) or "other" (no command)."""
    from assistant.asr.grammar import compile_grammar
    from assistant.sentences.load import builtin
    from assistant.sentences.sample import sample

    rng = random.Random(seed)
    dfa = compile_grammar(builtin())
    tests = test_sentences()
    pool = [s for s in sample(builtin(), 3, seed=seed + 200)
            if s.intent not in ("general_question", "out_of_scope") and s.text not in tests]
    gram = [s.text for s in pool if dfa.accepts(s.words)]
    wild = [s.text for s in pool if not dfa.accepts(s.words)]
    rng.shuffle(gram)
    rng.shuffle(wild)
    k = n // 3
    items = [("grammar", t) for t in gram[:k]] + [("wildcard", t) for t in wild[:k]]
    other = non_commands("val", k - k // 6, seed) + prose(0, k // 6)
    return items + [("other", t) for t in other]


def paused(text: str, rng: random.Random) -> str:
    """``text`` as said: a sentence of four words or more, one time in four, with a pause
    mid-sentence (``speech.pause_in``). People pause mid-command, and Whisper often ends its
    sentence at the pause: a proposal that stops there must not be taken for the command."""
    return pause_in(text, rng) if len(text.split()) >= 4 and rng.random() < 0.25 else text


def test_sentences() -> set[str]:
    """Every sentence a benchmark reports on: the commands of ``command_sets.py`` and the
    non-commands of ``false_actions.py``."""
    tests = {t for _, t in parse(BUILTIN)} | {t for _, t in parse(CUSTOM)}
    return tests | set(non_commands("test", 10_000)) | set(prose(1, 10_000))


def assert_apart(items: list[tuple[str, str]]) -> None:
    """Calibration shares no voice and no sentence with what the benchmarks report."""
    shared_voices = set(CAL_VOICES) & set(VOICES)
    assert not shared_voices, f"calibration voices are test voices: {shared_voices}"
    shared = {t for _, t in items} & test_sentences()
    assert not shared, f"{len(shared)} calibration sentences are test sentences: {sorted(shared)[:3]}"


# the way round the evidence must count for a proposal (``Evidence.features``): a costlier edit
# of what Whisper wrote, or one that leaves more of it out, never raises it, and a likelier end
# never lowers it (the gap counts twice in the decision, so its own weight may take either sign)
ROUND = {2: -1, 6: -1, 9: 1}


def main(argv: list[str]) -> int:
    args = arguments(argv, __doc__, 450, 2, "calibrate_whisper.json")
    if args.refit:
        report(json.loads(Path(args.json).read_text()))
        return 0

    from assistant.asr.vocabulary import Vocabulary
    from assistant.asr.whisper import from_config
    from assistant.audio.wav import read_wav
    from assistant.config import AsrConfig
    from assistant.values.written import spoken

    items = calibration_set(args.n, args.seed)
    assert_apart(items)
    real = allison(REAL, part=1)
    assert not {w for w, _ in real} & {w for w, _ in allison(0, part=0)}, "real speech is reported"
    sentences = household()
    meanings = Meanings(sentences)
    rec = from_config(AsrConfig(whisper_partials=False), Vocabulary(templates=sentences))
    voices = Voices()
    rng = random.Random(args.seed)
    rows = []
    heard = [(kind, text, rng.choice(CAL_VOICES), rng.choice(CONDITIONS)) for kind, text in items]
    heard += [("other", str(path), "allison", "clean") for path, _ in real]
    words = {str(path): spoken(text) for path, text in real}
    pauses = random.Random(args.seed + 1)  # apart, so the voices and conditions drawn stay
    for kind, text, voice, cond in tqdm(heard, desc="calibration", unit="utt"):
        said = text
        if voice == "allison":  # a real recording: its words are the sentence
            t = feed(rec, read_wav(Path(text)))
            text = said = words[text]
        else:
            said = paused(text, pauses)
            t = feed(rec, read(voices.wav(voice, said, cond)))
        choice = rec.choice
        truth = meanings.of(text)
        row = {"kind": kind, "text": text, "said": said, "voice": voice, "cond": cond,
               "heard": t.text, "written": rec.written, "free": None, "proposals": []}
        if choice is not None:  # something was heard: the decision had to be made
            row["free"] = choice.free
            row["evidence"] = as_json(choice.evidence)
            row["open_right"] = meanings.of(choice.free) == truth
            row["proposals"] = [{"text": p, "evidence": as_json(ev), "right": meanings.of(p) == truth}
                                for p, ev in choice.proposals]
        rows.append(row)
    return save(rows, Path(args.json), report)


def as_json(ev) -> dict:  # noqa: ANN001
    return {"gap": ev.gap if np.isfinite(ev.gap) else None, "words": ev.words,
            "cost": ev.cost if np.isfinite(ev.cost) else None, "avg_logprob": ev.avg_logprob,
            "no_speech": ev.no_speech, "exact": ev.exact,
            "logprob": ev.logprob if np.isfinite(ev.logprob) else None, "margin": ev.margin,
            "heard": ev.heard, "free_text": ev.free_text, "end": ev.end}


def report(rows: list[dict]) -> None:
    """Fit P(proposal right) on every proposal weighed (the ranking); per utterance, P(the
    likeliest proposal right) on the likeliest (the decision) and P(free transcript right) on
    the same evidence (its confidence)."""
    heard = [r for r in rows if r["free"] is not None]  # nothing heard: nothing to decide
    props = [p for r in heard for p in r["proposals"]]
    wr = fit(np.array([features(p) for p in props]), np.array([p["right"] for p in props], float),
             signs=ROUND)
    best = [max(r["proposals"], key=lambda p: np.array(features(p)) @ wr) if r["proposals"] else None
            for r in heard]
    tops = [b for b in best if b is not None]
    wg = fit(np.array([decision(b) for b in tops]), np.array([b["right"] for b in tops], float),
             signs=ROUND)
    xo = np.array([decision(b or {"evidence": r["evidence"]}) for r, b in zip(heard, best, strict=True)])
    yo = np.array([r["open_right"] for r in heard], float)
    wo = fit(xo, yo)
    for name, w in (("RANK", wr), ("GRAMMAR", wg), ("OPEN", wo)):
        print(f"{name}_WEIGHTS = {tuple(round(float(v), 4) for v in w)}")
    p_best = np.array([sigmoid(np.array(decision(b)) @ wg) if b else 0.0 for b in best])
    y_best = np.array([bool(b and b["right"]) for b in best], float)
    po = sigmoid(xo @ wo)
    kinds = np.array([r["kind"] for r in heard])
    oracle = np.array([r["open_right"] or any(p["right"] for p in r["proposals"]) for r in heard])
    print(f"\n{'kind':<10}{'n':>5}{'grammar taken':>15}{'...and right':>14}{'open right':>12}"
          f"{'steered right':>15}{'any right':>11}{'open conf<0.55':>16}")
    for kind in ("grammar", "wildcard", "other"):
        idx = kinds == kind
        taken = idx & (p_best >= 0.5)
        steered = np.where(p_best >= 0.5, y_best, yo)
        print(f"{kind:<10}{idx.sum():>5}{taken.sum() / idx.sum():>15.3f}"
              f"{y_best[taken].mean() if taken.any() else 0:>14.3f}{yo[idx].mean():>12.3f}"
              f"{steered[idx].mean():>15.3f}{oracle[idx].mean():>11.3f}{(po[idx] < 0.55).mean():>16.3f}")
    print("\nasr.grammar_threshold: what other thresholds would do (calibration set)")
    print(f"{'threshold':>10}{'commands right':>16}{'right when taken':>18}{'other taken':>13}")
    cmd = kinds != "other"
    for th in (0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8):
        t = p_best >= th
        print(f"{th:>10.1f}{np.where(t, y_best, yo)[cmd].mean():>16.3f}"
              f"{y_best[t].mean() if t.any() else 0:>18.3f}{t[kinds == 'other'].mean():>13.3f}")
    from assistant.asr.grammar import compile_grammar
    from assistant.asr.steer import Steering
    from assistant.config import AsrConfig

    th = AsrConfig().grammar_threshold
    steering = Steering(compile_grammar(household()))
    offerable = np.array([bool(b) and steering.offerable(b["text"], r["free"])
                          for r, b in zip(heard, best, strict=True)])
    print(f"\nasr.grammar_offer: the likeliest sentence, a command with no free text that Whisper "
          f"did not write, offered from it up to {th} (calibration set)")
    print(f"{'offer':>10}{'commands there':>16}{'offered right':>15}{'written right':>15}"
          f"{'other there':>13}")
    for lo in (0.2, 0.3, 0.4, 0.5):
        band = (p_best >= lo) & (p_best < th) & offerable
        there = band & cmd
        print(f"{lo:>10.1f}{there.sum() / cmd.sum():>16.3f}"
              f"{y_best[there].mean() if there.any() else 0:>15.3f}"
              f"{yo[there].mean() if there.any() else 0:>15.3f}{band[~cmd].mean():>13.3f}")


def evidence(proposal: dict):  # noqa: ANN201
    from assistant.asr.steer import Evidence

    e = proposal["evidence"]
    return Evidence(**{**e, "gap": -np.inf if e["gap"] is None else e["gap"],
                       "cost": np.inf if e["cost"] is None else e["cost"],
                       "logprob": -np.inf if e.get("logprob") is None else e["logprob"]})


def features(proposal: dict) -> tuple[float, ...]:
    return evidence(proposal).features()


def decision(proposal: dict) -> tuple[float, ...]:
    return evidence(proposal).decision()


def sigmoid(z: np.ndarray | float) -> np.ndarray | float:
    return 1 / (1 + np.exp(-z))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
