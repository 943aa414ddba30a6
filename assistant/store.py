"""The one SQLite database Hearth keeps (skills state, dialogue history), in WAL mode.

WAL plus ``synchronous=NORMAL`` means a kill -9 loses at most the transaction in flight and
the file always opens again. Modules register their schema with :func:`Store.migrate`. The
file, its WAL and SHM are 0600 and the data folder 0700, whatever the umask: transcripts,
replies and memories are the household's alone.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from assistant import files, paths
from assistant.errors import HearthError


def default_path() -> Path:
    """``hearth.db`` in the data folder, which only the service user may enter."""
    return files.private_dir(paths.data_dir()) / "hearth.db"


def _private(path: Path) -> None:
    """The database and the WAL and SHM left from before readable by their owner only;
    SQLite gives a new WAL and SHM the database's own mode."""
    files.private_file(path)
    for extra in ("-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            files.make_private(f"{path}{extra}", files.PRIVATE_FILE)


class Store:
    """A thread-safe handle on the database; each ``transaction`` commits or rolls back whole."""

    def __init__(self, path: Path | str | None = None, timeout: float = 5.0) -> None:
        self.path = Path(path) if path is not None else default_path()
        self._lock = threading.RLock()
        try:
            if str(self.path) != ":memory:":
                self.path.parent.mkdir(parents=True, exist_ok=True, mode=files.PRIVATE_DIR)
                _private(self.path)
            self.conn = sqlite3.connect(
                str(self.path), timeout=timeout, check_same_thread=False, isolation_level=None
            )
            self.conn.row_factory = sqlite3.Row
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=NORMAL")
            self.conn.execute("PRAGMA foreign_keys=ON")
            self.conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_versions (module TEXT PRIMARY KEY, version INTEGER)"
            )
        except sqlite3.DatabaseError as e:
            raise HearthError(f"database {self.path} cannot be opened: {e}") from None
        except OSError as e:
            raise HearthError(f"database folder {self.path.parent} is not writable: {e}") from None

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE ... COMMIT; disk-full and lock errors become one-line HearthErrors."""
        with self._lock:
            try:
                self.conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as e:
                raise HearthError(f"database {self.path} is busy: {e}") from None
            try:
                yield self.conn
                self.conn.execute("COMMIT")
            except sqlite3.OperationalError as e:
                self._rollback()
                raise HearthError(f"database write failed ({e}); nothing was changed") from None
            except BaseException:
                self._rollback()
                raise

    def _rollback(self) -> None:
        # SQLite already rolled back by itself after some errors (SQLITE_FULL, SQLITE_IOERR);
        # a second ROLLBACK would raise and hide the real error.
        if self.conn.in_transaction:
            self.conn.execute("ROLLBACK")

    def query(self, sql: str, params: tuple | dict = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self.conn.execute(sql, params).fetchall()

    def migrate(self, module: str, steps: list[str]) -> None:
        """Apply the schema steps of ``module`` that have not run yet, in order."""
        with self.transaction() as c:
            row = c.execute("SELECT version FROM schema_versions WHERE module=?", (module,)).fetchone()
            done = row["version"] if row else 0
            for sql in steps[done:]:
                for statement in sql.split(";"):
                    if statement.strip():
                        c.execute(statement)
            c.execute(
                "INSERT INTO schema_versions(module, version) VALUES(?, ?) "
                "ON CONFLICT(module) DO UPDATE SET version=excluded.version",
                (module, len(steps)),
            )

    def checkpoint(self, tries: int = 20) -> bool:
        """Copy the WAL into the database and truncate it to nothing; False when a reader in
        another process kept it from finishing (retried for about ``tries`` / 10 seconds)."""
        for attempt in range(tries):
            if attempt:
                time.sleep(0.1)
            busy, _, _ = self.query("PRAGMA wal_checkpoint(TRUNCATE)")[0]
            if not busy:
                return True
        return False

    def close(self) -> None:
        with self._lock:
            self.conn.close()
