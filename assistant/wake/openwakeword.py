"""Wake word by openWakeWord (pyopen-wakeword): neural models made for exactly this job.

One shared front end (melspectrogram, then a speech embedding every 80 ms) feeds any number of
small wake models, so several wake words cost little more than one. A model fires when its score
stays at ``threshold`` or above for ``trigger_level`` frames in a row; then every model starts
afresh, which also keeps one spoken phrase from firing twice.

TFLite crashes the process on a damaged model instead of raising, so nothing reaches it
unchecked: bundled models are re-hashed against the manifest, a user's file is parsed by the
TFLite library first and its tensor shapes checked.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from assistant.audio.base import SAMPLE_RATE
from assistant.errors import ConfigError, ModelError
from assistant.wake.base import AudioRing, Detection

PhraseEnd = Callable[[str, np.ndarray], "int | None"]  # (phrase, audio) -> sample past its end

log = logging.getLogger(__name__)

BUNDLED = ("hey_jarvis", "okay_nabu", "hey_mycroft", "alexa", "hey_rhasspy")
FEATURES_MODEL = "openwakeword-features"
CHUNK = 1280  # 80 ms: the front end's hop; fed whole so its 10 s buffer shifts 12 times a second
EMBEDDING_DIM = 96
# Without an aligner (see pocketsphinx.PhraseAligner) the phrase is taken to end at the quietest
# 50 ms of this span before the decision (71 of 84 commands kept whole, 48 from the decision).
PHRASE_END_SEARCH_S = (0.45, 0.12)
ALIGN_WINDOW_S = 2.0  # audio before the decision in which the phrase is aligned


def manifest_name(model: str) -> str:
    """The manifest entry of a bundled wake model ("hey_jarvis" -> "openwakeword-hey-jarvis")."""
    return "openwakeword-" + model.replace("_", "-")


def is_path(spec: str) -> bool:
    return spec.endswith(".tflite") or "/" in spec


def model_id(spec: str) -> str:
    """The name a detection carries: the bundled name, or a user file's stem."""
    return Path(spec).stem if is_path(spec) else spec


def check_specs(specs: list[str]) -> None:
    """Config errors before any model is loaded: one line naming what is wrong."""
    if not specs:
        raise ConfigError("wake.model is empty: name a bundled model "
                          f"({', '.join(BUNDLED)}) or a .tflite file")
    for spec in specs:
        if not is_path(spec) and spec not in BUNDLED:
            raise ConfigError(f"wake.model '{spec}' is neither a bundled model "
                              f"({', '.join(BUNDLED)}) nor a .tflite file")


def _package() -> Any:
    try:
        import pyopen_wakeword
    except ImportError:
        raise ModelError("openWakeWord is not installed "
                         "(pip install pyopen-wakeword==1.1.0)") from None
    return pyopen_wakeword


def _features(pkg: Any) -> Any:
    from assistant.models.registry import verified

    folder = verified(FEATURES_MODEL)  # two files: the folder
    try:
        return pkg.OpenWakeWordFeatures.from_builtin(models_dir=folder)
    except (OSError, ValueError, RuntimeError) as e:  # the TFLite library itself
        raise ModelError(f"openWakeWord could not load its TFLite runtime: {e}") from None


@contextlib.contextmanager
def _native_stderr_muted() -> Iterator[None]:
    """TFLite prints its own complaint to fd 2; the one line that matters is ours."""
    saved = os.dup(2)
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def _checked_file(spec: str, lib: Any) -> Path:
    """A user's .tflite file, parsed by TFLite once before anything runs it."""
    path = Path(spec).expanduser()
    if not path.is_file():
        raise ModelError(f"wake model {path} does not exist")
    handle = lib.TfLiteModelCreateFromFile(str(path.resolve()).encode())
    if not handle:
        raise ModelError(f"wake model {path} is not a valid TFLite file")
    lib.TfLiteModelDelete(handle)
    return path


def _load_model(pkg: Any, spec: str, lib: Any) -> Any:
    from assistant.models.registry import verified

    with _native_stderr_muted():
        path = _checked_file(spec, lib) if is_path(spec) else verified(manifest_name(spec))
        model = pkg.OpenWakeWord.from_model(path)
    dims = [model.lib.TfLiteTensorDim(model.input_tensor, i)
            for i in range(model.lib.TfLiteTensorNumDims(model.input_tensor))]
    out_bytes = model.lib.TfLiteTensorByteSize(model.output_tensor)
    if len(dims) != 3 or dims[2] != EMBEDDING_DIM or out_bytes != 4:
        model.close()
        raise ModelError(f"wake model {path} is not an openWakeWord model "
                         f"(input {dims}, expected [1, frames, {EMBEDDING_DIM}])")
    return model


class OpenWakeWordDetector:
    """A ``WakeDetector`` over one or more openWakeWord models, loaded once."""

    name = "openwakeword"

    def __init__(self, models: list[str], threshold: float = 0.5, trigger_level: int = 1,
                 aligner: Callable[[list[str]], PhraseEnd | None] | None = None) -> None:
        check_specs(models)
        if not 0.01 <= threshold < 1:
            raise ConfigError(f"wake.threshold must be between 0.01 and 1 (an openWakeWord "
                              f"score), got {threshold}")
        if trigger_level < 1:
            raise ConfigError(f"wake.trigger_level must be 1 or more, got {trigger_level}")
        pkg = _package()
        self._features = _features(pkg)
        self._models = [_load_model(pkg, spec, self._features.lib) for spec in models]
        self.ids = [model_id(spec) for spec in models]
        self.words = [i.replace("_", " ") for i in self.ids]
        self._align = aligner(self.words) if aligner is not None else None
        self.threshold = threshold
        self.trigger_level = trigger_level
        self._runs = [0] * len(models)
        self._peaks = [0.0] * len(models)
        self._pending = np.zeros(0, np.int16)
        self._ring = AudioRing()
        self.last: Detection | None = None
        self._detected_end = 0
        # the front end starts on 8 s of silence; process it now, not in the first live chunk
        list(self._features.process_streaming(np.zeros(CHUNK, np.int16).tobytes()))

    @property
    def elapsed(self) -> float:
        return self._ring.total / SAMPLE_RATE

    def accept(self, chunk: np.ndarray) -> bool:
        """Consume a chunk; True when a wake word was just heard (see ``last``)."""
        chunk = np.asarray(chunk, dtype=np.int16)
        self._ring.append(chunk)
        self._pending = np.concatenate([self._pending, chunk])
        while len(self._pending) >= CHUNK:
            block, self._pending = self._pending[:CHUNK], self._pending[CHUNK:]
            if self._score(block):
                return True
        return False

    def _score(self, block: np.ndarray) -> bool:
        for emb in self._features.process_streaming(block.tobytes()):
            for i, model in enumerate(self._models):
                for p in model.process_streaming(emb):
                    if p < self.threshold:
                        self._runs[i], self._peaks[i] = 0, 0.0
                        continue
                    self._runs[i] += 1
                    self._peaks[i] = max(self._peaks[i], float(p))
                    if self._runs[i] >= self.trigger_level:
                        decided = self._ring.total - len(self._pending)
                        self._detected_end = self._phrase_end(self.words[i], decided)
                        self.last = Detection(self.ids[i], decided / SAMPLE_RATE,
                                              round(self._peaks[i], 4))
                        self.reset(keep_pending=True)
                        return True
        return False

    def _phrase_end(self, words: str, decided: int) -> int:
        """Stream sample where the wake phrase ended: aligned, else by level."""
        if self._align is not None:
            start = decided - int(ALIGN_WINDOW_S * SAMPLE_RATE)
            end = self._align(words, self._ring.between(start, decided))
            if end is not None:
                return max(start, self._ring.first) + end
        far, near = (int(s * SAMPLE_RATE) for s in PHRASE_END_SEARCH_S)
        span = self._ring.between(decided - far, decided - near).astype(np.float64)
        frames = len(span) // 160
        if frames < 5:
            return decided
        db = 10 * np.log10(np.mean(span[: frames * 160].reshape(frames, 160) ** 2, axis=1) + 1)
        smooth = np.convolve(db, np.ones(5) / 5, mode="same")
        return decided - near - len(span) + int(np.argmin(smooth)) * 160

    def audio_after_phrase(self) -> np.ndarray:
        """What followed the wake phrase (the command often follows at once)."""
        return self._ring.between(self._detected_end, self._ring.total)

    def reset(self, keep_pending: bool = False) -> None:
        """Every model starts afresh: it scores again once it has 1-2 s of new audio."""
        for model in self._models:
            model.reset()
        self._runs = [0] * len(self._models)
        self._peaks = [0.0] * len(self._models)
        if not keep_pending:
            self._pending = np.zeros(0, np.int16)
