"""One way to open an onnxruntime CPU session, shared by every model Hearth runs.

Why memory patterns are off: every call has a new input shape (a sentence's length, the growing
KV cache), and onnxruntime keeps a memory plan, with its own arena block, per shape it has
seen. Measured on the piper voice over 22 short replies: the process grew by 201 MB with them,
by 104 MB without, at the same speed.
"""

from __future__ import annotations

from pathlib import Path

from assistant.errors import ModelError


def open_session(path: Path | bytes, threads: int = 1, *, spin: bool = True, arena: bool = True):  # -> ort.InferenceSession
    """A CPU session on ``threads`` cores (0: all) over a model file or a serialized model built
    in memory; a missing or corrupt file becomes one ModelError line.

    ``spin=False`` lets idle worker threads sleep, for a model that shares the few cores with
    audio and TTS while it runs (the generative model). ``arena=False`` hands memory back after
    every call, for a model whose outputs vary widely in size (Whisper's step: 18 MB less at
    peak over 24 commands, no slower).
    """
    import onnxruntime as ort

    if not isinstance(path, bytes):
        path = Path(path)
        if not path.is_file():
            raise ModelError(f"model file missing: {path}")
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads  # 0: onnxruntime picks one per core
    opts.inter_op_num_threads = 1
    opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    opts.enable_mem_pattern = False
    opts.enable_cpu_mem_arena = arena
    opts.log_severity_level = 3
    if not spin:
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
    try:
        return ort.InferenceSession(path if isinstance(path, bytes) else str(path), opts,
                                    providers=["CPUExecutionProvider"])
    except Exception as e:  # onnxruntime raises its own untyped errors for corrupt files
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        name = "the model built in memory" if isinstance(path, bytes) else path.name
        raise ModelError(f"cannot load {name}: {first[:200]}") from None
