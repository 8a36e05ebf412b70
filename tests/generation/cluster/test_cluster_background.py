"""Connecting in the background (``ClusterClient(fallback_local=True)``) and the keeper thread that runs
``ray.init``. Each case runs in a fresh interpreter: this test process may hold the session's Ray, which a
client here would reuse instead of connecting, and a Ray started here would outlive the case."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def run_python(code: str, *args: str, timeout: float = 300) -> dict:
    """Run ``code`` with ``args``; the JSON object it prints last."""
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code), *args], capture_output=True, text=True,
                          timeout=timeout, cwd=ROOT)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
    assert "Traceback" not in done.stderr, done.stderr[-4000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def closed_port() -> int:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


FALLS_BACK = """
    import json, sys, threading
    from generation.cluster.client import ClusterClient
    from generation.cluster.config import ClusterConfig
    from generation.cluster.connect import on_keeper
    from generation.jobs import JobSpec, JobState

    folder, address, models = sys.argv[1:4]
    # The gate: the keeper runs Ray's calls one at a time, so while it holds this one no connection is tried.
    gate, holding = threading.Event(), threading.Event()
    def hold():
        holding.set()
        gate.wait()
    threading.Thread(target=on_keeper, args=(hold, 600), daemon=True).start()
    holding.wait()
    said = []
    client = ClusterClient(folder + "/jobs.sqlite", folder + "/media", cluster=ClusterConfig(address),
                           fallback_local=True, connect_timeout_s=600, on_fallback=said.append, models_dir=models,
                           env={"OMP_NUM_THREADS": "1"})
    returned_while_held = not gate.is_set()
    connecting = client.connecting
    status_while_connecting = client.cluster_status()
    job = client.submit(JobSpec.create("tiny-wan", "a kite over the dunes", seed=3, width=64, height=64, steps=2))
    queued_while_held = client.get(job.id).state is JobState.QUEUED
    gate.set()
    done = client.wait(job.id, timeout=240)
    events = client.poll()
    try:
        client.cluster_status()
        status_after = None
    except Exception as exc:
        status_after = str(exc)
    client.close()
    import ray
    print(json.dumps({
        "returned_while_held": returned_while_held, "connecting": connecting,
        "status_while_connecting": status_while_connecting, "queued_while_held": queued_while_held,
        "state": done.state.value, "output": done.output, "said": said,
        "errors": [[e.message, e.error_kind] for e in events if e.kind == "error" and e.job_id is None],
        "worker_started": any(e.kind == "worker_started" for e in events),
        "reason": client.fallback_reason, "status_after": status_after, "ray_up": ray.is_initialized()}))
"""


def test_the_constructor_returns_at_once_and_the_jobs_run_here_when_the_cluster_does_not_answer(
        tmp_path, models_root):
    pytest.importorskip("ray")
    address = f"ray://127.0.0.1:{closed_port()}"
    out = run_python(FALLS_BACK, str(tmp_path), address, models_root)
    assert out["returned_while_held"] and out["connecting"] and out["status_while_connecting"] is None
    assert out["queued_while_held"]
    assert out["state"] == "done" and Path(out["output"]).is_file()
    assert out["worker_started"]   # the local worker made it
    line = out["reason"]
    assert line.startswith(f"Ray cluster at {address} not reachable: ") and line.endswith(
        "; generating on this computer"), line
    assert "refused" in line.lower()
    assert out["errors"] == [[line, "cluster_unavailable"]]   # one error event, naming the reason
    assert out["said"] == [line] and out["status_after"] == line
    assert not out["ray_up"]


SILENT = """
    import json, socket, sys, threading, time
    from generation.cluster.client import ClusterClient
    from generation.cluster.config import ClusterConfig

    folder = sys.argv[1]
    server = socket.socket()   # accepts connections and never says a word
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    held = []
    def serve():
        while True:
            try:
                held.append(server.accept()[0])
            except OSError:
                return
    threading.Thread(target=serve, daemon=True).start()
    address = f"127.0.0.1:{server.getsockname()[1]}"   # a head node's address (Ray Client needs ray[client])
    client = ClusterClient(folder + "/jobs.sqlite", folder + "/media", cluster=ClusterConfig(address),
                           fallback_local=True, connect_timeout_s=2, autostart=False)
    connecting = client.connecting
    events = []
    while not any(e.kind == "error" for e in events):
        events += client.events(timeout=60)
    client.close()
    print(json.dumps({"address": address, "connecting": connecting, "reason": client.fallback_reason,
                      "errors": [e.message for e in events if e.kind == "error"]}))
"""


def test_an_address_that_never_answers_falls_back_after_the_time_limit(tmp_path):
    pytest.importorskip("ray")
    out = run_python(SILENT, str(tmp_path))
    assert out["connecting"]
    assert out["reason"] == (f"Ray cluster at {out['address']} not reachable: no answer within 2 s; generating on "
                             "this computer")
    assert out["errors"] == [out["reason"]]


KEEPER = """
    import json, sys, threading
    from generation.cluster.client import ClusterClient
    from generation.cluster.config import ClusterConfig
    from generation.jobs import JobSpec

    folder, models = sys.argv[1:3]
    box = {}
    def open_client():   # a short-lived thread asks for a local Ray, then ends
        box["client"] = ClusterClient(folder + "/jobs.sqlite", folder + "/media",
                                      cluster=ClusterConfig("local", workers=1, transfer="bytes"), models_dir=models,
                                      env={"OMP_NUM_THREADS": "1"})
    opener = threading.Thread(target=open_client, name="opener")
    opener.start()
    opener.join()
    client = box["client"]
    job = client.submit(JobSpec.create("tiny-wan", "a lighthouse at dusk", seed=4, width=64, height=64, steps=2))
    done = client.wait(job.id, timeout=240)
    keepers = [t.name for t in threading.enumerate() if t.name == "ray-keeper"]
    placement = client.placement(job.id)
    started_here = client.connection.started_here
    client.close()
    import ray
    print(json.dumps({"opener_alive": opener.is_alive(), "state": done.state.value, "message": done.message,
                      "placement": placement, "keepers": keepers, "started_here": started_here,
                      "ray_up": ray.is_initialized()}))
"""


def test_a_local_ray_asked_for_by_a_thread_that_ends_still_runs_jobs(tmp_path, models_root):
    pytest.importorskip("ray")
    out = run_python(KEEPER, str(tmp_path), models_root)
    assert not out["opener_alive"] and out["started_here"]
    assert out["state"] == "done", out["message"]
    assert out["placement"].startswith("node ")   # it ran on the Ray actor, not a local worker
    assert out["keepers"] == ["ray-keeper"]
    assert not out["ray_up"]   # closing the client shut down the Ray it started
