"""Installing models from archives, folders, URLs and converters, with every checksum enforced.

A tiny fake "vosk-model" folder is built per test; its manifest is written with the real hashes.
"""

from __future__ import annotations

import hashlib
import socket
import tarfile
import textwrap
import zipfile
from pathlib import Path

import pytest

from assistant.cli import main
from assistant.errors import ModelError
from assistant.models import manifest, stamp
from assistant.models.install import install
from assistant.models.registry import Registry
from assistant.models.verify import verify

FILES = {"am/final.mdl": b"acoustic" * 100, "conf/model.conf": b"--min-active=200\n",
         "graph/HCLr.fst": bytes(range(256)) * 8}


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def make_zip(path: Path, files: dict[str, bytes], top: str = "vosk-model-fake") -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for rel, data in files.items():
            zf.writestr(f"{top}/{rel}", data)
    return path


def make_tgz(path: Path, files: dict[str, bytes], tmp: Path) -> Path:
    src = tmp / "src-tgz" / "vosk-model-fake"
    for rel, data in files.items():
        (src / rel).parent.mkdir(parents=True, exist_ok=True)
        (src / rel).write_bytes(data)
    with tarfile.open(path, "w:gz") as tf:
        tf.add(src, arcname="vosk-model-fake")
    return path


def files_toml(files: dict[str, bytes]) -> str:
    rows = ",\n".join(f'  {{ path = "{p}", size = {len(d)}, sha256 = "{sha(d)}" }}'
                      for p, d in files.items())
    return f"size = {sum(len(d) for d in files.values())}\nfiles = [\n{rows}\n]\n"


def write_manifest(tmp: Path, body: str) -> Registry:
    path = tmp / "manifest.toml"
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return Registry(manifest.load(path), root=tmp / "models")


def hashed(tmp: Path, url: str = "http://127.0.0.1:9/none.zip") -> Registry:
    """A model with a hash per file (and an archive URL that is never reached unless asked)."""
    return write_manifest(tmp, f"""
        [models.fake]
        kind = "asr"
        language = "en"
        license = "MIT"
        description = "fake vosk model"
        routes = [{{ type = "url", url = "{url}" }}]
        """ + files_toml(FILES))


def archive_only(tmp: Path, archive: Path) -> Registry:
    """A model known only by its archive checksum, like vosk-model-small-en-us-0.15."""
    data = archive.read_bytes()
    return write_manifest(tmp, f"""
        [models.fake]
        kind = "asr"
        language = "en"
        license = "MIT"
        description = "fake vosk model"
        size = {len(data)}
        routes = [{{ type = "url", url = "{archive.as_uri()}", sha256 = "{sha(data)}", size = {len(data)} }}]
        """)


def leftovers(reg: Registry) -> list[str]:
    return sorted(p.name for p in reg.root.iterdir()) if reg.root.exists() else []


def test_install_from_zip_verifies_locates_and_detects_tampering(tmp_path: Path) -> None:
    reg = hashed(tmp_path)
    result = install("fake", make_zip(tmp_path / "m.zip", FILES), registry=reg, progress=False)
    assert result.path == reg.root / "fake" and not result.unverified
    assert (result.path / "am/final.mdl").read_bytes() == FILES["am/final.mdl"]
    assert reg.locate("fake") == result.path and leftovers(reg) == ["fake"]
    assert [v.status for v in verify(["fake"], reg)] == ["OK"]
    assert install("fake", registry=reg).already  # nothing to do the second time
    (result.path / "conf/model.conf").write_bytes(b"--min-active=999\n")  # same size, new bytes
    [v] = verify(["fake"], reg)
    assert v.status == "MISMATCH" and v.problems[0].path == "conf/model.conf"


def test_corrupt_file_in_archive_is_rejected_and_nothing_is_left(tmp_path: Path) -> None:
    reg = hashed(tmp_path)
    bad = dict(FILES, **{"graph/HCLr.fst": b"x" * len(FILES["graph/HCLr.fst"])})
    with pytest.raises(ModelError, match=r"fake: graph/HCLr.fst: sha256 .* nothing was installed"):
        install("fake", make_zip(tmp_path / "bad.zip", bad), registry=reg)
    assert leftovers(reg) == []
    with pytest.raises(ModelError, match="is not installed"):
        reg.locate("fake")


def test_archive_checksum_alone_protects_a_tar_gz(tmp_path: Path) -> None:
    good = make_tgz(tmp_path / "good.tar.gz", FILES, tmp_path)
    reg = archive_only(tmp_path, good)
    result = install("fake", good, registry=reg)
    assert not result.unverified
    assert {f.path for f in stamp.files(result.path) or []} == set(FILES)
    assert verify(["fake"], reg)[0].status == "OK"  # checked against the install stamp
    other = make_tgz(tmp_path / "other.tar.gz", dict(FILES, extra=b"1"), tmp_path)
    with pytest.raises(ModelError, match="checksum mismatch for other.tar.gz"):
        install("fake", other, registry=reg, force=True)
    assert leftovers(reg) == ["fake"] and verify(["fake"], reg)[0].status == "OK"


def test_download_route_with_file_url(tmp_path: Path) -> None:
    archive = make_tgz(tmp_path / "dl.tar.gz", FILES, tmp_path)
    reg = archive_only(tmp_path, archive)
    result = install("fake", registry=reg, progress=False)
    assert result.origin == archive.as_uri() and (result.path / "graph/HCLr.fst").is_file()


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("url", [
    f"http://127.0.0.1:{closed_port()}/model.zip", "file:///nonexistent/hearth/model.zip",
])
def test_failed_download_is_one_line_and_leaves_nothing(tmp_path: Path, url: str) -> None:
    reg = hashed(tmp_path, url)
    with pytest.raises(ModelError) as err:
        install("fake", registry=reg, progress=False)
    assert str(err.value).startswith(f"download of {url} failed") and "\n" not in str(err.value)
    assert leftovers(reg) == []


def test_unsafe_zip_member_is_refused(tmp_path: Path) -> None:
    reg = hashed(tmp_path)
    path = tmp_path / "evil.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("../evil.txt", b"x")
    with pytest.raises(ModelError, match="refusing unsafe member"):
        install("fake", path, registry=reg)
    assert not (tmp_path / "evil.txt").exists() and leftovers(reg) == []


def test_derived_model_runs_its_converter(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "fake_convert.py").write_text(textwrap.dedent("""
        def convert(source, out):
            (out / "model.bin").write_bytes(source.read_bytes()[::-1])
        def broken(source, out):
            raise RuntimeError("unsupported tensor type")
        """))
    monkeypatch.syspath_prepend(str(tmp_path))
    (tmp_path / "src.bin").write_bytes(b"abc")
    reg = write_manifest(tmp_path, f"""
        [models.src]
        kind = "llm"
        language = "en"
        license = "MIT"
        description = "source"
        size = 3
        files = [{{ path = "src.bin", size = 3, sha256 = "{sha(b'abc')}" }}]
        routes = [{{ type = "local", path = "{tmp_path}" }}]
        [models.out]
        kind = "llm"
        language = "en"
        license = "MIT"
        description = "converted"
        size = 3
        files = [{{ path = "model.bin", size = 3, sha256 = "{sha(b'cba')}" }}]
        routes = [{{ type = "derived", source = "src", converter = "fake_convert:convert" }}]
        [models.bad]
        kind = "llm"
        language = "en"
        license = "MIT"
        description = "converter fails"
        size = 0
        routes = [{{ type = "derived", source = "src", converter = "fake_convert:broken" }}]
        """)
    assert reg.locate("src") == tmp_path / "src.bin"
    with pytest.raises(ModelError, match="install it with: assistant models install out"):
        reg.locate("out")
    result = install("out", registry=reg)
    assert (result.path / "model.bin").read_bytes() == b"cba" and reg.find("out").origin == "installed"
    with pytest.raises(ModelError, match="bad: converting src failed: RuntimeError: unsupported"):
        install("bad", registry=reg)
    assert leftovers(reg) == ["out"]


def test_cli_install_verify_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    reg = hashed(tmp_path)
    monkeypatch.setenv("HEARTH_MODELS_MANIFEST", str(reg.manifest.path))
    monkeypatch.setenv("HEARTH_MODELS_DIR", str(reg.root))
    archive = make_zip(tmp_path / "m.zip", FILES)
    assert main(["models", "path", "fake"]) == 1
    assert "install it with: assistant models install fake" in capsys.readouterr().err
    assert main(["models", "install", "fake", "--from", str(archive)]) == 0
    assert main(["models", "path", "fake"]) == 0
    assert capsys.readouterr().out.strip().endswith(str(reg.root / "fake"))
    assert main(["models", "verify"]) == 0 and "OK       fake" in capsys.readouterr().out
    assert main(["models", "install", "fake", "--from", str(tmp_path / "nope.zip")]) == 1
    assert capsys.readouterr().err.strip() == f"error: {tmp_path / 'nope.zip'} does not exist"
