"""The worker process on its own, spoken to in its line protocol over real pipes (tiny models on the CPU)."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from generation.jobs import JobSpec, _pid_alive


class RawWorker:
    """``python -m generation.worker`` with its stdin/stdout as pipes; every stdout line must be protocol."""

    def __init__(self, *args: str, env: dict[str, str] | None = None, log: Path | None = None) -> None:
        self.log = log
        stderr = open(log, "wb") if log else subprocess.DEVNULL  # noqa: SIM115 - closed in close()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "generation.worker", *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=stderr,
            env={**os.environ, "OMP_NUM_THREADS": "1", **(env or {})},  # steady timings on a shared machine
        )
        if log:
            stderr.close()
        self.lines: queue.Queue[dict | None] = queue.Queue()
        self.not_protocol: list[bytes] = []
        self.seen: list[dict] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for raw in self.proc.stdout:
            try:
                msg = json.loads(raw)
            except ValueError:
                self.not_protocol.append(raw)
                continue
            self.lines.put(msg)
        self.lines.put(None)

    def send(self, obj: dict | str) -> None:
        text = obj if isinstance(obj, str) else json.dumps(obj)
        self.proc.stdin.write((text + "\n").encode())
        self.proc.stdin.flush()

    def expect(self, event: str, timeout: float = 60.0, **match) -> dict:
        """The next event of that kind (and fields); events passed over are kept in ``seen``."""
        deadline = time.monotonic() + timeout
        while True:
            msg = self.lines.get(timeout=max(0.01, deadline - time.monotonic()))
            if msg is None:
                raise AssertionError(f"worker exited while waiting for {event} {match}; seen {self.seen[-5:]}")
            self.seen.append(msg)
            if msg.get("event") == event and all(msg.get(k) == v for k, v in match.items()):
                return msg

    def close(self) -> int:
        if self.proc.poll() is None:
            self.proc.stdin.close()
        return self.proc.wait(timeout=30)


def spec_dict(**kw) -> dict:
    base = dict(model="tiny-wan", prompt="a fox", negative_prompt="", seed=1, width=64, height=64, num_frames=9,
                steps=2, guidance=5.0)
    base.update(kw)
    return JobSpec(**base).to_dict()


@pytest.fixture(scope="module")
def worker(models_root, tmp_path_factory):
    log = tmp_path_factory.mktemp("worker") / "worker.log"
    w = RawWorker("--parent-pid", str(os.getpid()), "--models-dir", models_root, log=log)
    ready = w.expect("ready", timeout=120)
    assert ready["protocol"] == 1 and ready["pid"] == w.proc.pid and ready["device"] == "cpu"
    yield w
    w.send({"cmd": "shutdown"})
    assert w.proc.wait(timeout=30) == 0
    assert w.not_protocol == []  # nothing but protocol lines ever reached stdout


def test_a_job_runs_with_progress_and_writes_the_take(worker, tmp_path):
    out = tmp_path / "take.mp4"
    worker.send({"cmd": "submit", "job": "j1", "spec": spec_dict(), "output": str(out)})
    worker.expect("started", job="j1")
    done = worker.expect("done", job="j1")
    progress = [m for m in worker.seen if m.get("event") == "progress" and m.get("job") == "j1"]
    stages = [m["stage"] for m in progress]
    assert stages[0] == "loading" and "denoising" in stages and stages[-1] == "encoding"
    fractions = [m["fraction"] for m in progress]
    assert fractions == sorted(fractions) and fractions[0] >= 0 and fractions[-1] < 1
    # (a progress line bringing a live preview repeats its step: left out here, see test_previews)
    denoise = [(m["step"], m["steps"]) for m in progress if m["stage"] == "denoising" and "preview" not in m]
    assert denoise == [(1, 2), (2, 2)]
    assert done["output"] == str(out) and out.is_file() and Path(done["sidecar"]).is_file()
    assert done["mode"] == "text_to_video" and done["pipeline_class"] == "WanPipeline"
    sidecar = json.loads(Path(done["sidecar"]).read_text())
    assert sidecar["job"]["id"] == "j1" and sidecar["job"]["spec"] == spec_dict()
    assert sidecar["job"]["spec_hash"] == JobSpec(**spec_dict()).content_hash()


def test_protocol_garbage_is_an_error_event_and_the_worker_keeps_going(worker, tmp_path):
    worker.send("this is not json")
    assert worker.expect("error")["kind"] == "protocol"
    worker.send("[1, 2, 3]")
    assert "JSON object" in worker.expect("error", kind="protocol")["message"]
    worker.send({"cmd": "dance"})
    assert "unknown command 'dance'" in worker.expect("error", kind="protocol")["message"]
    worker.send({"cmd": "submit", "job": "j2"})
    err = worker.expect("error", kind="protocol")
    assert err["job"] == "j2" and "\n" not in err["message"]
    worker.proc.stdin.write(b"\xff\xfe\n")
    worker.proc.stdin.flush()
    assert "UTF-8" in worker.expect("error", kind="protocol")["message"]
    worker.send({"cmd": "submit", "job": "j3", "spec": {**spec_dict(), "steps": -1}, "output": str(tmp_path / "x")})
    bad = worker.expect("error", job="j3")
    assert bad["kind"] == "bad_request" and "steps" in bad["message"]
    worker.send({"cmd": "ping"})
    worker.expect("pong")
    worker.send({"cmd": "submit", "job": "j4", "spec": spec_dict(seed=4), "output": str(tmp_path / "ok.mp4")})
    worker.expect("done", job="j4")
    assert worker.proc.poll() is None


def test_a_changed_conditioning_image_fails_the_job(worker, tmp_path):
    image = tmp_path / "first.png"
    from PIL import Image

    Image.new("RGB", (64, 64), (200, 0, 0)).save(image)
    s = spec_dict(first_image=str(image))
    queued_hash = JobSpec(**s).content_hash()
    Image.new("RGB", (64, 64), (0, 0, 200)).save(image)
    worker.send({"cmd": "submit", "job": "j5", "spec": s, "output": str(tmp_path / "o.mp4"), "hash": queued_hash})
    err = worker.expect("error", job="j5")
    assert err["kind"] == "bad_request" and "changed after the job was queued" in err["message"]
    assert not (tmp_path / "o.mp4").exists()


def test_cancel_a_waiting_job_and_the_running_one(worker, tmp_path):
    worker.send({"cmd": "submit", "job": "long", "spec": spec_dict(steps=400), "output": str(tmp_path / "l.mp4")})
    worker.send({"cmd": "submit", "job": "next", "spec": spec_dict(seed=9), "output": str(tmp_path / "n.mp4")})
    worker.expect("progress", job="long", stage="denoising")
    worker.send({"cmd": "cancel", "job": "next"})
    worker.expect("cancelled", job="next")
    worker.send({"cmd": "cancel", "job": "long"})
    worker.expect("cancelled", job="long")
    worker.send({"cmd": "cancel", "job": "unknown"})  # nothing to say about a job it does not have
    worker.send({"cmd": "ping"})
    worker.expect("pong")
    assert not (tmp_path / "l.mp4").exists() and not (tmp_path / "n.mp4").exists()
    steps = [m["step"] for m in worker.seen if m.get("job") == "long" and m.get("stage") == "denoising"]
    assert max(steps) < 400


def test_shutdown_exits_cleanly_even_mid_job(models_root, tmp_path):
    w = RawWorker("--models-dir", models_root)
    w.send({"cmd": "submit", "job": "a", "spec": spec_dict(steps=400), "output": str(tmp_path / "a.mp4")})
    w.expect("progress", job="a", stage="denoising", timeout=120)
    w.send({"cmd": "shutdown"})
    w.expect("cancelled", job="a")
    assert w.proc.wait(timeout=30) == 0 and w.not_protocol == []


@pytest.mark.parametrize("how", ["stdin-eof", "parent-pid-poll"])
def test_the_worker_exits_when_its_parent_dies(models_root, tmp_path, how):
    """A parent python starts the worker, then is killed with SIGKILL: the worker must go within seconds.

    ``stdin-eof``: the usual case (the pipe closes with the parent; on Linux PDEATHSIG fires too).
    ``parent-pid-poll``: the worker's stdin is inherited from us (it stays open) and PDEATHSIG is off, so only
    the watch on the parent pid can notice.
    """
    if how == "stdin-eof":
        popen = "stdin=subprocess.PIPE"
        extra = []
    else:
        popen = "stdin=None"
        extra = ["--no-pdeathsig"]
    script = textwrap.dedent(
        f"""
        import json, os, subprocess, sys, time
        w = subprocess.Popen(
            [sys.executable, "-m", "generation.worker", "--parent-pid", str(os.getpid()), *{extra!r}],
            {popen}, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        ready = json.loads(w.stdout.readline())
        print(ready["pid"], flush=True)
        time.sleep(600)
        """
    )
    parent = subprocess.Popen([sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              text=True, env={**os.environ, "OMP_NUM_THREADS": "1"})
    try:
        worker_pid = int(parent.stdout.readline())
        assert _pid_alive(worker_pid)
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait(timeout=10)
        deadline = time.monotonic() + 10
        while _pid_alive(worker_pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _pid_alive(worker_pid), f"worker {worker_pid} outlived its parent ({how})"
    finally:
        if parent.poll() is None:
            parent.kill()
        parent.stdin.close()


def test_stdout_carries_only_protocol_lines():
    """Whatever libraries print, from Python or from C (fd 1), goes to stderr once the worker took stdout."""
    script = textwrap.dedent(
        """
        import os, sys
        from generation.worker import Protocol, take_stdout
        proto = Protocol(take_stdout())
        print("a library chatting on sys.stdout")
        os.write(1, b"a C library writing to fd 1\\n")
        proto.send("ready", pid=os.getpid())
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=60)
    assert done.returncode == 0
    assert [json.loads(line)["event"] for line in done.stdout.splitlines()] == ["ready"]
    assert b"a library chatting" in done.stderr and b"a C library" in done.stderr


def test_the_worker_lowers_its_own_priority_below_the_editor():
    import os
    import subprocess
    import sys

    code = "import os; from generation.worker import lower_priority; print(os.nice(0), lower_priority())"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "PROMPTCUT_WORKER_NICE": "7"}).stdout.split()
    before, after = map(int, out)
    assert after == min(19, before + 7)
