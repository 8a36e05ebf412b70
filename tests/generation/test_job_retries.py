"""A job whose runner dies under it is not retried forever: the store counts those deaths and fails the job at the
third, with a one-line reason. Real SQLite files and real processes killed with SIGKILL; no worker needed."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time

import pytest

from generation import jobs
from generation.audio.job_spec import AudioJobSpec
from generation.job_store_schema import _v1_jobs
from generation.jobs import MAX_INTERRUPTIONS, JobSpec, JobState, JobStore


def spec(seed: int = 1) -> JobSpec:
    return JobSpec("tiny-wan", "a fox", "", seed, 64, 64, 9, 2, 5.0)


@pytest.fixture
def store(tmp_path):
    s = JobStore(tmp_path / "jobs.sqlite")
    yield s
    s.close()


def dead_owner() -> str:
    """The owner token of a process of this host that has ended."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return f"{jobs._HOST}/{proc.pid}/deadbeef"


def test_a_job_whose_runner_dies_three_times_fails_with_a_one_line_reason(store, tmp_path):
    job = store.submit(spec(), tmp_path)
    for death in range(1, MAX_INTERRUPTIONS):
        assert store.claim_next(owner=dead_owner()).id == job.id
        assert store.requeue_interrupted() == [job.id]
        again = store.get(job.id)
        assert again.state is JobState.QUEUED and again.interruptions == death
    assert store.claim_next(owner=dead_owner()).id == job.id
    assert store.requeue_interrupted() == []  # not queued again: it failed
    failed = store.get(job.id)
    assert failed.state is JobState.FAILED and failed.interruptions == MAX_INTERRUPTIONS
    assert failed.message == "the generator was interrupted 3 times while making this shot"
    assert failed.error_kind == "interrupted" and "\n" not in failed.hint and failed.hint
    assert failed.owner is None and failed.finished is not None
    assert store.claim_next() is None  # nothing left to run


def fail_by_interruptions(store, job_id):
    for _ in range(MAX_INTERRUPTIONS):
        assert store.claim_next(owner=dead_owner()).id == job_id
        store.requeue_interrupted()
    assert store.get(job_id).state is JobState.FAILED


def test_asking_again_for_a_shot_that_kept_killing_its_runner_does_not_start_the_count_again(store, tmp_path):
    """A client that reopens the project and asks for the same shot gets the failure back, not a fresh job: the
    bound holds across sessions until the user retries by hand."""
    job = store.submit(spec(), tmp_path)
    fail_by_interruptions(store, job.id)
    again = store.submit(spec(), tmp_path)
    assert again.id == job.id and again.state is JobState.FAILED
    assert store.claim_next() is None
    store.retry(job.id)   # the user's Retry runs it again, with a fresh count
    assert store.get(job.id).state is JobState.QUEUED and store.get(job.id).interruptions == 0
    assert store.submit(spec(2), tmp_path).id != job.id   # another seed is another shot


def test_an_explicit_no_cache_submit_makes_a_new_job_even_after_interruptions(store, tmp_path):
    job = store.submit(spec(), tmp_path)
    fail_by_interruptions(store, job.id)
    fresh = store.submit(spec(), tmp_path, no_cache=True)
    assert fresh.id != job.id and fresh.state is JobState.QUEUED


def test_an_audio_job_says_sound(store, tmp_path):
    sound = AudioJobSpec(kind="sound", model="tiny-audioldm2", prompt="rain", seconds=2.0, seed=1, steps=4,
                         guidance=7.0)
    job = store.submit(sound, tmp_path)
    for _ in range(MAX_INTERRUPTIONS):
        store.claim_next(owner=dead_owner())
        store.requeue_interrupted()
    assert store.get(job.id).message == "the generator was interrupted 3 times while making this sound"


def test_a_job_taken_from_a_live_runner_or_closed_cleanly_is_not_counted(store, tmp_path):
    job = store.submit(spec(), tmp_path)
    for _ in range(MAX_INTERRUPTIONS + 1):
        assert store.claim_next().id == job.id  # this store is open: its runner lives
        assert store.requeue_interrupted() == []
        assert store.requeue_interrupted(include_live=True) == [job.id]  # a recovery tool: not a death
    for _ in range(MAX_INTERRUPTIONS + 1):
        store.claim_next()
        store.requeue(job.id, "interrupted: the generator was closed", count_attempt=False)  # a clean close
    again = store.get(job.id)
    assert again.state is JobState.QUEUED and again.interruptions == 0


def test_retry_starts_the_count_again(store, tmp_path):
    job = store.submit(spec(), tmp_path)
    for _ in range(MAX_INTERRUPTIONS):
        store.claim_next(owner=dead_owner())
        store.requeue_interrupted()
    assert store.get(job.id).state is JobState.FAILED
    retried = store.retry(job.id)
    assert retried.state is JobState.QUEUED and retried.interruptions == 0 and retried.attempts == 0
    store.claim_next(owner=dead_owner())
    assert store.requeue_interrupted() == [job.id]


def test_runners_killed_with_sigkill_are_bounded(tmp_path):
    """Real runners: a process opens the store, takes the job and is killed mid-way; each new one that opens the
    store puts the job back, until the third death fails it. Without the bound the job would cycle forever."""
    path = tmp_path / "jobs.sqlite"
    with JobStore(path) as s:
        job = s.submit(spec(), tmp_path / "out")
    script = textwrap.dedent(
        f"""
        import sys, time
        from generation.jobs import JobStore
        s = JobStore({str(path)!r})
        s.requeue_interrupted()
        taken = s.claim_next()
        print(taken.id if taken else "none", flush=True)
        time.sleep(60)
        """
    )
    seen = []
    for _ in range(MAX_INTERRUPTIONS + 2):
        proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
        try:
            seen.append(proc.stdout.readline().strip())
        finally:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
            proc.stdout.close()
    assert seen == [job.id] * MAX_INTERRUPTIONS + ["none", "none"]
    with JobStore(path) as s:
        s.requeue_interrupted()
        failed = s.get(job.id)
    assert failed.state is JobState.FAILED and failed.interruptions == MAX_INTERRUPTIONS
    assert failed.message == "the generator was interrupted 3 times while making this shot"


def test_a_store_made_before_interruptions_were_counted_opens_and_keeps_its_jobs(tmp_path):
    """A schema-1 store (as PromptCut wrote it before this column) migrates: backed up, jobs kept, count 0."""
    path = tmp_path / "jobs.sqlite"
    conn = sqlite3.connect(path)
    with conn:
        _v1_jobs(conn)
        conn.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied REAL NOT NULL, "
                     "description TEXT NOT NULL)")
        conn.execute("INSERT INTO schema_version VALUES (1, ?, 'jobs table')", (time.time(),))
        conn.execute(
            "INSERT INTO jobs (id, hash, spec, state, priority, seq, created, owner, attempts) "
            "VALUES ('old', 'h', ?, 'running', 0, 1, ?, ?, 2)",
            ('{"model": "tiny-wan", "prompt": "a fox", "negative_prompt": "", "seed": 1, "width": 64, '
             '"height": 64, "num_frames": 9, "steps": 2, "guidance": 5.0}', time.time(), dead_owner()),
        )
    conn.close()
    with JobStore(path) as s:
        assert s.schema_version() == jobs.MIGRATIONS[-1].version >= 2
        old = s.get("old")
        assert old.state is JobState.RUNNING and old.interruptions == 0 and old.attempts == 2
        assert s.requeue_interrupted() == ["old"]
        assert s.get("old").interruptions == 1
    backup = tmp_path / "jobs.sqlite.v1.bak"
    with sqlite3.connect(backup) as conn:
        assert conn.execute("SELECT id FROM jobs").fetchone()[0] == "old"
        assert "interruptions" not in [r[1] for r in conn.execute("PRAGMA table_info(jobs)")]
