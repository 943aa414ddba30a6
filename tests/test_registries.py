"""Engines by name: every registry names exactly the config's choices, and a bad name (or a bad
``wake.mode``) fails when the config loads, in one line."""

from __future__ import annotations

import subprocess
import sys
import typing
from pathlib import Path

import pytest

from assistant import config
from assistant.asr.factory import RECOGNIZERS
from assistant.asr.sphinx import SEARCHES
from assistant.audio.endpointers import ENDPOINTERS
from assistant.errors import ConfigError
from assistant.registry import Registry
from assistant.tts.factory import SYNTHESIZERS
from assistant.understanding.factory import UNDERSTANDERS
from assistant.wake.factory import DETECTORS


@pytest.mark.parametrize(("registry", "choices"), [
    (RECOGNIZERS, config.AsrEngine), (SEARCHES, config.LanguageModel),
    (DETECTORS, config.WakeEngine), (ENDPOINTERS, config.VadEngine),
    (UNDERSTANDERS, config.UnderstandingEngine), (SYNTHESIZERS, config.TtsEngine),
])
def test_each_registry_builds_exactly_the_configs_choices(registry: Registry, choices) -> None:
    assert set(registry.names()) == set(typing.get_args(choices))


def test_an_unknown_name_is_one_line_naming_the_choices() -> None:
    with pytest.raises(ConfigError, match=r"^config: asr.engine must be one of whisper, "
                                          r"pocketsphinx, vosk, got 'nosuch'$"):
        RECOGNIZERS["nosuch"]


def test_a_bad_wake_mode_fails_when_the_config_file_loads(tmp_path: Path) -> None:
    f = tmp_path / "config.toml"
    f.write_text('[wake]\nmode = "wake-word"\n')
    with pytest.raises(ConfigError) as e:
        config.load(f)
    assert str(e.value) == ("config: wake.mode must be one of wake_word, push_to_talk, always, "
                            "got 'wake-word'")


def test_list_options_check_each_item() -> None:
    cfg = config.Config()
    config.set_option(cfg, "wyoming.services", "asr, tts")
    assert cfg.wyoming.services == ["asr", "tts"]
    with pytest.raises(ConfigError, match="wyoming.services must be one of"):
        config.set_option(cfg, "wyoming.services", "asr,speech")


@pytest.mark.parametrize("flag", [["--asr-engine", "nosuch"], ["--wake-mode", "sometimes"]])
def test_a_bad_engine_flag_exits_with_one_line_before_loading_anything(flag: list[str]) -> None:
    r = subprocess.run([sys.executable, "-m", "assistant", "ask", "what time is it", *flag],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode != 0 and r.stdout == ""
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "must be one of" in lines[0] and flag[1] in lines[0], r.stderr
