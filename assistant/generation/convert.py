"""Install-time conversion: SmolLM2 GGUF -> ONNX decoder with KV cache + tokenizer.json.

Runs once (``assistant models install smollm2-135m-onnx``), never at start-up, so the runtime
needs neither ``gguf`` nor ``onnx``. The output is deterministic (same bytes for the same GGUF),
which lets the manifest pin its hashes.

Default weights: ``q4`` -- the GGUF's own 4-bit blocks, bit-exact, with fp32 activations (see
``quant.py``, ``graph.build_decoder`` and ``benchmarks/generation.py`` for the comparison with
int8 activations, 8-bit and re-quantized 4-bit).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from tqdm import tqdm

from assistant.errors import ModelError
from assistant.files import write_atomic
from assistant.generation.gguf_source import GgufSource
from assistant.generation.tokenizer_build import build_tokenizer

MODEL_FILE = "model.onnx"
TOKENIZER_FILE = "tokenizer.json"
CONFIG_FILE = "generation.json"
FORMAT = 1  # bump when the graph's inputs/outputs change; the runtime refuses other formats
DEFAULT_SCHEME = "q4"
_CHATML = "<|im_start|>"
_SELF_TEST = "Why is the sky blue? It's 20°C at 7:30 — café naïve 12345."


def find_gguf(src: Path) -> Path:
    """The GGUF file itself, or the only ``*.gguf`` inside a model folder."""
    src = Path(src)
    if src.is_dir():
        found = sorted(src.glob("*.gguf"))
        if len(found) != 1:
            raise ModelError(f"expected one .gguf file in {src}, found {len(found)}")
        return found[0]
    return src


def _runtime_config(src: GgufSource, tokenizer, scheme: str) -> dict:
    """What the generator needs besides the graph: cache layout, stop tokens, chat markers."""
    template = src.meta("tokenizer.chat_template", "")
    if _CHATML not in template:
        raise ModelError(f"{src.path.name}: chat template is not ChatML; not supported")
    stops = {int(src.meta("tokenizer.ggml.eos_token_id"))}
    for name in ("<|im_end|>", "<|endoftext|>"):
        if (tid := tokenizer.token_to_id(name)) is not None:
            stops.add(tid)
    spec = src.spec
    return {
        "format": FORMAT,
        "weights": scheme,
        "layers": spec.layers,
        "kv_heads": spec.kv_heads,
        "head_dim": spec.head_dim,
        "vocab": spec.vocab,
        "context": spec.context,
        "stop_token_ids": sorted(stops),
        "chat_template": template,
        "source": src.path.name,
    }


def convert(src_gguf: Path, out_dir: Path, progress: bool | None = None,
            scheme: str = DEFAULT_SCHEME) -> None:
    """Write ``model.onnx``, ``tokenizer.json`` and ``generation.json`` into ``out_dir``.

    ``progress``: show a progress bar (default: when stderr is a terminal).
    """
    try:  # install-time-only dependencies (the "train" extra); the runtime needs neither
        import gguf  # noqa: F401

        from assistant.generation.graph import build_decoder
    except ImportError as e:
        raise ModelError(f"converting SmolLM2 needs the '{e.name}' package "
                         "(pip install onnx==1.23.2 gguf==0.19.0)") from None
    if progress is None:
        progress = sys.stderr.isatty()
    src = GgufSource(find_gguf(src_gguf))
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    tokenizer = build_tokenizer(src)
    if tokenizer.decode(tokenizer.encode(_SELF_TEST).ids) != _SELF_TEST:
        raise ModelError(f"{src.path.name}: the rebuilt tokenizer does not round-trip text")
    steps = src.spec.layers + 1
    with tqdm(total=steps, desc="converting SmolLM2 to ONNX", unit="layer",
              disable=not progress, leave=False) as bar:
        model = build_decoder(src, scheme, progress=lambda done: bar.update(done - bar.n))
        write_atomic(out_dir / MODEL_FILE, model.SerializeToString(deterministic=True))
        bar.update(1)
    write_atomic(out_dir / TOKENIZER_FILE, tokenizer.to_str(pretty=False).encode("utf-8"))
    config = _runtime_config(src, tokenizer, scheme)
    write_atomic(out_dir / CONFIG_FILE, (json.dumps(config, indent=1, sort_keys=True) + "\n").encode())
