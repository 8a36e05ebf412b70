"""The client end to end: real worker processes running the real tiny pipelines on the CPU, hermetic folders.

Worker start-up (torch + diffusers imports) costs seconds, so most tests share one client and its worker. The
only simulation is the CUDA out-of-memory test hook, raised inside a real denoising step by the worker.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import av
import numpy as np
import pytest
from job_events import decode, wait_event
from PIL import Image

from generation.client import GeneratorClient
from generation.jobs import JobSpec, JobState, JobStore, _pid_alive
from generation.worker import FAIL_OOM_ONCE_ENV

# One torch thread per worker: on a small shared machine, OpenMP threads contending with other processes make
# the tiny jobs swing tenfold in time. Behaviour is the same either way.
WORKER_ENV = {"OMP_NUM_THREADS": "1"}


def spec(model: str = "tiny-wan", **kw) -> JobSpec:
    kw.setdefault("width", 64)
    kw.setdefault("height", 64)
    kw.setdefault("seed", 1)
    return JobSpec.create(model, kw.pop("prompt", "a red fox runs through snow"), **kw)


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    root = tmp_path_factory.mktemp("client")
    return root / "jobs.sqlite", root / "media"


@pytest.fixture(scope="module")
def client(models_root, folders):
    store, media = folders
    c = GeneratorClient(store, media, models_dir=models_root, env=WORKER_ENV)
    yield c
    c.close()


@pytest.fixture
def fresh(client):
    client.poll()  # forget what earlier tests left in the event queue
    return client


# -- generating and the cache -----------------------------------------------------------------------------------------


def test_generate_through_the_client(fresh):
    assert fresh.worker_pid is None  # lazily: nothing queued yet
    job = fresh.submit(spec())
    assert job.state is JobState.QUEUED
    done = fresh.wait(job.id, timeout=120)
    assert done.state is JobState.DONE and done.attempts == 1 and done.progress == 1.0, done.message
    assert fresh.worker_pid is not None and fresh.worker_starts == 1
    frames = decode(done.output)
    assert frames.shape == (9, 64, 64, 3) and frames.std() > 0
    with av.open(done.output) as container:
        assert container.streams.video[0].average_rate == 24
    sidecar = json.loads(done.sidecar.read_text())
    assert sidecar["mode"] == "text_to_video" and sidecar["job"]["id"] == job.id
    assert sidecar["job"]["spec_hash"] == job.hash and Path(done.output).stem == job.hash
    assert done.result["mode"] == "text_to_video" and done.result["revision"] == "tiny-wan-recipe-1"
    events = fresh.poll()
    kinds = [e.kind for e in events if e.job_id == job.id]
    assert kinds[0] == "queued" and "started" in kinds and kinds[-1] == "done"
    fractions = [e.fraction for e in events if e.job_id == job.id and e.kind == "progress"]
    assert fractions == sorted(fractions) and {e.stage for e in events if e.kind == "progress"} >= {"denoising"}
    assert events[-1].output == done.output
    assert any(e.kind == "worker_ready" for e in events)


def test_same_seed_without_cache_gives_identical_frames_another_seed_differs(fresh):
    first = fresh.wait(fresh.submit(spec(seed=21)).id, timeout=120)
    again = fresh.wait(fresh.submit(spec(seed=21), no_cache=True).id, timeout=120)
    other = fresh.wait(fresh.submit(spec(seed=22)).id, timeout=120)
    assert again.id != first.id and again.hash == first.hash and again.output != first.output
    assert {first.state, again.state, other.state} == {JobState.DONE}
    a, b, c = decode(first.output), decode(again.output), decode(other.output)
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)


def test_an_identical_request_is_a_cache_hit_without_a_worker(client, folders, models_root):
    store, media = folders
    original = client.wait(client.submit(spec(seed=31)).id, timeout=120)
    with GeneratorClient(store, media, models_dir=models_root) as other:
        t0 = time.perf_counter()
        hit = other.submit(spec(seed=31))
        latency = time.perf_counter() - t0
        assert hit.state is JobState.DONE and hit.id == original.id and hit.output == original.output
        assert other.worker_pid is None and other.worker_starts == 0  # the worker was never spawned
        events = other.poll()
        assert [(e.kind, e.cached, e.output) for e in events] == [("done", True, original.output)]
    assert latency < 5  # generous: it is a SQLite lookup and two stat calls, not a generation


# -- cancel, crash, retry ---------------------------------------------------------------------------------------------


def test_cancel_mid_job_then_the_next_job_completes(fresh):
    long = fresh.submit(spec(seed=41, steps=400))
    wait_event(fresh, kind="progress", job_id=long.id, stage="denoising")
    fresh.cancel(long.id)
    cancelled = fresh.wait(long.id, timeout=60)
    assert cancelled.state is JobState.CANCELLED and cancelled.progress < 0.85
    assert not Path(cancelled.output).exists()
    after = fresh.wait(fresh.submit(spec(seed=42)).id, timeout=120)
    assert after.state is JobState.DONE
    retried = fresh.retry(long.id)
    assert retried.state is JobState.QUEUED and retried.attempts == 0
    # The idle worker may claim the retried job before the cancel lands: queued or running, it must end cancelled.
    fresh.cancel(long.id)
    assert fresh.wait(long.id, timeout=60).state is JobState.CANCELLED


def test_a_job_cancelled_just_before_close_ends_cancelled_not_queued(models_root, tmp_path):
    with GeneratorClient(tmp_path / "jobs.sqlite", tmp_path / "media", models_dir=models_root, env=WORKER_ENV) as c:
        job = c.submit(spec(seed=44, steps=400))
        c.cancel(job.id)  # queued still, or claimed while the worker starts: either way it must end cancelled
        t0 = time.monotonic()
    assert time.monotonic() - t0 < 5  # a worker still starting up leaves at once
    with JobStore(tmp_path / "jobs.sqlite") as store:
        assert store.get(job.id).state is JobState.CANCELLED


def test_a_cancel_from_another_process_reaches_the_running_job(fresh, folders):
    long = fresh.submit(spec(seed=43, steps=400))
    wait_event(fresh, kind="progress", job_id=long.id, stage="denoising")
    with JobStore(folders[0]) as other:  # as the command line would, through the store
        assert other.cancel(long.id).cancel_requested
    assert fresh.wait(long.id, timeout=60).state is JobState.CANCELLED


def test_kill_the_worker_mid_job_and_the_job_is_requeued_and_finished(fresh):
    job = fresh.submit(spec(seed=51, steps=60))
    wait_event(fresh, kind="progress", job_id=job.id, stage="denoising")
    pid = fresh.worker_pid
    os.kill(pid, signal.SIGKILL)
    requeued, _ = wait_event(fresh, kind="requeued", job_id=job.id)
    assert "SIGKILL" in requeued.message
    done = fresh.wait(job.id, timeout=120)
    assert done.state is JobState.DONE and done.attempts == 2
    assert fresh.worker_pid not in (None, pid) and not _pid_alive(pid)
    assert decode(done.output).shape == (9, 64, 64, 3)


def test_a_job_that_keeps_killing_the_worker_fails_with_a_clear_message(fresh):
    fresh.max_attempts = 1
    try:
        job = fresh.submit(spec(seed=52, steps=400))
        wait_event(fresh, kind="progress", job_id=job.id, stage="denoising")
        os.kill(fresh.worker_pid, signal.SIGKILL)
        failed = fresh.wait(job.id, timeout=60)
    finally:
        fresh.max_attempts = 3
    assert failed.state is JobState.FAILED and failed.error_kind == "crash"
    assert failed.message.startswith("the generator crashed once on this job (last: was killed by SIGKILL")
    assert "generator log" in failed.hint
    assert fresh.wait(fresh.submit(spec(seed=53)).id, timeout=120).state is JobState.DONE  # restarted


# -- conditioning -----------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def images(tmp_path_factory):
    root = tmp_path_factory.mktemp("images")
    red, blue = root / "red.png", root / "blue.png"
    Image.new("RGB", (96, 80), (230, 20, 20)).save(red)
    Image.new("RGB", (96, 80), (20, 20, 230)).save(blue)
    return red, blue


@pytest.mark.parametrize(("model", "pipeline"), [("tiny-wan-flf", "WanImageToVideoPipeline"),
                                                 ("tiny-ltx", "LTXConditionPipeline")])
def test_first_and_last_images_reach_the_pipeline(fresh, images, tmp_path, model, pipeline):
    red, blue = images
    job = fresh.submit(spec(model, first_image=red, last_image=blue, width=None, height=None))
    done = fresh.wait(job.id, timeout=120)
    assert done.state is JobState.DONE, done.message
    assert done.result["mode"] == "first_last_frame" and done.result["pipeline_class"] == pipeline
    sidecar = json.loads(done.sidecar.read_text())
    assert sidecar["mode"] == "first_last_frame"
    assert sidecar["request"]["first_image"] == {"path": str(red)}
    assert sidecar["request"]["last_image"] == {"path": str(blue)}
    # The same pictures under other names are the same request: a cache hit.
    moved = tmp_path / "elsewhere.png"
    moved.write_bytes(red.read_bytes())
    assert fresh.submit(spec(model, first_image=moved, last_image=blue, width=None, height=None)).id == job.id


# -- out of memory, restarts ------------------------------------------------------------------------------------------


def test_a_cuda_out_of_memory_error_fails_that_job_with_the_fix_and_the_next_job_runs(models_root, tmp_path):
    with GeneratorClient(tmp_path / "jobs.sqlite", tmp_path / "media", models_dir=models_root,
                         env={**WORKER_ENV, FAIL_OOM_ONCE_ENV: "1"}) as c:
        first = c.submit(spec(seed=61))
        second = c.submit(spec(seed=62))
        finished = c.run_until_idle(timeout=180)
        assert [j.id for j in finished] == [first.id, second.id]
        oom, ok = c.get(first.id), c.get(second.id)
        assert oom.state is JobState.FAILED and oom.error_kind == "out_of_memory"
        assert "out of GPU memory" in oom.message and "\n" not in oom.message
        assert "PROMPTCUT_OFFLOAD=model" in oom.hint and oom.result["fix"] == {"offload": "model",
                                                                               "vae_tiling": True}
        assert not Path(oom.output).exists()
        assert ok.state is JobState.DONE and Path(ok.output).is_file()
        assert c.worker_starts == 1  # the worker lived through it


def test_close_with_jobs_queued_and_a_new_client_finishes_them(models_root, tmp_path):
    store, media = tmp_path / "jobs.sqlite", tmp_path / "media"
    first = GeneratorClient(store, media, models_dir=models_root, env=WORKER_ENV)
    ids = [first.submit(spec(seed=70 + i, steps=30)).id for i in range(3)]
    running, _ = wait_event(first, kind="progress", stage="denoising")
    first.close()
    with JobStore(store) as look:
        states = {j.id: j for j in look.list()}
    assert all(states[i].state is JobState.QUEUED for i in ids if i != running.job_id)
    interrupted = states[running.job_id]
    assert interrupted.state in (JobState.QUEUED, JobState.DONE)  # it may have finished as we closed
    assert interrupted.attempts == (0 if interrupted.state is JobState.QUEUED else 1)

    with GeneratorClient(store, media, models_dir=models_root, env=WORKER_ENV) as second:  # resumes at once (autostart)
        assert second.requeued_on_start == []  # the first client put its job back itself
        for job_id in ids:
            assert second.wait(job_id, timeout=180).state is JobState.DONE
        assert all(second.get(i).attempts == 1 for i in ids)


def test_an_editor_killed_mid_job_leaves_no_worker_and_its_job_is_resumed(models_root, tmp_path):
    """A client process dies with SIGKILL while generating: its worker goes with it; the next client re-queues
    the job it left RUNNING and finishes it."""
    store, media = tmp_path / "jobs.sqlite", tmp_path / "media"
    script = textwrap.dedent(
        f"""
        from generation.client import GeneratorClient
        from generation.jobs import JobSpec
        c = GeneratorClient({str(store)!r}, {str(media)!r}, models_dir={models_root!r})
        job = c.submit(JobSpec.create("tiny-wan", "a fox", seed=81, width=64, height=64, steps=150))
        while True:
            for ev in c.events(timeout=1):
                if ev.kind == "progress" and ev.stage == "denoising":
                    print(job.id, c.worker_pid, flush=True)
                    raise SystemExit(__import__("time").sleep(600))
        """
    )
    editor = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True,
                              env={**os.environ, **WORKER_ENV})
    try:
        job_id, worker_pid = editor.stdout.readline().split()
        os.kill(editor.pid, signal.SIGKILL)
        editor.wait(timeout=10)
    finally:
        if editor.poll() is None:
            editor.kill()
    deadline = time.monotonic() + 10
    while _pid_alive(int(worker_pid)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _pid_alive(int(worker_pid)), "the worker outlived the editor"
    with JobStore(store) as look:
        assert look.get(job_id).state is JobState.RUNNING  # as the dead editor left it
    with GeneratorClient(store, media, models_dir=models_root, env=WORKER_ENV) as again:
        assert again.requeued_on_start == [job_id]
        done = again.wait(job_id, timeout=180)
        assert done.state is JobState.DONE and done.attempts == 2


# -- a generator that cannot start ----------------------------------------------------------------------------------


def test_a_generator_that_cannot_start_fails_the_job_after_its_attempts_with_its_last_words(tmp_path):
    broken = tmp_path / "python"
    broken.write_text("#!/bin/sh\necho 'ModuleNotFoundError: No module named torch' >&2\nexit 3\n")
    broken.chmod(0o755)
    with GeneratorClient(tmp_path / "jobs.sqlite", tmp_path / "media", python=str(broken),
                         restart_delays=(0.05, 0.1)) as c:
        job = c.wait(c.submit(spec(seed=91)).id, timeout=60)
        assert job.state is JobState.FAILED and job.attempts == 3 and job.error_kind == "crash"
        assert job.message == ("the generator crashed 3 times on this job (last: exited with status 3: "
                               "ModuleNotFoundError: No module named torch)")
        assert c.worker_starts == 3 and c.worker_pid is None
        kinds = [e.kind for e in c.poll()]
        assert kinds.count("requeued") == 2 and kinds.count("worker_exited") == 3 and kinds[-1] == "error"


def test_a_missing_interpreter_is_reported_not_raised(tmp_path):
    with GeneratorClient(tmp_path / "jobs.sqlite", tmp_path / "media", python=str(tmp_path / "no-python"),
                         restart_delays=(0.05,), max_attempts=2) as c:
        job = c.wait(c.submit(spec(seed=92)).id, timeout=60)
        assert job.state is JobState.FAILED and job.attempts == 2
        assert "could not start the generator" in job.message and "no-python" in job.message


def test_unknown_models_and_bad_specs_are_refused_at_submit(tmp_path):
    from generation.models import UnknownModel

    with GeneratorClient(tmp_path / "jobs.sqlite", tmp_path / "media") as c:
        with pytest.raises(UnknownModel, match="unknown model 'nope'"):
            c.submit(JobSpec("nope", "x", "", 1, 64, 64, 9, 2, 5.0))
        with pytest.raises(ValueError, match="unknown job spec field"):
            c.submit({**spec().to_dict(), "fps": 30})
        assert c.jobs() == [] and c.worker_pid is None
