"""Plain dataclasses that travel between the stages of the loop (wyoming-style events)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Word:
    """One recognized word with its timing (seconds from utterance start) and confidence 0..1."""

    text: str
    start: float
    end: float
    confidence: float = 1.0


@dataclass
class Transcript:
    """What the recognizer heard. Partial transcripts have ``is_final=False`` and no words."""

    text: str
    is_final: bool = True
    confidence: float = 1.0
    words: list[Word] = field(default_factory=list)
    alternatives: list[str] = field(default_factory=list)
    # what produced the words: "grammar", "open" (language model), "offered" (the grammar's
    # likeliest sentence, not sure enough to take), ...
    source: str = ""
    calibrated: bool = False  # ``confidence`` is a calibrated chance that the words are right

    def vouched_text(self) -> str:
        """The words to hand to whoever acts without asking back (Home Assistant): an offered
        sentence gives way to what was heard, its first alternative."""
        return self.alternatives[0] if self.source == "offered" and self.alternatives else self.text


@dataclass
class Slot:
    """A typed span of the utterance. ``value`` is the normalized value (e.g. seconds)."""

    name: str
    text: str
    value: Any = None
    confidence: float = 1.0
    start: int = -1  # word index, inclusive
    end: int = -1  # word index, exclusive


# Understanding.source of a follow-up read against the last turn ("make it ten"): a skill may
# treat it as a correction of what that turn did
FOLLOW_UP = "context"


@dataclass
class Understanding:
    """The intent and slots of one utterance, with confidences so the loop can ask back."""

    text: str
    intent: str
    confidence: float
    slots: list[Slot] = field(default_factory=list)
    alternatives: list[tuple[str, float]] = field(default_factory=list)
    in_scope: bool = True
    source: str = ""  # which understander produced it ("nlu", "keywords", ...)
    # the text as it came in (typed, or another engine's transcript), where ``text`` holds its
    # spoken words: its commas say where the items of a list end
    written: str = ""

    def slot(self, name: str) -> Slot | None:
        """The first slot with this name, or None."""
        return next((s for s in self.slots if s.name == name), None)


@dataclass
class Reply:
    """What the assistant says back, and whether it expects an answer (follow-up without wake)."""

    text: str
    intent: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    expects_answer: bool = False
    ok: bool = True  # False when the skill failed or did not understand
    # Streamed replies (the generative model): sentences arrive one by one; ``text`` is then
    # filled in by whoever consumes the stream.
    stream: Iterator[str] | None = field(default=None, repr=False, compare=False)


@dataclass
class StageTimes:
    """Monotonic timestamps (seconds) of one turn's stages; None where a stage did not run."""

    speech_start: float | None = None
    speech_end: float | None = None  # last voiced sample
    endpoint: float | None = None  # the loop decided the utterance is over
    asr_final: float | None = None
    understood: float | None = None
    replied: float | None = None  # skill returned the reply text
    first_audio: float | None = None  # first TTS chunk reached the sink
    done: float | None = None

    def durations_ms(self) -> dict[str, float]:
        """Per-stage durations in ms, each measured from the previous stage that ran."""
        order = ["speech_end", "endpoint", "asr_final", "understood", "replied", "first_audio", "done"]
        out: dict[str, float] = {}
        prev = self.speech_end
        for name in order[1:]:
            t = getattr(self, name)
            if t is not None and prev is not None:
                out[name] = round((t - prev) * 1000, 1)
                prev = t
        if self.speech_end is not None and self.first_audio is not None:
            out["speech_end_to_first_audio"] = round((self.first_audio - self.speech_end) * 1000, 1)
        return out


@dataclass
class Turn:
    """One exchange: what was heard, understood and said, with timings."""

    transcript: Transcript
    understanding: Understanding | None
    reply: Reply
    times: StageTimes = field(default_factory=StageTimes)
    audio_seconds: float = 0.0
    interrupted: bool = False  # the user barged in while the reply was playing
