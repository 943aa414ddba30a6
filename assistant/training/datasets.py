"""Readers for the three public intent data sets in ``shared/data`` (native labels, no mapping).

Each utterance becomes an :class:`Example` with words split the way the runtime splits them
(``text.split_words``; SNIPS keeps its own tokens so its BIO tags stay aligned). HWU64's inline
``[slot : value]`` annotations become BIO tags. Mapping onto Hearth's intents is ``mapping.py``.
"""

from __future__ import annotations

import csv
import json
import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from assistant.errors import HearthError
from assistant.understanding.text import split_words

REPO_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Example:
    """One utterance: words, intent, BIO tags (None = no slot labels), and where it came from."""

    words: tuple[str, ...]
    intent: str
    tags: tuple[str, ...] | None = None
    source: str = ""
    native: str = ""  # the data set's own intent
    native_tags: tuple[str, ...] | None = None  # the data set's own BIO tags

    @property
    def text(self) -> str:
        return " ".join(self.words)


@dataclass
class Splits:
    """train / val / test lists of examples."""

    train: list[Example] = field(default_factory=list)
    val: list[Example] = field(default_factory=list)
    test: list[Example] = field(default_factory=list)


def data_dir(override: str | Path | None = None) -> Path:
    """The data folder: the argument, else ``$HEARTH_DATA``, else ``../shared/data`` from the repo."""
    d = Path(override or os.environ.get("HEARTH_DATA") or REPO_ROOT.parent / "shared" / "data")
    if not d.is_dir():
        raise HearthError(f"training data not found at {d} (set HEARTH_DATA or pass --data)")
    return d


_SLOT = re.compile(r"\[\s*([a-z_]+)\s*:\s*([^\[\]]*?)\s*\]")


def parse_annotation(annotated: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """``"wake me at [time : six]"`` -> words and BIO tags (``B-time``); bad brackets -> all O."""
    words: list[str] = []
    tags: list[str] = []
    pos = 0
    for m in _SLOT.finditer(annotated):
        outside = split_words(annotated[pos:m.start()]).words
        words += outside
        tags += ["O"] * len(outside)
        value = split_words(m.group(2)).words
        words += value
        tags += [("B-" if i == 0 else "I-") + m.group(1) for i in range(len(value))]
        pos = m.end()
    rest = annotated[pos:]
    if "[" in rest or "]" in rest:
        plain = split_words(re.sub(r"\[\s*[a-z_]+\s*:|\]", " ", annotated)).words
        return plain, ("O",) * len(plain)
    tail = split_words(rest).words
    return tuple(words + list(tail)), tuple(tags + ["O"] * len(tail))


def _hwu_file(path: Path) -> list[Example]:
    out = []
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.reader(f, delimiter=";"):
            if len(row) < 5 or row[0] == "answerid":
                continue
            words, tags = parse_annotation(row[3].lower())
            if not words:
                continue
            native = f"{row[1]}_{row[2]}"
            out.append(Example(words, native, None, "hwu64", native, tags))
    return out


def load_hwu64(root: Path) -> Splits:
    """HWU64 fold 1: train and test (no val split: callers hold out part of train)."""
    base = root / "hwu64"
    return Splits(
        train=[e for p in sorted((base / "train").glob("*.csv")) for e in _hwu_file(p)],
        test=[e for p in sorted((base / "test").glob("*.csv")) for e in _hwu_file(p)],
    )


def load_clinc150(root: Path) -> Splits:
    """CLINC150 full: the oos_* splits are labeled ``oos``."""
    data = json.loads((root / "clinc150" / "data_full.json").read_text(encoding="utf-8"))

    def conv(rows: list[list[str]]) -> list[Example]:
        out = []
        for text, intent in rows:
            words = split_words(text).words
            out.append(Example(words, intent, None, "clinc150", intent))
        return out

    return Splits(
        train=conv(data["train"] + data["oos_train"]),
        val=conv(data["val"] + data["oos_val"]),
        test=conv(data["test"] + data["oos_test"]),
    )


def load_snips(root: Path) -> Splits:
    """SNIPS standard split with its BIO tags; SNIPS tokens are kept as they are (lower-cased)."""
    base = root / "snips"

    def read(split: str) -> list[Example]:
        d = base / split
        words = (d / "seq.in").read_text(encoding="utf-8").splitlines()
        tags = (d / "seq.out").read_text(encoding="utf-8").splitlines()
        labels = (d / "label").read_text(encoding="utf-8").splitlines()
        out = []
        for w, t, lab in zip(words, tags, labels, strict=True):
            ws, ts = tuple(w.lower().split()), tuple(t.split())
            if len(ws) != len(ts) or not ws:
                continue
            out.append(Example(ws, lab, None, "snips", lab, ts))
        return out

    return Splits(train=read("train"), val=read("dev"), test=read("test"))


def with_intent(e: Example, intent: str, tags: tuple[str, ...] | None) -> Example:
    return replace(e, intent=intent, tags=tags)


def load_annotated(path: Path, source: str) -> list[Example]:
    """A hand-labelled file: ``intent <TAB> style <TAB> words with [slot : value] marks`` per
    line, ``#`` comments; ``native`` holds the style (terse, rambling, ...)."""
    out = []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != 3:
            raise HearthError(f"{path}:{n}: need intent, style and text separated by tabs")
        words, tags = parse_annotation(parts[2].lower())
        out.append(Example(words, parts[0], tags, source, parts[1], tags))
    return out
