"""Where Hearth keeps its files: XDG base directories, overridable by environment for services."""

from __future__ import annotations

import os
from pathlib import Path

APP = "hearth"


def _xdg(var: str, default: str, override: str) -> Path:
    if os.environ.get(override):
        return Path(os.environ[override])
    base = os.environ.get(var) or os.path.expanduser(default)
    return Path(base) / APP


def config_dir() -> Path:
    """Config folder (systemd ConfigurationDirectory sets HEARTH_CONFIG_DIR)."""
    return _xdg("XDG_CONFIG_HOME", "~/.config", "HEARTH_CONFIG_DIR")


def data_dir() -> Path:
    """Models, history database and other state (systemd StateDirectory sets HEARTH_DATA_DIR)."""
    return _xdg("XDG_DATA_HOME", "~/.local/share", "HEARTH_DATA_DIR")


def cache_dir() -> Path:
    """Rebuildable files such as compiled language models (HEARTH_CACHE_DIR)."""
    return _xdg("XDG_CACHE_HOME", "~/.cache", "HEARTH_CACHE_DIR")


def models_dir() -> Path:
    """Installed models, one folder per model name (HEARTH_MODELS_DIR overrides)."""
    if os.environ.get("HEARTH_MODELS_DIR"):
        return Path(os.environ["HEARTH_MODELS_DIR"])
    return data_dir() / "models"


REPO_MODELS = Path(__file__).resolve().parent.parent / "models"
PACKAGE_DATA = Path(__file__).resolve().parent / "data"
