"""A cluster as a studio runs one: a head node started with ``ray start --head`` (its own processes, token
authentication as Ray sets it up by default) and PromptCut reaching it over a Ray Client address. The client
runs in a subprocess, so this test process never joins that cluster."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import pytest

from generation.cluster.connect import use_auth_token

pytest.importorskip("ray")

CLIENT = textwrap.dedent("""
    import json, sys
    from generation.cluster.client import open_generator
    from generation.cluster.config import ClusterConfig
    from generation.jobs import JobSpec

    address, root, models = sys.argv[1:4]
    config = ClusterConfig(address, resource="standin")
    # A loaded machine may take a while to answer, and a refused try (see connect) costs Ray ~40 s; the wait is
    # a limit, not a measure.
    with open_generator(f"{root}/jobs.sqlite", f"{root}/out", cluster=config, models_dir=models,
                        connect_timeout_s=200) as client:
        jobs = [client.submit(JobSpec(model="tiny-wan", prompt=f"shot {i}", negative_prompt="", guidance=1.0,
                                      seed=i, steps=2, width=64, height=64, num_frames=9)) for i in range(2)]
        ends = [client.wait(job.id, timeout=240) for job in jobs]
        print(json.dumps({"states": [e.state.value for e in ends], "outputs": [e.output for e in ends],
                          "where": [client.placement(j.id) for j in jobs]}))
""")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _answers(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _without_auth_mode(env: dict[str, str]) -> dict[str, str]:
    """Ray's own default, which the test suite's environment turns off for its local Rays: the head finds the
    token in its home and turns authentication on, and the client must find it too."""
    env.pop("RAY_AUTH_MODE", None)
    return env


@pytest.fixture
def home(tmp_path) -> Path:
    """The head writes its token to ``~/.ray/auth_token`` and the client finds it there: a home of the test's
    own, so no other Ray on this machine shares (or rewrites) it."""
    folder = tmp_path / "home"
    (folder / ".ray").mkdir(parents=True)
    # With a token there, `ray start --head` turns token authentication on (as on a machine that ran Ray before).
    (folder / ".ray" / "auth_token").write_text(secrets.token_hex(32), encoding="utf-8")
    return folder


@pytest.fixture
def head_node(hermetic_env, home):
    """``ray start --head --block`` with its own ports and temp folder (a short path: Ray's sockets live there);
    ending that process ends the cluster it started."""
    ray_bin = Path(sys.executable).with_name("ray")
    gcs, client = _free_port(), _free_port()
    temp = tempfile.mkdtemp(prefix="pcray")
    head = subprocess.Popen([str(ray_bin), "start", "--head", "--block", f"--port={gcs}",
                             f"--ray-client-server-port={client}", "--num-cpus=2", '--resources={"standin": 2}',
                             "--include-dashboard=false", "--disable-usage-stats", f"--temp-dir={temp}",
                             f"--object-store-memory={256 * 2**20}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
                            env=_without_auth_mode({**os.environ, "HOME": str(home)}))
    try:
        deadline = time.monotonic() + 120
        while not _answers(client):
            assert head.poll() is None, "ray start --head ended"
            assert time.monotonic() < deadline, "the head's Ray Client server never answered"
            time.sleep(0.5)
        yield f"ray://127.0.0.1:{client}"
    finally:
        for log in sorted(Path(temp).glob("session_*/logs/ray_client_server_*")):
            # What the head said when a client's server would not start (its files go with the folder below).
            print(f"--- {log.name}\n{log.read_text(errors='replace')[-3000:]}")
        head.terminate()
        try:
            head.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(head.pid, 9)
        shutil.rmtree(temp, ignore_errors=True)


def test_jobs_run_on_a_head_node_reached_through_its_ray_client_address(head_node, home, models_root, tmp_path):
    env = _without_auth_mode({**os.environ, "OMP_NUM_THREADS": "1", "HOME": str(home)})
    done = subprocess.run([sys.executable, "-c", CLIENT, head_node, str(tmp_path), str(models_root)],
                          capture_output=True, text=True, timeout=600, env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["states"] == ["done", "done"]
    assert all(Path(p).is_file() and Path(p).is_relative_to(tmp_path / "out") for p in result["outputs"])
    assert all(w and w.startswith("node ") for w in result["where"]), result["where"]


def test_a_token_on_this_machine_is_sent_unless_the_user_chose_otherwise(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    assert use_auth_token({}) is False                         # no token anywhere: nothing to send
    assert use_auth_token({"RAY_AUTH_TOKEN": "secret"}) is True
    (tmp_path / ".ray").mkdir()
    (tmp_path / ".ray" / "auth_token").write_text("secret")
    environ: dict[str, str] = {}
    assert use_auth_token(environ) is True and environ["RAY_AUTH_MODE"] == "token"
    assert use_auth_token({"RAY_AUTH_MODE": "disabled"}) is False   # the user's own choice wins


def test_a_ray_started_here_or_already_imported_keeps_the_mode_it_has(tmp_path, monkeypatch):
    """Ray's Python side reads RAY_AUTH_MODE once, at import; the processes it starts read the environment. Turning
    tokens on after the import (or for a local Ray) would start a head that refuses this very process."""
    from generation.cluster.config import ClusterConfig
    from generation.cluster.connect import import_ray

    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("RAY_AUTH_MODE", raising=False)
    (tmp_path / ".ray").mkdir()
    (tmp_path / ".ray" / "auth_token").write_text("secret")
    import_ray(ClusterConfig("local", workers=1))
    assert "RAY_AUTH_MODE" not in os.environ
    import_ray(ClusterConfig("ray://head:10001"))  # Ray is imported now: too late to change its mode
    assert "RAY_AUTH_MODE" not in os.environ


class _HeadThatRefusesFirst:
    """Ray's module as far as ``connect`` uses it, for a head whose per-client server ends at once the first
    ``refusals`` times (what a real head does now and then; the head-node test above meets it by chance)."""

    def __init__(self, refusals: int) -> None:
        self.refusals, self.inits, self.shutdowns, self.up = refusals, 0, 0, False

    def is_initialized(self) -> bool:
        return self.up

    def init(self, **kwargs) -> None:
        self.inits += 1
        if self.inits <= self.refusals:
            raise ConnectionAbortedError("Initialization failure from server:\nStarting Ray client server failed.")
        self.up = True

    def shutdown(self) -> None:
        self.shutdowns += 1
        self.up = False

    def cluster_resources(self) -> dict[str, float]:
        return {"standin": 2.0}


@pytest.fixture
def listening_port():
    with socket.socket() as sock:   # something answers, as a head's Ray Client port does
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


@pytest.mark.parametrize("refusals, connects", [(2, True), (3, False)])
def test_a_client_the_head_refuses_at_once_tries_again(monkeypatch, listening_port, refusals, connects):
    from generation.cluster import connect as connecting
    from generation.cluster.config import ClusterConfig

    head = _HeadThatRefusesFirst(refusals)
    monkeypatch.setattr(connecting, "import_ray", lambda config=None: head)
    config = ClusterConfig(f"ray://127.0.0.1:{listening_port}", resource="standin")
    if connects:
        assert connecting.connect(config, 30).workers == 2
    else:
        with pytest.raises(connecting.Unreachable, match="Initialization failure from server"):
            connecting.connect(config, 30)
    assert head.inits == min(refusals + 1, connecting.CLIENT_SERVER_ATTEMPTS)
    assert head.shutdowns == head.inits - 1   # each refused try left behind before the next
