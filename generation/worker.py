"""The generator worker: its own process that keeps a diffusers backend warm and runs one job at a time.

Start it as ``python -m generation.worker [--parent-pid PID] [--models-dir DIR]`` with pipes on stdin and
stdout (``generation.client`` does this: a spawned process, never a fork, since CUDA does not survive a fork).

Protocol (version 1)
--------------------
Both directions carry UTF-8 JSON, one object per line (``\\n``-terminated). stdout carries protocol lines
only: anything libraries print goes to stderr (the worker moves fd 1 onto fd 2 at start and writes the protocol
to a private copy of the original stdout), which the client sends to a log file.

Commands (client -> worker, on stdin)::

    {"cmd": "submit", "job": ID, "spec": {JobSpec fields}, "output": "/abs/path.mp4", "hash": HEX (optional)}
    {"cmd": "cancel", "job": ID}
    {"cmd": "ping"}
    {"cmd": "shutdown"}

``submit`` queues the job (the client sends one at a time; more wait in order). When ``hash`` is given it must
equal the spec's content hash *now*: a conditioning image changed since queueing fails the job rather than
filing the new shot under the old hash. ``cancel`` stops the running job between denoising steps, or drops a
waiting one; either way a ``cancelled`` event follows (nothing for a job the worker no longer has).
``shutdown`` cancels what runs and exits with status 0.

Events (worker -> client, on stdout)::

    {"event": "ready", "pid": N, "protocol": 1, "device": "cuda:0", "startup_s": S, MEMORY...}
    {"event": "started", "job": ID}
    {"event": "progress", "job": ID, "fraction": F, "step": I, "steps": N, "stage": STAGE, "eta_s": S|null,
     "window": W, "windows": WS, "preview": PATH, MEMORY...}
    {"event": "done", "job": ID, "output": PATH, "sidecar": PATH, "mode": MODE, "notes": [...],
     "timings": {...}, "revision": R, "pipeline_class": C, MEMORY...}
    {"event": "error", "job": ID|null, "kind": KIND, "message": ONE LINE, "hint": ONE LINE, "fix": {...}}
    {"event": "cancelled", "job": ID}
    {"event": "pong"}

``MEMORY...`` is the device and memory report (added within protocol 1: every field is optional, and a client
must not rely on it; older workers never send it)::

    "device_name": "cuda:0 NVIDIA H100 80GB HBM3" | "cpu",
    "memory_used": BYTES, "memory_total": BYTES, "memory_worker": BYTES

On CUDA ``memory_used``/``memory_total`` are the whole device's (``torch.cuda.mem_get_info``: other processes'
memory counts too) and ``memory_worker`` is what this worker's tensors hold (``torch.cuda.memory_allocated``).
On the CPU ``memory_used`` and ``memory_worker`` are the worker's resident memory (``/proc/self/statm``, else
the peak from ``resource``) and ``memory_total`` the system's RAM. Any of the byte counts may be null where the
platform cannot tell. ``ready`` and ``done`` always carry the report (``ready`` without it when the device
could not be opened); ``progress`` events carry it at most once a second, so most progress lines have none.
``device`` in ``ready`` stays the bare torch device (``cuda:0``, ``cpu``) for older clients.

``window``/``windows`` and ``preview`` were added within protocol 1 too (optional; older workers never send
them). A shot longer than the model's window runs in chained windows: ``step``/``steps`` count within window
``window`` of ``windows`` (both sent while denoising and decoding), ``fraction`` spans them all. ``preview`` is
the path of a small JPEG of the shot as it is now (``<output stem>.preview.jpg`` beside the job's output),
rewritten atomically every few steps; a ``progress`` line that carries it repeats the latest step. The file
is removed when the job ends (done, error or cancelled): read it when the event arrives, or not at all.

``stage`` is ``loading``, ``denoising``, ``decoding`` or ``encoding``; ``fraction`` runs 0..1 over the whole
job. ``kind`` is a :class:`generation.errors.GenerationError` kind (``out_of_memory``, ``model_missing``,
``bad_request``, ``pipeline``, ``write``, ...), ``internal`` for an unexpected exception (its traceback goes to
stderr) or ``protocol`` for a line the worker could not use (``job`` is then null when unknown). A job's
failure is an event, never the worker's exit; after a CUDA out-of-memory error the next job runs normally.

Lifetime: the worker exits when stdin reaches EOF, on ``shutdown``, and when its parent dies (the parent pid is
polled twice a second; on Linux ``PR_SET_PDEATHSIG`` also delivers SIGTERM at once). A worker told to stop
while it is still importing torch leaves at once. It ignores SIGINT: a Ctrl-C in the terminal is the client's
to handle.

Test hook: with ``PROMPTCUT_TEST_FAIL_OOM_ONCE=1`` in its environment the worker raises
``torch.OutOfMemoryError`` from inside the first denoising step of its first job (through the backend's step
callback, where a real CUDA OOM surfaces). Inert unless set; for tests only.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import queue
import signal
import sys
import threading
import time
import traceback
from pathlib import Path
from typing import IO, Any

from .child_python import gen_missing_message
from .device_memory import MemoryReporter
from .worker_progress import ProgressTracker, preview_path

PROTOCOL_VERSION = 1
FAIL_OOM_ONCE_ENV = "PROMPTCUT_TEST_FAIL_OOM_ONCE"
_PARENT_POLL_S = 0.5

log = logging.getLogger("promptcut.worker")


class Protocol:
    """Writes events, one JSON line each, to the protocol stream; safe from several threads."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream
        self._lock = threading.Lock()

    def send(self, event: str, **fields: Any) -> None:
        line = json.dumps({"event": event, **fields}, default=str, ensure_ascii=False)
        with self._lock:
            try:
                self._stream.write(line + "\n")
                self._stream.flush()
            except (BrokenPipeError, ValueError, OSError):
                # The reader is gone: so is our reason to live.
                os._exit(0)


def _one_line(text: object, limit: int = 400) -> str:
    s = " ".join(str(text).split())
    return s if len(s) <= limit else s[: limit - 1] + "…"


def take_stdout() -> IO[str]:
    """Keep the real stdout for the protocol and point fd 1 (and ``sys.stdout``) at stderr."""
    sys.stdout.flush()
    proto_fd = os.dup(1)  # not inheritable: ffmpeg and friends never see it
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return os.fdopen(proto_fd, "w", encoding="utf-8", newline="\n", buffering=1)


def set_parent_death_signal(sig: int = signal.SIGTERM) -> bool:
    """Linux: ask the kernel to send ``sig`` when the parent goes. False where unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        return libc.prctl(pr_set_pdeathsig, int(sig), 0, 0, 0) == 0
    except (OSError, AttributeError):  # pragma: no cover - exotic libc
        return False


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def watch_parent(parent_pid: int | None, interval: float = _PARENT_POLL_S) -> threading.Thread:
    """A daemon thread that ends this process when the parent dies (re-parented, or its pid gone)."""
    original_ppid = os.getppid()

    def watch() -> None:
        while True:
            orphaned = os.getppid() != original_ppid
            if parent_pid is not None and not orphaned:
                orphaned = not _pid_alive(parent_pid)
            if orphaned:
                print("promptcut worker: parent process gone; exiting", file=sys.stderr, flush=True)
                os._exit(3)
            time.sleep(interval)

    t = threading.Thread(target=watch, name="parent-watch", daemon=True)
    t.start()
    return t




class Worker:
    """Reads commands (a stdin thread), runs jobs one at a time (the main thread), reports events."""

    def __init__(self, proto: Protocol, *, models_dir: str | None = None) -> None:
        self.proto = proto
        self.models_dir = models_dir
        self._jobs: queue.Queue[tuple[str, dict[str, Any], str, str | None] | None] = queue.Queue()
        self._lock = threading.Lock()
        self._current: str | None = None
        self._cancel = threading.Event()
        self._waiting: set[str] = set()  # submitted, not started
        self._dropped: set[str] = set()  # cancelled while waiting
        self._stopping = False
        self._fail_oom_once = os.environ.get(FAIL_OOM_ONCE_ENV) == "1"
        self.backend: Any = None
        self.missing_packages = ""   # the line every job gets when torch/diffusers are not installed
        self._audio: Any = None
        self.reporter = MemoryReporter(None)

    # -- commands (stdin thread) ---------------------------------------------------------------------------------
    def read_commands(self, stream: IO[bytes]) -> None:
        try:
            for raw in stream:
                self.handle_line(raw)
        except (OSError, ValueError):  # pragma: no cover - stdin torn down
            pass
        self.stop()  # EOF: the client is gone or done with us

    def handle_line(self, raw: bytes | str) -> None:
        try:
            text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        except UnicodeDecodeError:
            self._protocol_error(None, "a command line that is not UTF-8")
            return
        text = text.strip()
        if not text:
            return
        try:
            msg = json.loads(text)
        except ValueError:
            self._protocol_error(None, f"not a JSON line: {text[:80]!r}")
            return
        if not isinstance(msg, dict):
            self._protocol_error(None, f"a command must be a JSON object, got {type(msg).__name__}")
            return
        cmd = msg.get("cmd")
        job = msg.get("job")
        job = job if isinstance(job, str) and job else None
        if cmd == "submit":
            spec, output = msg.get("spec"), msg.get("output")
            if job is None or not isinstance(spec, dict) or not isinstance(output, str) or not output:
                self._protocol_error(job, "submit needs job (a string), spec (an object) and output (a path)")
                return
            expected = msg.get("hash")
            with self._lock:
                if self._stopping:
                    return
                self._waiting.add(job)
            self._jobs.put((job, spec, output, expected if isinstance(expected, str) else None))
        elif cmd == "cancel":
            if job is None:
                self._protocol_error(None, "cancel needs job (a string)")
                return
            self.cancel(job)
        elif cmd == "ping":
            self.proto.send("pong")
        elif cmd == "shutdown":
            self.stop()
        else:
            self._protocol_error(job, f"unknown command {cmd!r}; expected submit, cancel, ping or shutdown")

    def _protocol_error(self, job: str | None, message: str) -> None:
        self.proto.send("error", job=job, kind="protocol", message=_one_line(message), hint="", fix={})

    def cancel(self, job: str) -> None:
        with self._lock:
            if job == self._current:
                self._cancel.set()
                return
            if job in self._waiting:
                self._waiting.discard(job)
                self._dropped.add(job)
            else:
                return
        self.proto.send("cancelled", job=job)

    def stop(self) -> None:
        with self._lock:
            self._stopping = True
            self._cancel.set()
            if self.backend is None:  # still importing torch: nothing started, nothing to finish
                sys.stderr.flush()
                os._exit(0)
        self._jobs.put(None)

    # -- jobs (main thread) -------------------------------------------------------------------------------------
    def audio_backend(self) -> Any:
        """The sound models' backend, made on the first audio job (video-only sessions never import it)."""
        if self._audio is None:
            from .audio.backend import AudioBackend

            settings = getattr(self.backend, "settings", None)
            self._audio = AudioBackend(
                device=getattr(settings, "device", "auto"),
                models_root=self.models_dir or getattr(settings, "models_root", None),
                hf_cache_dir=getattr(settings, "hf_cache_dir", None),
            )
        return self._audio

    def start_backend(self) -> dict[str, Any]:
        """Import torch/diffusers and make the backend, so that ``ready`` means warm imports."""
        from .log_files import route_library_logs

        try:
            import diffusers  # noqa: F401 - imported now so the first job does not pay for it
            import torch  # noqa: F401
        except ImportError:
            # An install without the [gen] packages (a plain wheel, the desktop bundle): the worker stays up and
            # each job fails with how to add them, rather than dying and being restarted for every job.
            self.missing_packages = gen_missing_message()
            route_library_logs(load=True)
            return {"device": None}
        route_library_logs(load=True)  # imports nothing more now; a warning quoting a prompt is cut like ours

        from .backends.diffusers_backend import DiffusersBackend
        from .backends.settings import BackendSettings

        settings = BackendSettings.from_env(models_root=self.models_dir)
        self.backend = DiffusersBackend(settings)
        info: dict[str, Any] = {}
        try:
            device = self.backend.device
            info["device"] = str(device)
            self.reporter = MemoryReporter(device)
            info.update(self.reporter.fields(force=True))
        except Exception as exc:  # noqa: BLE001 - reported; each job will fail with the same words
            info["device"] = None
            kind = getattr(exc, "kind", "internal")
            self.proto.send("error", job=None, kind=kind, message=_one_line(exc), hint=getattr(exc, "hint", ""), fix={})
        return info

    def run(self) -> None:
        while True:
            item = self._jobs.get()
            if item is None:
                return
            job, spec, output, expected = item
            with self._lock:
                self._waiting.discard(job)
                if job in self._dropped:
                    self._dropped.discard(job)
                    continue
                if self._stopping:
                    return
                self._current = job
                self._cancel = threading.Event()
                cancel = self._cancel
            try:
                self.run_job(job, spec, output, expected, cancel)
            finally:
                with self._lock:
                    self._current = None

    def run_job(
        self, job: str, spec_data: dict[str, Any], output: str, expected_hash: str | None, cancel: threading.Event
    ) -> None:
        from .errors import Cancelled, GenerationError
        from .jobs import JobSpec
        from .models import UnknownModel, get_model
        from .writer import write_result

        if "kind" in spec_data:  # speech, sound or a transcript (generation.audio)
            from .audio.worker_jobs import run_audio_job

            run_audio_job(self, job, spec_data, output, expected_hash, cancel)
            return
        send = self.proto.send
        if self.missing_packages:
            send("error", job=job, kind="missing_packages", message=self.missing_packages, hint="", fix={})
            return
        try:
            spec = JobSpec.from_dict(spec_data)
            get_model(spec.model)
            content_hash = spec.content_hash()
        except UnknownModel as exc:
            send("error", job=job, kind="bad_request", message=_one_line(exc), hint="", fix={})
            return
        except GenerationError as exc:
            send("error", job=job, kind=exc.kind, message=_one_line(exc.message), hint=_one_line(exc.hint), fix={})
            return
        except (TypeError, ValueError) as exc:
            send("error", job=job, kind="bad_request", message=_one_line(f"bad job spec: {exc}"), hint="", fix={})
            return
        if expected_hash is not None and expected_hash != content_hash:
            send(
                "error",
                job=job,
                kind="bad_request",
                message="a conditioning image changed after the job was queued",
                hint="Submit the job again to generate from the images as they are now.",
                fix={},
            )
            return
        send("started", job=job)
        reporter = self.reporter

        def send_progress(event: str, **fields: Any) -> None:
            send(event, **fields, **reporter.fields())

        tracker = ProgressTracker(send_progress, job)
        preview_file = preview_path(output)
        previews_failed = False

        def on_preview(frame: Any) -> None:
            nonlocal previews_failed
            if previews_failed or cancel.is_set():
                return
            try:
                from .backends.previews import write_preview_jpeg

                write_preview_jpeg(frame, preview_file)
            except Exception as exc:  # noqa: BLE001 - a preview must never fail the job
                previews_failed = True
                log.warning("job %s: no live previews: %s: %s", job, type(exc).__name__, _one_line(str(exc)))
                return
            tracker.preview(str(preview_file))

        def on_progress(p: Any) -> None:
            if self._fail_oom_once and p.phase == "denoising":
                self._fail_oom_once = False
                import torch

                raise torch.OutOfMemoryError(
                    f"CUDA out of memory. Tried to allocate 20.00 GiB (simulated by {FAIL_OOM_ONCE_ENV})"
                )
            tracker(p)

        try:
            result = self.backend.generate(spec.to_request(), progress=on_progress, cancel=cancel, preview=on_preview)
            if cancel.is_set():
                raise Cancelled("cancelled before writing")
            tracker.encoding()
            video, sidecar = write_result(
                result, output, extra={"job": {"id": job, "spec_hash": content_hash, "spec": spec.to_dict()}}
            )
        except Cancelled:
            _remove(preview_file)
            send("cancelled", job=job)
            return
        except GenerationError as exc:
            _remove(preview_file)
            # The job id and model name the job; its prompt stays out of log files (they go into problem reports).
            log.error("job %s (model %s) failed: %s: %s%s", job, spec.model, exc.kind, _one_line(exc.message),
                      f"\n{exc.detail.rstrip()}" if exc.detail else "")
            send("error", job=job, kind=exc.kind, message=_one_line(exc.message), hint=_one_line(exc.hint), fix=exc.fix)
            return
        except Exception as exc:  # noqa: BLE001 - a job's failure is an event, never the worker's exit
            _remove(preview_file)
            log.exception("job %s (model %s) failed", job, spec.model)
            first = (str(exc).strip().splitlines() or [""])[0]
            send(
                "error",
                job=job,
                kind="internal",
                message=_one_line(f"{type(exc).__name__}: {first}"),
                hint="See the generator log for the traceback.",
                fix={},
            )
            return
        _remove(preview_file)
        _remember_time(result, reporter.fields(force=True).get("device_name") or result.device)
        send(
            "done",
            job=job,
            output=str(video),
            sidecar=str(sidecar),
            mode=result.mode,
            notes=list(result.notes),
            timings=dict(result.timings),
            revision=result.revision,
            pipeline_class=result.pipeline_class,
            **reporter.fields(force=True),
        )


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()


def _remember_time(result: Any, device_name: str) -> None:
    """The models dialog's "time per 5 s shot" learns from every finished shot; a side note, never a failure."""
    from .shot_timing import record_result

    try:
        record_result(result, device_name)
    except Exception:  # noqa: BLE001 - a full disk or a damaged timings file must not fail the take
        traceback.print_exc(file=sys.stderr)


NICE_ENV = "PROMPTCUT_WORKER_NICE"
DEFAULT_NICE = 10


def lower_priority() -> int:
    """Run below the editor: generation is background work, and on a CPU (or while the pipeline's CPU side
    runs) it must not take the cores the window needs to stay smooth. ``$PROMPTCUT_WORKER_NICE`` (0 to 19)
    overrides the step. Returns the niceness reached (0 where the platform has none)."""
    try:
        step = int(os.environ.get(NICE_ENV, DEFAULT_NICE))
    except ValueError:
        step = DEFAULT_NICE
    step = max(0, min(19, step))
    if not hasattr(os, "nice") or step == 0:
        return 0
    try:
        return os.nice(step)
    except OSError:
        return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m generation.worker", description=__doc__.splitlines()[0])
    parser.add_argument("--parent-pid", type=int, default=None, help="exit when this process is gone")
    parser.add_argument("--models-dir", default=None, help="the models folder (else $PROMPTCUT_MODELS)")
    parser.add_argument("--no-pdeathsig", action="store_true", help="tests: rely on polling the parent only")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    proto = Protocol(take_stdout())
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # stderr (the job store's worker log) and the generator's own rotating file in the user log folder, kept
    # when the job store's log is gone; both cut prompts.
    from .log_files import setup_worker_logging

    setup_worker_logging(stderr=True)
    if not args.no_pdeathsig:
        set_parent_death_signal()
    parent = args.parent_pid
    if parent is not None and not _pid_alive(parent):
        return 3  # the parent died before we got here
    watch_parent(parent)
    lower_priority()

    worker = Worker(proto, models_dir=args.models_dir)
    reader = threading.Thread(target=worker.read_commands, args=(sys.stdin.buffer,), name="commands", daemon=True)
    reader.start()
    info = worker.start_backend()
    startup_s = round(time.perf_counter() - started, 3)
    proto.send("ready", pid=os.getpid(), protocol=PROTOCOL_VERSION, startup_s=startup_s, **info)
    worker.run()
    return 0


if __name__ == "__main__":
    code = main()
    # Leave at once: the command thread is blocked reading stdin, and interpreter finalisation with such a
    # daemon thread can abort. Everything worth keeping has been flushed.
    sys.stderr.flush()
    os._exit(code)
