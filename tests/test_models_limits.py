"""Model archives and downloads are capped (issue 19): too many members or bytes, or a server
sending more than the manifest's size, is one line and leaves nothing behind."""

from __future__ import annotations

import http.server
import io
import tarfile
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.errors import ModelError
from assistant.models.archive import unpack
from assistant.models.download import download


def test_a_zip_with_too_many_members_is_refused_before_anything_is_written(tmp_path):
    path = tmp_path / "many.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for i in range(11):
            zf.writestr(f"m/{i}.txt", b"x")
    with pytest.raises(ModelError, match=r"^many.zip: more than 10 members; refusing to unpack it$"):
        unpack(path, tmp_path / "out", max_members=10)
    assert not any((tmp_path / "out").iterdir())


def test_a_zip_bomb_is_refused_by_its_declared_size(tmp_path):
    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("zeros.bin", b"\0" * (4 << 20))  # 4 MiB that compresses to 4 KiB
    assert path.stat().st_size < 10_000
    with pytest.raises(ModelError, match=r"^bomb.zip: would unpack to more than 1048576 bytes; "):
        unpack(path, tmp_path / "out", max_bytes=1 << 20)
    assert not any((tmp_path / "out").iterdir())


def test_a_tar_over_its_byte_cap_is_refused(tmp_path):
    path = tmp_path / "big.tar.gz"
    with tarfile.open(path, "w:gz") as tf:
        data = b"\0" * (2 << 20)
        info = tarfile.TarInfo("model/big.bin")
        info.size = len(data)
        tf.addfile(info, io.BytesIO(data))
    with pytest.raises(ModelError, match="would unpack to more than 1048576 bytes"):
        unpack(path, tmp_path / "out", max_bytes=1 << 20)
    assert not any((tmp_path / "out").iterdir())
    assert (unpack(path, tmp_path / "ok") / "big.bin").stat().st_size == 2 << 20


@pytest.fixture()
def server() -> Iterator[str]:
    """``/said`` announces its length, ``/endless`` does not; both send 1 MiB."""

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"

        def do_GET(self) -> None:  # noqa: N802 (the library's name)
            self.send_response(200)
            if self.path == "/said":
                self.send_header("Content-Length", str(1 << 20))
            self.end_headers()
            for _ in range(16):
                self.wfile.write(b"\0" * (1 << 16))

        def log_message(self, *args: object) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.mark.parametrize("path,says", [
    ("/said", "it is 1048576 bytes, more than the 100000 expected"),
    ("/endless", "the server sent more than the 100000 bytes expected"),
])
def test_a_download_larger_than_the_manifest_says_is_cut_off(tmp_path: Path, server, path, says):
    dest = tmp_path / "model.zip"
    with pytest.raises(ModelError) as err:
        download(server + path, dest, size=100_000, progress=False)
    assert str(err.value) == f"download of {server}{path} failed: {says}"
    assert not dest.exists()
    download(server + path, dest, progress=False, max_bytes=1 << 20)  # within the cap: fine
    assert dest.stat().st_size == 1 << 20
