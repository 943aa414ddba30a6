"""A missing or corrupt NLU model is one ModelError line, and the loop falls back to keywords."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import pytest

from assistant.config import UnderstandingConfig
from assistant.errors import ConfigError, ModelError
from assistant.paths import REPO_MODELS
from assistant.understanding.factory import make_understander
from assistant.understanding.keywords import KeywordUnderstander
from assistant.understanding.nlu import NluUnderstander

SHIPPED = REPO_MODELS / "hearth-nlu"


@pytest.fixture
def model_copy(tmp_path: Path) -> Path:
    d = tmp_path / "nlu"
    shutil.copytree(SHIPPED, d)
    return d


def _one_line(e: pytest.ExceptionInfo[ModelError]) -> str:
    msg = str(e.value)
    assert msg and "\n" not in msg
    return msg


def test_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(ModelError) as e:
        NluUnderstander(tmp_path / "nope")
    assert "missing" in _one_line(e)


@pytest.mark.parametrize("name", ["model.onnx", "tokenizer.json"])
def test_missing_file(model_copy: Path, name: str) -> None:
    (model_copy / name).unlink()
    with pytest.raises(ModelError) as e:
        NluUnderstander(model_copy)
    assert name in _one_line(e)


@pytest.mark.parametrize("name", ["model.onnx", "tokenizer.json"])
def test_corrupt_file(model_copy: Path, name: str) -> None:
    data = (model_copy / name).read_bytes()
    (model_copy / name).write_bytes(data[: len(data) // 3] + b"\x00garbage")
    with pytest.raises(ModelError) as e:
        NluUnderstander(model_copy)
    assert name in _one_line(e)


@pytest.mark.parametrize("content", ["{not json", '{"format": 2}', '{"format": 99}', "[]"])
def test_corrupt_config(model_copy: Path, content: str) -> None:
    (model_copy / "nlu.json").write_text(content)
    with pytest.raises(ModelError) as e:
        NluUnderstander(model_copy)
    _one_line(e)


def test_graph_built_for_other_labels(model_copy: Path) -> None:
    spec = json.loads((model_copy / "nlu.json").read_text())
    spec["intent_labels"] = spec["intent_labels"][:-1]
    (model_copy / "nlu.json").write_text(json.dumps(spec))
    with pytest.raises(ModelError) as e:
        NluUnderstander(model_copy)
    assert "labels" in _one_line(e)


def test_model_of_an_older_format_is_refused(model_copy: Path) -> None:
    spec = json.loads((model_copy / "nlu.json").read_text())
    (model_copy / "nlu.json").write_text(json.dumps({**spec, "format": 1}))
    with pytest.raises(ModelError, match="has format 1, need 2") as e:
        NluUnderstander(model_copy)
    _one_line(e)


def test_make_understander_falls_back_with_one_warning(model_copy: Path,
                                                        caplog: pytest.LogCaptureFixture) -> None:
    (model_copy / "model.onnx").write_bytes(b"not a model")
    with caplog.at_level(logging.WARNING):
        u = make_understander(UnderstandingConfig(engine="nlu"), model_copy)
    assert isinstance(u, KeywordUnderstander)
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1 and "keyword" in warnings[0].getMessage()
    assert "\n" not in warnings[0].getMessage()
    assert u.parse("set a timer for ten minutes").intent == "timer_set"


def test_make_understander_engines() -> None:
    keywords = make_understander(UnderstandingConfig(engine="keywords"), SHIPPED)
    assert isinstance(keywords, KeywordUnderstander)
    with pytest.raises(ConfigError):
        make_understander(UnderstandingConfig(engine="gpt"), SHIPPED)
