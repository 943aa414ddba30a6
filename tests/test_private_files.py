"""Who may read what Hearth keeps and write what it runs (issue 19): the data folder 0700, the
database, its WAL/SHM and history exports 0600 whatever the umask; custom-intent files others
could have written are skipped (sshd's StrictModes); only a socket is removed for a socket."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import socket
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from intents_helpers import GARDEN

from assistant.config import WyomingConfig
from assistant.errors import ConfigError
from assistant.history.cli import run_export
from assistant.sentences.load import load
from assistant.store import Store, default_path
from assistant.wyoming.limits import Limits
from assistant.wyoming.server import Server


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture()
def open_umask() -> Iterator[None]:
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


@pytest.fixture()
def data_dir(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("HEARTH_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


def test_the_database_its_wal_and_shm_and_the_data_folder_are_private_whatever_the_umask(
        data_dir, open_umask):
    store = Store()
    with store.transaction() as c:
        c.execute("CREATE TABLE t (x TEXT)")
        c.execute("INSERT INTO t VALUES ('the spare key is under the mat')")
    db = default_path()
    assert db.parent == data_dir and mode(data_dir) == 0o700
    assert {p.name: mode(p) for p in data_dir.iterdir()} == {
        "hearth.db": 0o600, "hearth.db-wal": 0o600, "hearth.db-shm": 0o600}
    store.close()


def test_a_database_and_folder_left_open_by_an_older_hearth_are_tightened(data_dir):
    data_dir.mkdir(mode=0o755)
    os.chmod(data_dir, 0o755)
    Store().close()
    for p in data_dir.iterdir():
        os.chmod(p, 0o644)
    os.chmod(data_dir, 0o755)
    Store().close()
    assert mode(data_dir) == 0o700 and all(mode(p) == 0o600 for p in data_dir.iterdir())


def test_a_history_export_is_private_whatever_the_umask(data_dir, tmp_path, open_umask):
    out = tmp_path / "history.jsonl"
    out.write_text("older export\n")
    os.chmod(out, 0o666)
    assert run_export(argparse.Namespace(file=str(out))) == 0
    assert mode(out) == 0o600 and out.read_text() == ""


def _garden(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, 0o755)
    path = folder / "garden.yaml"
    path.write_text(GARDEN, encoding="utf-8")
    os.chmod(path, 0o644)
    return path


@pytest.mark.parametrize("loosen,why", [
    (lambda f: os.chmod(f, 0o666), "its file {file} may be written by the group or others (mode 666; chmod go-w it)"),
    (lambda f: os.chmod(f.parent, 0o777), "its folder {folder} may be written by the group or others (mode 777; chmod go-w it)"),
    (lambda f: os.chown(f, 4242, -1), "its file {file} belongs to uid 4242, not to this user or root"),
])
def test_intent_files_others_could_have_written_are_skipped_in_one_line(tmp_path, caplog, loosen, why):
    path = _garden(tmp_path / "intents")
    assert "WaterGarden" in load(tmp_path / "intents").custom
    if "uid" in why and os.geteuid() != 0:
        pytest.skip("giving a file away needs root")
    loosen(path)
    with caplog.at_level(logging.WARNING, logger="assistant.sentences.load"):
        s = load(tmp_path / "intents")
    line = f"{path}: skipped: " + why.format(file=path.resolve(), folder=path.resolve().parent)
    assert "WaterGarden" not in s.custom and s.problems == [line]
    assert [r.getMessage() for r in caplog.records] == [f"custom intents: {line}"]


def test_a_sticky_shared_folder_like_tmp_keeps_the_users_own_file(tmp_path):
    """Others may add files to /tmp but not replace this user's: ``intents check`` works there."""
    path = _garden(tmp_path / "intents")
    os.chmod(path.parent, 0o1777)
    assert "WaterGarden" in load(tmp_path / "intents").custom
    os.chmod(path, 0o666)
    assert "WaterGarden" not in load(tmp_path / "intents").custom


def test_the_unix_socket_path_is_removed_only_when_it_is_a_socket(tmp_path):
    server = Server(None, Limits.from_config(WyomingConfig()))  # type: ignore[arg-type]
    precious = tmp_path / "notes.txt"
    precious.write_text("keep me")
    with pytest.raises(ConfigError, match="exists and is not a socket; not removing it"):
        asyncio.run(server.start(f"unix://{precious}"))
    assert precious.read_text() == "keep me"

    stale = tmp_path / "hearth.sock"
    old = socket.socket(socket.AF_UNIX)
    old.bind(str(stale))
    old.close()

    async def listen() -> str:
        address = await server.start(f"unix://{stale}")
        await server.close()
        return address

    assert asyncio.run(listen()) == f"unix://{stale}"
