"""The SQLite file under the job store: opened in WAL mode with a busy timeout (so two processes may share it),
brought up to its schema, one connection behind a lock, write transactions taken at once, reads, and rows
turned into jobs. :class:`generation.jobs.JobStore` builds the queue and the cache on top of it.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, Self

from .job_owners import forget_owner, new_owner, register_owner
from .job_state import Job, JobNotFound, StoreError
from .job_store_schema import COLUMNS, MIGRATIONS, Migration, job_from_row, migrate, read_schema_version

__all__ = ["JobStoreFile"]


class JobStoreFile:
    """One open job store file. Thread-safe (one connection behind a lock). ``owner`` identifies this store
    object as a runner of jobs (``host/pid/token``); it counts as alive until :meth:`close`. ``migrations``: the
    schema to bring the file up to (a file from a newer PromptCut is refused)."""

    def __init__(
        self, path: str | os.PathLike[str], *, timeout: float = 30.0, migrations: Sequence[Migration] = MIGRATIONS
    ) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.owner = new_owner()
        self._lock = threading.RLock()
        self._closed = False
        try:
            self._conn = sqlite3.connect(str(self.path), timeout=timeout, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open the job store {self.path}: {exc}") from None
        self._conn.row_factory = sqlite3.Row
        try:
            self._conn.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
            mode = self._conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":  # pragma: no cover - a filesystem without shared memory
                raise StoreError(f"the job store {self.path} cannot use WAL mode (got {mode})")
            self._conn.execute("PRAGMA synchronous = NORMAL")
            migrate(self._conn, self.path, migrations, self._write)
        except sqlite3.DatabaseError as exc:
            self._conn.close()
            raise StoreError(f"the job store {self.path} is unusable: {exc}") from None
        except BaseException:
            self._conn.close()
            raise
        register_owner(self.owner)

    # -- plumbing -----------------------------------------------------------------------------------------------
    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            forget_owner(self.owner)
            self._conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taken at once (BEGIN IMMEDIATE) so two processes never interleave."""
        with self._lock:
            if self._closed:
                raise StoreError("the job store is closed")
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def _read(self, sql: str, params: Iterable[Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            if self._closed:
                raise StoreError("the job store is closed")
            return self._conn.execute(sql, tuple(params)).fetchall()

    def schema_version(self) -> int:
        with self._lock:
            return self._version(self._conn)

    @staticmethod
    def _version(conn: sqlite3.Connection) -> int:
        return read_schema_version(conn)

    @staticmethod
    def _job(row: sqlite3.Row) -> Job:
        return job_from_row(row)

    def _get(self, conn: sqlite3.Connection, job_id: str) -> Job:
        row = conn.execute(f"SELECT {COLUMNS} FROM jobs WHERE id = ?", (job_id,)).fetchone()
        if row is None:
            raise JobNotFound(job_id)
        return self._job(row)
