"""The frozen sentence encoder: all-MiniLM-L6-v2 (int8, see ``encoder_quant``) run by onnxruntime.

Why one encoder for everything: the intent head reads the mean-pooled sentence vector (what
sentence-transformers calls the embedding) and the slot tagger reads one vector per *word*
(the mean of that word's wordpieces), so a single forward pass serves both heads.
Words are given pre-split (see ``text.split_words``) so slot spans map back exactly.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.errors import ModelError
from assistant.onnx_session import open_session

log = logging.getLogger(__name__)

MAX_TOKENS = 128
DIM = 384


@dataclass
class Encoded:
    """One utterance: sentence vector (DIM,) and one vector per word (n_words, DIM)."""

    pooled: np.ndarray
    words: np.ndarray


def default_encoder_paths() -> tuple[Path, Path]:
    """(model.onnx, tokenizer.json): the int8-kernel rewrite when installed, else the int8 file
    as shipped (99.8% the same intents, but onnxruntime holds it as float32: 110 MB more)."""
    from assistant.models.registry import locate

    try:
        model = locate("minilm-l6-q8")
    except ModelError as e:
        log.warning("%s; the encoder runs from the larger float-folded file", e)
        model = locate("minilm-l6-int8")
    tok = locate("minilm-l6-tokenizer")
    model = model / "model.onnx" if model.is_dir() else model
    tok = tok / "tokenizer.json" if tok.is_dir() else tok
    return model, tok


class Encoder:
    """Tokenizes pre-split words, runs MiniLM once, returns pooled and per-word vectors."""

    def __init__(self, model_path: Path | None = None, tokenizer_path: Path | None = None,
                 threads: int = 1) -> None:
        if model_path is None or tokenizer_path is None:
            dm, dt = default_encoder_paths()
            model_path, tokenizer_path = model_path or dm, tokenizer_path or dt
        from tokenizers import Tokenizer

        if not Path(tokenizer_path).is_file():
            raise ModelError(f"tokenizer missing: {tokenizer_path}")
        try:
            self.tokenizer = Tokenizer.from_file(str(tokenizer_path))
        except Exception as e:
            raise ModelError(f"cannot load tokenizer {tokenizer_path}: {str(e)[:200]}") from None
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.model_path = Path(model_path)
        self.session = open_session(self.model_path, threads)

    def encode(self, batch: Sequence[Sequence[str]]) -> list[Encoded]:
        """Encode utterances given as word lists (an empty list is allowed)."""
        if not batch:
            return []
        encs = self.tokenizer.encode_batch([list(w) for w in batch], is_pretokenized=True)
        width = max(len(e.ids) for e in encs)
        ids = np.zeros((len(encs), width), dtype=np.int64)
        mask = np.zeros_like(ids)
        for i, e in enumerate(encs):
            ids[i, : len(e.ids)] = e.ids
            mask[i, : len(e.ids)] = 1
        (hidden,) = self.session.run(
            ["last_hidden_state"],
            {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)},
        )
        out: list[Encoded] = []
        for i, (e, words) in enumerate(zip(encs, batch, strict=True)):
            n = len(e.ids)
            h = hidden[i, :n]
            pooled = h.mean(axis=0)
            word_vecs = np.zeros((len(words), DIM), dtype=np.float32)
            counts = np.zeros(len(words), dtype=np.float32)
            for t, w in enumerate(e.word_ids):
                if w is not None:
                    word_vecs[w] += h[t]
                    counts[w] += 1
            seen = counts > 0
            word_vecs[seen] /= counts[seen, None]
            if len(words) and not seen.all():  # truncated words: reuse the last seen state
                word_vecs[~seen] = h[n - 2] if n > 2 else pooled
            out.append(Encoded(pooled=pooled.astype(np.float32), words=word_vecs))
        return out
