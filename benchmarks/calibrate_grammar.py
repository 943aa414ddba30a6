"""Calibrate the grammar-first decision rule: when to take the grammar's sentence, and how far
to trust the open model's transcript.

Calibration speech is apart from every test set: sentences *sampled from the built-in templates*
(in the grammar, and wildcard ones the open model must hear), and speech that is no command
(CLINC150 *validation* queries of other domains, the other half of the licence prose, noise),
each in a random voice and condition (clean, varied, 20/10/5 dB SNR). For each utterance the
three searches' per-frame acoustic scores are recorded (``asr/grammar_first.Evidence``), and
two logistic models are fitted by Newton's method:

* P(the grammar's sentence means what was said) from the grammar's and the open path's gaps
  to the phone loop and whether the two searches agree; the grammar is taken above 0.5;
* P(the open transcript means what was said) from the same evidence: the transcript's
  confidence, which the dialogue compares with ``confirm_below`` before acting.

Prints the weights to paste into ``assistant/asr/grammar_first.py`` and what they decide.

Usage: .venv/bin/python benchmarks/calibrate_grammar.py [--n 300] [--seed 1] [--refit]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import random
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
from tqdm import tqdm

sys.path.insert(0, str(Path(__file__).resolve().parent))

from hearing import Meanings, Recognizers, non_commands, prose  # noqa: E402
from speech import VOICES, Voices, read  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
CONDITIONS = ("clean", "varied", "snr20", "snr10", "snr5")
WILDCARD = ("list_add", "list_remove", "reminder_set", "memory_remember", "memory_recall",
            "memory_forget", "play_music", "general_question")


def calibration_set(n: int, seed: int) -> list[tuple[str, str]]:
    """(kind, sentence): kind "grammar" (the grammar holds it), "wildcard" (a command only the
    open model can hear) or "other" (no command)."""
    from assistant.asr.grammar import compile_grammar
    from assistant.sentences.load import builtin
    from assistant.sentences.sample import sample

    rng = random.Random(seed)
    dfa = compile_grammar(builtin())
    pool = [s for s in sample(builtin(), 3, seed=seed + 100)
            if s.intent not in ("general_question", "out_of_scope")]
    gram = [s.text for s in pool if dfa.accepts(s.words)]
    wild = [s.text for s in pool if not dfa.accepts(s.words)]
    rng.shuffle(gram)
    rng.shuffle(wild)
    k = n // 3
    items = [("grammar", t) for t in gram[:k]] + [("wildcard", t) for t in wild[: k // 2]]
    other = non_commands("val", k - k // 6, seed) + prose(0, k // 6)
    return items + [("other", t) for t in other]


def fit(x: np.ndarray, y: np.ndarray, l2: float = 1e-2,
        signs: dict[int, int] | None = None) -> np.ndarray:
    """Logistic regression by Newton's method (a few features, a few hundred rows).

    ``signs``: feature index -> the sign its weight must have (+1 or -1). A weight fitted the
    wrong way round (a feature tied to others, whose own effect the data cannot tell) is pinned
    at 0 and the rest fitted again, so a proposal further from what was heard is never
    *likelier* for it."""
    free = list(range(x.shape[1]))
    while True:
        w = np.zeros(x.shape[1])
        w[free] = _newton(x[:, free], y, l2)
        wrong = [i for i, sign in (signs or {}).items() if i in free and w[i] * sign < 0]
        if not wrong:
            return w
        free = [i for i in free if i not in wrong]


def _newton(x: np.ndarray, y: np.ndarray, l2: float) -> np.ndarray:
    w = np.zeros(x.shape[1])
    for _ in range(50):
        p = 1 / (1 + np.exp(-(x @ w)))
        grad = x.T @ (p - y) + l2 * w
        hess = (x.T * (p * (1 - p))) @ x + l2 * np.eye(len(w))
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w


def arguments(argv: list[str], doc: str, n: int, seed: int, name: str) -> argparse.Namespace:
    """A calibration script's options: how many utterances, the seed, where the evidence goes
    and ``--refit`` (fit again on recorded evidence, no decoding)."""
    ap = argparse.ArgumentParser(description=doc.splitlines()[0])
    ap.add_argument("--n", type=int, default=n)
    ap.add_argument("--seed", type=int, default=seed)
    ap.add_argument("--json", default=str(RESULTS / name))
    ap.add_argument("--refit", action="store_true",
                    help="fit again on the recorded evidence in --json (no decoding)")
    return ap.parse_args(argv)


def save(rows: list[dict], out: Path, report: Callable[[list[dict]], None]) -> int:
    """Keep the evidence (for ``--refit``), then fit and print."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(rows, indent=1))
    report(rows)
    print(f"wrote {out}")
    return 0


def main(argv: list[str]) -> int:
    args = arguments(argv, __doc__, 300, 1, "calibrate_grammar.json")
    if args.refit:
        report(json.loads(Path(args.json).read_text()))
        return 0

    from assistant.sentences.load import builtin

    sentences = builtin()
    meanings = Meanings(sentences)
    recs = Recognizers(sentences, general=False)
    voices = Voices()
    rng = random.Random(args.seed)
    rows = []
    for kind, text in tqdm(calibration_set(args.n, args.seed), desc="calibration", unit="utt"):
        voice, cond = rng.choice(VOICES), rng.choice(CONDITIONS)
        heard = recs.hear(read(voices.wav(voice, text, cond)))
        truth = meanings.of(text)
        ev = heard.evidence
        rows.append({"kind": kind, "text": text, "voice": voice, "cond": cond,
                     "grammar": heard.grammar.text, "open": heard.domain.text,
                     "evidence": dataclasses.asdict(ev),
                     "grammar_right": bool(heard.grammar.text) and meanings.of(heard.grammar.text) == truth,
                     "open_right": bool(heard.domain.text) and meanings.of(heard.domain.text) == truth})
    return save(rows, Path(args.json), report)


def evidence(row: dict):
    from assistant.asr.grammar_first import Evidence
    from assistant.asr.sphinx_backend import BestPath

    e = dict(row["evidence"])
    for k in ("grammar", "open", "free"):
        e[k] = BestPath(**{**e[k], "words": tuple(e[k]["words"])}) if e[k] else None
    return Evidence(**e)


def report(rows: list[dict]) -> None:
    x = np.array([evidence(r).features() for r in rows])
    yg = np.array([r["grammar_right"] for r in rows], float)
    yo = np.array([r["open_right"] for r in rows], float)
    wg, wo = fit(x, yg), fit(x, yo)
    print(f"\nGRAMMAR_WEIGHTS = {tuple(round(float(v), 4) for v in wg)}")
    print(f"OPEN_WEIGHTS = {tuple(round(float(v), 4) for v in wo)}")
    pg = 1 / (1 + np.exp(-(x @ wg)))
    po = 1 / (1 + np.exp(-(x @ wo)))
    print(f"\n{'kind':<10}{'n':>5}{'grammar taken':>15}{'...and right':>14}{'open right':>12}"
          f"{'open conf<0.55':>16}")
    for kind in ("grammar", "wildcard", "other"):
        idx = [i for i, r in enumerate(rows) if r["kind"] == kind]
        taken = [i for i in idx if pg[i] >= 0.5]
        print(f"{kind:<10}{len(idx):>5}{len(taken) / len(idx):>15.3f}"
              f"{sum(yg[i] for i in taken) / max(1, len(taken)):>14.3f}"
              f"{sum(yo[i] for i in idx) / len(idx):>12.3f}"
              f"{sum(po[i] < 0.55 for i in idx) / len(idx):>16.3f}")
    kinds = np.array([r["kind"] for r in rows])
    print("\nasr.grammar_threshold: what other thresholds would do (calibration set)")
    print(f"{'threshold':>10}{'grammar kind taken':>20}{'right when taken':>18}"
          f"{'grammar kind right':>20}{'wildcard taken':>16}{'other taken':>13}")
    for th in (0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8):
        t = pg >= th
        g = kinds == "grammar"
        print(f"{th:>10.1f}{t[g].mean():>20.3f}{yg[t & g].mean() if (t & g).any() else 0:>18.3f}"
              f"{np.where(t, yg, yo)[g].mean():>20.3f}{t[kinds == 'wildcard'].mean():>16.3f}"
              f"{t[kinds == 'other'].mean():>13.3f}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
