"""The job store's table layout: its schema migrations, the columns it reads, and a row turned into a :class:`Job`.

Schema changes go through :data:`MIGRATIONS` (chained ``vN -> vN+1``, each in its own ``BEGIN IMMEDIATE``
transaction, the file backed up first; a store from a newer PromptCut is refused, never downgraded). The store
(``generation.jobs.JobStore``) hands :func:`migrate` the migrations it knows, so a test may add one.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

from .job_spec import spec_from_dict
from .job_state import Job, JobState, StoreError

__all__ = ["COLUMNS", "MIGRATIONS", "Migration", "job_from_row", "migrate", "read_schema_version"]


@dataclass(frozen=True)
class Migration:
    """Takes the store from ``version - 1`` to ``version``. ``apply`` runs inside one transaction."""

    version: int
    description: str
    apply: Callable[[sqlite3.Connection], None]


def _v1_jobs(conn: sqlite3.Connection) -> None:
    conn.execute(
        """
        CREATE TABLE jobs (
            id TEXT PRIMARY KEY,
            hash TEXT NOT NULL,
            spec TEXT NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed', 'cancelled')),
            priority INTEGER NOT NULL DEFAULT 0,
            seq REAL NOT NULL,
            progress REAL NOT NULL DEFAULT 0,
            message TEXT NOT NULL DEFAULT '',
            error_kind TEXT,
            hint TEXT NOT NULL DEFAULT '',
            output TEXT,
            result TEXT NOT NULL DEFAULT '{}',
            cached INTEGER NOT NULL DEFAULT 0,
            attempts INTEGER NOT NULL DEFAULT 0,
            cancel_requested INTEGER NOT NULL DEFAULT 0,
            owner TEXT,
            heartbeat REAL,
            created REAL NOT NULL,
            started REAL,
            finished REAL
        )
        """
    )
    conn.execute("CREATE INDEX jobs_by_hash ON jobs (hash, state)")
    conn.execute("CREATE INDEX jobs_queue ON jobs (state, priority DESC, seq)")


def _v2_interruptions(conn: sqlite3.Connection) -> None:
    """How many times the job's runner died under it (a killed editor or command): bounded, like crashes."""
    conn.execute("ALTER TABLE jobs ADD COLUMN interruptions INTEGER NOT NULL DEFAULT 0")


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "jobs table", _v1_jobs),
    Migration(2, "interruptions per job", _v2_interruptions),
)

COLUMNS = (
    "id, hash, spec, state, priority, seq, progress, message, error_kind, hint, output, result, cached, attempts, "
    "cancel_requested, owner, heartbeat, created, started, finished, interruptions"
)


def read_schema_version(conn: sqlite3.Connection) -> int:
    """The schema version a store file is at (0: a new, empty file)."""
    has_table = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'").fetchone()
    if not has_table:
        return 0
    row = conn.execute("SELECT MAX(version) FROM schema_version").fetchone()
    return int(row[0] or 0)


def migrate(
    conn: sqlite3.Connection,
    path: Path,
    migrations: Sequence[Migration],
    write: Callable[[], AbstractContextManager[sqlite3.Connection]],
) -> None:
    """Bring the store at ``path`` (open as ``conn``) up to the last of ``migrations``. ``write`` opens the
    store's write transaction (``BEGIN IMMEDIATE``), so a second process migrating at once waits, then finds
    the work done."""
    latest = migrations[-1].version if migrations else 0
    versions = [m.version for m in migrations]
    if versions != list(range(1, len(versions) + 1)):
        raise StoreError(f"job store migrations must be numbered 1..n, got {versions}")
    current = read_schema_version(conn)
    if current > latest:
        raise StoreError(
            f"the job store {path} was made by a newer PromptCut (schema {current}, this one knows "
            f"{latest}); update PromptCut or use another store"
        )
    if current == latest:
        return
    if current > 0:  # back the store up before changing an existing one
        backup = path.with_name(f"{path.name}.v{current}.bak")
        dest = sqlite3.connect(str(backup))
        try:
            conn.backup(dest)
        finally:
            dest.close()
    with write() as wconn:
        wconn.execute(
            "CREATE TABLE IF NOT EXISTS schema_version "
            "(version INTEGER PRIMARY KEY, applied REAL NOT NULL, description TEXT NOT NULL)"
        )
        current = read_schema_version(wconn)  # another process may have migrated while we waited for the lock
        if current > latest:
            raise StoreError(f"the job store {path} was made by a newer PromptCut (schema {current})")
        for m in migrations[current:]:
            m.apply(wconn)
            wconn.execute(
                "INSERT INTO schema_version (version, applied, description) VALUES (?, ?, ?)",
                (m.version, time.time(), m.description),
            )


def job_from_row(row: sqlite3.Row) -> Job:
    """One ``jobs`` row (selected as :data:`COLUMNS`) as a :class:`Job`."""
    return Job(
        id=row["id"],
        spec=spec_from_dict(json.loads(row["spec"])),
        hash=row["hash"],
        state=JobState(row["state"]),
        priority=int(row["priority"]),
        order=float(row["seq"]),
        progress=float(row["progress"]),
        message=row["message"],
        error_kind=row["error_kind"],
        hint=row["hint"],
        output=row["output"],
        result=json.loads(row["result"] or "{}"),
        cached=bool(row["cached"]),
        attempts=int(row["attempts"]),
        cancel_requested=bool(row["cancel_requested"]),
        owner=row["owner"],
        created=float(row["created"]),
        started=row["started"],
        finished=row["finished"],
        interruptions=int(row["interruptions"]),
    )
