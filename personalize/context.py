"""What every step of the nightly job gets (kept apart so the job and its steps import it, not
each other)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.config import Config
from assistant.store import Store

MIN_NEW_EXAMPLES = 3  # corrected or rephrased texts needed before a fine-tune is worth it


@dataclass
class Context:
    """What every step gets: the config, the history database and the run's work folder."""

    cfg: Config
    store: Store
    work: Path
    start_model: Path  # the model that was live when the run began
    progress: bool = True
    results: dict[str, StepResult] = field(default_factory=dict)  # of the steps done so far


@dataclass
class StepResult:
    """What a step leaves in the state file for the steps after it and for the report.

    ``stop`` ends the run early (nothing new to learn, or the candidate was refused), with
    ``result`` and ``reason`` for the report.
    """

    stop: bool = False
    result: str = ""  # how the run ended when it stops here: "skipped", "kept"
    reason: str = ""
    counts: dict[str, int] = field(default_factory=dict)  # dataset: examples by source
    metrics: dict[str, Any] = field(default_factory=dict)  # evaluate: the candidate's scores
    version: int | None = None  # promote: the version made live
    details: dict[str, Any] = field(default_factory=dict)  # the rest, reported as it is
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> StepResult:
        return cls(**d)


@dataclass(frozen=True)
class Step:
    """One step of the job, by the name the state file ticks off."""

    name: str
    run: Callable[[Context], StepResult]
