"""Tiny-model jobs through ``ClusterClient`` on a real local Ray: actors are real processes running the real
worker and pipelines on the CPU, with a custom resource standing in for GPUs. The only simulation is the CUDA
out-of-memory test hook, raised inside a real denoising step by the worker."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from job_events import decode, wait_event

from generation.client import GeneratorClient
from generation.cluster.client import ClusterClient, open_generator
from generation.cluster.config import ClusterConfig
from generation.jobs import JobSpec, JobState, JobStore
from generation.worker import FAIL_OOM_ONCE_ENV

from .conftest import STAND_IN

# One torch thread per actor, one model per actor (as on a GPU), so warm-model affinity shows in the loads.
ACTOR_ENV = {"OMP_NUM_THREADS": "1", "PROMPTCUT_MAX_LOADED": "1"}


def spec(model: str = "tiny-wan", **kw) -> JobSpec:
    kw.setdefault("width", 64)
    kw.setdefault("height", 64)
    kw.setdefault("seed", 1)
    return JobSpec.create(model, kw.pop("prompt", "a red fox runs through snow"), **kw)


def slow_spec(**kw) -> JobSpec:
    """A job long enough (many steps) to be caught running."""
    return spec(steps=kw.pop("steps", 1000), **kw)


def cluster(**kw) -> ClusterConfig:
    return ClusterConfig("local", workers=kw.pop("workers", 2), resource=STAND_IN, **kw)


@pytest.fixture(scope="module")
def client(ray_cluster, models_root, tmp_path_factory):
    root = tmp_path_factory.mktemp("cluster")
    c = open_generator(root / "jobs.sqlite", root / "media", cluster=cluster(transfer="bytes"),
                       models_dir=models_root, env=ACTOR_ENV)
    assert isinstance(c, ClusterClient)
    yield c
    c.close()


@pytest.fixture
def fresh(client):
    client.poll()
    return client


def test_results_are_the_local_workers_same_files(fresh, models_root, tmp_path):
    specs = [spec(seed=5), spec("tiny-ltx", seed=6)]
    jobs = [fresh.submit(s) for s in specs]
    done = [fresh.wait(j.id, timeout=300) for j in jobs]
    assert [d.state for d in done] == [JobState.DONE] * 2, [d.message for d in done]
    with GeneratorClient(tmp_path / "jobs.sqlite", tmp_path / "media", models_dir=models_root,
                         env={"OMP_NUM_THREADS": "1"}) as local:
        here = [local.wait(local.submit(s).id, timeout=300) for s in specs]
    for remote, mine in zip(done, here, strict=True):
        # The same request is the same content-addressed file, with the same frames.
        assert Path(remote.output).relative_to(fresh.output_dir) == Path(mine.output).relative_to(local.output_dir)
        assert np.array_equal(decode(remote.output), decode(mine.output))
        assert remote.sidecar.is_file() and remote.result["mode"] == mine.result["mode"]
    placed = {fresh.placement(d.id) for d in done}
    assert all(p and p.startswith("node ") and " · worker " in p for p in placed), placed
    events = fresh.poll()
    kinds = [e.kind for e in events if e.job_id == done[0].id]
    assert kinds[0] == "queued" and "started" in kinds and "progress" in kinds and kinds[-1] == "done"
    if hasattr(events[-1], "node"):  # where Event carries the placement
        last = [e for e in events if e.job_id == done[0].id][-1]
        assert fresh.placement(done[0].id) == f"node {last.node} · {last.gpu}"
    assert not list(fresh.output_dir.rglob("*.preview.jpg"))  # previews go when their job ends, as locally


def test_warm_model_affinity_keeps_each_model_on_its_actor(fresh):
    def batch(models: list[str], seed: int) -> dict[str, str]:
        jobs = [fresh.submit(spec(m, seed=seed)) for m in models]
        for j in jobs:
            assert fresh.wait(j.id, timeout=300).state is JobState.DONE
        return {m: fresh.placement(j.id) for m, j in zip(models, jobs, strict=True)}

    first = batch(["tiny-wan", "tiny-ltx"], 101)
    loads = sum(a["loads"] for a in fresh.dispatcher.actor_info() if a)
    assert first["tiny-wan"] != first["tiny-ltx"]
    for seed in (102, 103, 104):  # the order alternates; the placement does not
        order = ["tiny-ltx", "tiny-wan"] if seed % 2 == 0 else ["tiny-wan", "tiny-ltx"]
        assert batch(order, seed) == first  # each model goes back to the actor that holds it
    assert sum(a["loads"] for a in fresh.dispatcher.actor_info() if a) == loads  # and nothing was loaded again
    assert sorted(tuple(a["warm"]) for a in fresh.dispatcher.actor_info() if a) == [("tiny-ltx",), ("tiny-wan",)]


def test_cancel_reaches_the_running_actor(fresh):
    job = fresh.submit(slow_spec(seed=11))
    wait_event(fresh, kind="progress", job_id=job.id, stage="denoising")
    fresh.cancel(job.id)
    ended = fresh.wait(job.id, timeout=120)
    assert ended.state is JobState.CANCELLED
    assert not Path(ended.output).exists()
    after = fresh.wait(fresh.submit(spec(seed=12)).id, timeout=120)  # the actor goes on
    assert after.state is JobState.DONE


def test_an_actor_killed_mid_job_requeues_it_and_it_completes(fresh):
    job = fresh.submit(slow_spec(seed=13))
    wait_event(fresh, kind="progress", job_id=job.id, stage="denoising")
    actor = fresh.actor_of(job.id)
    assert actor is not None and actor["pid"] != os.getpid()
    os.kill(actor["pid"], signal.SIGKILL)
    _, seen = wait_event(fresh, kind="requeued", job_id=job.id)
    assert any(e.kind == "worker_exited" and "died" in e.message for e in seen)
    done = fresh.wait(job.id, timeout=300)
    assert done.state is JobState.DONE and done.attempts == 2, done.message
    assert decode(done.output).shape[0] == done.spec.num_frames
    assert actor["pid"] not in fresh.actor_pids


def test_conditioning_images_travel_to_the_actor(fresh, tmp_path):
    from PIL import Image

    first, last = tmp_path / "first.png", tmp_path / "last.png"
    Image.new("RGB", (64, 64), (200, 40, 40)).save(first)
    Image.new("RGB", (64, 64), (40, 40, 200)).save(last)
    job = fresh.submit(spec("tiny-wan-flf", seed=21, first_image=str(first), last_image=str(last)))
    done = fresh.wait(job.id, timeout=300)
    assert done.state is JobState.DONE, done.message
    assert Path(done.output).stem == job.hash
    # The sidecar names the files as the request did (what "make it again" reads), not the node's copies.
    recorded = json.loads(done.sidecar.read_text())["job"]["spec"]
    assert (recorded["first_image"], recorded["last_image"]) == (str(first), str(last))


def test_out_of_memory_fails_one_job_and_the_actor_goes_on(ray_cluster, models_root, tmp_path):
    with ClusterClient(tmp_path / "jobs.sqlite", tmp_path / "media", cluster=cluster(workers=1),
                       models_dir=models_root, env={**ACTOR_ENV, FAIL_OOM_ONCE_ENV: "1"}) as c:
        failed = c.wait(c.submit(spec(seed=31)).id, timeout=300)
        assert failed.state is JobState.FAILED and failed.error_kind == "out_of_memory", failed.message
        assert failed.message.startswith("out of GPU memory") and "\n" not in failed.message
        after = c.wait(c.submit(spec(seed=32)).id, timeout=120)
        assert after.state is JobState.DONE and after.attempts == 1
        assert c.placement(failed.id) == c.placement(after.id)  # the same actor, still up
        status = c.cluster_status()
        assert status.actors == 1 and status.busy == 0 and status.gpus_total == 3
        assert status.describe().startswith("Ray · 1 node · ")


def test_a_cancel_before_the_worker_knows_the_job_still_stops_it(monkeypatch):
    """The dispatcher's cancel can land after the run took the job and before the Worker was handed it; the
    Worker drops a cancel of a job it does not know, so the run sends it again."""
    from generation.cluster.actor import GenerationActor

    actor = GenerationActor(stand_in_s=30.0)
    real = actor.worker.handle_line
    handed = threading.Event()

    def slow_handle_line(line: str) -> None:
        handed.set()
        time.sleep(0.3)  # the gap, widened so the cancel surely falls in it
        real(line)

    monkeypatch.setattr(actor.worker, "handle_line", slow_handle_line)
    out: dict = {}
    t = threading.Thread(target=lambda: out.update(actor.run("job1", spec().to_dict(), "take.mp4", None,
                                                             "bytes", None, 1)))
    t.start()
    assert handed.wait(10)
    actor.cancel("job1", 1)
    t.join(20)
    assert out["final"]["event"] == "cancelled"


def test_a_late_cancel_of_an_ended_run_does_not_stop_the_next_run_of_that_job():
    from generation.cluster.actor import GenerationActor

    actor = GenerationActor(stand_in_s=0.05)
    assert actor.run("job1", spec().to_dict(), "take.mp4", None, "bytes", None, 1)["final"]["event"] == "done"
    actor.cancel("old", 0)  # for a run that ended elsewhere: kept only until another run starts
    actor.cancel("job1", 1)  # the first run's cancel, arriving after it ended
    again = actor.run("job1", spec().to_dict(), "take.mp4", None, "bytes", None, 2)
    assert again["final"]["event"] == "done"
    actor.cancel("job2", 3)  # a cancel that comes before its run still counts
    assert actor.run("job2", spec().to_dict(), "take.mp4", None, "bytes", None, 3)["final"]["event"] == "cancelled"


def test_an_actor_that_died_idle_costs_the_next_job_no_attempt(ray_cluster, tmp_path):
    with ClusterClient(tmp_path / "jobs.sqlite", tmp_path / "media", cluster=cluster(workers=1),
                       actor_options={"stand_in_s": 0.5}, max_attempts=1, restart_delays=(0.2,)) as c:
        assert c.start_actors(timeout=120) == 1
        os.kill(c.actor_pids[0], signal.SIGKILL)  # between jobs: nothing of any job's doing
        done = c.wait(c.submit(spec(seed=41)).id, timeout=120)
        assert done.state is JobState.DONE and done.attempts == 1, done.message
        exited = [e.message for e in c.poll() if e.kind == "worker_exited"]
        assert exited and all("the Ray worker process died" in m and "with its node" not in m for m in exited), exited


def test_live_previews_come_with_bytes_transfer(fresh):
    job = fresh.submit(slow_spec(seed=42))
    previews: list[str] = []
    deadline = time.monotonic() + 180
    while not previews and time.monotonic() < deadline:
        previews += [e.preview for e in fresh.events(timeout=0.5)
                     if e.kind == "progress" and e.job_id == job.id and e.preview]
    fresh.cancel(job.id)
    assert previews and Path(previews[0]).parent == Path(job.output).parent
    assert fresh.wait(job.id, timeout=120).state is JobState.CANCELLED
    assert not Path(previews[0]).exists()


def test_close_keeps_a_take_that_just_finished(ray_cluster, tmp_path):
    c = ClusterClient(tmp_path / "jobs.sqlite", tmp_path / "media", cluster=cluster(workers=1, transfer="shared"),
                      actor_options={"stand_in_s": 1.0})
    job = c.submit(spec(seed=43))
    side = Path(job.output).with_suffix(".json")
    deadline = time.monotonic() + 120
    while not side.exists() and time.monotonic() < deadline:
        time.sleep(0.005)
    c.close()  # the actor has written the take; its answer is on its way
    with JobStore(tmp_path / "jobs.sqlite") as store:
        assert store.get(job.id).state is JobState.DONE


def test_close_leaves_no_preview_behind_on_a_shared_folder(ray_cluster, models_root, tmp_path):
    c = ClusterClient(tmp_path / "jobs.sqlite", tmp_path / "media", cluster=cluster(workers=1, transfer="shared"),
                      models_dir=models_root, env=ACTOR_ENV)
    job = c.submit(slow_spec(seed=44))
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and not any(
            e.kind == "progress" and e.job_id == job.id and e.preview for e in c.events(timeout=0.5)):
        pass
    c.close()
    time.sleep(1.0)  # what a live actor would have written by now
    assert not list((tmp_path / "media").rglob("*.preview.jpg"))


def test_a_remote_cluster_gets_none_of_this_computers_device_models_or_levers():
    from generation.cluster.client import actor_env
    from generation.cluster.connect import Connection

    here = {"PROMPTCUT_MODELS": "models-here", "PROMPTCUT_DEVICE": "cpu", "PROMPTCUT_OFFLOAD": "sequential",
            "PROMPTCUT_DTYPE": "float32", "OMP_NUM_THREADS": "2"}
    remote = actor_env(ClusterConfig("ray://gpu-head:10001"), Connection(True, "GPU", 8, None), here, "models-here")
    assert remote == {"OMP_NUM_THREADS": "2"}
    cuda = actor_env(ClusterConfig("ray://gpu-head:10001"), Connection(True, "GPU", 8, "cuda"), here, None)
    assert cuda["PROMPTCUT_DEVICE"] == "cuda"
    local = actor_env(ClusterConfig("local"), Connection(True, "promptcut_cpu", 1, "cpu"),
                      {**here, "PROMPTCUT_DEVICE": "cuda"}, "models-here")
    assert local["PROMPTCUT_MODELS"] == "models-here" and local["PROMPTCUT_OFFLOAD"] == "sequential"
    assert local["PROMPTCUT_DEVICE"] == "cpu"  # the connection's device wins over this computer's
