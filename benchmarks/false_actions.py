"""False actions on speech that is no command: grammar-first vs today's domain LM.

Over 30 minutes of audio, none of it a Hearth command: CLINC150 *test* queries of other domains
(banking, travel, cooking, ...) and its out-of-scope queries, paragraphs of plain English prose
(the licence texts Debian ships; the half the calibration did not use), and noise (pink noise,
babble). Speech rotates over every benchmark voice and the clean / varied / 20 / 10 dB SNR
conditions (``speech.py``; made once and cached). Each clip is one turn.

A turn is a false action when the real dialogue manager, given what the turn was understood as,
changes something: a list, timer, alarm, reminder, memory, volume, lights or a custom intent.
"Today" understands the domain LM's transcript as the loop did before grammar-first; "grammar
first" is the new recognizer's transcript, its understanding bounded by how well it was heard
(``understanding/hearing.py``), so a weakly heard command is asked about, not done.

Also, with no recognizer: every other-domain CLINC150 test query understood as typed, and how
many act (of those, how many as a custom command in other words, ``understanding/near.py``).

``--whisper`` adds Whisper tiny.en with the vocabulary prompt on the same clips, understood as
the loop does: as it writes freely (its confidence is not calibrated, so it bounds nothing), and
steered by the grammar (``asr/steer.py``, whose confidence is calibrated and bounds the
understanding).

Usage: .venv/bin/python benchmarks/false_actions.py [--minutes 30] [--whisper] [--json ...]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import Counter
from pathlib import Path

from tqdm import tqdm

sys.path.insert(0, str(Path(__file__).resolve().parent))

from hearing import ACTING, Meanings, Recognizers, household, non_commands, prose  # noqa: E402
from speech import VOICES, Voices, read  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
CONDITIONS = ("clean", "varied", "snr20", "snr10")


class Acting:
    """The real dialogue manager on a scratch database: did this understanding change state?"""

    def __init__(self, sentences) -> None:
        from hearing import NOW

        from assistant.dialogue.manager import DialogueManager
        from assistant.skills.registry import builtin_skills
        from assistant.store import Store

        self.custom = set(sentences.custom)
        self.dm = DialogueManager(Store(Path(tempfile.mkdtemp()) / "bench.db"),
                                  clock=lambda: NOW, skills=builtin_skills(sentences),
                                  plugins=False)

    def acts(self, u) -> bool:
        from assistant.dialogue.context import DialogueContext

        self.dm.context = DialogueContext()  # each turn on its own: no pending question carries
        reply = self.dm.respond(u)
        return (reply.intent in ACTING or reply.intent in self.custom) and reply.ok \
            and not reply.expects_answer


def turns(minutes: float, voices: Voices) -> list[dict]:
    """Clips until ``minutes`` of audio: 55% other-domain queries, 35% prose, 10% noise."""
    import random

    rng = random.Random(5)
    queries = non_commands("test", 2000, seed=5)
    paragraphs = prose(1, 400)
    out: list[dict] = []
    total = 0.0
    q = p = k = 0
    while total < minutes * 60:
        r = rng.random()
        voice = VOICES[k % len(VOICES)]
        cond = CONDITIONS[(k // len(VOICES)) % len(CONDITIONS)]
        k += 1
        if r < 0.10:
            kind = rng.choice(["pink", "babble"])
            n = int(rng.uniform(2, 6) * 16000)
            audio = voices.noise(kind, n, rng) // rng.choice([1, 2, 4])
            item = {"kind": f"noise:{kind}", "text": "", "voice": "", "cond": "noise", "audio": audio}
        elif r < 0.45 and p < len(paragraphs):
            item = {"kind": "prose", "text": paragraphs[p], "voice": voice, "cond": cond}
            p += 1
        else:
            item = {"kind": "query", "text": queries[q % len(queries)], "voice": voice, "cond": cond}
            q += 1
        if "audio" not in item:
            item["audio"] = read(voices.wav(item["voice"], item["text"], item["cond"]))
        total += len(item["audio"]) / 16000
        out.append(item)
    return out


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=30.0)
    ap.add_argument("--json", default=str(RESULTS / "false_actions.json"))
    ap.add_argument("--whisper", action="store_true", help="Whisper tiny.en too")
    args = ap.parse_args(argv)

    sentences = household()
    meanings = Meanings(sentences)
    recs = Recognizers(sentences, general=False, whisper=args.whisper)
    acting = Acting(sentences)
    for check in ("add milk to my shopping list", "set a timer for ten minutes"):
        assert acting.acts(meanings.understand(check)), f"the action check is broken: {check}"
    # typed turns act on a store of their own: nothing they add is seen by the audio turns
    typed = as_text(meanings, Acting(sentences))
    voices = Voices()
    clips = turns(args.minutes, voices)
    audio_s = sum(len(c["audio"]) for c in clips) / 16000
    rows = []
    for c in tqdm(clips, desc="non-command turns", unit="turn"):
        heard = recs.hear(c["audio"])
        row = {k: v for k, v in c.items() if k != "audio"}
        systems = [("today", heard.domain, 1.0),
                   ("grammar_first", heard.grammar_first, heard.grammar_first.confidence)]
        if heard.whisper is not None:
            # as the loop reads them: a free transcript's confidence is not calibrated, so it
            # bounds nothing; steering's is (``asr/steer.py``)
            systems += [("whisper_free", heard.whisper_free, 1.0),
                        ("whisper", heard.whisper, heard.whisper.confidence)]
        for name, t, conf in systems:
            u = meanings.understand(t.text, conf) if t.text.strip() else None
            row[name] = {"text": t.text, "intent": u.intent if u else "",
                         "acts": u is not None and acting.acts(u), "source": t.source}
        rows.append(row)
    report(rows, audio_s)
    print(f"as text, with no recognizer: {typed['acts']} of {typed['n']} CLINC150 test queries of "
          f"other domains acted ({typed['acts'] / typed['n']:.2%}); {typed['near']} were taken as "
          f"custom commands in other words: {typed['near_texts']}")
    for line in typed["acted"][:6]:
        print(f"   {line}")
    out = Path(args.json)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"audio_s": audio_s, "as_text": typed, "rows": rows}, indent=1))
    print(f"wrote {out}")
    return 0


def as_text(meanings: Meanings, acting: Acting) -> dict:
    """Every other-domain query of CLINC150's test split understood as typed (Home Assistant's
    text, ``assistant ask``): how many act, and how many of those ``understanding/near.py``
    took as a custom command in other words."""
    queries = non_commands("test", 100_000)
    acted = [(t, u) for t in tqdm(queries, desc="as text", unit="query")
             if acting.acts(u := meanings.understand(t))]
    near = [t for t, u in acted if u.source == "near"]
    return {"n": len(queries), "acts": len(acted), "near": len(near), "near_texts": near,
            "acted": [f"{t} -> {u.intent}" for t, u in acted]}


def report(rows: list[dict], audio_s: float) -> None:
    print(f"\n{len(rows)} turns, {audio_s / 60:.1f} minutes of audio that is no command")
    whisper = "whisper" in rows[0]
    print(f"{'kind':<14}{'turns':>6}{'today: false actions':>22}{'grammar-first':>15}{'by grammar':>12}"
          + (f"{'whisper free':>15}{'whisper':>15}" if whisper else ""))
    kinds = sorted({r["kind"].split(":")[0] for r in rows}) + ["all"]
    for kind in kinds:
        sub = [r for r in rows if kind == "all" or r["kind"].split(":")[0] == kind]
        a = sum(r["today"]["acts"] for r in sub)
        b = sum(r["grammar_first"]["acts"] for r in sub)
        g = sum(r["grammar_first"]["source"] == "grammar" for r in sub)
        w = [sum(r[n]["acts"] for r in sub) for n in ("whisper_free", "whisper")] if whisper else []
        print(f"{kind:<14}{len(sub):>6}{a:>10} ({a / len(sub):6.1%}){b:>7} ({b / len(sub):5.1%})"
              f"{g:>12}" + "".join(f"{x:>7} ({x / len(sub):5.1%})" for x in w))
    for name in ("today", "grammar_first", *(("whisper_free", "whisper") if whisper else ())):
        acts = Counter(r[name]["intent"] for r in rows if r[name]["acts"])
        print(f"{name} false actions by intent: {dict(acts.most_common())}")
        for r in [r for r in rows if r[name]["acts"]][:6]:
            print(f"   {r['text'][:60]!r} -> {r[name]['text'][:60]!r}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
