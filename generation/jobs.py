"""Job specs, their content hash, and the SQLite job store. Plain Python: no torch here.

A :class:`JobSpec` is one shot, fully resolved (the planner fills the model's defaults before submitting, so two
equal requests are equal specs). Its :meth:`JobSpec.content_hash` keys the cache: model id and revision, prompt,
negative prompt, seed, size, frame count, steps, guidance, and the conditioning images by the sha256 of their
file *content* (moving or renaming an image does not change the hash; editing it does).

The :class:`JobStore` is the truth about jobs (the worker process is a helper). It lives in one SQLite file in
WAL mode with a busy timeout, so two processes (the editor and a ``promptcut`` command, say) may share it:

* ``submit`` persists a job before anything runs. An identical request whose output file still exists returns
  the existing DONE job (the cache) without touching the GPU; ``no_cache=True`` forces a new job.
* Outputs are content-addressed: ``<output_dir>/<hash[:2]>/<hash>.mp4`` plus its ``.json`` sidecar (written by
  ``generation.writer``; a sidecar next to a video means the take is complete). A forced re-run of a hash whose
  file exists writes ``<hash>-<job id[:8]>.mp4`` beside it instead of replacing a take in use.
* ``claim_next`` hands the next queued job (highest priority, then oldest) to exactly one runner, atomically.
* ``requeue_interrupted`` (called by every client on start) puts jobs left RUNNING by a process that is gone
  back to QUEUED: interrupted jobs go back to the queue. Jobs running under a live client are left alone.

Schema changes go through :data:`MIGRATIONS` (chained ``vN -> vN+1``, each in its own ``BEGIN IMMEDIATE``
transaction, the file backed up first; a store from a newer PromptCut is refused, never downgraded).

This module is the store's queue and cache and the place to import the job names from; the parts live beside it:
``job_state`` (Job, JobState, the store's errors), ``job_store_schema`` (migrations, columns, rows to jobs),
``job_store_file`` (the SQLite connection and transactions), ``job_owners`` (who runs a job and whether it still
lives) and ``job_spec`` (JobSpec and its content hash).
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
import uuid
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from .audio.job_spec import AudioJobSpec
from .job_owners import HOST as _HOST  # noqa: F401 - tests build owner tokens with it
from .job_owners import owner_alive
from .job_owners import pid_alive as _pid_alive  # noqa: F401 - tests and the worker's tests import it from here
from .job_spec import (
    HASH_FORMAT,
    JobSpec,
    _take_exists,
    file_sha256,
    is_job_spec,
    model_revision,
    output_path_for,
)
from .job_state import FINAL_STATES, Job, JobNotFound, JobState, StoreError
from .job_store_file import JobStoreFile
from .job_store_schema import COLUMNS as _COLUMNS
from .job_store_schema import MIGRATIONS, Migration

__all__ = [
    "HASH_FORMAT",
    "FINAL_STATES",
    "MAX_INTERRUPTIONS",
    "MIGRATIONS",
    "Job",
    "JobNotFound",
    "JobSpec",
    "JobState",
    "JobStore",
    "Migration",
    "StoreError",
    "file_sha256",
    "model_revision",
    "output_path_for",
]


MAX_INTERRUPTIONS = 3  # a job whose runner died under it this many times fails instead of going back in the queue
_INTERRUPTED_HINT = (
    "The program running the generator was closed or killed while it worked on this job each time (out of "
    "memory?); try fewer frames, a smaller size or another model, then Retry."
)


class JobStore(JobStoreFile):
    """The persistent job queue and cache index. Thread-safe (one connection behind a lock); several processes
    may open the same file. ``owner`` identifies this store object as a runner of jobs (``host/pid/token``).
    Opening, closing and the transactions live in :class:`generation.job_store_file.JobStoreFile`."""

    def __init__(self, path: str | os.PathLike[str], *, timeout: float = 30.0) -> None:
        # MIGRATIONS is read from this module as the store opens, so a test may patch in one more.
        super().__init__(path, timeout=timeout, migrations=MIGRATIONS)

    # -- reading ------------------------------------------------------------------------------------------------
    def get(self, job_id: str) -> Job:
        with self._lock:
            return self._get(self._conn, job_id)

    def find(self, job_id: str) -> Job | None:
        try:
            return self.get(job_id)
        except JobNotFound:
            return None

    def list(self, states: Iterable[JobState | str] | None = None) -> list[Job]:
        """Jobs in queue order: running, then queued (priority, then order), then finished (newest first)."""
        sql = f"SELECT {_COLUMNS} FROM jobs"
        params: list[Any] = []
        if states is not None:
            if isinstance(states, str):  # one state given bare ("queued" or JobState.QUEUED)
                states = [states]
            wanted = [JobState(s).value for s in states]
            if not wanted:
                return []
            sql += f" WHERE state IN ({', '.join('?' * len(wanted))})"
            params = wanted
        sql += (
            " ORDER BY CASE state WHEN 'running' THEN 0 WHEN 'queued' THEN 1 ELSE 2 END,"
            " CASE WHEN state IN ('running', 'queued') THEN -priority ELSE 0 END,"
            " CASE WHEN state IN ('running', 'queued') THEN seq ELSE -COALESCE(finished, created) END"
        )
        return [self._job(r) for r in self._read(sql, params)]

    def next_queued(self) -> Job | None:
        rows = self._read(f"SELECT {_COLUMNS} FROM jobs WHERE state = 'queued' ORDER BY priority DESC, seq LIMIT 1")
        return self._job(rows[0]) if rows else None

    def count(self, state: JobState | str, *, owner: str | None = None) -> int:
        sql, params = "SELECT COUNT(*) FROM jobs WHERE state = ?", [JobState(state).value]
        if owner is not None:
            sql += " AND owner = ?"
            params.append(owner)
        return int(self._read(sql, params)[0][0])

    # -- submitting ---------------------------------------------------------------------------------------------
    def submit(
        self,
        spec: JobSpec | AudioJobSpec,
        output_dir: str | os.PathLike[str],
        *,
        no_cache: bool = False,
        priority: int = 0,
    ) -> Job:
        """Persist a job for ``spec`` and return it.

        Without ``no_cache``: an earlier DONE job with the same hash whose take still exists is returned as is
        (the cache); a take at the content-addressed path without a job (cleared, or made from another store)
        becomes a new DONE job marked ``cached``; an identical job already queued or running is returned instead
        of a duplicate; a job failed because its runner died under it :data:`MAX_INTERRUPTIONS` times is returned
        failed (``retry`` it to run it again). Otherwise a new QUEUED job.
        """
        if not is_job_spec(spec):
            raise TypeError(f"submit takes a JobSpec or an AudioJobSpec, got {type(spec).__name__}")
        content_hash = spec.content_hash()  # reads the images: outside the write lock
        canonical = output_path_for(output_dir, content_hash, suffix=spec.output_suffix)
        now = time.time()
        with self._write() as conn:
            if not no_cache:
                rows = conn.execute(
                    f"SELECT {_COLUMNS} FROM jobs WHERE hash = ? AND state = 'done' ORDER BY finished DESC",
                    (content_hash,),
                ).fetchall()
                for row in rows:
                    if _take_exists(row["output"]):
                        return self._job(row)
                if _take_exists(canonical):
                    return self._insert(
                        conn,
                        spec,
                        content_hash,
                        canonical,
                        JobState.DONE,
                        priority,
                        now,
                        cached=True,
                        result=_result_from_sidecar(canonical),
                    )
                row = conn.execute(
                    f"SELECT {_COLUMNS} FROM jobs WHERE hash = ? AND state IN ('queued', 'running') "
                    "ORDER BY created LIMIT 1",
                    (content_hash,),
                ).fetchone()
                if row is not None:
                    if priority > row["priority"]:
                        conn.execute("UPDATE jobs SET priority = ? WHERE id = ?", (priority, row["id"]))
                        return self._get(conn, row["id"])
                    return self._job(row)
                # A job that kept taking its runner down stays failed until someone retries it by hand: a
                # client that reopens the project and asks again must not restart the count (and the crashes).
                row = conn.execute(
                    f"SELECT {_COLUMNS} FROM jobs WHERE hash = ? AND state = 'failed' AND error_kind = 'interrupted' "
                    "ORDER BY finished DESC LIMIT 1",
                    (content_hash,),
                ).fetchone()
                if row is not None:
                    return self._job(row)
            job_id = uuid.uuid4().hex
            output = canonical
            taken = conn.execute(
                "SELECT 1 FROM jobs WHERE output = ? AND state IN ('queued', 'running', 'done') LIMIT 1",
                (str(canonical),),
            ).fetchone()
            if taken is not None or canonical.exists():
                output = output_path_for(output_dir, content_hash, job_id, suffix=spec.output_suffix)
            return self._insert(conn, spec, content_hash, output, JobState.QUEUED, priority, now, job_id=job_id)

    def _insert(
        self,
        conn: sqlite3.Connection,
        spec: JobSpec | AudioJobSpec,
        content_hash: str,
        output: Path,
        state: JobState,
        priority: int,
        now: float,
        *,
        job_id: str | None = None,
        cached: bool = False,
        result: Mapping[str, Any] | None = None,
    ) -> Job:
        job_id = job_id or uuid.uuid4().hex
        seq = float(conn.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM jobs").fetchone()[0])
        done = state is JobState.DONE
        conn.execute(
            "INSERT INTO jobs (id, hash, spec, state, priority, seq, progress, output, result, cached, created, "
            "finished) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                job_id,
                content_hash,
                json.dumps(spec.to_dict(), sort_keys=True),
                state.value,
                int(priority),
                seq,
                1.0 if done else 0.0,
                str(output),
                json.dumps(dict(result or {})),
                int(cached),
                now,
                now if done else None,
            ),
        )
        return self._get(conn, job_id)

    # -- running ------------------------------------------------------------------------------------------------
    def claim_next(self, owner: str | None = None) -> Job | None:
        """Atomically take the next queued job (priority, then order) and mark it RUNNING for ``owner``
        (this store's owner by default); ``attempts`` goes up by one. None when nothing is queued."""
        if self.next_queued() is None:  # cheap read first: an idle runner polls this
            return None
        owner = owner or self.owner
        now = time.time()
        with self._write() as conn:
            row = conn.execute(
                "SELECT id FROM jobs WHERE state = 'queued' ORDER BY priority DESC, seq LIMIT 1"
            ).fetchone()
            if row is None:
                return None
            conn.execute(
                "UPDATE jobs SET state = 'running', owner = ?, heartbeat = ?, started = ?, finished = NULL, "
                "attempts = attempts + 1, progress = 0, message = 'waiting for the generator', error_kind = NULL, "
                "hint = '', cancel_requested = 0 WHERE id = ?",
                (owner, now, now, row["id"]),
            )
            return self._get(conn, row["id"])

    def set_running(self, job_id: str, *, owner: str | None = None) -> Job:
        """Mark one queued job RUNNING (``claim_next`` is the usual way in)."""
        now = time.time()
        with self._write() as conn:
            job = self._get(conn, job_id)
            if job.state is not JobState.QUEUED:
                raise StoreError(f"job {job_id} is {job.state}, not queued")
            conn.execute(
                "UPDATE jobs SET state = 'running', owner = ?, heartbeat = ?, started = ?, attempts = attempts + 1, "
                "progress = 0, message = '', cancel_requested = 0 WHERE id = ?",
                (owner or self.owner, now, now, job_id),
            )
            return self._get(conn, job_id)

    def set_progress(self, job_id: str, fraction: float, message: str = "") -> None:
        fraction = min(1.0, max(0.0, float(fraction)))
        with self._write() as conn:
            conn.execute(
                "UPDATE jobs SET progress = ?, message = ?, heartbeat = ? WHERE id = ? AND state = 'running'",
                (fraction, _one_line(message), time.time(), job_id),
            )

    def set_done(
        self, job_id: str, output: str | os.PathLike[str], *, result: Mapping[str, Any] | None = None, message: str = ""
    ) -> Job:
        return self._finish(job_id, JobState.DONE, message, output=os.fspath(output), result=result)

    def set_failed(
        self,
        job_id: str,
        message: str,
        *,
        kind: str = "pipeline",
        hint: str = "",
        result: Mapping[str, Any] | None = None,
    ) -> Job:
        return self._finish(job_id, JobState.FAILED, message, kind=kind, hint=hint, result=result)

    def set_cancelled(self, job_id: str, message: str = "cancelled") -> Job:
        return self._finish(job_id, JobState.CANCELLED, message)

    def _finish(
        self,
        job_id: str,
        state: JobState,
        message: str,
        *,
        output: str | None = None,
        kind: str | None = None,
        hint: str = "",
        result: Mapping[str, Any] | None = None,
    ) -> Job:
        now = time.time()
        with self._write() as conn:
            job = self._get(conn, job_id)
            if job.is_final:
                return job  # a late report (the job was cancelled or finished elsewhere): keep the first word
            merged = {**job.result, **dict(result or {})}
            conn.execute(
                "UPDATE jobs SET state = ?, message = ?, error_kind = ?, hint = ?, output = COALESCE(?, output), "
                "result = ?, progress = CASE WHEN ? = 'done' THEN 1.0 ELSE progress END, finished = ?, owner = NULL, "
                "heartbeat = NULL WHERE id = ?",
                (
                    state.value,
                    _one_line(message),
                    kind,
                    _one_line(hint),
                    output,
                    json.dumps(merged),
                    state.value,
                    now,
                    job_id,
                ),
            )
            return self._get(conn, job_id)

    def requeue(self, job_id: str, message: str = "", *, count_attempt: bool = True) -> Job:
        """Put a RUNNING job back in the queue. ``count_attempt=False`` gives its attempt back (the job did not
        fail: the client closed, say)."""
        with self._write() as conn:
            job = self._get(conn, job_id)
            if job.state is not JobState.RUNNING:
                return job
            conn.execute(
                "UPDATE jobs SET state = 'queued', owner = NULL, heartbeat = NULL, progress = 0, message = ?, "
                "attempts = MAX(0, attempts - ?) WHERE id = ?",
                (_one_line(message), 0 if count_attempt else 1, job_id),
            )
            return self._get(conn, job_id)

    def requeue_interrupted(self, *, include_live: bool = False) -> list[str]:
        """Jobs left RUNNING by a runner that is gone go back to QUEUED (ids returned). A runner is alive while
        its process runs and its store is open (another host: while it reported within 10 minutes), so a second
        client never takes a job from the first; ``include_live=True`` takes every running job (recovery tools).

        Each time a job's runner died under it counts (``interruptions``; a job taken from a live runner does
        not): at the :data:`MAX_INTERRUPTIONS`-th the job fails instead ("the generator was interrupted 3 times
        while making this shot"), so a job that keeps taking its runner down (the OOM killer, say) is not
        retried forever. Attempts stand too, so a worker crash after that still counts them."""
        now = time.time()
        with self._write() as conn:
            rows = conn.execute(
                "SELECT id, owner, heartbeat, interruptions, spec FROM jobs WHERE state = 'running'"
            ).fetchall()
            requeued: list[str] = []
            for r in rows:
                dead = not owner_alive(r["owner"], r["heartbeat"], now)
                if not (dead or include_live):
                    continue
                count = int(r["interruptions"]) + (1 if dead else 0)
                if count >= MAX_INTERRUPTIONS:
                    conn.execute(
                        "UPDATE jobs SET state = 'failed', interruptions = ?, message = ?, error_kind = 'interrupted', "
                        "hint = ?, finished = ?, owner = NULL, heartbeat = NULL WHERE id = ?",
                        (count, _interrupted_message(count, r["spec"]), _INTERRUPTED_HINT, now, r["id"]),
                    )
                    continue
                conn.execute(
                    "UPDATE jobs SET state = 'queued', owner = NULL, heartbeat = NULL, progress = 0, "
                    "interruptions = ?, message = 'interrupted; queued again' WHERE id = ?",
                    (count, r["id"]),
                )
                requeued.append(r["id"])
            return requeued

    # -- managing -----------------------------------------------------------------------------------------------
    def cancel(self, job_id: str) -> Job:
        """A queued job is cancelled at once; a running one is marked ``cancel_requested`` (its runner stops it
        between steps and reports); a finished one is left as it is."""
        with self._write() as conn:
            job = self._get(conn, job_id)
            if job.state is JobState.QUEUED:
                conn.execute(
                    "UPDATE jobs SET state = 'cancelled', message = 'cancelled', finished = ? WHERE id = ?",
                    (time.time(), job_id),
                )
            elif job.state is JobState.RUNNING:
                conn.execute("UPDATE jobs SET cancel_requested = 1, message = 'cancelling' WHERE id = ?", (job_id,))
            return self._get(conn, job_id)

    def retry(self, job_id: str) -> Job:
        """A failed or cancelled job goes back to the queue (end of its priority), attempts and interruptions
        reset."""
        with self._write() as conn:
            job = self._get(conn, job_id)
            if job.state not in (JobState.FAILED, JobState.CANCELLED):
                raise StoreError(f"only failed or cancelled jobs can be retried; job {job_id} is {job.state}")
            seq = float(conn.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM jobs").fetchone()[0])
            conn.execute(
                "UPDATE jobs SET state = 'queued', seq = ?, attempts = 0, interruptions = 0, progress = 0, "
                "message = '', error_kind = NULL, hint = '', cancel_requested = 0, started = NULL, finished = NULL "
                "WHERE id = ?",
                (seq, job_id),
            )
            return self._get(conn, job_id)

    def reorder(self, job_id: str, *, priority: int | None = None, before: str | None = None) -> Job:
        """Change a queued job's place: a new ``priority`` (higher runs first) and/or just ``before`` another
        queued job (taking that job's priority)."""
        with self._write() as conn:
            job = self._get(conn, job_id)
            if job.state is not JobState.QUEUED:
                raise StoreError(f"only queued jobs can be reordered; job {job_id} is {job.state}")
            new_priority = job.priority if priority is None else int(priority)
            seq = job.order
            if before is not None:
                other = self._get(conn, before)
                if other.state is not JobState.QUEUED:
                    raise StoreError(f"job {before} is {other.state}, not queued")
                new_priority = other.priority if priority is None else new_priority
                prev = conn.execute(
                    "SELECT MAX(seq) FROM jobs WHERE state = 'queued' AND priority = ? AND seq < ? AND id != ?",
                    (new_priority, other.order, job_id),
                ).fetchone()[0]
                seq = (other.order - 1.0) if prev is None else (prev + other.order) / 2.0
            conn.execute("UPDATE jobs SET priority = ?, seq = ? WHERE id = ?", (new_priority, seq, job_id))
            return self._get(conn, job_id)

    def clear_finished(
        self, *, states: Iterable[JobState | str] = FINAL_STATES, older_than: float | None = None
    ) -> int:
        """Delete finished jobs (their files stay: a take at its content address is still found by ``submit``).
        ``older_than``: only jobs finished more than that many seconds ago. Returns how many went."""
        wanted = sorted({JobState(s).value for s in states} & {s.value for s in FINAL_STATES})
        if not wanted:
            return 0
        sql = f"DELETE FROM jobs WHERE state IN ({', '.join('?' * len(wanted))})"
        params: list[Any] = list(wanted)
        if older_than is not None:
            sql += " AND COALESCE(finished, created) < ?"
            params.append(time.time() - older_than)
        with self._write() as conn:
            return conn.execute(sql, params).rowcount


def _interrupted_message(count: int, spec_json: str) -> str:
    try:
        data = json.loads(spec_json)
    except ValueError:
        data = None
    kind = data.get("kind") if isinstance(data, dict) else None  # video specs have none; audio ones do
    what = "this shot" if kind is None else "this transcript" if kind == "transcript" else "this sound"
    return f"the generator was interrupted {count} times while making {what}"


def _one_line(text: str | None) -> str:
    return " ".join(str(text or "").split())


def _result_from_sidecar(video: Path) -> dict[str, Any]:
    """What the DONE job of a take found on disk reports: mode, notes and timings from its sidecar."""
    try:
        meta = json.loads(video.with_suffix(".json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"sidecar": str(video.with_suffix(".json"))}
    out: dict[str, Any] = {"sidecar": str(video.with_suffix(".json"))}
    if isinstance(meta, dict):
        for key in ("mode", "notes", "timings"):
            if key in meta:
                out[key] = meta[key]
    return out
