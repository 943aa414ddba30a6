"""Faults an appliance meets: a locked database, a full disk, kill -9 in the middle of writes."""

from __future__ import annotations

import hashlib
import signal
import sqlite3
import subprocess
import textwrap
import threading
import time

import pytest
from service_helpers import PYTHON, child_env

from assistant.errors import HearthError
from assistant.store import Store

SCHEMA = ["CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)"]


def digest(i: int) -> str:
    return hashlib.sha256(str(i).encode()).hexdigest()


def values(store: Store) -> list[str]:
    return [r["v"] for r in store.query("SELECT v FROM t ORDER BY id")]


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "hearth.db", timeout=0.5)
    s.migrate("t", SCHEMA)
    with s.transaction() as c:
        c.execute("INSERT INTO t(v) VALUES ('before')")
    yield s
    s.close()


def test_locked_database_waits_then_says_so_in_one_line(store):
    blocker = sqlite3.connect(store.path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    blocker.execute("INSERT INTO t(v) VALUES ('blocker')")
    t0 = time.monotonic()
    with pytest.raises(HearthError) as e, store.transaction() as c:
        c.execute("INSERT INTO t(v) VALUES ('mine')")
    waited = time.monotonic() - t0
    assert 0.45 <= waited < 3.0  # waited for the lock, up to the timeout
    assert "busy" in str(e.value) and "\n" not in str(e.value)
    blocker.execute("COMMIT")
    blocker.close()
    with store.transaction() as c:  # the caller retries: nothing lost
        c.execute("INSERT INTO t(v) VALUES ('mine')")
    assert values(store) == ["before", "blocker", "mine"]


def test_lock_released_within_the_timeout_just_waits(tmp_path):
    s = Store(tmp_path / "hearth.db", timeout=5.0)
    s.migrate("t", SCHEMA)
    blocker = sqlite3.connect(s.path, isolation_level=None, check_same_thread=False)
    blocker.execute("BEGIN IMMEDIATE")
    threading.Timer(0.3, lambda: blocker.execute("COMMIT")).start()
    t0 = time.monotonic()
    with s.transaction() as c:
        c.execute("INSERT INTO t(v) VALUES ('after the wait')")
    assert time.monotonic() - t0 >= 0.25
    assert values(s) == ["after the wait"]
    blocker.close()
    s.close()


def test_disk_full_keeps_earlier_rows_and_the_database_opens(tmp_path, store):
    with store.transaction() as c:
        c.executemany("INSERT INTO t(v) VALUES (?)", [(digest(i),) for i in range(20)])
    pages = store.query("PRAGMA page_count")[0][0]
    store.conn.execute(f"PRAGMA max_page_count={pages + 2}")  # the disk is about to fill up
    with pytest.raises(HearthError) as e, store.transaction() as c:
        for i in range(200):
            c.execute("INSERT INTO t(v) VALUES (?)", ("x" * 4000 + str(i),))
    msg = str(e.value)
    assert "full" in msg and "nothing was changed" in msg and "\n" not in msg
    assert values(store) == ["before"] + [digest(i) for i in range(20)]
    store.close()
    again = Store(tmp_path / "hearth.db")
    assert again.query("PRAGMA integrity_check")[0][0] == "ok"
    assert len(values(again)) == 21
    with again.transaction() as c:  # space again: writes work
        c.execute("INSERT INTO t(v) VALUES ('after')")
    assert values(again)[-1] == "after"
    again.close()


WRITER = textwrap.dedent("""
    import hashlib, sys
    from assistant.store import Store
    s = Store(sys.argv[1])
    s.migrate("t", ["CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)"])
    i = 0
    while True:
        i += 1
        with s.transaction() as c:
            c.execute("INSERT INTO t(id, v) VALUES (?, ?)",
                      (i, hashlib.sha256(str(i).encode()).hexdigest()))
            c.execute("UPDATE t SET v = v WHERE id = ?", (i,))  # more work inside the write
        print(i, flush=True)  # only after COMMIT returned
""")


def test_kill_9_during_writes_loses_no_committed_row(tmp_path):
    db = tmp_path / "killed.db"
    proc = subprocess.Popen([PYTHON, "-c", WRITER, str(db)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=child_env())
    committed = 0
    try:
        for line in proc.stdout:
            committed = int(line)
            if committed >= 300:
                break
        proc.send_signal(signal.SIGKILL)  # mid-write: the loop never pauses
        proc.wait(timeout=10)
    finally:
        proc.kill()
    assert committed >= 300, proc.stderr.read()
    s = Store(db)
    assert s.query("PRAGMA integrity_check")[0][0] == "ok"
    rows = s.query("SELECT id, v FROM t ORDER BY id")
    ids = [r["id"] for r in rows]
    assert ids == list(range(1, len(ids) + 1))  # no holes, no half rows
    assert len(ids) >= committed  # every committed row (one more may have landed)
    assert all(r["v"] == digest(r["id"]) for r in rows)
    s.close()
