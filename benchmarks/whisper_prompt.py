"""Which initial prompt steers Whisper best: command accuracy (intent and every slot right, as
in ``asr.py``, same sentences, voices and conditions) for prompts of different sizes and kinds,
all decoded by one shared model on the same audio.

Variants: no prompt; the vocabulary list (``asr/whisper.py:prompt_words``) cut to 40 / 120
tokens; the 120-token list after a few command sentences sampled from the templates.

Usage: .venv/bin/python benchmarks/whisper_prompt.py [--limit 60] [--conditions clean,snr10]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from asr import items  # noqa: E402
from hearing import Meanings, feed, household  # noqa: E402
from speech import VOICES, Voices, read  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"


def variants(sentences) -> dict:
    from assistant.asr.vocabulary import Vocabulary
    from assistant.asr.whisper import WhisperRecognizer, build_prompt, from_config
    from assistant.asr.whisper_decode import WhisperDecoder
    from assistant.config import AsrConfig
    from assistant.sentences.sample import sample

    base = from_config(AsrConfig(whisper_prompt_tokens=120, whisper_partials=False),
                       Vocabulary(templates=sentences))
    model = base.decoder.model

    def count(s: str) -> int:
        return len(model.hf_tokenizer.encode(" " + s, add_special_tokens=False).ids)

    from assistant.asr.whisper import prompt_words

    words = prompt_words(sentences)
    examples = [s.text for s in sample(sentences, 1, seed=3)][::40][:4]
    with_examples = ". ".join(e.capitalize() for e in examples) + ". " + base.decoder.prompt
    out = {"none": "", "list40": build_prompt(words, count, 40),
           "list120": base.decoder.prompt, "examples+list120": with_examples}
    return {k: WhisperRecognizer(WhisperDecoder(model, base.decoder.steps, p)) for k, p in out.items()}, \
        {k: count(p) if p else 0 for k, p in out.items()}


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, default=60)
    ap.add_argument("--conditions", default="clean,snr10")
    ap.add_argument("--json", default=str(RESULTS / "whisper_prompt.json"))
    args = ap.parse_args(argv)
    sentences = household()
    meanings = Meanings(sentences)
    recs, tokens = variants(sentences)
    voices = Voices()
    tests = items(args.limit)
    rows = []
    for ci, cond in enumerate(c for c in args.conditions.split(",") if c):
        for k, (group, intent, text) in enumerate(tests):
            voice = VOICES[(k + 3 * ci) % len(VOICES)]
            audio = read(voices.wav(voice, text, cond))
            truth = meanings.of(text)
            covered = truth[0] == intent
            row = {"group": group, "cond": cond, "text": text}
            for name, rec in recs.items():
                got = feed(rec, audio).text
                row[name] = {"text": got, "written": rec.written,
                             "right": covered and meanings.of(got) == truth}
            rows.append(row)
    print(f"{'prompt':<18}{'tokens':>7}" + "".join(f"{g + '/' + c:>16}" for g in ("builtin", "custom")
                                               for c in args.conditions.split(",")))
    table = {}
    for name in recs:
        cells = []
        for g in ("builtin", "custom"):
            for c in args.conditions.split(","):
                sub = [r for r in rows if r["group"] == g and r["cond"] == c]
                acc = sum(r[name]["right"] for r in sub) / len(sub) if sub else float("nan")
                table[f"{name}/{g}/{c}"] = round(acc, 4)
                cells.append(f"{acc:>16.3f}")
        print(f"{name:<18}{tokens[name]:>7}" + "".join(cells))
    for name, rec in recs.items():
        print(f"{name}: {rec.decoder.prompt!r}")
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps({"table": table, "tokens": tokens,
                                           "prompts": {k: r.decoder.prompt for k, r in recs.items()},
                                           "rows": rows}, indent=1))
    print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
