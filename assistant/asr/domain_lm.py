"""The command language model: a trigram over Hearth's own sentences, built once and cached.

A general English LM spreads its probability over 130k words; commands use a few hundred. A
small LM over what Hearth can actually do cuts the word error rate on commands sharply (see
``benchmarks/asr.py``). The result is cached under ``paths.cache_dir()`` keyed by a hash of
everything that goes into it, so it is built at the first start and whenever the inputs change.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Sequence
from pathlib import Path

from assistant import paths
from assistant.asr import corpus as corpus_mod
from assistant.asr import pronounce
from assistant.asr.ngram import BOS, EOS, KneserNey
from assistant.errors import ModelError
from assistant.files import atomic_dir, write_atomic
from assistant.sentences.load import SentenceSet

log = logging.getLogger(__name__)

VERSION = "1"  # bump when the estimator or file layout changes
ARPA, DICT, TEXT = "domain.arpa", "domain.dict", "corpus.txt"


def dict_path(arpa: Path) -> Path:
    """The pronunciation dictionary that goes with a domain LM."""
    return arpa.with_name(DICT)


def _bundled_dict() -> Path:
    from assistant.asr.sphinx_backend import SphinxModel

    return SphinxModel.bundled().dict


def _key(sentences: list[str], dictionary: Path) -> str:
    h = hashlib.sha256(VERSION.encode())
    h.update(f"{dictionary}:{dictionary.stat().st_size}".encode())
    for s in sentences:
        h.update(s.encode() + b"\n")
    return h.hexdigest()[:16]


def write_dict(words: Iterable[str], dictionary: Path, path: Path) -> list[str]:
    """A pocketsphinx dictionary for ``words``; returns the words that had to be guessed."""
    words = list(words)
    prons = pronounce.pronunciations(words, dictionary)
    known = pronounce.cmudict(dictionary)
    lines = []
    for w in sorted(prons):
        for i, p in enumerate(prons[w]):
            lines.append(f"{w} {p}" if i == 0 else f"{w}({i + 1}) {p}")
    write_atomic(path, "\n".join(lines) + "\n", durable=False)
    return [w for w in words if w not in known and w in prons]


def word_dict(words: Iterable[str], dictionary: Path | None = None, cache: Path | None = None) -> Path:
    """A cached dictionary of just ``words``, for decoders that need a handful (the spotters).

    A decoder loaded with the whole CMU dictionary takes 28 MB of memory, with a dozen words
    5.5 MB (measured on pocketsphinx 5.1).
    """
    words = sorted(set(words))
    dictionary = dictionary or _bundled_dict()
    folder = (cache or paths.cache_dir()) / "asr"
    path = folder / f"words-{_key(words, dictionary)}.dict"
    if path.exists():
        return path
    try:
        write_dict(words, dictionary, path)  # atomic: a concurrent start sees all or none
    except OSError as e:
        raise ModelError(f"cannot write a pronunciation dictionary under {folder}: {e}") from None
    return path


def build(sentences: list[str], folder: Path, dictionary: Path) -> Path:
    """Estimate the LM and write ARPA + dictionary + corpus text into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    tokenized = [s.split() for s in sentences]
    lm = KneserNey(tokenized, order=3)
    words = [w for w in lm.vocab if w not in (BOS, EOS)]
    guessed = write_dict(words, dictionary, folder / DICT)
    # Words nobody can pronounce cannot be in the LM (pocketsphinx refuses unknown words).
    missing = set(words) - set(pronounce.cmudict(dictionary)) - set(guessed)
    if missing:
        tokenized = [t for t in tokenized if not missing.intersection(t)]
        lm = KneserNey(tokenized, order=3)
    lm.write_arpa(folder / ARPA)
    (folder / TEXT).write_text("\n".join(sentences) + "\n", encoding="utf-8")
    if guessed:
        log.info("domain LM: guessed pronunciations for %s", ", ".join(guessed))
    return folder / ARPA


def build_domain_lm(extra_sentences: list[str] | None = None,
                    extra_words: list[str] | None = None,
                    wake_phrases: Sequence[str] = (),
                    cache: Path | None = None,
                    templates: SentenceSet | None = None) -> Path:
    """The ARPA file of the command LM for these extras (built on first use, then cached).

    ``extra_words`` are household words (names, items, rooms) used as slot values;
    ``extra_sentences`` are added verbatim (e.g. phrasings learned by personalization);
    ``templates`` default to Hearth's own (pass the loaded set to include custom intents).
    """
    sentences = corpus_mod.corpus(extra_sentences or [], extra_words or [], sentences=templates)
    for phrase in wake_phrases:
        if wake := corpus_mod.normalize(phrase):
            sentences.append(wake)
    dictionary = _bundled_dict()
    root = (cache or paths.cache_dir()) / "asr"
    folder = root / f"domain-{_key(sentences, dictionary)}"
    arpa = folder / ARPA
    if arpa.exists() and dict_path(arpa).exists():
        return arpa
    try:
        with atomic_dir(folder) as tmp:  # a concurrent start sees all files or none
            build(sentences, tmp, dictionary)
    except OSError as e:
        raise ModelError(f"cannot write the domain language model under {root}: {e}") from None
    log.info("domain LM built: %s (%d sentences)", folder, len(sentences))
    return arpa
