"""The hand-written kitchen set (``benchmarks/data/kitchen.tsv``): what the sentence templates
already accept, and what is verbatim in the NLU's training data.

A sentence the templates accept is understood at run time before the model sees it, so a
figure on it partly measures the templates' recall; ``benchmarks/nlu.py`` reports the kitchen
figures separately for sentences the templates cover and those they do not. A sentence that is
verbatim in the training data measures memory, not generalization, and is left out.

    python benchmarks/kitchen.py [--data DIR] [--quiet]

prints the counts (per style, per intent), every sentence the templates accept (with the intent
they give it, flagged when it is not the sentence's intent) and every verbatim duplicate.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.training.datasets import Example, load_annotated  # noqa: E402

KITCHEN = ROOT / "benchmarks" / "data" / "kitchen.tsv"
TERSE = "terse"


def load(path: Path = KITCHEN) -> list[Example]:
    """The kitchen set; an example's ``native`` is its style (terse, plain, ...)."""
    return load_annotated(path, "kitchen")


def template_intents(examples: Sequence[Example]) -> list[str | None]:
    """Per example, the intent the built-in templates match it to (None: no template accepts
    it), exactly as the assistant's ``TemplateMatcher`` runs before the NLU model."""
    from assistant.sentences.load import builtin
    from assistant.understanding.templates import TemplateMatcher

    matcher = TemplateMatcher(builtin())
    out = []
    for e in examples:
        found = matcher.match(e.text)
        out.append(found.intent if found else None)
    return out


def verbatim(examples: Sequence[Example], train_texts: Iterable[str]) -> list[bool]:
    """Per example, whether its text is verbatim in the training texts."""
    seen = set(train_texts)
    return [e.text in seen for e in examples]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", help="data folder (default: $HEARTH_DATA or ../shared/data)")
    ap.add_argument("--file", default=str(KITCHEN))
    ap.add_argument("--quiet", action="store_true", help="counts only, no sentence lists")
    args = ap.parse_args(argv)
    from assistant.training import train

    examples = load(Path(args.file))
    matched = template_intents(examples)
    dup = verbatim(examples, (e.text for e in train.load_base_dataset(args.data).train))
    styles = Counter(e.native for e in examples)
    intents = Counter(e.intent for e in examples)
    print(f"{len(examples)} sentences; styles: "
          + ", ".join(f"{k} {v}" for k, v in styles.most_common()))
    print("intents: " + ", ".join(f"{k} {v}" for k, v in intents.most_common()))
    print(f"accepted by the templates: {sum(m is not None for m in matched)} "
          f"({sum(m is not None and m != e.intent for m, e in zip(matched, examples, strict=True))}"
          " to another intent)")
    print(f"verbatim in the NLU training data: {sum(dup)}")
    if not args.quiet:
        print("\n# accepted by the templates (intent they give; ! = not the sentence's intent)")
        for m, e in zip(matched, examples, strict=True):
            if m is not None:
                print(f"{'!' if m != e.intent else ' '} {e.intent}\t{m}\t{e.text}")
        print("\n# verbatim in the NLU training data")
        for d, e in zip(dup, examples, strict=True):
            if d:
                print(f"  {e.intent}\t{e.text}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
