"""Test isolation: every run gets its own config, data and cache folders.

Installed models stay where ``scripts/install.sh`` put them (HEARTH_MODELS_DIR keeps pointing at
the real models folder), so the tests use the same converted models a user has.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from assistant import paths

_real_models = paths.models_dir()
_root = Path(tempfile.mkdtemp(prefix="hearth-test-"))
os.environ.setdefault("HEARTH_MODELS_DIR", str(_real_models))
for name in ("CONFIG", "DATA", "CACHE"):
    os.environ[f"HEARTH_{name}_DIR"] = str(_root / name.lower())
os.environ.setdefault("HEARTH_TEST_SPEECH_DIR", str(_root / "speech"))
