"""Pronunciations for words the CMU dictionary lacks (names, brands, household words).

The CMU dictionary is tried first; otherwise espeak-ng (a Debian package Hearth already uses)
phonemizes the word in IPA and we map IPA to the CMU phone set pocketsphinx's en-us model uses.
Without espeak-ng a crude letter-by-letter spelling keeps the word recognizable at all.
"""

from __future__ import annotations

import functools
import logging
import shutil
import subprocess
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

# Longest IPA sequences first (the matcher is greedy).
IPA_TO_CMU: dict[str, str] = {
    "aɪə": "AY ER", "ɪə": "IH R", "ɛə": "EH R", "ʊə": "UH R", "eə": "EH R",
    "aɪ": "AY", "aʊ": "AW", "eɪ": "EY", "oʊ": "OW", "əʊ": "OW", "ɔɪ": "OY",
    "tʃ": "CH", "dʒ": "JH",
    "ɑ": "AA", "ɒ": "AA", "æ": "AE", "ʌ": "AH", "ə": "AH", "ɐ": "AH", "ɚ": "ER", "ɝ": "ER",
    "ɜ": "ER", "ɛ": "EH", "e": "EH", "ɪ": "IH", "ᵻ": "IH", "i": "IY", "ɔ": "AO", "ʊ": "UH",
    "u": "UW", "o": "OW", "a": "AE", "y": "UW", "ø": "ER",
    "p": "P", "b": "B", "t": "T", "d": "D", "k": "K", "ɡ": "G", "g": "G", "f": "F", "v": "V",
    "θ": "TH", "ð": "DH", "s": "S", "z": "Z", "ʃ": "SH", "ʒ": "ZH", "h": "HH", "m": "M",
    "n": "N", "ŋ": "NG", "l": "L", "ɫ": "L", "ɹ": "R", "r": "R", "ɾ": "T", "ʔ": "T", "w": "W",
    "j": "Y", "x": "K", "ç": "HH",
}
_MAX_KEY = max(len(k) for k in IPA_TO_CMU)
_IGNORE = set("ˈˌːˑ.‿-'\u200d\u0329\u032f \n")

LETTERS: dict[str, str] = {
    "a": "AE", "b": "B", "c": "K", "d": "D", "e": "EH", "f": "F", "g": "G", "h": "HH", "i": "IH",
    "j": "JH", "k": "K", "l": "L", "m": "M", "n": "N", "o": "AA", "p": "P", "q": "K", "r": "R",
    "s": "S", "t": "T", "u": "AH", "v": "V", "w": "W", "x": "K S", "y": "Y", "z": "Z",
}


def ipa_to_cmu(ipa: str) -> list[str]:
    """Map an IPA string (espeak-ng output) to CMU phones; unknown symbols are skipped."""
    s = "".join(ch for ch in unicodedata.normalize("NFC", ipa) if ch not in _IGNORE)
    phones: list[str] = []
    i = 0
    while i < len(s):
        for n in range(min(_MAX_KEY, len(s) - i), 0, -1):
            if s[i : i + n] in IPA_TO_CMU:
                phones += IPA_TO_CMU[s[i : i + n]].split()
                i += n
                break
        else:
            log.debug("pronounce: no CMU phone for %r in %r", s[i], ipa)
            i += 1
    return phones


def espeak_ipa(word: str) -> str | None:
    """espeak-ng's IPA for ``word`` in US English, or None when espeak-ng is not installed."""
    exe = shutil.which("espeak-ng") or shutil.which("espeak")
    if exe is None:
        return None
    try:
        out = subprocess.run([exe, "-q", "--ipa", "-v", "en-us", word], capture_output=True,
                             text=True, timeout=10, check=True)
    except (subprocess.SubprocessError, OSError):
        return None
    return out.stdout.strip()


def spell(word: str) -> list[str]:
    """Last-resort letter-by-letter phones (no espeak-ng)."""
    return [p for ch in word.lower() if ch in LETTERS for p in LETTERS[ch].split()]


@functools.lru_cache(maxsize=1)
def bundled_words() -> frozenset[str]:
    """Words the bundled pocketsphinx pronunciation dictionary knows."""
    from assistant.asr.sphinx_backend import SphinxModel

    return frozenset(cmudict(SphinxModel.bundled().dict))


@functools.lru_cache(maxsize=8)
def cmudict(path: Path) -> dict[str, list[str]]:
    """word -> pronunciations from a CMU-format dictionary (variants "word(2)" folded in)."""
    out: dict[str, list[str]] = {}
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            head, _, phones = line.strip().partition(" ")
            if not phones:
                continue
            word = head.split("(")[0] if head.endswith(")") else head
            out.setdefault(word, []).append(" ".join(phones.split()))
    return out


def guess(word: str) -> str:
    """A CMU pronunciation for a word not in the dictionary."""
    ipa = espeak_ipa(word)
    phones = ipa_to_cmu(ipa) if ipa else []
    if not phones:
        phones = spell(word)
    return " ".join(phones)


def pronunciations(words: Iterable[str], dictionary: Path) -> dict[str, list[str]]:
    """Every word's pronunciations: dictionary entries, else a guess."""
    known = cmudict(dictionary)
    out: dict[str, list[str]] = {}
    for w in words:
        if w in known:
            out[w] = known[w]
        else:
            g = guess(w)
            if g:
                out[w] = [g]
                log.info("pronounce: %s -> %s (not in the dictionary)", w, g)
            else:
                log.warning("pronounce: cannot pronounce '%s'; left out", w)
    return out


def add_missing_words(decoder: Any, phrases: Iterable[str]) -> list[str]:
    """Add the words of ``phrases`` the decoder's dictionary lacks; returns those added."""
    added = []
    words = dict.fromkeys(w for p in phrases for w in p.lower().split())
    for w in words:
        if decoder.lookup_word(w) is None:
            g = guess(w)
            if g:
                decoder.add_word(w, g, True)
                added.append(w)
    return added
