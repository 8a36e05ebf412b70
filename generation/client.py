"""The generator client: persists jobs, runs them through a worker process, streams events. Pure Python.

``GeneratorClient`` is what the editor and the command line use. The job store (SQLite) is the truth; the
worker (``python -m generation.worker``, spawned lazily on the first queued job) is a helper that is fed one
job at a time. A background *pump* thread does the feeding: it claims the next queued job, sends it, turns the
worker's events into store updates and :class:`Event` s, and looks after the worker:

* a worker that dies (crash, ``kill -9``, the OOM killer) puts its running job back in the queue; after
  ``max_attempts`` starts the job fails with "the generator crashed N times on this job". The worker is
  restarted with backoff (0.5 s, 1 s, 2 s, ... capped at 8 s) and the queue goes on;
* a running job whose cancel was requested (here, or by another process through the store) is cancelled
  between denoising steps;
* on construction, jobs left running by a process that is gone go back to the queue, so a queue survives a
  restart of the editor.

Events are for people: poll them from a GUI timer with :meth:`GeneratorClient.poll` (never blocks) or from a
thread with :meth:`GeneratorClient.events`. Nothing needs the events to be read for the queue to advance.
The worker's stderr (library warnings, tracebacks) goes to a log file beside the store.

The parts live beside this module: ``worker_process`` (spawning, feeding, stopping and reaping one worker, its
log) and ``client_events`` (worker lines and deaths turned into store updates and events).
"""

from __future__ import annotations

import collections
import contextlib
import os
import queue
import sys
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from .audio.job_spec import AudioJobSpec
from .audio.models import get_audio_model
from .client_events import (
    apply_job_event,
    device_fields,
    finished_event,
    parse_line,
    settle_after_crash,
    stray_error_event,
)
from .events import DeviceReport, Event, format_bytes
from .job_spec import is_job_spec, spec_from_dict
from .jobs import Job, JobNotFound, JobSpec, JobState, JobStore
from .models import get_model
from .worker_process import WorkerProcess, describe_exit, log_tail, spawn_worker

__all__ = ["DEFAULT_MAX_ATTEMPTS", "DeviceReport", "Event", "GeneratorClient", "format_bytes"]

DEFAULT_MAX_ATTEMPTS = 3
RESTART_DELAYS_S = (0.5, 1.0, 2.0, 4.0, 8.0)
_CANCEL_POLL_S = 0.25  # how often a running job's cancel flag is re-read from the store
_IDLE_POLL_S = 1.0  # how often an idle pump looks for jobs queued by another process


class GeneratorClient:
    """Submit jobs, cancel them, follow them. Thread-safe.

    Attributes worth reading: ``store`` (the :class:`JobStore`), ``worker_pid`` (None until a job needs the
    worker), ``worker_starts``, ``last_startup_s`` (spawn to ``ready``), ``requeued_on_start`` (jobs this client
    took back from a runner that was gone), ``max_attempts``.

    ``store_path``: the SQLite job store (shared with other clients). ``output_dir``: where takes are written
    (content-addressed). ``models_dir``: the models folder for the worker (else ``$PROMPTCUT_MODELS``). ``env``:
    extra environment for the worker (a value of None removes a variable). ``log_path``: the worker's stderr
    (default: ``<store>.worker.log``). ``autostart``: resume jobs already queued in the store at once (else on
    the first :meth:`submit`, :meth:`wait` or :meth:`run_until_idle`).
    """

    def __init__(
        self,
        store_path: str | os.PathLike[str],
        output_dir: str | os.PathLike[str],
        *,
        models_dir: str | os.PathLike[str] | None = None,
        env: Mapping[str, str | None] | None = None,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
        log_path: str | os.PathLike[str] | None = None,
        python: str | None = None,
        autostart: bool = True,
        restart_delays: tuple[float, ...] = RESTART_DELAYS_S,
    ) -> None:
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        self.store = JobStore(store_path)
        self.output_dir = Path(output_dir).absolute()
        self.models_dir = None if models_dir is None else str(Path(models_dir).absolute())
        self.max_attempts = max_attempts
        self.log_path = (
            Path(log_path) if log_path is not None else self.store.path.with_name(self.store.path.name + ".worker.log")
        )
        self.restart_delays = tuple(restart_delays) or RESTART_DELAYS_S
        self._env = dict(env or {})
        self._python = python or sys.executable
        self._inbox: queue.Queue[tuple[Any, ...]] = queue.Queue()
        self._cond = threading.Condition()
        self._events: collections.deque[Event] = collections.deque(maxlen=10_000)
        self._state_lock = threading.RLock()
        self._pump: threading.Thread | None = None
        self._closing = False
        self._closed = False
        self._worker: WorkerProcess | None = None
        self._generation = 0
        self._current: str | None = None
        self._cancel_sent = False
        self._crashes = 0  # consecutive worker deaths, for the backoff
        self._restart_at = 0.0
        self.worker_starts = 0
        self.last_startup_s: float | None = None
        self._device_report: DeviceReport | None = None
        self.requeued_on_start = self.store.requeue_interrupted()
        if autostart and self.store.next_queued() is not None:
            self._ensure_pump()

    # -- public API -----------------------------------------------------------------------------------------------
    @property
    def worker_pid(self) -> int | None:
        """The running worker's pid; None when there is none (never started, or between restarts)."""
        w = self._worker
        return None if w is None else w.proc.pid

    @property
    def device_report(self) -> DeviceReport | None:
        """The worker's latest device and memory report; None until a worker is ready (and after it exits)."""
        return self._device_report

    def submit(
        self, spec: JobSpec | AudioJobSpec | Mapping[str, Any], *, no_cache: bool = False, priority: int = 0
    ) -> Job:
        """Persist a job and return it. A cache hit comes back DONE at once (no worker involved); otherwise the
        job is QUEUED and the worker starts if it is not running. Higher ``priority`` runs first."""
        self._check_open()
        if not is_job_spec(spec):
            spec = spec_from_dict(spec)  # type: ignore[arg-type]
        if isinstance(spec, JobSpec):
            get_model(spec.model)  # an unknown model is the caller's mistake: say so now (UnknownModel)
        else:
            get_audio_model(spec.model)
        job = self.store.submit(spec, self.output_dir, no_cache=no_cache, priority=priority)
        if job.state is JobState.DONE:
            self._emit(Event("done", job.id, 1.0, "from cache", output=job.output, cached=True))
            return job
        if job.state is JobState.QUEUED:
            self._emit(Event("queued", job.id, 0.0))
        self._ensure_pump()
        self._wake()
        return job

    def cancel(self, job_id: str) -> Job:
        """Cancel a queued job at once, or ask the running one to stop (``cancelled`` follows)."""
        before = self.store.get(job_id)
        job = self.store.cancel(job_id)
        if before.state is JobState.QUEUED and job.state is JobState.CANCELLED:
            self._emit(Event("cancelled", job.id, job.progress, job.message))
        self._wake()
        return job

    def retry(self, job_id: str) -> Job:
        """Queue a failed or cancelled job again."""
        job = self.store.retry(job_id)
        self._emit(Event("queued", job.id, 0.0))
        self._ensure_pump()
        self._wake()
        return job

    def reorder(self, job_id: str, *, before: str | None = None, priority: int | None = None) -> Job:
        """Move a queued job: just ``before`` another queued job and/or to a new ``priority`` (higher runs first).
        See :meth:`JobStore.reorder` (a ``StoreError`` for a job that is not queued). Emits ``queue_changed``."""
        job = self.store.reorder(job_id, priority=priority, before=before)
        self._emit(Event("queue_changed", job.id, message="reordered"))
        self._wake()
        return job

    def clear_finished(self) -> int:
        """Forget every finished job (done, failed, cancelled; their takes stay on disk). Returns how many went;
        emits ``queue_changed`` when any did."""
        n = self.store.clear_finished()
        if n:
            self._emit(Event("queue_changed", None, message=f"cleared {n} finished job{'s' if n != 1 else ''}"))
        return n

    def get(self, job_id: str) -> Job:
        return self.store.get(job_id)

    def jobs(self, states: Any = None) -> list[Job]:
        return self.store.list(states)

    def poll(self) -> list[Event]:
        """The events since the last call; never blocks (for a GUI timer)."""
        with self._cond:
            out = list(self._events)
            self._events.clear()
        return out

    def events(self, timeout: float | None = None) -> list[Event]:
        """Wait up to ``timeout`` seconds (None: forever) for at least one event, then return all there are."""
        with self._cond:
            self._cond.wait_for(lambda: bool(self._events) or self._closed, timeout)
            out = list(self._events)
            self._events.clear()
        return out

    def wait(self, job_id: str, timeout: float | None = None) -> Job:
        """Block until the job is finished (done, failed or cancelled) and return it; TimeoutError otherwise."""
        deadline = None if timeout is None else time.monotonic() + timeout
        job = self.store.get(job_id)
        if not job.is_final:
            self._ensure_pump()
        while not job.is_final:
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                raise TimeoutError(f"job {job_id} is still {job.state} after {timeout} s")
            with self._cond:
                self._cond.wait(0.5 if remaining is None else min(0.5, remaining))
            job = self.store.get(job_id)
        return job

    def run_until_idle(
        self, on_event: Callable[[Event], None] | None = None, timeout: float | None = None
    ) -> list[Job]:
        """Run until nothing is queued and this client runs nothing, handing each event to ``on_event`` (this
        consumes the events). Returns the jobs that finished meanwhile, in the order they finished."""
        deadline = None if timeout is None else time.monotonic() + timeout
        finished: list[str] = []
        self._ensure_pump()
        while True:
            for ev in self.events(timeout=0.2):
                if ev.kind in ("done", "error", "cancelled") and ev.job_id and ev.job_id not in finished:
                    finished.append(ev.job_id)
                if on_event is not None:
                    on_event(ev)
            if self._idle():
                for ev in self.poll():
                    if on_event is not None:
                        on_event(ev)
                break
            if deadline is not None and time.monotonic() > deadline:
                raise TimeoutError(f"the generator queue is still busy after {timeout} s")
        out = []
        for job_id in finished:
            job = self.store.find(job_id)
            if job is not None:
                out.append(job)
        return out

    def close(self, timeout: float = 10.0) -> None:
        """Stop the worker (its running job goes back to the queue, for the next client) and close the store."""
        with self._state_lock:
            if self._closed:
                return
            self._closing = True
            pump = self._pump
        if pump is not None:
            self._wake()
            pump.join(timeout)
        else:
            self._stop_worker()
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        self.store.close()

    def __enter__(self) -> GeneratorClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- plumbing -------------------------------------------------------------------------------------------------
    def _check_open(self) -> None:
        if self._closing or self._closed:
            raise RuntimeError("the generator client is closed")

    def _emit(self, event: Event) -> None:
        with self._cond:
            self._events.append(event)
            self._cond.notify_all()

    def _wake(self) -> None:
        self._inbox.put(("wake",))

    def _ensure_pump(self) -> None:
        with self._state_lock:
            if self._pump is not None or self._closing:
                return
            self._pump = threading.Thread(target=self._pump_main, name="generator-pump", daemon=True)
            self._pump.start()

    def _idle(self) -> bool:
        with self._state_lock:
            if self._current is not None:
                return False
        return self.store.next_queued() is None and self.store.count(JobState.RUNNING, owner=self.store.owner) == 0

    # -- the pump thread ------------------------------------------------------------------------------------------
    def _pump_main(self) -> None:
        try:
            while not self._closing:
                try:
                    item = self._inbox.get(timeout=self._next_timeout())
                except queue.Empty:
                    item = None
                items = [] if item is None else [item]
                while True:
                    try:
                        items.append(self._inbox.get_nowait())
                    except queue.Empty:
                        break
                try:
                    for it in items:
                        self._handle(it)
                    if not self._closing:
                        self._tick()
                except Exception as exc:  # noqa: BLE001 - the pump must outlive any one surprise
                    self._emit(
                        Event(
                            "error",
                            None,
                            message=f"generator client: {type(exc).__name__}: {exc}",
                            error_kind="internal",
                        )
                    )
                    time.sleep(0.2)
        finally:
            self._stop_worker()

    def _next_timeout(self) -> float:
        if self._current is not None:
            return _CANCEL_POLL_S
        if self._worker is None and self._restart_at > time.monotonic():
            return max(0.01, self._restart_at - time.monotonic())
        return _IDLE_POLL_S

    def _handle(self, item: tuple[Any, ...]) -> None:
        kind = item[0]
        if kind == "line":
            _, generation, raw = item
            if self._worker is not None and generation == self._worker.generation:
                self._on_line(raw)
        elif kind == "eof":
            _, generation = item
            if self._worker is not None and generation == self._worker.generation:
                self._on_worker_exit()

    def _tick(self) -> None:
        now = time.monotonic()
        if self._current is not None:
            if not self._cancel_sent:  # asked here or by another process: the store says
                job = self.store.find(self._current)
                if job is None or job.cancel_requested:
                    self._send({"cmd": "cancel", "job": self._current})
                    self._cancel_sent = True
            return
        if self._worker is None and now < self._restart_at:
            return
        job = self.store.claim_next()
        if job is None:
            return
        with self._state_lock:
            self._current = job.id
            self._cancel_sent = False
        if self._worker is None and not self._spawn():
            return
        self._send({"cmd": "submit", "job": job.id, "spec": job.spec.to_dict(), "output": job.output, "hash": job.hash})

    def _spawn(self) -> bool:
        """Start a worker; on failure the claimed job is handled as if the worker had died at once."""
        try:
            worker = spawn_worker(self._python, self.models_dir, self._env, self.log_path, self._generation + 1)
        except OSError as exc:
            self._generation += 1
            self._after_worker_death(f"could not start the generator: {exc}")
            return False
        self._generation += 1
        with self._state_lock:
            self._worker = worker
        self.worker_starts += 1
        worker.start_reading(self._inbox)
        self._emit(Event("worker_started", None, message=f"generator started (pid {worker.proc.pid})"))
        return True

    def _send(self, message: dict[str, Any]) -> None:
        w = self._worker
        if w is not None:
            w.send(message)

    # -- worker events --------------------------------------------------------------------------------------------
    def _on_line(self, raw: bytes) -> None:
        msg = parse_line(raw)
        if msg is None:
            return
        event, job_id = msg.get("event"), msg.get("job")
        report = DeviceReport.from_message(msg)
        if report is not None:
            self._device_report = report
        mem = device_fields(report)
        if event == "ready":
            assert self._worker is not None
            self._worker.ready_at = time.monotonic()
            self.last_startup_s = self._worker.ready_at - self._worker.spawned_at
            where = report.device if report is not None else msg.get("device")
            self._emit(
                Event("worker_ready", None, message=f"generator ready on {where} in {self.last_startup_s:.1f} s", **mem)
            )
            return
        if job_id is None or job_id != self._current:
            if event == "error":
                self._emit(stray_error_event(msg))
            return
        update = apply_job_event(self.store, msg, mem, closing=self._closing)
        for ev in update.events:
            self._emit(ev)
        if update.requeued:
            with self._state_lock:
                self._current = None
        elif update.finished is not None:
            self._finished(update.finished, update.mem)

    def _finished(self, job: Job, mem: Mapping[str, Any] | None = None) -> None:
        with self._state_lock:
            self._current = None
        self._crashes = 0
        event = finished_event(job, mem)
        if event is not None:
            self._emit(event)

    def _on_worker_exit(self) -> None:
        """The worker's stdout closed: it exited or died. Reap it, deal with its job, plan a restart."""
        w = self._worker
        assert w is not None
        rc = w.reap()
        with self._state_lock:
            self._worker = None
        self._device_report = None
        self._emit(Event("worker_exited", None, message=f"generator {describe_exit(rc)}"))
        if self._closing:
            return
        # A worker that exited with an error status usually said why on stderr; a signal leaves no last words.
        tail = log_tail(self.log_path, w.log_offset) if rc > 0 else ""
        self._after_worker_death(describe_exit(rc) + (f": {tail}" if tail else ""))

    def _after_worker_death(self, why: str) -> None:
        self._crashes += 1
        delay = self.restart_delays[min(self._crashes - 1, len(self.restart_delays) - 1)]
        self._restart_at = time.monotonic() + delay
        job_id = self._current
        with self._state_lock:
            self._current = None
        if job_id is None:
            return
        ended, requeued = settle_after_crash(
            self.store, job_id, why, max_attempts=self.max_attempts, log_path=self.log_path
        )
        if ended is not None:
            self._finished(ended)
        elif requeued is not None:
            self._emit(requeued)

    def _stop_worker(self) -> None:
        """Close time: ask the worker to stop, then insist. Its running job goes back to the queue."""
        w = self._worker
        if w is not None:
            w.stop()
            # Lines it wrote before going (a last ``done``, say) still count.
            deadline = time.monotonic() + 2.0
            while time.monotonic() < deadline:
                try:
                    item = self._inbox.get(timeout=0.1)
                except queue.Empty:
                    continue
                if item[0] == "eof" and item[1] == w.generation:
                    break
                if item[0] == "line" and item[1] == w.generation:
                    self._on_line(item[2])
            with self._state_lock:
                self._worker = None
            self._device_report = None
            w.close_streams()
        job_id = self._current
        if job_id is not None:
            with contextlib.suppress(JobNotFound):
                job = self.store.get(job_id)
                if job.cancel_requested:  # its cancel had not landed yet: it ends cancelled, not queued
                    self._finished(self.store.set_cancelled(job_id))
                else:
                    self.store.requeue(job_id, "interrupted: the generator was closed", count_attempt=False)
            with self._state_lock:
                self._current = None

