"""Fine-tuning the joint MiniLM model on labelled examples (torch, CPU; training only).

One loss: intent cross-entropy plus BIO tag cross-entropy on the examples that carry tags
(CLINC150 has none). Intent classes are weighted by count^-0.5 so the hundred CLINC150
auxiliary classes do not drown the templated Hearth intents, and Hearth's own phrasings
(templates, the household's corrections) weigh more in the tag loss, as they label words the
data sets label differently. Seeded: the same data and recipe give the same weights.

``Recipe.train_from`` freezes the layers below it: their output is computed once per utterance
(no dropout) and kept, so each step runs only the trained layers. The nightly job trains the
top layers this way in minutes; ``train_from=LAYERS`` trains the output layers alone on frozen
MiniLM states (the frozen baseline of ``benchmarks/nlu.py``).
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from tqdm import tqdm

from assistant.training.datasets import Example
from assistant.training.minilm import Batch, JointModel
from assistant.training.torch_cpu import torch
from assistant.understanding.wordpieces import WordPieces

# Hearth's own phrasings weigh more in the tag loss: they are few, and the data sets label the
# same words differently ("car" is O in HWU64 taxi requests, part of a query in "where is my car").
SOURCE_WEIGHTS = {"synth": 3.0, "user": 3.0}
IGNORE = -100


@dataclass(frozen=True)
class Recipe:
    """The shipped model's recipe by default: trained once and shipped, so every layer, to the
    end. The nightly job sets its own quick one (``personalize/model.py``)."""

    epochs: float = 4.0
    batch: int = 32
    lr: float = 1e-4  # encoder layers
    head_lr: float = 2e-3  # intent and tag layers
    warmup: float = 0.06  # share of steps with a rising learning rate
    weight_decay: float = 0.01
    # first trained layer: the embeddings and layers below it stay as all-MiniLM-L6-v2 has
    # them and cost one forward pass (the nightly job's top layers, the frozen baseline)
    train_from: int = 0
    seed: int = 0
    threads: int = 2
    # weight of the pull towards the start model's own intent distribution on the rows that
    # carry one (``Encoded.teacher``): the nightly job's replay keeps what the model knew
    distil: float = 0.0


@dataclass
class Encoded:
    """Examples as padded tensors, in the order given."""

    ids: torch.Tensor
    mask: torch.Tensor
    word_index: torch.Tensor
    word_mask: torch.Tensor
    intent: torch.Tensor
    tags: torch.Tensor  # IGNORE where an example has no tags or past its last word
    intent_weight: torch.Tensor
    tag_weight: torch.Tensor
    # the start model's intent probabilities [N, C] (zeros on rows it does not teach)
    teacher: torch.Tensor | None = None

    def rows(self, idx: Sequence[int]) -> Encoded:
        """Rows ``idx`` cut to their longest token and word length."""
        i = torch.as_tensor(idx)
        t = int(self.mask[i].sum(1).max())
        w = int(self.word_mask[i].sum(1).max())
        return Encoded(self.ids[i, :t], self.mask[i, :t], self.word_index[i, :w], self.word_mask[i, :w],
                       self.intent[i], self.tags[i, :w], self.intent_weight[i], self.tag_weight[i],
                       None if self.teacher is None else self.teacher[i])

    def batch(self) -> Batch:
        return Batch(self.ids, self.mask, self.word_index, self.word_mask)


def class_weights(labels: Sequence[str], power: float = 0.5) -> dict[str, float]:
    """count^-power per label, normalized to mean 1 over the examples."""
    counts = Counter(labels)
    raw = {k: c ** -power for k, c in counts.items()}
    mean = sum(raw[lab] for lab in labels) / max(len(labels), 1)
    return {k: v / mean for k, v in raw.items()}


def encode(wp: WordPieces, examples: Sequence[Example], intents: Sequence[str],
           tags: Sequence[str]) -> Encoded:
    """Tensors for examples; intents and tags are the label lists of the model's outputs."""
    inp = wp.batch([e.words for e in examples])
    ipos = {lab: i for i, lab in enumerate(intents)}
    tpos = {lab: i for i, lab in enumerate(tags)}
    n, w = inp.word_index.shape
    y_tags = np.full((n, w), IGNORE, np.int64)
    word_mask = np.zeros((n, w), np.float32)
    for i, e in enumerate(examples):
        word_mask[i, :len(e.words)] = 1
        if e.tags is not None:
            y_tags[i, :len(e.tags)] = [tpos.get(t, tpos["O"]) for t in e.tags]
    cw = class_weights([e.intent for e in examples])
    return Encoded(
        torch.from_numpy(inp.input_ids), torch.from_numpy(inp.attention_mask),
        torch.from_numpy(inp.word_index), torch.from_numpy(word_mask),
        torch.tensor([ipos[e.intent] for e in examples]), torch.from_numpy(y_tags),
        torch.tensor([cw[e.intent] for e in examples], dtype=torch.float32),
        torch.tensor([SOURCE_WEIGHTS.get(e.source, 1.0) for e in examples], dtype=torch.float32))


def _batches(lengths: np.ndarray, size: int, rng: random.Random) -> list[list[int]]:
    """Batches of similar length (little padding) in random order: shuffle, sort within
    chunks of 50 batches by length, cut, shuffle the batches."""
    order = list(range(len(lengths)))
    rng.shuffle(order)
    out: list[list[int]] = []
    chunk = size * 50
    for s in range(0, len(order), chunk):
        part = sorted(order[s:s + chunk], key=lambda i: lengths[i])
        out += [part[j:j + size] for j in range(0, len(part), size)]
    rng.shuffle(out)
    return out


def frozen_states(model: JointModel, data: Encoded, upto: int, size: int = 128) -> list[torch.Tensor]:
    """Hidden states after the first ``upto`` layers, per example (unpadded, float16), in eval mode."""
    model.eval()
    states: list[torch.Tensor] = []
    lengths = data.mask.sum(1)
    with torch.no_grad():
        for s in range(0, len(data.ids), size):
            idx = list(range(s, min(s + size, len(data.ids))))
            part = data.rows(idx)
            h = model.embed(part.ids)
            bias = (1.0 - part.mask[:, None, None, :].to(h.dtype)) * -1e4
            for layer in model.layers[:upto]:
                h = layer(h, bias)
            states += [h[j, :int(lengths[i])].to(torch.float16) for j, i in enumerate(idx)]
    return states


def _hidden(model: JointModel, part: Encoded, idx: Sequence[int], start: int,
            frozen: Sequence[torch.Tensor] | None) -> torch.Tensor:
    """The input of layer ``start`` for rows ``idx``: embeddings, or their kept frozen states."""
    if not start:
        return model.embed(part.ids)
    assert frozen is not None, "layers below train_from run once, in frozen_states"
    h = torch.zeros(len(idx), part.ids.shape[1], frozen[0].shape[-1])
    for j, i in enumerate(idx):
        h[j, :len(frozen[i])] = frozen[i].float()
    return h


def teach(model: JointModel, data: Encoded, rows: Sequence[int], start: int,
          frozen: Sequence[torch.Tensor] | None = None, size: int = 128) -> torch.Tensor:
    """``model``'s own intent probabilities [N, C] on ``rows`` (eval mode; zeros elsewhere), to
    be kept while it trains on something new (learning without forgetting)."""
    if start and frozen is None:
        frozen = frozen_states(model, data, start)
    model.eval()
    out = torch.zeros(len(data.ids), model.intent.out_features)
    with torch.no_grad():
        for s in range(0, len(rows), size):
            idx = list(rows[s:s + size])
            part = data.rows(idx)
            h = _hidden(model, part, idx, start, frozen)
            intent, _ = model.heads(model.encode(h, part.mask, start), part.batch())
            out[torch.as_tensor(idx)] = torch.softmax(intent, -1)
    return out


def _loss(model: JointModel, part: Encoded, h: torch.Tensor, start: int, distil: float) -> torch.Tensor:
    b = part.batch()
    intent, tags = model.heads(model.encode(h, b.mask, start), b)
    li = torch.nn.functional.cross_entropy(intent, part.intent, reduction="none")
    li = (li * part.intent_weight).sum() / part.intent_weight.sum()
    lt = torch.nn.functional.cross_entropy(tags.transpose(1, 2), part.tags, ignore_index=IGNORE,
                                           reduction="none")
    tw = (part.tags != IGNORE).float() * part.tag_weight[:, None]
    loss = li + (lt * tw).sum() / tw.sum().clamp(min=1.0)
    if distil and part.teacher is not None:
        taught = part.teacher.sum(1) > 0
        if taught.any():
            p = part.teacher[taught]
            logq = torch.log_softmax(intent[taught], -1)
            loss = loss + distil * (p * (torch.log(p.clamp(min=1e-12)) - logq)).sum(1).mean()
    return loss


def fit(model: JointModel, data: Encoded, recipe: Recipe = Recipe(), progress: bool = True,
        desc: str = "fine-tune", frozen: Sequence[torch.Tensor] | None = None) -> JointModel:
    """Train ``model`` in place on ``data`` (from :func:`encode`); returns it in eval mode.

    ``frozen``: the states of the layers below ``recipe.train_from`` when the caller keeps them
    (:func:`frozen_states`); else they are computed here."""
    torch.manual_seed(recipe.seed)
    torch.set_num_threads(recipe.threads)
    rng = random.Random(recipe.seed)
    start = recipe.train_from
    for p in model.parameters():
        p.requires_grad_(False)
    trained = [*model.layers[start:], model.intent, model.tags]
    if start == 0:
        trained += [model.pos_emb, model.type_emb, model.emb_norm]
    heads = {id(p) for m in (model.intent, model.tags) for p in m.parameters()}
    groups: dict[tuple[bool, bool], list[torch.nn.Parameter]] = {}
    for m in trained:
        for name, p in m.named_parameters():
            p.requires_grad_(True)
            groups.setdefault((id(p) in heads, p.ndim > 1 and "norm" not in name), []).append(p)
    opt = torch.optim.AdamW(
        [{"params": ps, "lr": recipe.head_lr if head else recipe.lr,
          "weight_decay": recipe.weight_decay if decay else 0.0}
         for (head, decay), ps in sorted(groups.items())])
    if start and frozen is None:
        frozen = frozen_states(model, data, start)
    lengths = data.mask.sum(1).numpy()
    epochs = math.ceil(recipe.epochs)
    per_epoch = math.ceil(len(lengths) / recipe.batch)
    total = max(1, round(recipe.epochs * per_epoch))
    warm = max(1, round(recipe.warmup * total))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min((s + 1) / warm, max(0.0, (total - s) / max(1, total - warm))))
    step = 0
    bar = tqdm(total=total, desc=desc, unit="step", disable=not progress)
    model.train()
    for _ in range(epochs):
        for idx in _batches(lengths, recipe.batch, rng):
            if step >= total:
                break
            part = data.rows(idx)
            loss = _loss(model, part, _hidden(model, part, idx, start, frozen), start, recipe.distil)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            step += 1
            bar.update()
            bar.set_postfix(loss=f"{loss.item():.3f}")
    bar.close()
    return model.eval()
