"""Whisper's text decoder, one cached step at a time, on onnxruntime.

Steering a decode token by token through the command grammar (``whisper_grammar.py``) needs the
next-token log-probabilities of a few prefixes at every step. CTranslate2 answers that only by
decoding each prefix from its start again (no cache across calls: 2-4 s a command, measured);
this decoder keeps every layer's keys and values, so a step costs one token per hypothesis
(tiny.en: 4 layers, 384 wide). It reads the decoder's weights from the same CTranslate2
``model.bin`` that faster-whisper loads; CTranslate2's encoder still does the heavy part.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import onnx

from assistant import paths
from assistant.asr.whisper_graph import decoder_graph
from assistant.errors import ModelError
from assistant.files import atomic_dir
from assistant.onnx_session import open_session

log = logging.getLogger(__name__)

# CTranslate2's DataType enum order (include/ctranslate2/types.h)
_DTYPES = (np.float32, np.int8, np.int16, np.int32, np.float16)


def read_variables(path: Path, prefix: str = "decoder/") -> dict[str, np.ndarray]:
    """The variables of a CTranslate2 ``model.bin`` (binary version 6) whose names start with
    ``prefix``, aliases resolved: views of the file mapped into memory, so only what is read
    takes memory (the headers are read from the file: touching each through the mapping
    brought 36 MB of the encoder's weights in around them)."""
    found: dict[str, tuple[int, np.dtype, list[int]]] = {}
    aliases: list[tuple[str, str]] = []
    try:
        with open(path, "rb") as f:
            def take(fmt: str) -> int:
                (value,) = struct.unpack(fmt, _exactly(f, struct.calcsize(fmt)))
                return value

            def text() -> str:
                return _exactly(f, take("H"))[:-1].decode()

            if take("I") != 6:
                raise ModelError(f"{path}: not a CTranslate2 model of binary version 6")
            text()  # spec name
            take("I")  # revision
            for _ in range(take("I")):
                name = text()
                dims = [take("I") for _ in range(take("B"))]
                dtype = np.dtype(_DTYPES[take("B")])
                size = take("I")
                if name.startswith(prefix):
                    found[name] = (f.tell(), dtype, dims)
                f.seek(size, 1)
            aliases = [(text(), text()) for _ in range(take("I"))]
        data = np.memmap(path, np.uint8, "r")
        out = {name: np.frombuffer(data, dtype, int(np.prod(dims)), pos).reshape(dims)
               for name, (pos, dtype, dims) in found.items()}
    except OSError as e:
        raise ModelError(f"cannot read the Whisper model {path}: {e.strerror}") from None
    except (struct.error, IndexError, ValueError, UnicodeDecodeError) as e:
        raise ModelError(f"{path} is damaged: {e}") from None
    for alias, target in aliases:
        if alias.startswith(prefix) and target in out:
            out[alias] = out[target]
    return out


def _exactly(f: BinaryIO, n: int) -> bytes:
    """``n`` bytes of ``f``; a file that ends before is damaged."""
    b = f.read(n)
    if len(b) != n:
        raise ValueError("the file ends early")
    return b


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
    ``step`` adds one token to each hypothesis and returns next-token log-probabilities. The
    step runs as one onnxruntime graph (``whisper_graph.py``, built from ``model.bin`` once and
    cached); the encoder's keys and values, computed once per utterance, are numpy."""

    def __init__(self, variables: dict[str, np.ndarray], session: Any) -> None:
        try:
            self.heads = int(variables["decoder/num_heads"])
            # looked up row by row in the memory-mapped file: only the rows read take memory
            self.embeddings = variables["decoder/embeddings/weight"]
            self.max_length = variables["decoder/position_encodings/encodings"].shape[0]
            self.cross = [_linear(variables, f"layer_{i}/attention/linear_1")
                          for i in range(_layers(variables))]
        except KeyError as e:
            raise ModelError(f"the Whisper model has no decoder variable {e}") from None
        self.width = self.embeddings.shape[1]
        self.head_dim = self.width // self.heads
        self.session = session

    @classmethod
    def load(cls, folder: Path, cache: Path | None = None) -> WhisperStep:
        """The decoder of the model in ``folder``, its graph built on first use and cached
        (``cache``: a folder, default ``<cache dir>/asr``; the weights beside the graph, which
        onnxruntime maps rather than copies); where it cannot be written it is built in memory,
        which holds a copy more while the process runs."""
        model = Path(folder) / "model.bin"
        try:
            stat = model.stat()
        except OSError as e:
            raise ModelError(f"cannot read the Whisper model {model}: {e.strerror}") from None
        key = hashlib.sha256(f"{GRAPH_VERSION}:{model.resolve()}:{stat.st_size}:"
                             f"{stat.st_mtime_ns}".encode()).hexdigest()[:16]
        cached = (cache or paths.cache_dir() / "asr") / f"whisper-decoder-{key}"
        variables = read_variables(model)
        session = None
        if (cached / GRAPH).is_file():
            try:
                session = open_session(cached / GRAPH, arena=False)
            except ModelError as e:  # a damaged cache: built again
                log.warning("whisper: %s; building the decoder again", e)
        if session is None:
            graph = build_graph(variables)
            try:
                with atomic_dir(cached) as tmp:
                    onnx.save(graph, tmp / GRAPH, save_as_external_data=True,
                              location="weights.bin", size_threshold=1024)
                del graph
                session = open_session(cached / GRAPH, arena=False)
                _forget_others(cached)
            except OSError as e:
                log.warning("whisper: cannot cache the decoder under %s (%s)", cached.parent, e)
                session = open_session(graph.SerializeToString(), arena=False)
        return cls(variables, session)

    def _split(self, x: np.ndarray) -> np.ndarray:
        """[hyps, tokens, width] -> [hyps, heads, tokens, head_dim]."""
        b, t, _ = x.shape
        return x.reshape(b, t, self.heads, self.head_dim).transpose(0, 2, 1, 3)

    def start(self, encoder_output: np.ndarray, tokens: list[int]) -> tuple[Cache, np.ndarray]:
        """Read the prompt ``tokens`` (one hypothesis) over ``encoder_output`` ([1, frames,
        width]); returns the cache and the log-probabilities of the token after them."""
        enc = np.asarray(encoder_output, np.float32)[0]
        cross = []
        for weight, bias in self.cross:
            k, v = np.split((enc @ weight + bias)[None], 2, axis=-1)
            cross.append((np.ascontiguousarray(self._split(k)), np.ascontiguousarray(self._split(v))))
        empty = np.zeros((1, self.heads, 0, self.head_dim), np.float32)
        cache = Cache(cross, [(empty, empty) for _ in cross], 0)
        return self.step(cache, [list(tokens)])

    def step(self, cache: Cache, tokens: list[list[int]], every: bool = False
             ) -> tuple[Cache, np.ndarray]:
        """Append ``tokens[i]`` (the same count for each) to hypothesis i of ``cache`` (a cache
        of one hypothesis serves them all); returns the grown cache and each hypothesis's
        next-token log-probabilities [hyps, vocab], or with ``every`` after each of its new
        tokens [hyps, tokens, vocab]."""
        ids = np.asarray(tokens)
        b, t = ids.shape
        if cache.length + t > self.max_length:
            raise ValueError("Whisper's decoder holds at most 448 tokens")
        feeds = {"x": np.asarray(self.embeddings[ids.reshape(-1)], np.float32).reshape(b, t, -1),
                 "mask": np.triu(np.full((t, cache.length + t), -np.inf, np.float32),
                                 cache.length + 1)}
        for i, ((pk, pv), (ck, cv)) in enumerate(zip(cache.self_kv, cache.cross, strict=True)):
            feeds[f"past_key.{i}"] = np.ascontiguousarray(np.broadcast_to(pk, (b, *pk.shape[1:])))
            feeds[f"past_value.{i}"] = np.ascontiguousarray(np.broadcast_to(pv, (b, *pv.shape[1:])))
            feeds[f"cross_key.{i}"], feeds[f"cross_value.{i}"] = ck, cv
        logprobs, *grown = self.session.run(None, feeds)
        kv = [(grown[2 * i], grown[2 * i + 1]) for i in range(len(cache.cross))]
        return Cache(cache.cross, kv, cache.length + t), logprobs if every else logprobs[:, -1]


GRAPH_VERSION = 3  # bump when the graph changes: cached graphs of other versions are not read
GRAPH = "decoder.onnx"


def _forget_others(kept: Path) -> None:
    """Remove the cached graphs of other model files or versions beside ``kept`` (32 MB each
    for tiny.en; a reinstalled model is another file)."""
    for other in kept.parent.glob("whisper-decoder-*"):
        if other != kept and other.is_dir():
            shutil.rmtree(other, ignore_errors=True)


def _layers(variables: dict[str, np.ndarray]) -> int:
    n = 0
    while f"decoder/layer_{n}/self_attention/linear_0/weight" in variables:
        n += 1
    if not n:
        raise ModelError("the Whisper model has no decoder layers")
    return n


def _floats(variables: dict[str, np.ndarray], name: str) -> np.ndarray:
    return np.ascontiguousarray(variables[f"decoder/{name}"], np.float32)


def _linear(variables: dict[str, np.ndarray], at: str) -> tuple[np.ndarray, np.ndarray]:
    """The linear layer ``at`` as y = x @ w + b: w [in, out], b."""
    return (np.ascontiguousarray(_floats(variables, f"{at}/weight").T),
            _floats(variables, f"{at}/bias"))


def build_graph(variables: dict[str, np.ndarray], int8: bool = True) -> onnx.ModelProto:
    """The step graph of the decoder in ``variables`` (``whisper_graph.py``); ``int8=False``
    keeps the weights in float, the reference the 8-bit graph is checked against."""
    def w(name: str) -> np.ndarray:
        return _floats(variables, name)

    try:
        weights = {"positions": w("position_encodings/encodings"),
                   "output": np.ascontiguousarray(w("embeddings/weight").T),
                   "final_ln.g": w("layer_norm/gamma"), "final_ln.b": w("layer_norm/beta")}
        for i in range(_layers(variables)):
            for short, name in _LAYER.items():
                at = f"layer_{i}/{name}"
                if short.startswith("ln"):
                    weights[f"{i}.{short}.g"], weights[f"{i}.{short}.b"] = (
                        w(f"{at}/gamma"), w(f"{at}/beta"))
                else:
                    weights[f"{i}.{short}.w"], weights[f"{i}.{short}.b"] = _linear(variables, at)
        return decoder_graph(weights, int(variables["decoder/num_heads"]), int8)
    except KeyError as e:
        raise ModelError(f"the Whisper model has no decoder variable {e}") from None


# the graph's per-layer norms (ln*: gamma, beta) and linears (weight, bias), and the model.bin
# modules they come from
_LAYER = {"ln1": "self_attention/layer_norm", "qkv": "self_attention/linear_0",
          "out1": "self_attention/linear_1", "ln2": "attention/layer_norm",
          "q2": "attention/linear_0", "out2": "attention/linear_2", "ln3": "ffn/layer_norm",
          "ff1": "ffn/linear_0", "ff2": "ffn/linear_1"}
