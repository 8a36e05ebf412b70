"""Tiny-model jobs through ``ClusterClient`` on a real local Ray: actors are real processes running the real
worker and pipelines on the CPU, with a custom resource standing in for GPUs. The only simulation is the CUDA
out-of-memory test hook, raised inside a real denoising step by the worker."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import numpy as np
import pytest
from job_events import decode, wait_event

from generation.client import GeneratorClient
from generation.cluster.client import ClusterClient, open_generator
from generation.cluster.config import ClusterConfig
from generation.jobs import JobSpec, JobState
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
