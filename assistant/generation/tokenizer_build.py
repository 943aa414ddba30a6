"""Rebuild the model's byte-level BPE tokenizer from the vocab and merges stored in the GGUF.

The result is saved as ``tokenizer.json`` so the runtime only needs the ``tokenizers`` package.
The pre-tokenizer follows llama.cpp's pre-tokenizer name: ``smollm`` splits every digit on its
own before the GPT-2 regex, ``gpt2``/``default`` do not; any other name is refused rather than
tokenized subtly wrong.
"""

from __future__ import annotations

from tokenizers import AddedToken, Tokenizer, decoders, models, pre_tokenizers

from assistant.errors import ModelError
from assistant.generation.gguf_source import GgufSource

_SPECIAL_TYPES = {3, 4}  # llama.cpp token types CONTROL and USER_DEFINED
_PRE = {"smollm": True, "gpt2": False, "default": False}  # name -> split digits individually


def build_tokenizer(src: GgufSource) -> Tokenizer:
    """A ``tokenizers`` Tokenizer equal to the one the GGUF describes."""
    kind = src.meta("tokenizer.ggml.model")
    pre = src.meta("tokenizer.ggml.pre", "default")
    if kind != "gpt2" or pre not in _PRE:
        raise ModelError(f"{src.path.name}: tokenizer '{kind}'/'{pre}' is not supported "
                         f"(byte-level BPE with pre-tokenizer {', '.join(_PRE)})")
    tokens: list[str] = src.meta("tokenizer.ggml.tokens")
    types: list[int] = src.meta("tokenizer.ggml.token_type", [1] * len(tokens))
    merges = [tuple(m.split(" ", 1)) for m in src.meta("tokenizer.ggml.merges")]
    bpe = models.BPE(vocab={t: i for i, t in enumerate(tokens)}, merges=merges,
                     fuse_unk=False, byte_fallback=False)
    tok = Tokenizer(bpe)
    byte_level = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    if _PRE[pre]:
        tok.pre_tokenizer = pre_tokenizers.Sequence(
            [pre_tokenizers.Digits(individual_digits=True), byte_level])
    else:
        tok.pre_tokenizer = byte_level
    tok.decoder = decoders.ByteLevel()
    tok.add_special_tokens([AddedToken(t, special=True, normalized=False)
                            for t, kind in zip(tokens, types, strict=True)
                            if kind in _SPECIAL_TYPES])
    return tok
