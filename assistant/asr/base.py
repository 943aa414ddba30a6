"""The streaming recognizer interface shared by the vosk and pocketsphinx backends."""

from __future__ import annotations

from typing import Protocol

import numpy as np

from assistant.events import Transcript


class Recognizer(Protocol):
    """Feed 16 kHz mono int16 chunks; read partial text any time; ``final`` ends the utterance.

    ``accept`` returns True when the engine itself detected the end of an utterance.
    """

    name: str

    def accept(self, chunk: np.ndarray) -> bool: ...

    def partial(self) -> str: ...

    def final(self) -> Transcript: ...

    def reset(self) -> None: ...

    def forget_noise(self) -> None: ...  # the last utterance was noise: undo its adaptation

    def keep_channel(self) -> None: ...  # the last utterance was speech: keep its adaptation
