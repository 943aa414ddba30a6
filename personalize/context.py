"""What every step of the nightly job gets (kept apart so the job and its steps import it, not
each other)."""

from __future__ import annotations

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
    results: dict[str, Any] = field(default_factory=dict)
