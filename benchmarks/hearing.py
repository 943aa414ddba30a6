"""What the command benchmarks share: a scratch household with the custom domain, the
recognizers compared, the meaning of a transcript, and speech that is no command.

Run with the worktree's ``.venv/bin/python``; the benchmarks import this file by path.
"""

from __future__ import annotations

import gzip
import json
import os
import random
import re
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
from command_sets import THERMOSTAT

NOW = datetime(2026, 6, 1, 9, 0)  # every slot value is read against this clock
SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
# intents whose turn changes something: a false action when the speech was no command
ACTING = frozenset({"list_add", "list_remove", "list_clear", "timer_set", "timer_cancel",
                    "timer_pause", "timer_change", "alarm_set", "alarm_cancel", "reminder_set", "reminder_cancel",
                    "memory_remember", "memory_forget", "volume_up", "volume_down", "volume_set",
                    "volume_mute", "lights_on", "lights_off"})


def household() -> Any:
    """A scratch config folder holding the thermostat domain; returns the loaded templates."""
    scratch = Path(tempfile.mkdtemp(prefix="hearth-bench-"))
    os.environ["HEARTH_CONFIG_DIR"] = str(scratch / "config")
    (scratch / "config" / "intents").mkdir(parents=True)
    (scratch / "config" / "intents" / "thermostat.yaml").write_text(THERMOSTAT)
    from assistant.sentences.load import load

    sentences = load()
    if "SetTemperature" not in sentences.custom:
        raise SystemExit(f"the thermostat domain did not load: {sentences.problems}")
    return sentences


@dataclass
class Heard:
    """One utterance through every recognizer compared."""

    grammar_first: Any  # Transcript the grammar-first rule chose
    domain: Any  # today's domain LM (the open search of the grammar-first recognizer)
    grammar: Any  # the grammar search alone
    general: Any | None
    evidence: Any
    decode_s: float  # grammar-first: all three searches
    whisper: Any | None = None  # Whisper steered by the grammar (as the loop runs it)
    whisper_free: Any | None = None  # what the same decode wrote, before steering
    whisper_s: float = 0.0  # Whisper, steered: all of its work after the audio ends
    whisper_cpu_s: float = 0.0  # ... and its CPU time, every core's
    whisper_written: str = ""  # what Whisper wrote, before ``values.written.spoken``


class Recognizers:
    """The grammar-first recognizer (whose open search is today's domain LM) and the general
    LM, loaded once."""

    def __init__(self, sentences: Any, general: bool = True, whisper: bool = False,
                 options: Iterable[str] = ()) -> None:
        """``options``: ``asr.KEY=VALUE`` settings for Whisper, as ``--set`` takes them."""
        from assistant.asr.factory import make_recognizer
        from assistant.asr.vocabulary import Vocabulary
        from assistant.config import AsrConfig, Config, set_options

        t0 = time.perf_counter()
        self.gf = make_recognizer(AsrConfig(engine="pocketsphinx", grammar_first=True),
                                  Vocabulary(templates=sentences))
        self.load_s = time.perf_counter() - t0
        self.general = (make_recognizer(AsrConfig(engine="pocketsphinx", language_model="general"))
                        if general else None)
        self.whisper = None
        if whisper:  # steered; its free transcript is the same decode before steering
            from assistant.asr.whisper import from_config

            cfg = set_options(Config(asr=AsrConfig(whisper_partials=False)), options)
            self.whisper = from_config(cfg.asr, Vocabulary(templates=sentences))

    def hear(self, audio: np.ndarray) -> Heard:
        t0 = time.perf_counter()
        heard = feed(self.gf, audio)
        secs = time.perf_counter() - t0
        g, o = self.gf.heard
        general = feed(self.general, audio) if self.general is not None else None
        whisper = free = None
        whisper_s, cpu_s, written = 0.0, 0.0, ""
        if self.whisper is not None:
            t0, c0 = time.perf_counter(), time.process_time()
            whisper = feed(self.whisper, audio)
            whisper_s, cpu_s = time.perf_counter() - t0, time.process_time() - c0
            written, free = self.whisper.written, self.whisper.free
        return Heard(heard, o, g, general, self.gf.evidence, secs, whisper, free, whisper_s,
                     cpu_s, written)


def feed(rec: Any, audio: np.ndarray) -> Any:
    """Stream 30 ms blocks as the loop does; the final transcript."""
    rec.reset()
    for i in range(0, len(audio), 480):
        rec.accept(audio[i:i + 480])
    return rec.final()


class Meanings:
    """Text -> (intent, sorted slot values), as the running assistant would understand it."""

    def __init__(self, sentences: Any) -> None:
        from assistant.config import UnderstandingConfig
        from assistant.household.understander import live_understander

        self.understander, _ = live_understander(UnderstandingConfig(), sentences)

    def understand(self, text: str, heard_confidence: float = 1.0) -> Any:
        from assistant.events import Transcript
        from assistant.understanding.hearing import weigh
        from assistant.values.slots import resolve

        u = resolve(self.understander.parse(text), NOW)
        return weigh(u, Transcript(text, confidence=heard_confidence, source="open",
                                   calibrated=True))

    def of(self, text: str) -> tuple:
        if not text.strip():
            return ("", ())
        u = self.understand(text)
        return (u.intent, tuple(sorted((s.name, str(s.value)) for s in u.slots)))


def non_commands(split: str, n: int, seed: int = 0) -> list[str]:
    """Sentences that are no Hearth command: CLINC150 queries of other domains (banking,
    travel, cooking, ...) and its out-of-scope queries. ``split``: "val" or "test"."""
    from assistant.training.mapping import CLINC150, SPLIT_BY_KEYWORDS

    data = json.loads((SHARED / "clinc150" / "data_full.json").read_text())
    rows = data[split] + data[f"oos_{split}"]
    texts = [t for t, intent in rows if (intent not in CLINC150 or CLINC150[intent] in
                                          ("general_question", "out_of_scope"))
             and intent not in SPLIT_BY_KEYWORDS]
    texts = [" ".join(re.sub(r"[^a-z' ]+", " ", t.lower()).split()) for t in texts]
    rng = random.Random(seed)
    rng.shuffle(texts)
    return [t for t in dict.fromkeys(texts) if len(t.split()) >= 3][:n]


ALLISON = Path("/usr/share/asterisk/sounds/en_US_f_Allison")
ALLISON_TEXT = Path("/usr/share/doc/asterisk-core-sounds-en/core-sounds-en.txt.gz")


def allison(limit: int, part: int = 0) -> list[tuple[Path, str]]:
    """Real human speech: Asterisk's prompts (one professional US speaker), each a WAV file and
    its words; ``limit`` of them spread over one half (``part`` 0: the half
    ``real_speech.py`` reports on; 1: the half the calibration hears), 0 = the whole half."""
    with gzip.open(ALLISON_TEXT, "rt", encoding="utf-8", errors="replace") as f:
        lines = f.read().splitlines()
    pairs = []
    for line in lines:
        name, sep, text = line.partition(":")
        wav = ALLISON / f"{name.strip()}.wav"
        if sep and not line.startswith(";") and wav.is_file() and re.search(r"[a-z]", text, re.I):
            pairs.append((wav, text.strip()))
    pairs = pairs[part::2]
    step = max(1, len(pairs) // limit) if limit else 1
    return pairs[::step][:limit] if limit else pairs


def prose(part: int, n: int) -> list[str]:
    """Spoken paragraphs: sentences of the licence texts Debian ships (long plain English),
    two or three at a time; ``part`` 0 and 1 are disjoint halves (calibration / test)."""
    text = " ".join(Path(f"/usr/share/common-licenses/{name}").read_text(errors="ignore")
                    for name in ("GPL-3", "Apache-2.0", "MPL-2.0"))
    text = re.sub(r"\s+", " ", text)
    sentences = [" ".join(re.sub(r"[^a-z' ]+", " ", s.lower()).split())
                 for s in re.split(r"(?<=[.;:])\s+", text)]
    sentences = [s for s in sentences if 6 <= len(s.split()) <= 30]
    mine = sentences[part::2]
    out = []
    i = 0
    while i < len(mine) and len(out) < n:
        take = 1 if len(mine[i].split()) > 18 else 2
        out.append(" ".join(mine[i:i + take]))
        i += take
    return out
