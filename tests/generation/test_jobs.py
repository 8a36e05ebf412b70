"""Job specs, the content hash and the SQLite job store (no worker here: plain Python and real SQLite files)."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from generation import jobs
from generation.errors import GenerationError
from generation.jobs import (
    Job,
    JobNotFound,
    JobSpec,
    JobState,
    JobStore,
    Migration,
    StoreError,
    model_revision,
    output_path_for,
)
from generation.models import get_model


def spec(**kw) -> JobSpec:
    base = dict(model="tiny-wan", prompt="a fox", negative_prompt="", seed=1, width=64, height=64, num_frames=9,
                steps=2, guidance=5.0)
    base.update(kw)
    return JobSpec(**base)


def fake_take(job_or_path) -> Path:
    """Write a stand-in take (video + sidecar) where a job's output goes: the cache checks files, not pixels."""
    video = Path(job_or_path.output if isinstance(job_or_path, Job) else job_or_path)
    video.parent.mkdir(parents=True, exist_ok=True)
    video.write_bytes(b"mp4")
    video.with_suffix(".json").write_text(json.dumps({"mode": "text_to_video", "notes": []}))
    return video


@pytest.fixture
def store(tmp_path):
    s = JobStore(tmp_path / "jobs.sqlite")
    yield s
    s.close()


# -- specs and hashes -----------------------------------------------------------------------------------------------


def test_spec_is_plain_json_data_and_round_trips(tmp_path):
    s = spec(first_image=tmp_path / "a.png", guidance=5)
    data = s.to_dict()
    assert list(data) == ["model", "prompt", "negative_prompt", "seed", "width", "height", "num_frames", "steps",
                          "guidance", "first_image", "last_image"]
    assert data["first_image"] == str(tmp_path / "a.png") and isinstance(data["guidance"], float)
    assert JobSpec.from_dict(json.loads(json.dumps(data))) == s
    with pytest.raises(ValueError, match="unknown job spec field"):
        JobSpec.from_dict({**data, "colour": "red"})
    with pytest.raises(ValueError, match="lacks seed"):
        JobSpec.from_dict({k: v for k, v in data.items() if k != "seed"})


@pytest.mark.parametrize(
    "bad",
    [dict(seed=-1), dict(seed=True), dict(width=0), dict(steps=1.5), dict(guidance=float("nan")), dict(model=""),
     dict(prompt=None)],
)
def test_spec_rejects_bad_values(bad):
    with pytest.raises((ValueError, TypeError)):
        spec(**bad)


def test_create_fills_model_defaults_and_snaps_like_the_backend():
    m = get_model("tiny-wan")
    s = JobSpec.create("tiny-wan", "a fox")
    assert (s.width, s.height) == (m.default_size.width, m.default_size.height)
    assert (s.num_frames, s.steps, s.guidance, s.negative_prompt) == (9, 2, 5.0, "")
    snapped = JobSpec.create("tiny-wan", "a fox", width=70, height=70, num_frames=10)
    assert (snapped.width, snapped.height, snapped.num_frames) == (64, 64, 13)
    assert JobSpec.create("tiny-wan", "x", width=64, height=64, num_frames=9) == JobSpec.create(
        "tiny-wan", "x", width=62, height=66, num_frames=7
    )
    assert JobSpec.create("wan2.1-t2v-1.3b", "x").negative_prompt.startswith("Bright tones")


def test_hash_covers_every_field_and_is_stable():
    h = spec().content_hash()
    assert h == spec().content_hash() and len(h) == 64
    for change in (dict(model="tiny-ltx"), dict(prompt="a cat"), dict(negative_prompt="blur"), dict(seed=2),
                   dict(width=128), dict(height=128), dict(num_frames=13), dict(steps=3), dict(guidance=4.0)):
        assert spec(**change).content_hash() != h, change
    assert spec(guidance=5).content_hash() == h  # 5 and 5.0 are the same request


def test_hash_reads_image_content_not_paths(tmp_path):
    a, b, c = tmp_path / "a.png", tmp_path / "sub" / "b.png", tmp_path / "c.png"
    b.parent.mkdir()
    a.write_bytes(b"red pixels")
    shutil.copy(a, b)
    c.write_bytes(b"blue pixels")
    assert spec(first_image=a).content_hash() == spec(first_image=b).content_hash()
    assert spec(first_image=a).content_hash() != spec(first_image=c).content_hash()
    assert spec(first_image=a).content_hash() != spec(last_image=a).content_hash()
    doc = spec(first_image=a).hash_document()
    assert doc["first_image"] == {"sha256": jobs.file_sha256(a)} and str(tmp_path) not in json.dumps(doc)
    before = spec(first_image=a).content_hash()
    time.sleep(0.01)
    a.write_bytes(b"red pixels, edited")
    assert spec(first_image=a).content_hash() != before  # an edit is seen (the memo keys on mtime and size)
    with pytest.raises(GenerationError) as info:
        spec(first_image=tmp_path / "missing.png").content_hash()
    assert info.value.kind == "bad_request" and "missing.png" in str(info.value)


def test_hash_includes_the_model_revision(monkeypatch):
    assert spec().hash_document()["model_revision"] == model_revision("tiny-wan") == "tiny-wan-recipe-1"
    before = spec().content_hash()
    monkeypatch.setattr("generation.testing.tiny.RECIPE_VERSION", 99)
    assert spec().content_hash() != before
    assert model_revision("no-such-model") is None


# -- submitting and the cache -----------------------------------------------------------------------------------------


def test_submit_persists_a_queued_job_with_a_content_addressed_output(store, tmp_path):
    job = store.submit(spec(), tmp_path / "out")
    assert job.state is JobState.QUEUED and job.attempts == 0 and job.progress == 0.0
    assert job.hash == spec().content_hash()
    assert job.output == str(tmp_path / "out" / job.hash[:2] / f"{job.hash}.mp4")
    again = JobStore(store.path)
    try:
        assert again.get(job.id) == job  # persisted, readable by another connection
    finally:
        again.close()
    with pytest.raises(JobNotFound):
        store.get("nope")


def test_identical_request_is_a_cache_hit_once_its_take_exists(store, tmp_path):
    out = tmp_path / "out"
    store.submit(spec(), out)
    first = store.claim_next()
    assert first is not None
    assert store.submit(spec(), out).id == first.id  # identical and still running: no duplicate
    fake_take(first)
    done = store.set_done(first.id, first.output, result={"mode": "text_to_video"})
    hit = store.submit(spec(), out)
    assert hit == done and hit.state is JobState.DONE
    assert store.submit(spec(seed=2), out).state is JobState.QUEUED
    forced = store.submit(spec(), out, no_cache=True)
    assert forced.state is JobState.QUEUED and forced.id != first.id
    assert forced.output != first.output and Path(forced.output).name == f"{forced.hash}-{forced.id[:8]}.mp4"
    # The take is gone: not a hit any more.
    Path(first.output).unlink()
    assert store.submit(spec(), out).id == forced.id  # the queued identical one


def test_a_take_on_disk_without_a_job_is_found(store, tmp_path):
    out = tmp_path / "out"
    video = fake_take(output_path_for(out, spec().content_hash()))
    job = store.submit(spec(), out)
    assert job.state is JobState.DONE and job.cached and job.output == str(video)
    assert job.result["mode"] == "text_to_video" and job.result["sidecar"] == str(video.with_suffix(".json"))
    assert store.clear_finished() == 1
    assert store.submit(spec(), out).cached  # cleared rows do not lose takes


# -- running ----------------------------------------------------------------------------------------------------------


def test_queue_order_is_priority_then_submission(store, tmp_path):
    a = store.submit(spec(seed=1), tmp_path)
    b = store.submit(spec(seed=2), tmp_path)
    c = store.submit(spec(seed=3), tmp_path, priority=5)
    assert store.next_queued().id == c.id
    assert [j.id for j in store.list()] == [c.id, a.id, b.id]
    store.reorder(b.id, before=a.id)
    assert [j.id for j in store.list(["queued"])] == [c.id, b.id, a.id]
    assert store.list("queued") == store.list([JobState.QUEUED]) and store.list([]) == []
    store.reorder(a.id, priority=9)
    order = []
    while (job := store.claim_next()) is not None:
        order.append(job.id)
        assert job.state is JobState.RUNNING and job.attempts == 1 and job.owner == store.owner
    assert order == [a.id, c.id, b.id]
    with pytest.raises(StoreError, match="only queued"):
        store.reorder(a.id, priority=1)


def test_progress_done_failed_cancelled(store, tmp_path):
    for seed in (1, 2, 3):
        store.submit(spec(seed=seed), tmp_path)
    a, b, c = store.claim_next(), store.claim_next(), store.claim_next()
    store.set_progress(a.id, 0.5, "denoising\n 3/6")
    assert store.get(a.id).progress == 0.5 and store.get(a.id).message == "denoising 3/6"
    done = store.set_done(a.id, a.output, result={"mode": "text_to_video", "notes": ["n"]}, message="n")
    assert done.state is JobState.DONE and done.progress == 1.0 and done.finished and done.owner is None
    assert done.mode == "text_to_video" and done.sidecar == Path(a.output).with_suffix(".json")
    failed = store.set_failed(b.id, "out of GPU memory\nat step 3", kind="out_of_memory", hint="Set offload=model")
    assert (failed.state, failed.error_kind, failed.message) == (JobState.FAILED, "out_of_memory",
                                                                 "out of GPU memory at step 3")
    assert store.set_done(b.id, "x").state is JobState.FAILED  # a late report does not overwrite the outcome
    assert store.cancel(c.id).cancel_requested and store.get(c.id).state is JobState.RUNNING
    assert store.set_cancelled(c.id).state is JobState.CANCELLED
    retried = store.retry(b.id)
    assert retried.state is JobState.QUEUED and retried.attempts == 0 and retried.error_kind is None
    with pytest.raises(StoreError, match="only failed or cancelled"):
        store.retry(a.id)
    assert store.clear_finished(states=["cancelled"]) == 1 and store.find(c.id) is None
    assert store.clear_finished(older_than=3600) == 0 and store.clear_finished() == 1


def test_cancel_a_queued_job_at_once(store, tmp_path):
    job = store.submit(spec(), tmp_path)
    cancelled = store.cancel(job.id)
    assert cancelled.state is JobState.CANCELLED and cancelled.finished is not None
    assert store.claim_next() is None


def test_requeue_gives_the_attempt_back_only_when_asked(store, tmp_path):
    store.submit(spec(), tmp_path)
    job = store.claim_next()
    assert store.requeue(job.id, "crashed").attempts == 1
    job = store.claim_next()
    assert job.attempts == 2
    assert store.requeue(job.id, "client closed", count_attempt=False).attempts == 1


def test_requeue_interrupted_takes_back_only_jobs_of_dead_runners(store, tmp_path):
    for seed in (1, 2, 3):
        store.submit(spec(seed=seed), tmp_path)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    other = JobStore(store.path)  # a live runner in this process
    try:
        mine = store.claim_next(owner=f"{jobs._HOST}/{dead.pid}/deadbeef")
        theirs = other.claim_next()
        orphan = store.claim_next(owner=f"{jobs._HOST}/not-a-pid/0")
        assert {mine.state, theirs.state, orphan.state} == {JobState.RUNNING}
        assert sorted(store.requeue_interrupted()) == sorted([mine.id, orphan.id])
        assert store.get(mine.id).state is JobState.QUEUED and store.get(mine.id).attempts == 1
        assert store.get(theirs.id).state is JobState.RUNNING
    finally:
        other.close()
    assert store.requeue_interrupted() == [theirs.id]  # its store closed: its runner is gone


def test_two_processes_share_one_store(tmp_path):
    """Another process submits and claims while this one does: every job lands once, no claim is doubled."""
    path = tmp_path / "jobs.sqlite"
    JobStore(path).close()
    script = textwrap.dedent(
        f"""
        from generation.jobs import JobSpec, JobStore
        s = JobStore({str(path)!r})
        claimed = []
        for i in range(40):
            s.submit(JobSpec("tiny-wan", "other", "", 1000 + i, 64, 64, 9, 2, 5.0), {str(tmp_path / "out")!r})
            job = s.claim_next()
            if job is not None:
                claimed.append(job.id)
        print(" ".join(claimed))
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    store = JobStore(path)
    mine = []
    try:
        for i in range(40):
            store.submit(spec(seed=i), tmp_path / "out")
            job = store.claim_next()
            if job is not None:
                mine.append(job.id)
        theirs = proc.communicate(timeout=60)[0].split()
        assert proc.returncode == 0
        while (job := store.claim_next()) is not None:
            mine.append(job.id)
        assert len(store.list()) == 80 and not set(mine) & set(theirs)
        assert len(mine) + len(theirs) == 80
        assert len({j.order for j in store.list()}) == 80
    finally:
        store.close()


# -- schema and migrations --------------------------------------------------------------------------------------------


def _add_note_column(conn: sqlite3.Connection) -> None:
    conn.execute("ALTER TABLE jobs ADD COLUMN note TEXT NOT NULL DEFAULT 'migrated'")


def test_a_new_store_is_at_the_latest_schema_in_wal_mode(store):
    assert store.schema_version() == jobs.MIGRATIONS[-1].version
    with sqlite3.connect(store.path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        rows = conn.execute("SELECT version, description FROM schema_version").fetchall()
    assert rows == [(m.version, m.description) for m in jobs.MIGRATIONS]


def test_an_older_store_is_backed_up_and_migrated_keeping_its_jobs(tmp_path, monkeypatch):
    path = tmp_path / "jobs.sqlite"
    with JobStore(path) as old:
        job = old.submit(spec(), tmp_path)
        version = old.schema_version()
    monkeypatch.setattr(jobs, "MIGRATIONS", jobs.MIGRATIONS + (Migration(version + 1, "notes", _add_note_column),))
    with JobStore(path) as new:
        assert new.schema_version() == version + 1
        assert new.get(job.id) == job
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT note FROM jobs").fetchone()[0] == "migrated"
    backup = tmp_path / f"jobs.sqlite.v{version}.bak"
    with sqlite3.connect(backup) as conn:
        assert conn.execute("SELECT MAX(version) FROM schema_version").fetchone()[0] == version
        assert conn.execute("SELECT id FROM jobs").fetchone()[0] == job.id


def test_a_failing_migration_changes_nothing(tmp_path, monkeypatch):
    path = tmp_path / "jobs.sqlite"
    with JobStore(path) as old:
        version = old.schema_version()

    def broken(conn: sqlite3.Connection) -> None:
        _add_note_column(conn)
        raise RuntimeError("migration bug")

    monkeypatch.setattr(jobs, "MIGRATIONS", jobs.MIGRATIONS + (Migration(version + 1, "broken", broken),))
    with pytest.raises(RuntimeError, match="migration bug"):
        JobStore(path)
    monkeypatch.undo()
    with JobStore(path) as again:
        assert again.schema_version() == version
    with sqlite3.connect(path) as conn:
        columns = [r[1] for r in conn.execute("PRAGMA table_info(jobs)")]
    assert "note" not in columns


def test_a_store_from_a_newer_promptcut_is_refused(tmp_path):
    path = tmp_path / "jobs.sqlite"
    JobStore(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO schema_version VALUES (999, 0, 'future')")
    with pytest.raises(StoreError, match="newer PromptCut"):
        JobStore(path)


def test_a_file_that_is_not_a_store_is_a_clear_error(tmp_path):
    path = tmp_path / "jobs.sqlite"
    path.write_bytes(os.urandom(4096))
    with pytest.raises(StoreError, match="unusable"):
        JobStore(path)
