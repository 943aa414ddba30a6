"""Weight formats for the decoder's linear layers, in the layout ORT's ``MatMulNBits`` expects.

Schemes (compared in ``benchmarks/generation.py``):

* ``q4``      the GGUF's own Q4_1 blocks, carried over bit for bit. Q4_1 is ``d*q + m`` with a
             float offset ``m`` per block, which MatMulNBits can only express with float zero
             points (a slow dequantize-every-call path in ORT). So the blocks go in with zero
             point 0 and the offsets become a tiny extra product: ``sum_b m[n,b] * sum(x in b)``.
* ``q4-rtn``  4-bit round-to-nearest re-quantization of the dequantized floats with integer zero
             points (what a generic MatMulNBits quantizer does): smaller graph, rounding loss.
* ``q8``      8-bit symmetric re-quantization of the dequantized floats, block 32.
* ``fp32``    the dequantized floats; the reference the others are measured against.
"""

from __future__ import annotations

import numpy as np

from assistant.generation.gguf_source import BLOCK, Blocks
from assistant.onnx_graph import Linear, pack_blocks, sym8

SCHEMES = ("q4", "q4-rtn", "q8", "fp32")


def concat(parts: list[Blocks]) -> Blocks:
    """Stack several weights along N (fused q|k|v or gate|up projections)."""
    if len(parts) == 1:
        return parts[0]
    return Blocks(
        np.concatenate([p.q for p in parts]),
        np.concatenate([p.scale for p in parts]),
        np.concatenate([p.offset for p in parts]),
        parts[0].bits,
    )


def _pack_zero_points(zp: np.ndarray) -> np.ndarray:
    """4-bit zero points [N, nb] -> two per byte along nb, padded to whole bytes per row."""
    n, nb = zp.shape
    if nb % 2:
        zp = np.concatenate([zp, np.zeros((n, 1), zp.dtype)], axis=1)
    return (zp[:, 0::2] | (zp[:, 1::2] << 4)).astype(np.uint8).reshape(-1)


def exact(b: Blocks) -> Linear:
    """The stored blocks unchanged: Q8_0 directly, Q4_1 with zero point 0 plus offsets."""
    n, k = b.q.shape
    if b.bits == 8:  # symmetric: offset is exactly -128*scale, MatMulNBits' default zero point
        return Linear(n, k, packed=pack_blocks(b.q, 8), scales=b.scale.reshape(-1), bits=8)
    zero = np.zeros((n, (k // BLOCK + 1) // 2), np.uint8).reshape(-1)
    return Linear(n, k, packed=pack_blocks(b.q, 4), scales=b.scale.reshape(-1), zero_points=zero,
                  offsets=np.ascontiguousarray(b.offset.T), bits=4)


def rtn4(w: np.ndarray) -> Linear:
    """Asymmetric 4-bit round-to-nearest per block of 32, integer zero points."""
    n, k = w.shape
    blk = w.reshape(n, k // BLOCK, BLOCK)
    lo = np.minimum(blk.min(-1), 0.0)
    hi = np.maximum(blk.max(-1), 0.0)
    scale = np.where(hi > lo, (hi - lo) / 15.0, 1.0).astype(np.float32)
    zp = np.clip(np.round(-lo / scale), 0, 15).astype(np.uint8)
    q = np.clip(np.round(blk / scale[..., None]) + zp[..., None], 0, 15).astype(np.uint8)
    return Linear(n, k, packed=pack_blocks(q.reshape(n, k), 4), scales=scale.reshape(-1),
                  zero_points=_pack_zero_points(zp), bits=4)


def make_linear(b: Blocks, scheme: str) -> Linear:
    """The layer in the given scheme (see the module docstring)."""
    if scheme == "q4":
        return exact(b)
    w = b.dequantize()
    if scheme == "fp32":
        return Linear(w.shape[0], w.shape[1], weight=w)
    if scheme == "q4-rtn":
        return rtn4(w)
    if scheme == "q8":
        return sym8(w)
    raise ValueError(f"unknown weight scheme {scheme!r} (known: {', '.join(SCHEMES)})")
