"""One generator worker process: spawning it (a fresh interpreter, never a fork, since CUDA does not survive a
fork), writing commands to it, reading its stdout, stopping and reaping it, and what its log and exit status say.

The worker's stdout carries the line protocol only; each line goes to the client's inbox as
``("line", generation, raw)`` and the end of the stream as ``("eof", generation)``, so lines from a worker that
was replaced are told apart. Its stderr (library warnings, tracebacks) goes to a log file, rotated past 2 MiB.
``generation.client.GeneratorClient`` decides when to start, restart and stop one.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import signal
import subprocess
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from .child_python import child_command

__all__ = ["WorkerProcess", "describe_exit", "log_tail", "open_log", "spawn_worker", "worker_command", "worker_env"]

_LOG_ROTATE_BYTES = 2 * 1024 * 1024


@dataclass
class WorkerProcess:
    proc: subprocess.Popen[bytes]
    generation: int
    spawned_at: float
    log_offset: int = 0  # where its stderr starts in the log
    ready_at: float | None = None

    def start_reading(self, inbox: queue.Queue[tuple[Any, ...]]) -> None:
        """Hand each stdout line to ``inbox`` from a daemon thread, then ``("eof", generation)``."""
        threading.Thread(
            target=_read_stdout,
            args=(self.proc.stdout, self.generation, inbox),
            name=f"generator-stdout-{self.generation}",
            daemon=True,
        ).start()

    def send(self, message: dict[str, Any]) -> None:
        """One command line to the worker; a worker that is gone is not an error here."""
        if self.proc.stdin is None:
            return
        try:
            self.proc.stdin.write((json.dumps(message) + "\n").encode("utf-8"))
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError, ValueError):
            pass  # its stdout EOF follows and is handled there

    def reap(self) -> int:
        """Its stdout closed: wait for it to go (killing it if it lingers), close its stdin, return its status."""
        try:
            rc = self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait()
        if self.proc.stdin is not None:
            with contextlib.suppress(OSError):
                self.proc.stdin.close()
        return rc

    def stop(self) -> None:
        """Ask it to shut down, then insist: terminate after 5 s, kill after 3 more."""
        self.send({"cmd": "shutdown"})
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=3)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def close_streams(self) -> None:
        for stream in (self.proc.stdin, self.proc.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()


def worker_env(extra: Mapping[str, str | None], models_dir: str | None) -> dict[str, str]:
    """This process's environment plus ``extra`` (None removes a variable), the models folder, and this package
    on ``PYTHONPATH`` so ``python -m generation.worker`` finds it from any working directory."""
    env = dict(os.environ)
    for key, value in extra.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    if models_dir is not None:
        env["PROMPTCUT_MODELS"] = models_dir
    package_root = str(Path(__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH", "")) if p)
    return env


def worker_command(python: str, models_dir: str | None) -> list[str]:
    cmd = child_command("generation.worker", ["--parent-pid", str(os.getpid())], python=python)
    if models_dir is not None:
        cmd += ["--models-dir", models_dir]
    return cmd


def spawn_worker(
    python: str, models_dir: str | None, extra_env: Mapping[str, str | None], log_path: Path, generation: int
) -> WorkerProcess:
    """Start a worker writing its stderr to ``log_path`` (its stdout is not read yet: see
    :meth:`WorkerProcess.start_reading`). OSError when it cannot start."""
    env = worker_env(extra_env, models_dir)
    cmd = worker_command(python, models_dir)
    log = open_log(log_path)
    log_offset = log.tell()
    try:
        proc = subprocess.Popen(  # a fresh interpreter, never a fork
            cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, env=env, close_fds=True
        )
    finally:
        log.close()
    return WorkerProcess(proc, generation, time.monotonic(), log_offset)


def open_log(log_path: Path) -> IO[bytes]:
    """The worker log opened for appending (rotated to ``<log>.1`` past 2 MiB), a start line written."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        if log_path.stat().st_size > _LOG_ROTATE_BYTES:
            os.replace(log_path, log_path.with_name(log_path.name + ".1"))
    except OSError:
        pass
    log = open(log_path, "ab")  # noqa: SIM115 - handed to the child, closed right after
    log.write(f"--- generator starting {time.strftime('%Y-%m-%d %H:%M:%S')}\n".encode())
    log.flush()
    return log


def _read_stdout(stream: IO[bytes], generation: int, inbox: queue.Queue[tuple[Any, ...]]) -> None:
    try:
        for raw in stream:
            inbox.put(("line", generation, raw))
    except (OSError, ValueError):
        pass
    inbox.put(("eof", generation))


def describe_exit(rc: int | None) -> str:
    if rc is None:
        return "did not start"
    if rc < 0:
        try:
            name = signal.Signals(-rc).name
        except ValueError:
            name = f"signal {-rc}"
        return f"was killed by {name}"
    return f"exited with status {rc}"


def log_tail(path: Path, offset: int = 0, limit: int = 200) -> str:
    """The last meaningful line one worker wrote to the log (from ``offset``): the exception, usually."""
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            size = f.tell()
            f.seek(max(offset, size - 4096))
            lines = f.read().decode("utf-8", "replace").splitlines()
    except OSError:
        return ""
    for line in reversed(lines):
        text = " ".join(line.split())
        if text and not text.startswith("---"):
            return text if len(text) <= limit else text[: limit - 1] + "…"
    return ""
