"""The command grammar as pocketsphinx reads it: an FSG file and its pronunciation dictionary.

``grammar.compile_grammar`` gives the engine-neutral automaton; this writes it in pocketsphinx's
FSG format and caches both files under ``paths.cache_dir()`` keyed by a hash of the templates,
like the domain LM, so a restart reads them instead of compiling again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from dataclasses import dataclass
from pathlib import Path

from assistant import paths
from assistant.asr.automaton import Dfa
from assistant.asr.grammar import compile_grammar, in_grammar
from assistant.errors import ModelError
from assistant.files import atomic_dir, write_atomic
from assistant.sentences.load import SentenceSet

log = logging.getLogger(__name__)

VERSION = "2"  # bump when the compiler or the file layout changes
FSG, DICT, INFO = "commands.fsg", "commands.dict", "grammar.json"


def fsg_text(dfa: Dfa, name: str = "hearth") -> str:
    """pocketsphinx's FSG format: one accepting state (the others reach it by a null arc),
    each state's ways out equally likely."""
    sinks = [s for s in dfa.final if not dfa.arcs[s]]
    final = sinks[0] if sinks else len(dfa.arcs)
    n_states = len(dfa.arcs) + (0 if sinks else 1)
    lines = [f"FSG_BEGIN {name}", f"NUM_STATES {n_states}", f"START_STATE {dfa.start}",
             f"FINAL_STATE {final}"]
    for s, out in enumerate(dfa.arcs):
        ends = s in dfa.final and s != final
        p = 1.0 / (len(out) + ends) if out or ends else 1.0
        for w, t in sorted(out.items()):
            lines.append(f"TRANSITION {s} {t} {p:.6g} {w}")
        if ends:
            lines.append(f"TRANSITION {s} {final} {p:.6g}")
    lines.append("FSG_END")
    return "\n".join(lines) + "\n"


@dataclass
class CompiledGrammar:
    """The cached FSG file and its pronunciation dictionary, and what building them cost."""

    fsg: Path
    dict: Path
    states: int
    arcs: int
    words: int
    sentences: int  # templates compiled in
    build_s: float = 0.0  # 0 when it came from the cache


def _key(sentences: SentenceSet, dictionary: Path) -> str:
    h = hashlib.sha256(VERSION.encode())
    h.update(f"{dictionary}:{dictionary.stat().st_size}\n".encode())
    h.update(json.dumps(sentences.raw, sort_keys=True, default=str).encode())
    return h.hexdigest()[:16]


def build_grammar(sentences: SentenceSet, dictionary: Path, cache: Path | None = None,
                  ) -> CompiledGrammar:
    """The FSG of ``sentences`` (compiled on first use, then read from the cache)."""
    from assistant.asr.domain_lm import write_dict

    root = (cache or paths.cache_dir()) / "asr"
    folder = root / f"grammar-{_key(sentences, dictionary)}"
    info = folder / INFO
    if info.exists() and (folder / FSG).exists() and (folder / DICT).exists():
        try:
            meta = json.loads(info.read_text())
            return CompiledGrammar(folder / FSG, folder / DICT, meta["states"], meta["arcs"],
                                   meta["words"], meta["sentences"])
        except (OSError, ValueError, KeyError):
            pass  # a damaged cache entry is rebuilt
    t0 = time.perf_counter()
    dfa = compile_grammar(sentences)
    words = sorted(dfa.vocabulary())
    meta = {"states": len(dfa.arcs), "arcs": dfa.n_arcs, "words": len(words),
            "sentences": len(in_grammar(sentences))}
    try:
        with atomic_dir(folder) as tmp:  # a concurrent start sees all files or none
            write_dict(words, dictionary, tmp / DICT)
            write_atomic(tmp / FSG, fsg_text(dfa), durable=False)
            write_atomic(tmp / INFO, json.dumps(meta), durable=False)
    except OSError as e:
        raise ModelError(f"cannot write the command grammar under {root}: {e}") from None
    secs = time.perf_counter() - t0
    log.info("command grammar built: %s (%d templates, %d states, %d words, %.1f s)", folder,
             meta["sentences"], meta["states"], meta["words"], secs)
    return CompiledGrammar(folder / FSG, folder / DICT, **meta, build_s=secs)
