"""Words -> the model's inputs: WordPiece ids, attention mask, and each word's first piece.

Words are given pre-split (``text.split_words``) so that slot spans map back to the words the
rest of the assistant sees; the tag layer reads each word's *first* wordpiece (as JointBERT
does), so the graph gets its token position. Training and run time both go through
:meth:`WordPieces.batch`, so the model is trained on exactly the inputs it is run on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.errors import ModelError

MAX_TOKENS = 128


@dataclass
class Inputs:
    """Padded graph inputs for a batch: ``input_ids`` and ``attention_mask`` [B, T], and
    ``word_index`` [B, W] (token position of each word's first piece; 0 past the last word)."""

    input_ids: np.ndarray
    attention_mask: np.ndarray
    word_index: np.ndarray
    n_words: list[int]

    def feed(self) -> dict[str, np.ndarray]:
        return {"input_ids": self.input_ids, "attention_mask": self.attention_mask,
                "word_index": self.word_index}


class WordPieces:
    """The model's tokenizer (``tokenizer.json`` in the model folder)."""

    def __init__(self, path: Path) -> None:
        from tokenizers import Tokenizer

        path = Path(path)
        if not path.is_file():
            raise ModelError(f"tokenizer missing: {path}")
        try:
            self.tokenizer = Tokenizer.from_file(str(path))
        except Exception as e:
            raise ModelError(f"cannot load tokenizer {path}: {str(e)[:200]}") from None
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(MAX_TOKENS)

    def batch(self, utterances: Sequence[Sequence[str]]) -> Inputs:
        """Inputs for utterances given as word lists (each with at least one word)."""
        encs = self.tokenizer.encode_batch([list(w) for w in utterances], is_pretokenized=True)
        width = max(len(e.ids) for e in encs)
        n_words = [len(w) for w in utterances]
        ids = np.zeros((len(encs), width), np.int64)
        mask = np.zeros_like(ids)
        index = np.zeros((len(encs), max(n_words)), np.int64)
        for i, e in enumerate(encs):
            n = len(e.ids)
            ids[i, :n] = e.ids
            mask[i, :n] = 1
            first: dict[int, int] = {}
            for t, w in enumerate(e.word_ids):
                if w is not None and w not in first:
                    first[w] = t
            # a word cut off by truncation reads the last real piece
            index[i, :n_words[i]] = [first.get(w, max(n - 2, 0)) for w in range(n_words[i])]
        return Inputs(ids, mask, index, n_words)
