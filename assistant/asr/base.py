"""The streaming recognizer interface, and the abilities only some engines have.

Every engine takes audio and gives text (``Recognizer``); an engine that adapts to the room as
it hears (``ChannelAdaptive``), can be held to a few phrases (``GrammarRestrictable``) or can
start its final decode during a pause (``Speculative``) says so by having those methods, and
callers ask with ``isinstance``.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

import numpy as np

from assistant.about import About
from assistant.events import Transcript


class Recognizer(Protocol):
    """Feed 16 kHz mono int16 chunks; read partial text any time; ``final`` ends the utterance.

    ``accept`` returns True when the engine itself detected the end of an utterance.
    """

    name: str  # the engine and its language model, for status lines ("pocketsphinx-domain")
    about: About

    def accept(self, chunk: np.ndarray) -> bool: ...

    def partial(self) -> str: ...

    def final(self) -> Transcript: ...

    def reset(self) -> None: ...


@runtime_checkable
class ChannelAdaptive(Protocol):
    """An engine whose channel estimate (pocketsphinx's cepstral mean) follows what it hears: a
    noise must not leave it tuned to the noise, so the caller says what the utterance was."""

    def forget_noise(self) -> None: ...  # the last utterance was noise: undo its adaptation

    def keep_channel(self) -> None: ...  # the last utterance was speech: keep its adaptation

    def channel(self) -> Any: ...  # the current estimate, to put back with ``set_channel``

    def set_channel(self, channel: Any) -> None: ...


@runtime_checkable
class GrammarRestrictable(Protocol):
    """An engine that can hear only a few phrases (a yes/no question); None frees it again."""

    def set_grammar(self, phrases: list[str] | None) -> None: ...


@runtime_checkable
class Speculative(Protocol):
    """An engine that decodes only once the utterance is over (Whisper), and so can start that
    work when the speaker pauses: if the pause turns out to be the end, ``final`` keeps it."""

    def speculate(self) -> None: ...  # the audio so far may be all of it: start decoding it

    def resume(self) -> None: ...  # more speech came after all: drop that decode

    def settle(self) -> None: ...  # until the decode started in this pause is done


def learn_channel(recognizer: Recognizer, speech: bool) -> None:
    """After ``final``: keep what speech taught the channel estimate, forget what noise did."""
    if isinstance(recognizer, ChannelAdaptive):
        if speech:
            recognizer.keep_channel()
        else:
            recognizer.forget_noise()
