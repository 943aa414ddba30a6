"""Whisper's text decoder, one cached step at a time, in numpy.

Steering a decode token by token through the command grammar (``whisper_grammar.py``) needs the
next-token log-probabilities of a few prefixes at every step. CTranslate2 answers that only by
decoding each prefix from its start again (no cache across calls: 2-4 s a command, measured);
this decoder keeps every layer's keys and values, so a step costs one token per hypothesis
(tiny.en: 4 layers, 384 wide). It reads the decoder's weights from the same CTranslate2
``model.bin`` that faster-whisper loads; CTranslate2's encoder still does the heavy part.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.errors import ModelError

# CTranslate2's DataType enum order (include/ctranslate2/types.h)
_DTYPES = (np.float32, np.int8, np.int16, np.int32, np.float16)
LN_EPS = 1e-5


def read_variables(path: Path, prefix: str = "decoder/") -> dict[str, np.ndarray]:
    """The variables of a CTranslate2 ``model.bin`` (binary version 6) whose names start with
    ``prefix``, aliases resolved."""
    data = np.memmap(path, np.uint8, "r")  # the encoder's weights are skipped, never read
    pos = 0

    def take(fmt: str) -> int:
        nonlocal pos
        (value,) = struct.unpack_from(fmt, data, pos)
        pos += struct.calcsize(fmt)
        return value

    def text() -> str:
        nonlocal pos
        n = take("H")
        pos += n
        return bytes(data[pos - n:pos - 1]).decode()

    try:
        if take("I") != 6:
            raise ModelError(f"{path}: not a CTranslate2 model of binary version 6")
        text()  # spec name
        take("I")  # revision
        out: dict[str, np.ndarray] = {}
        for _ in range(take("I")):
            name = text()
            dims = [take("I") for _ in range(take("B"))]
            dtype = np.dtype(_DTYPES[take("B")])
            size = take("I")
            if name.startswith(prefix):
                out[name] = np.frombuffer(data, dtype, size // dtype.itemsize, pos).reshape(dims)
            pos += size
        for _ in range(take("I")):
            alias, target = text(), text()
            if alias.startswith(prefix) and target in out:
                out[alias] = out[target]
    except (struct.error, IndexError, ValueError, UnicodeDecodeError) as e:
        raise ModelError(f"{path} is damaged: {e}") from None
    return out


def _layer_norm(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + LN_EPS) * gamma + beta


def _gelu(x: np.ndarray) -> np.ndarray:
    """GELU, tanh form (Whisper's is the erf form; they differ by < 1e-3)."""
    return 0.5 * x * (1.0 + np.tanh(0.7978845608 * (x + 0.044715 * x ** 3)))


def _softmax(x: np.ndarray) -> np.ndarray:
    x = x - x.max(-1, keepdims=True)
    np.exp(x, out=x)
    return x / x.sum(-1, keepdims=True)


@dataclass
class _Layer:
    ln1: tuple[np.ndarray, np.ndarray]
    qkv: tuple[np.ndarray, np.ndarray]  # [384, 1152] (transposed), bias
    out1: tuple[np.ndarray, np.ndarray]
    ln2: tuple[np.ndarray, np.ndarray]
    q2: tuple[np.ndarray, np.ndarray]
    kv2: tuple[np.ndarray, np.ndarray]
    out2: tuple[np.ndarray, np.ndarray]
    ln3: tuple[np.ndarray, np.ndarray]
    ff1: tuple[np.ndarray, np.ndarray]
    ff2: tuple[np.ndarray, np.ndarray]


@dataclass
class Cache:
    """One decode's state: each layer's cross-attention keys/values (shared by every
    hypothesis) and self-attention keys/values per hypothesis ([hyps, heads, tokens, 64])."""

    cross: list[tuple[np.ndarray, np.ndarray]]
    self_kv: list[tuple[np.ndarray, np.ndarray]]
    length: int

    def select(self, rows: list[int]) -> Cache:
        """The cache of the hypotheses ``rows`` (beam search keeps, drops and copies them)."""
        idx = np.asarray(rows)
        return Cache(self.cross, [(k[idx], v[idx]) for k, v in self.self_kv], self.length)


class WhisperStep:
    """Whisper's decoder over CTranslate2's encoder output: ``start`` reads a prompt once,
    ``step`` adds one token to each hypothesis and returns next-token log-probabilities."""

    def __init__(self, variables: dict[str, np.ndarray]) -> None:
        def w(name: str) -> np.ndarray:
            return np.ascontiguousarray(variables[f"decoder/{name}"], np.float32)

        def lin(name: str) -> tuple[np.ndarray, np.ndarray]:
            return np.ascontiguousarray(w(f"{name}/weight").T), w(f"{name}/bias")

        def ln(name: str) -> tuple[np.ndarray, np.ndarray]:
            return w(f"{name}/gamma"), w(f"{name}/beta")

        try:
            self.heads = int(variables["decoder/num_heads"])
            # one float32 copy of the token embeddings, [width, vocab]: the output projection
            # as is, and token lookup by column (80 MB for tiny.en)
            self.output = np.ascontiguousarray(w("embeddings/weight").T)
            self.positions = w("position_encodings/encodings")
            self.final_ln = ln("layer_norm")
            self.layers = []
            i = 0
            while f"decoder/layer_{i}/self_attention/linear_0/weight" in variables:
                p = f"layer_{i}"
                self.layers.append(_Layer(
                    ln(f"{p}/self_attention/layer_norm"), lin(f"{p}/self_attention/linear_0"),
                    lin(f"{p}/self_attention/linear_1"), ln(f"{p}/attention/layer_norm"),
                    lin(f"{p}/attention/linear_0"), lin(f"{p}/attention/linear_1"),
                    lin(f"{p}/attention/linear_2"), ln(f"{p}/ffn/layer_norm"),
                    lin(f"{p}/ffn/linear_0"), lin(f"{p}/ffn/linear_1")))
                i += 1
        except KeyError as e:
            raise ModelError(f"the Whisper model has no decoder variable {e}") from None
        if not self.layers:
            raise ModelError("the Whisper model has no decoder layers")
        self.width = self.output.shape[0]
        self.head_dim = self.width // self.heads
        self.max_length = self.positions.shape[0]

    @classmethod
    def load(cls, folder: Path) -> WhisperStep:
        return cls(read_variables(Path(folder) / "model.bin"))

    def _split(self, x: np.ndarray) -> np.ndarray:
        """[hyps, tokens, width] -> [hyps, heads, tokens, head_dim]."""
        b, t, _ = x.shape
        return x.reshape(b, t, self.heads, self.head_dim).transpose(0, 2, 1, 3)

    def start(self, encoder_output: np.ndarray, tokens: list[int]) -> tuple[Cache, np.ndarray]:
        """Read the prompt ``tokens`` (one hypothesis) over ``encoder_output`` ([1, frames,
        width]); returns the cache and the log-probabilities of the token after them."""
        enc = np.asarray(encoder_output, np.float32)[0]
        cross = []
        for layer in self.layers:
            kv = enc @ layer.kv2[0] + layer.kv2[1]
            k, v = np.split(kv[None], 2, axis=-1)
            cross.append((self._split(k), self._split(v)))
        empty = np.zeros((1, self.heads, 0, self.head_dim), np.float32)
        cache = Cache(cross, [(empty, empty) for _ in self.layers], 0)
        return self.step(cache, [list(tokens)])

    def step(self, cache: Cache, tokens: list[list[int]], every: bool = False
             ) -> tuple[Cache, np.ndarray]:
        """Append ``tokens[i]`` (the same count for each) to hypothesis i of ``cache``; returns
        the grown cache and each hypothesis's next-token log-probabilities [hyps, vocab], or
        with ``every`` after each of its new tokens [hyps, tokens, vocab]."""
        ids = np.asarray(tokens)
        b, t = ids.shape
        if cache.length + t > self.max_length:
            raise ValueError("Whisper's decoder holds at most 448 tokens")
        x = np.moveaxis(self.output[:, ids], 0, -1) + self.positions[cache.length:cache.length + t]
        causal = np.triu(np.full((t, cache.length + t), -np.inf, np.float32), cache.length + 1)
        scale = self.head_dim ** -0.5  # a Python float: a numpy float64 would make every array float64
        grown = []
        for layer, (pk, pv), (ck, cv) in zip(self.layers, cache.self_kv, cache.cross, strict=True):
            h = _layer_norm(x, *layer.ln1) @ layer.qkv[0] + layer.qkv[1]
            q, k, v = (self._split(a) for a in np.split(h, 3, axis=-1))
            k = np.concatenate([np.broadcast_to(pk, (b, *pk.shape[1:])), k], axis=2)
            v = np.concatenate([np.broadcast_to(pv, (b, *pv.shape[1:])), v], axis=2)
            grown.append((k, v))
            a = _softmax(q @ k.transpose(0, 1, 3, 2) * scale + causal) @ v
            x = x + a.transpose(0, 2, 1, 3).reshape(b, t, self.width) @ layer.out1[0] + layer.out1[1]
            q = self._split(_layer_norm(x, *layer.ln2) @ layer.q2[0] + layer.q2[1])
            a = _softmax(q @ ck.transpose(0, 1, 3, 2) * scale) @ cv
            x = x + a.transpose(0, 2, 1, 3).reshape(b, t, self.width) @ layer.out2[0] + layer.out2[1]
            h = _gelu(_layer_norm(x, *layer.ln3) @ layer.ff1[0] + layer.ff1[1])
            x = x + h @ layer.ff2[0] + layer.ff2[1]
        logits = _layer_norm(x if every else x[:, -1], *self.final_ln) @ self.output
        logits -= logits.max(-1, keepdims=True)
        logprobs = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
        return Cache(cache.cross, grown, cache.length + t), logprobs
