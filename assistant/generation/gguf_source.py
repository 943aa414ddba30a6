"""Read a llama-architecture GGUF: the hyper-parameters, the block-quantized weights and the vocab.

The converter works from the quantized blocks themselves (not only from dequantized floats) so
the 4-bit weights that ship in the GGUF can be carried into ONNX without a second, lossy
rounding. Everything a user could get wrong (wrong file, truncated file, other architecture)
becomes one :class:`ModelError` line.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from assistant.errors import ModelError

BLOCK = 32  # elements per block in both Q4_1 and Q8_0


@dataclass(frozen=True)
class LlamaSpec:
    """The shape of the network, read from ``llama.*`` metadata (never assumed)."""

    layers: int
    hidden: int
    heads: int
    kv_heads: int
    ffn: int
    vocab: int
    rope_theta: float
    rope_dim: int
    rms_eps: float
    context: int

    @property
    def head_dim(self) -> int:
        return self.hidden // self.heads


@dataclass(frozen=True)
class Blocks:
    """A weight [N out, K in] as ``value = scale * q + offset`` per block of 32 along K.

    ``q`` holds unsigned integers (0..15 for 4 bit, 0..255 for 8 bit), ``scale`` and ``offset``
    are [N, K/32]. Q8_0 is symmetric: it is stored as ``q - 128`` with ``offset = -128 * scale``.
    """

    q: np.ndarray
    scale: np.ndarray
    offset: np.ndarray
    bits: int

    def dequantize(self) -> np.ndarray:
        n, k = self.q.shape
        blocks = self.q.reshape(n, k // BLOCK, BLOCK).astype(np.float32)
        return (blocks * self.scale[..., None] + self.offset[..., None]).reshape(n, k)


class GgufSource:
    """One opened GGUF file; tensors are memory-mapped and decoded on demand."""

    def __init__(self, path: Path):
        # Imported here so that the runtime (which never reads GGUF) does not need the package.
        from gguf import GGUFReader

        self.path = Path(path)
        if not self.path.is_file():
            raise ModelError(f"GGUF model not found: {self.path}")
        try:
            self.reader = GGUFReader(self.path)
        except Exception as e:  # the reader raises ValueError/KeyError/struct errors on junk
            raise ModelError(f"{self.path.name} is not a readable GGUF file ({e})") from None
        self._tensors = {t.name: t for t in self.reader.tensors}
        arch = self.meta("general.architecture")
        if arch != "llama":
            raise ModelError(f"{self.path.name}: architecture '{arch}' is not supported (llama)")
        self.spec = self._spec()

    def meta(self, key: str, default: Any = ...) -> Any:
        """A metadata value (str, number or list)."""
        field = self.reader.fields.get(key)
        if field is None:
            if default is ...:
                raise ModelError(f"{self.path.name}: metadata key '{key}' is missing")
            return default
        return field.contents()

    def _spec(self) -> LlamaSpec:
        m = self.meta
        hidden = int(m("llama.embedding_length"))
        heads = int(m("llama.attention.head_count"))
        embd = self.raw("token_embd.weight")
        return LlamaSpec(
            layers=int(m("llama.block_count")),
            hidden=hidden,
            heads=heads,
            kv_heads=int(m("llama.attention.head_count_kv", heads)),
            ffn=int(m("llama.feed_forward_length")),
            vocab=int(embd.shape[1]),
            rope_theta=float(m("llama.rope.freq_base", 10000.0)),
            rope_dim=int(m("llama.rope.dimension_count", hidden // heads)),
            rms_eps=float(m("llama.attention.layer_norm_rms_epsilon")),
            context=int(m("llama.context_length")),
        )

    def raw(self, name: str) -> Any:
        """The reader's tensor record; a missing tensor is a ModelError."""
        t = self._tensors.get(name)
        if t is None:
            raise ModelError(f"{self.path.name}: tensor '{name}' is missing")
        return t

    def has(self, name: str) -> bool:
        return name in self._tensors

    def floats(self, name: str) -> np.ndarray:
        """Any tensor dequantized to float32 with gguf's reference code, shape [rows, cols]."""
        from gguf.quants import dequantize

        t = self.raw(name)
        return np.ascontiguousarray(dequantize(t.data, t.tensor_type), dtype=np.float32)

    def blocks(self, name: str) -> Blocks:
        """The stored integer blocks of a Q4_1 or Q8_0 matrix, unpacked to one value per byte."""
        t = self.raw(name)
        kind = t.tensor_type.name
        data = np.asarray(t.data)
        n = data.shape[0]
        if kind == "Q4_1":  # per block: f16 d, f16 m, 16 bytes (elements 0..15 low, 16..31 high)
            blk = data.reshape(n, -1, 20)
            scale = blk[..., 0:2].copy().view(np.float16)[..., 0].astype(np.float32)
            offset = blk[..., 2:4].copy().view(np.float16)[..., 0].astype(np.float32)
            packed = blk[..., 4:]
            q = np.concatenate([packed & 0x0F, packed >> 4], axis=-1).reshape(n, -1)
            return Blocks(q.astype(np.uint8), scale, offset, bits=4)
        if kind == "Q8_0":  # per block: f16 d, 32 int8
            blk = data.reshape(n, -1, 34)
            scale = blk[..., 0:2].copy().view(np.float16)[..., 0].astype(np.float32)
            q = (blk[..., 2:].copy().view(np.int8).astype(np.int16) + 128).astype(np.uint8)
            return Blocks(q.reshape(n, -1), scale, -128.0 * scale, bits=8)
        raise ModelError(f"{self.path.name}: tensor '{name}' has unsupported type {kind}")
