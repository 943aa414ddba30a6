"""Wake word by openWakeWord (pyopen-wakeword): neural models made for exactly this job.

One shared front end (melspectrogram, then a speech embedding every 80 ms) feeds any number of
small wake models, so several wake words cost little more than one: the front end is 99% of the
CPU. It runs on one thread (TFLite's default pool of one thread per core cost 25% more CPU for
the same work, spinning on a machine that is busy anyway). When a model fires is decided by
``Trigger`` alone, so the wake benchmark replays recorded scores through the same code.

TFLite crashes the process on a damaged model instead of raising, so nothing reaches it
unchecked: bundled models are re-hashed against the manifest, a user's file is parsed by the
TFLite library first and its tensor shapes checked.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from assistant.about import About, package_version
from assistant.audio.base import SAMPLE_RATE
from assistant.config import WakeConfig
from assistant.errors import ConfigError, ModelError
from assistant.wake.base import AudioRing, Detection, is_path, model_id

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
    from pyopen_wakeword.openwakeword import EMB_SHAPE, MEL_SHAPE

    from assistant.models.registry import verified

    folder = verified(FEATURES_MODEL)  # two files: the folder
    with _native_stderr_muted():
        try:
            features = pkg.OpenWakeWordFeatures.from_builtin(models_dir=folder)
        except (OSError, ValueError, RuntimeError) as e:  # the TFLite library itself
            raise ModelError(f"openWakeWord could not load its TFLite runtime: {e}") from None
        _one_thread(features, "mel_", MEL_SHAPE)
        _one_thread(features, "emb_", EMB_SHAPE)
    return features


def _one_thread(obj: Any, prefix: str = "", shape: tuple[int, ...] | None = None) -> None:
    """Rebuild one of the package's interpreters (``{prefix}interpreter`` over ``{prefix}model``)
    on a single thread; the package makes them with TFLite's default options."""
    lib = obj.lib
    lib.TfLiteInterpreterOptionsCreate.restype = ctypes.c_void_p
    lib.TfLiteInterpreterOptionsSetNumThreads.argtypes = [ctypes.c_void_p, ctypes.c_int32]
    lib.TfLiteInterpreterOptionsDelete.argtypes = [ctypes.c_void_p]
    options = lib.TfLiteInterpreterOptionsCreate()
    lib.TfLiteInterpreterOptionsSetNumThreads(options, 1)
    interpreter = lib.TfLiteInterpreterCreate(getattr(obj, prefix + "model"), options)
    lib.TfLiteInterpreterOptionsDelete(options)
    if not interpreter:
        raise ModelError("openWakeWord: TFLite could not make an interpreter")
    if shape is not None:
        dims = (ctypes.c_int32 * len(shape))(*shape)
        lib.TfLiteInterpreterResizeInputTensor(interpreter, 0, dims, len(shape))
    lib.TfLiteInterpreterAllocateTensors(interpreter)
    lib.TfLiteInterpreterDelete(getattr(obj, prefix + "interpreter"))
    setattr(obj, prefix + "interpreter", interpreter)
    setattr(obj, prefix + "input_tensor", lib.TfLiteInterpreterGetInputTensor(interpreter, 0))
    setattr(obj, prefix + "output_tensor", lib.TfLiteInterpreterGetOutputTensor(interpreter, 0))


@contextlib.contextmanager
def _native_stderr_muted() -> Iterator[None]:
    """TFLite prints its own complaint to fd 2; the one line that matters is ours.

    fd 2 is the whole process's: while it is muted, the log handlers are held, so a line
    another thread logs meanwhile (the Wyoming server builds detectors while it serves) waits
    instead of vanishing.
    """
    handlers = logging.getLogger().handlers
    for h in handlers:
        h.acquire()
    saved = os.dup(2)
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        for h in reversed(handlers):
            h.release()


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
        _one_thread(model)
    dims = [model.lib.TfLiteTensorDim(model.input_tensor, i)
            for i in range(model.lib.TfLiteTensorNumDims(model.input_tensor))]
    out_bytes = model.lib.TfLiteTensorByteSize(model.output_tensor)
    if len(dims) != 3 or dims[2] != EMBEDDING_DIM or out_bytes != 4:
        model.close()
        raise ModelError(f"wake model {path} is not an openWakeWord model "
                         f"(input {dims}, expected [1, frames, {EMBEDDING_DIM}])")
    return model


def from_config(cfg: WakeConfig) -> OpenWakeWordDetector:
    """``wake.model`` heard by openWakeWord; pocketsphinx finds where each phrase ended."""
    return OpenWakeWordDetector(cfg.model, cfg.threshold, cfg.trigger_level, _aligner)


def _aligner(phrases: list[str]) -> PhraseEnd | None:
    """pocketsphinx finds where an openWakeWord phrase ended; without it, the level does."""
    from assistant.wake.pocketsphinx import PhraseAligner

    try:
        return PhraseAligner(phrases).phrase_end
    except ModelError as e:
        log.info("wake: phrase ends found by level, not aligned: %s", e)
        return None


class OpenWakeWordDetector:
    """A ``WakeDetector`` over one or more openWakeWord models, loaded once."""

    name = "openwakeword"

    def __init__(self, models: list[str], threshold: float = 0.5, trigger_level: int = 1,
                 aligner: Callable[[list[str]], PhraseEnd | None] | None = None) -> None:
        check_specs(models)
        Trigger(threshold, trigger_level, [])  # a bad setting is one line before any model loads
        pkg = _package()
        self._features = _features(pkg)
        self._models = [_load_model(pkg, spec, self._features.lib) for spec in models]
        self.ids = [model_id(spec) for spec in models]
        self.words = [i.replace("_", " ") for i in self.ids]
        self.about = About(", ".join(self.ids), package_version("pyopen-wakeword"),
                           "David Scripka (openWakeWord)",
                           "https://github.com/dscripka/openWakeWord")
        self._align = aligner(self.words) if aligner is not None else None
        self.trigger = Trigger(threshold, trigger_level, [m.input_windows for m in self._models])
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

    def frame_scores(self, block: np.ndarray) -> Iterator[list[float | None]]:
        """Every model's score for each new 80 ms frame in ``block`` (None: still filling)."""
        for emb in self._features.process_streaming(block.tobytes()):
            yield [next(reversed(list(model.process_streaming(emb))), None)
                   for model in self._models]

    def _score(self, block: np.ndarray) -> bool:
        for scores in self.frame_scores(block):
            i = self.trigger.step(scores)
            if i is not None:
                decided = self._ring.total - len(self._pending)
                self._detected_end = self._phrase_end(self.words[i], decided)
                self.last = Detection(self.ids[i], decided / SAMPLE_RATE,
                                      round(self.trigger.peak, 4))
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

    def reset(self) -> None:
        """Every model starts afresh: it scores again once it has 1-2 s of new audio."""
        for model in self._models:
            model.reset()
        self.trigger.reset()
        self._pending = np.zeros(0, np.int16)


class Trigger:
    """When scores wake Hearth: a model fires once its score stays at ``threshold`` or above
    for ``trigger_level`` frames in a row. Then every model is deaf until its window (16 frames,
    1.28 s) holds only new audio, exactly as if it had been reset, so one spoken phrase does not
    fire twice and a replay of recorded scores (the wake benchmark) decides as the live loop.
    """

    def __init__(self, threshold: float, trigger_level: int, windows: Sequence[int]) -> None:
        if not 0.01 <= threshold < 1:
            raise ConfigError(f"wake.threshold must be between 0.01 and 1 (an openWakeWord "
                              f"score), got {threshold}")
        if trigger_level < 1:
            raise ConfigError(f"wake.trigger_level must be 1 or more, got {trigger_level}")
        self.threshold = threshold
        self.trigger_level = trigger_level
        self.windows = list(windows)
        self.reset()

    def reset(self) -> None:
        self._runs = [0] * len(self.windows)
        self._deaf = [0] * len(self.windows)
        self._peaks = [0.0] * len(self.windows)
        self.peak = 0.0  # the highest score of the run that fired last

    def step(self, scores: Sequence[float | None]) -> int | None:
        """One frame's scores, one per model; the index of the model that fires, or None."""
        for i, p in enumerate(scores):
            if self._deaf[i] > 0:
                self._deaf[i] -= 1
                continue
            if p is None or p < self.threshold:
                self._runs[i], self._peaks[i] = 0, 0.0
                continue
            self._runs[i] += 1
            self._peaks[i] = max(self._peaks[i], float(p))
            if self._runs[i] >= self.trigger_level:
                self.peak = self._peaks[i]
                self._runs = [0] * len(self.windows)
                self._peaks = [0.0] * len(self.windows)
                self._deaf = [w - 1 for w in self.windows]
                return i
        return None
