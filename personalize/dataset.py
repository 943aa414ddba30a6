"""From the dialogue history to labelled examples for the nightly fine-tune.

Labels, strongest first: an explicit correction ("no, I meant ..."); the intent of a successful
rephrase that followed a failed or negated turn, and the understanding of an unsure turn the user
said yes to ("did you mean ...?" - "yes"); the model's own answer on a confident turn that drew no
complaint. Turns that were complained about without saying what was meant teach
nothing and are only counted. Slots of a rephrase are carried over to the words of the failed
turn by aligning the two sentences ("living room" in the rephrase <- "den" in the original),
which is also how the household's own words for things are found.
"""

from __future__ import annotations

import zlib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from difflib import SequenceMatcher
from typing import Any

from assistant.events import Understanding
from assistant.history import feedback as fb
from assistant.understanding.intents import REQUIRED_SLOTS
from assistant.understanding.text import split_words

POSITIVE_CONFIDENCE = 0.8  # an uncontested turn this sure of itself is a positive example
HOLDOUT_EVERY = 5  # one unique text in five is held out to judge the new model
MAX_SPAN_GROWTH = 3  # an aligned slot may be this many words longer than its source

CORRECTION, REPHRASE, COMPLETED, CONFIRMED, POSITIVE = (
    "correction", "rephrase", "completed", "confirmed", "positive")
PRIORITY = {CORRECTION: 3, REPHRASE: 2, COMPLETED: 2, CONFIRMED: 2, POSITIVE: 1}
REACTION_KINDS = frozenset({fb.NEGATED, fb.CORRECTED, fb.STOPPED, fb.CANCELLED, fb.THANKED,
                            fb.ANSWERED, fb.CONFIRMED})

Span = tuple[str, int, int]  # slot name, first word, end word (exclusive)
Parse = Callable[[str], Understanding]


@dataclass
class Example:
    """One unique utterance with its label. ``slots`` None: the slot labels are unknown."""

    text: str
    intent: str
    slots: list[Span] | None
    source: str
    count: int = 1
    values: dict[str, str] = field(default_factory=dict)  # slot name -> meant value

    def slot_texts(self) -> dict[str, str]:
        words = self.text.split()
        return {n: " ".join(words[s:e]) for n, s, e in self.slots or []}


@dataclass
class TrainingSet:
    """Train and held-out examples plus how many turns each rule labelled."""

    train: list[Example]
    holdout: list[Example]
    counts: dict[str, int]

    def to_json(self) -> dict[str, Any]:
        return {"train": [asdict(e) for e in self.train],
                "holdout": [asdict(e) for e in self.holdout], "counts": self.counts}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> TrainingSet:
        def ex(e: dict[str, Any]) -> Example:
            slots = None if e["slots"] is None else [tuple(s) for s in e["slots"]]
            return Example(**{**e, "slots": slots})

        return cls([ex(e) for e in d["train"]], [ex(e) for e in d["holdout"]], d["counts"])

    @property
    def all(self) -> list[Example]:
        return self.train + self.holdout


def _own_spans(turn: dict[str, Any]) -> list[Span]:
    """The turn's slots as word spans of its normalized text."""
    words = split_words(turn["asr_text"]).words
    out: list[Span] = []
    for s in turn["slots"]:
        start, end = s.get("start", -1), s.get("end", -1)
        if not (0 <= start < end <= len(words)):
            found = _find(words, split_words(s.get("text", "")).words)
            if found is None:
                continue
            start, end = found
        out.append((s["name"], start, end))
    return out


def _find(words: tuple[str, ...], part: tuple[str, ...]) -> tuple[int, int] | None:
    n = len(part)
    if not n:
        return None
    for i in range(len(words) - n + 1):
        if words[i:i + n] == part:
            return i, i + n
    return None


_DETERMINERS = frozenset({"the", "my", "a", "an", "our", "your", "this", "that"})
# words that a replaced span may drag along at its edges but that are never the slot
_EDGE_FILLERS = _DETERMINERS | {"please", "now", "then", "thanks", "again", "for", "me", "in", "on"}


def _match_form(words: tuple[str, ...]) -> list[str]:
    """Words for matching: determiners are interchangeable ("my list" ~ "the list")."""
    return ["the" if w in _DETERMINERS else w for w in words]


def align_slots(src_words: tuple[str, ...], src_slots: list[Span],
                dst_words: tuple[str, ...]) -> list[Span] | None:
    """Carry slot spans from one wording to another; None when the mapping is ambiguous.

    Replaced words map to their replacement ("the living room" -> "the den"); a slot whose
    words were dropped is absent in ``dst`` unless ``dst`` has extra words that could be it.
    """
    ops = SequenceMatcher(None, _match_form(src_words), _match_form(dst_words),
                          autojunk=False).get_opcodes()
    extra_words = any(t == "insert" or (t == "replace" and j2 - j1 > i2 - i1)
                      for t, i1, i2, j1, j2 in ops)
    out: list[Span] = []
    for name, s, e in src_slots:
        hits: list[int] = []
        for tag, i1, i2, j1, j2 in ops:
            if i2 <= s or i1 >= e:
                continue
            if tag == "equal":
                hits += [j1 + (i - i1) for i in range(max(s, i1), min(e, i2))]
            elif tag == "replace":
                if i1 < s or i2 > e:
                    return None  # the replaced words are part slot, part not
                hits += list(range(j1, j2))
        if not hits:
            if extra_words or _gap(ops, s, e):
                return None
            continue
        a, b = min(hits), max(hits) + 1
        while b - a > 1 and dst_words[a] in _EDGE_FILLERS and dst_words[a] != src_words[s]:
            a += 1
        while b - a > 1 and dst_words[b - 1] in _EDGE_FILLERS and dst_words[b - 1] != src_words[e - 1]:
            b -= 1
        if b - a > (e - s) + MAX_SPAN_GROWTH or any(a < y and x < b for _, x, y in out):
            return None
        out.append((name, a, b))
    return out


def _gap(ops: list[tuple[str, int, int, int, int]], s: int, e: int) -> bool:
    """Are there ``dst`` words between the matched neighbours of the dropped span [s, e)?"""
    left, right = 0, None
    for tag, i1, i2, j1, j2 in ops:
        if tag != "equal":
            continue
        if i2 <= s:
            left = j2
        elif i1 >= e and right is None:
            right = j1
    return right is not None and right > left


def _carry(src_words: tuple[str, ...], src_spans: list[Span],
           words: tuple[str, ...]) -> tuple[list[Span] | None, dict[str, str]]:
    """Slots of another wording carried onto ``words``, and the values meant where they differ."""
    spans = align_slots(src_words, src_spans, words)
    meant = {n: " ".join(src_words[a:b]) for n, a, b in src_spans}
    values = {name: meant[name] for name, a, b in spans or []
              if name in meant and meant[name] != " ".join(words[a:b])}
    return spans, values


Label = tuple[str, str, list[Span] | None, dict[str, str]]  # source, intent, spans, values


def _correction(turn: dict[str, Any], f: dict[str, Any], by_id: dict[int, dict[str, Any]],
                parse: Parse | None) -> Label | None:
    """Label from "no, I meant ...": a whole request, or just the slot value that was wrong."""
    words = split_words(turn["asr_text"]).words
    d = f["detail"]
    src = by_id.get(f["source_turn_id"] or -1)
    if d.get("intent") and src is not None:
        return (CORRECTION, d["intent"],
                *_carry(split_words(src["asr_text"]).words, _own_spans(src), words))
    meant = split_words(d.get("text", "")).words
    if parse is not None and len(meant) >= 2:
        u = parse(" ".join(meant))
        if u.intent not in fb.NOT_A_REQUEST and u.confidence >= POSITIVE_CONFIDENCE:
            spans = _own_spans({"asr_text": " ".join(meant), "slots": [asdict(x) for x in u.slots]})
            return (CORRECTION, u.intent, *_carry(meant, spans, words))
    if meant and turn["intent"] and turn["intent"] not in fb.NOT_A_REQUEST:
        # "no, I meant the kitchen": the intent was right, one slot value was not.
        own = _own_spans(turn)
        if len(own) == 1:
            return CORRECTION, turn["intent"], own, {own[0][0]: _strip_article(" ".join(meant))}
        return CORRECTION, turn["intent"], None, {}
    return None


def _label(turn: dict[str, Any], by_id: dict[int, dict[str, Any]], complained: set[int],
           parse: Parse | None = None) -> Label | None:
    """(source, intent, spans, values) for one turn, or None when it teaches nothing.

    Spans that lack a slot the intent requires are incomplete (the model missed the item,
    the rephrase too), so they are marked unknown rather than taught as "no slot here".
    """
    lab = _raw_label(turn, by_id, complained, parse)
    if lab is None or lab[2] is None:
        return lab
    have = {name for name, _, _ in lab[2]}
    if any(n not in have for n in REQUIRED_SLOTS.get(lab[1], ())):
        return lab[0], lab[1], None, lab[3]
    return lab


def _raw_label(turn: dict[str, Any], by_id: dict[int, dict[str, Any]], complained: set[int],
               parse: Parse | None) -> Label | None:
    words = split_words(turn["asr_text"]).words
    corr = [f for f in turn["feedback"] if f["kind"] == fb.CORRECTED]
    if corr:
        return _correction(turn, corr[-1], by_id, parse)
    retries = [f for f in turn["feedback"] if f["kind"] in (fb.REPHRASED, fb.REPEATED)]
    for f in reversed(retries):
        src = by_id.get(f["source_turn_id"] or -1)
        if src is not None and _succeeded(src, complained):
            return (REPHRASE, src["intent"],
                    *_carry(split_words(src["asr_text"]).words, _own_spans(src), words))
    if turn["id"] in complained:
        return None
    answers = [f for f in turn["feedback"] if f["kind"] == fb.ANSWERED]
    if answers and turn["intent"]:
        # "what should I add?" - "gran's tablets": the answer's words in the request are the slot
        d = answers[-1]["detail"]
        own = _own_spans(turn)
        said = split_words(_strip_article(" ".join(split_words(d.get("text", "")).words))).words
        found = _find(words, said)
        if found and not any(found[0] < b and a < found[1] for _, a, b in own):
            return COMPLETED, turn["intent"], sorted([*own, (d["slot"], *found)], key=lambda x: x[1]), {}
        return None
    if any(f["kind"] == fb.CONFIRMED for f in turn["feedback"]) and turn["intent"] \
            and turn["intent"] not in fb.NOT_A_REQUEST:  # unsure, but the user said yes
        return CONFIRMED, turn["intent"], _own_spans(turn), {}
    if _succeeded(turn, complained):
        return POSITIVE, turn["intent"], _own_spans(turn), {}
    return None


def _strip_article(text: str) -> str:
    words = text.split()
    while words and words[0] in ("the", "a", "an", "my", "our"):
        words = words[1:]
    return " ".join(words)


def _succeeded(turn: dict[str, Any], complained: set[int]) -> bool:
    # Not ``reply_ok``: "I can't reach the lights" is a skill failing, not a misunderstanding;
    # the user not complaining is what says the understanding was right.
    return (
        bool(turn["intent"]) and turn["intent"] != "out_of_scope"
        and (turn["intent_confidence"] or 0.0) >= POSITIVE_CONFIDENCE
        and turn["id"] not in complained
    )


def build(turns: Iterable[dict[str, Any]], parse: Parse | None = None) -> TrainingSet:
    """Label history turns (dicts from ``assistant.history.store.turns``) and split them.

    ``parse`` (the live understander) reads corrections the recorder could not ("no, I meant
    cancel the timer" heard as a plain "no").
    """
    turns = list(turns)
    by_id = {t["id"]: t for t in turns}
    complained = {t["id"] for t in turns if {f["kind"] for f in t["feedback"]} & fb.NEGATIVE_KINDS}
    # "no", "thanks", "no I meant ..." and answers ("gran's tablets") react to another turn;
    # what the model made of them on their own teaches nothing
    reactions = {f["source_turn_id"] for t in turns for f in t["feedback"]
                 if f["kind"] in REACTION_KINDS}
    counts: Counter[str] = Counter(turns=len(turns))
    groups: dict[str, list[Label]] = defaultdict(list)
    for t in turns:
        text = split_words(t["asr_text"]).text
        if not text:
            counts["empty"] += 1
            continue
        if t["id"] in reactions:
            counts["reactions"] += 1
            continue
        lab = _label(t, by_id, complained, parse)
        if lab is None:
            kinds = {f["kind"] for f in t["feedback"]}
            counts["complained_unlabelled" if kinds & fb.NEGATIVE_KINDS else "unsure"] += 1
            continue
        counts[lab[0]] += 1
        groups[text].append(lab)
    examples = [_merge(text, labs) for text, labs in groups.items()]
    train, holdout = split(examples)
    counts.update(examples=len(examples), train=len(train), holdout=len(holdout))
    return TrainingSet(train, holdout, dict(counts))


def _merge(text: str, labs: list[Label]) -> Example:
    """One example per text: the strongest source wins, then the most frequent intent."""
    best = max(PRIORITY[s] for s, *_ in labs)
    top = [lab for lab in labs if PRIORITY[lab[0]] == best]
    intent = Counter(i for _, i, _, _ in top).most_common(1)[0][0]
    chosen = [lab for lab in top if lab[1] == intent]
    # slot spans from the strongest label that has them, even a weaker one of the same intent
    ranked = chosen + sorted((lab for lab in labs if lab[1] == intent and lab not in chosen),
                             key=lambda lab: -PRIORITY[lab[0]])
    spans = next((sp for _, _, sp, _ in ranked if sp is not None), None)
    values: dict[str, str] = {}
    for *_, v in chosen:
        values.update(v)
    return Example(text, intent, spans, chosen[0][0], count=len(labs), values=values)


def split(examples: list[Example]) -> tuple[list[Example], list[Example]]:
    """Hold out one text in ``HOLDOUT_EVERY`` within each source, chosen by a stable hash."""
    train: list[Example] = []
    holdout: list[Example] = []
    by_source: dict[str, list[Example]] = defaultdict(list)
    for e in examples:
        by_source[e.source].append(e)
    for group in by_source.values():
        group.sort(key=lambda e: zlib.crc32(e.text.encode()))
        for i, e in enumerate(group):
            (holdout if len(group) > 1 and i % HOLDOUT_EVERY == HOLDOUT_EVERY // 2 else train).append(e)
    return train, holdout
