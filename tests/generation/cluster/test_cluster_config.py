"""Choosing a cluster and the one-line reasons it cannot be used; routing. No Ray started in this process: the
connection failures run in fresh interpreters (this test process may hold the session's Ray)."""

from __future__ import annotations

import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from generation.client import GeneratorClient
from generation.cluster.client import ClusterStatus, open_generator
from generation.cluster.config import (
    RAY_ADDRESS_ENV,
    ClusterConfig,
    cluster_from_env,
    ray_available,
    ray_missing_message,
)
from generation.cluster.dispatcher import Slot, route
from generation.jobs import JobSpec

ROOT = Path(__file__).resolve().parents[3]


def run_python(code: str, tmp_path: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code), str(tmp_path)], capture_output=True,
                          text=True, timeout=timeout, cwd=ROOT)


OPEN = """
    import sys
    {prelude}
    from generation.cluster.client import open_generator
    from generation.cluster.config import ClusterConfig, ClusterUnavailable
    try:
        open_generator(sys.argv[1] + "/jobs.sqlite", sys.argv[1] + "/media", cluster=ClusterConfig({address!r}),
                       connect_timeout_s=10)
    except ClusterUnavailable as exc:
        print(exc)
        sys.exit(3)
    print("connected")
"""


def test_config_from_env_and_its_description():
    assert cluster_from_env({}) is None and cluster_from_env({RAY_ADDRESS_ENV: "  "}) is None
    config = cluster_from_env({RAY_ADDRESS_ENV: " ray://gpu-box:10001 "})
    assert config == ClusterConfig("ray://gpu-box:10001")
    assert config.describe() == "Ray cluster at ray://gpu-box:10001"
    assert ClusterConfig("local", workers=2).describe() == "a local Ray with 2 workers"
    with pytest.raises(ValueError, match="transfer"):
        ClusterConfig("local", transfer="carrier pigeon")
    with pytest.raises(ValueError, match="workers"):
        ClusterConfig("local", workers=0)


def test_status_line():
    status = ClusterStatus("ray://gpu-box:10001", 2, 8.0, 3.0, 5, 4)
    assert status.describe() == "Ray · 2 nodes · 5 workers: 4 busy, 1 idle · 3 of 8 GPUs unclaimed"


def test_no_cluster_is_the_local_client(tmp_path):
    with open_generator(tmp_path / "jobs.sqlite", tmp_path / "media", cluster=None) as client:
        assert type(client) is GeneratorClient


def test_routing_prefers_warm_actors_then_empty_ones_then_the_least_recently_used():
    def job(model: str):
        class J:
            spec = JobSpec.create(model, "x", width=64, height=64)
        return J()

    wan_actor, ltx_actor = Slot(0, warm=["tiny-wan"], last_used=3), Slot(1, warm=["tiny-ltx"], last_used=1)
    empty = Slot(2)
    a, b = job("tiny-ltx"), job("tiny-wan")
    assert [(j, s.index) for j, s in route([a, b], [wan_actor, ltx_actor, empty])] == [(a, 1), (b, 0)]
    c = job("tiny-ltx2")
    assert route([c], [wan_actor, ltx_actor, empty])[0][1] is empty
    assert route([c], [wan_actor, ltx_actor])[0][1] is ltx_actor  # the least recently used of the warm ones


def test_without_ray_the_option_says_how_to_add_it(tmp_path):
    assert "pip install 'promptcut[cluster]'" in ray_missing_message()
    done = run_python(OPEN.format(prelude="sys.modules['ray'] = None", address="local"), tmp_path)
    assert done.returncode == 3, done.stdout + done.stderr[-2000:]
    assert done.stdout.strip().splitlines() == [ray_missing_message()]
    assert "Traceback" not in done.stderr


def test_ray_available_here():
    pytest.importorskip("ray")
    assert ray_available()


def test_an_unreachable_address_is_one_line_at_once(tmp_path):
    pytest.importorskip("ray")
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    for address in (f"ray://127.0.0.1:{port}", f"127.0.0.1:{port}", "ray://no-port-here"):
        done = run_python(OPEN.format(prelude="", address=address), tmp_path)
        assert done.returncode == 3, done.stdout + done.stderr[-2000:]
        lines = done.stdout.strip().splitlines()
        assert len(lines) == 1 and ("cannot reach" in lines[0] or "not a Ray address" in lines[0]), lines
        assert "Traceback" not in done.stderr


def test_a_polls_step_reports_are_cut_to_the_last_of_each_stage_keeping_previews_and_other_events():
    from generation.cluster.dispatcher import latest_progress

    def step(n, stage="denoising", **extra):
        return {"event": "progress", "job": "j", "step": n, "stage": stage, **extra}

    events = [{"event": "started", "job": "j"}, step(1), step(2), step(3, preview="p.jpg"), step(4), step(5),
              step(5, "decoding"), step(6, "decoding")]
    kept = latest_progress(events)
    assert [(m["event"], m.get("step"), m.get("stage")) for m in kept] == [
        ("started", None, None), ("progress", 3, "denoising"), ("progress", 5, "denoising"),
        ("progress", 6, "decoding")]
    assert kept[1]["preview"] == "p.jpg"
    assert latest_progress([]) == []
