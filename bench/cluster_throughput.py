"""Shots per minute through the Ray cluster backend on this machine, and what the dispatcher itself costs. Not a
test.

Two parts, both through ``generation.cluster.ClusterClient`` on a local Ray (``ray.init`` with CPU workers and a
custom resource standing in for GPUs):

* **real**: the tiny Wan model (``tiny-wan``, built offline), one torch thread per actor, with 1 and then 2
  actors. Each actor is warmed first (started, model loaded: one job each), then ``--jobs`` shots are submitted
  and timed from the first submit to the last one done (the store's finish times). Prints shots per minute and
  the 2-actor scaling (target >= 1.8x on 2 cores).
* **simulated**: stand-in actors whose worker sleeps ``--sleep`` seconds per job and writes a few bytes (the
  same actor class, events, transfer and dispatcher path, no torch), with 1 and ``--actors`` actors and
  ``--per-actor`` jobs each. The makespan beyond the sleeping, per job and actor, is the dispatcher's
  overhead per job (target <= 20 ms); the throughput ratio is the scaling (target >= 0.9 N).

    .venv/bin/python bench/cluster_throughput.py [--jobs 8] [--steps 80] [--size 192] [--actors 8]
    .venv/bin/python bench/cluster_throughput.py --quick     # tiny sizes: checks the plumbing, measures nothing
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

STAND_IN = "promptcut_bench_gpu"
SCALING_TARGET = 1.8
OVERHEAD_TARGET_MS = 20.0
SIM_SCALING_TARGET = 0.9


def hermetic(root: Path) -> None:
    """Models and caches in a scratch folder, no hub, the CPU: set before Ray starts so its workers inherit it."""
    os.environ.update({
        "PROMPTCUT_MODELS": str(root / "models"),
        "HF_HUB_CACHE": str(root / "hf-cache"),
        "HF_HUB_OFFLINE": "1",
        "XDG_CACHE_HOME": str(root / "xdg-cache"),
        "XDG_STATE_HOME": str(root / "xdg-state"),
        "PROMPTCUT_LOG_DIR": str(root / "logs"),
        "PROMPTCUT_DEVICE": "cpu",
    })


def ready_client(root: Path, workers: int, **kw):
    """A cluster client with ``workers`` actors, each started and answering before the clock runs."""
    from generation.cluster.client import ClusterClient
    from generation.cluster.config import ClusterConfig

    client = ClusterClient(root / "jobs.sqlite", root / "media",
                           cluster=ClusterConfig("local", workers=workers, resource=STAND_IN), **kw)
    if client.start_actors(timeout=300) < workers:
        client.close()
        raise SystemExit("cluster_throughput: the actors did not start within 300 s")
    return client


def timed_batch(client, specs) -> float:
    """Seconds from the first submit to the last job done (the store's own finish times)."""
    t0 = time.time()
    jobs = [client.submit(s, no_cache=True) for s in specs]
    finished = []
    for job in jobs:
        done = client.wait(job.id, timeout=1800)
        if done.state.value != "done":
            raise SystemExit(f"cluster_throughput: a job ended {done.state.value}: {done.message}")
        finished.append(done.finished)
    return max(finished) - t0


def real_runs(root: Path, args: argparse.Namespace) -> dict[int, float]:
    from generation.jobs import JobSpec

    def spec(seed: int) -> JobSpec:
        return JobSpec.create("tiny-wan", "a red fox runs through snow", seed=seed, width=args.size,
                              height=args.size, num_frames=args.frames, steps=args.steps)

    rates: dict[int, float] = {}
    print(f"real: tiny-wan {args.size}x{args.size}, {args.frames} frames, {args.steps} steps, "
          f"{args.jobs} shots per run, torch threads 1 per actor")
    print(f"{'actors':>6} {'shots':>6} {'seconds':>8} {'shots/min':>10}")
    for n in (1, 2):
        run_root = root / f"real-{n}"
        with ready_client(run_root, n, models_dir=os.environ["PROMPTCUT_MODELS"],
                          env={"OMP_NUM_THREADS": "1"}) as client:
            timed_batch(client, [spec(900 + i) for i in range(n)])  # each actor loads the model once
            seconds = timed_batch(client, [spec(1000 + i) for i in range(args.jobs)])
        rates[n] = args.jobs / seconds * 60
        print(f"{n:>6} {args.jobs:>6} {seconds:>8.2f} {rates[n]:>10.1f}")
    ratio = rates[2] / rates[1]
    print(f"scaling 2 actors / 1: {ratio:.2f}x (target >= {SCALING_TARGET}x)")
    return rates


def simulated_runs(root: Path, args: argparse.Namespace) -> None:
    from generation.jobs import JobSpec

    print(f"simulated: stand-in jobs of {args.sleep:.3f} s, {args.per_actor} per actor, same dispatcher path")
    print(f"{'actors':>6} {'jobs':>6} {'seconds':>8} {'jobs/min':>10} {'overhead/job':>13}")
    rates: dict[int, float] = {}
    overheads: dict[int, float] = {}
    seed = 0
    for n in (1, args.actors):
        with ready_client(root / f"sim-{n}", n, actor_options={"stand_in_s": args.sleep}) as client:
            count = n * args.per_actor
            specs = []
            for _ in range(count):
                seed += 1
                specs.append(JobSpec.create("tiny-wan", "stand-in", seed=seed, width=64, height=64))
            seconds = timed_batch(client, specs)
        rates[n] = count / seconds * 60
        overheads[n] = (seconds - args.per_actor * args.sleep) / args.per_actor * 1000
        print(f"{n:>6} {count:>6} {seconds:>8.2f} {rates[n]:>10.1f} {overheads[n]:>10.1f} ms")
    n = args.actors
    print(f"dispatcher overhead per job with {n} actors: {overheads[n]:.1f} ms (target <= {OVERHEAD_TARGET_MS:g} ms)")
    print(f"scaling {n} actors / 1: {rates[n] / rates[1]:.2f}x (target >= {SIM_SCALING_TARGET * n:.1f}x "
          f"= {SIM_SCALING_TARGET} N)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=8, help="real shots per timed run")
    parser.add_argument("--steps", type=int, default=80)
    parser.add_argument("--size", type=int, default=192)
    parser.add_argument("--frames", type=int, default=17)
    parser.add_argument("--actors", type=int, default=8, help="stand-in actors in the simulated run")
    parser.add_argument("--per-actor", type=int, default=8, help="stand-in jobs per actor")
    parser.add_argument("--sleep", type=float, default=0.5, help="seconds a stand-in job takes")
    parser.add_argument("--quick", action="store_true", help="tiny sizes: checks the plumbing only")
    args = parser.parse_args(argv)
    if args.quick:
        args.jobs, args.steps, args.size, args.frames = 2, 2, 64, 9
        args.actors, args.per_actor, args.sleep = 2, 2, 0.05

    try:
        import ray
    except ImportError:
        print("cluster_throughput: needs Ray (pip install 'promptcut[cluster]')", file=sys.stderr)
        return 2
    root = Path(tempfile.mkdtemp(prefix="promptcut-cluster-bench-"))
    try:
        hermetic(root)
        from generation.testing import ensure_test_model

        ensure_test_model("tiny-wan", root / "models")
        ray.init(num_cpus=os.cpu_count() or 2, resources={STAND_IN: max(2, args.actors)}, include_dashboard=False,
                 log_to_driver=False, logging_level="ERROR")
        print(f"cluster throughput on this machine ({os.cpu_count()} cores), a local Ray, resource {STAND_IN!r}")
        real_runs(root, args)
        simulated_runs(root, args)
    finally:
        if ray.is_initialized():
            ray.shutdown()
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
