"""Following a batch of jobs on a ``GeneratorClient``: overall progress, ETA, cancel, a callback per result.

Used by ``fill`` (attach each take as it arrives) and by ``promptcut generate`` (one job). The client owns the
worker process and the job store; this only submits, reads events and asks for final job states.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

TERMINAL = frozenset({"done", "failed", "cancelled"})
_END_EVENTS = frozenset({"done", "failed", "error", "cancelled"})


class GenerationCancelled(Exception):  # noqa: N818 - a state, not a fault
    """The batch was cancelled; results delivered before that stay delivered."""


@dataclass(frozen=True)
class BatchProgress:
    """``finished`` of ``total`` jobs; ``fraction`` over all of them (0..1); ``eta_s`` for the rest."""

    finished: int
    total: int
    fraction: float
    eta_s: float | None
    message: str = ""
    stage: str = "generating"


def job_state(job: Any) -> str:
    state = getattr(job, "state", "")
    return str(getattr(state, "value", state))


def job_failure(job: Any) -> str:
    """Why a job did not produce a take, in one line (its message, and the hint when there is one)."""
    if job_state(job) == "cancelled":
        return "cancelled"
    message = str(getattr(job, "message", "") or "the generator gave no reason").strip()
    hint = str(getattr(job, "hint", "") or "").strip()
    return f"{message} ({hint})" if hint else message


class JobRunner:
    """Submit jobs, then ``wait``: ``on_finish(job)`` runs once per job when it is done, failed or cancelled."""

    def __init__(self, client: Any, *, progress: Callable[[BatchProgress], None] | None = None,
                 cancel: threading.Event | None = None) -> None:
        self.client = client
        self.report = progress
        self.cancel = cancel
        self.callbacks: dict[str, Callable[[Any], None]] = {}
        self.fractions: dict[str, float] = {}
        self.etas: dict[str, float] = {}
        self.finished: set[str] = set()
        self.started = time.monotonic()
        self.last_poll = self.started

    def submit(self, spec: Any, on_finish: Callable[[Any], None], *, no_cache: bool = False,
               priority: int = 0) -> Any:
        job = self.client.submit(spec, no_cache=no_cache, priority=priority)
        self.callbacks[job.id] = on_finish
        self.fractions[job.id] = 0.0
        if job_state(job) in TERMINAL:   # a cache hit comes back done
            self._finish(job)
        return job

    @property
    def pending(self) -> list[str]:
        return [job_id for job_id in self.callbacks if job_id not in self.finished]

    def wait(self, timeout: float | None = None) -> None:
        """Until every submitted job has finished. Raises GenerationCancelled (after cancelling the rest) when
        the cancel event is set, TimeoutError (likewise) after ``timeout`` seconds."""
        deadline = None if timeout is None else time.monotonic() + timeout
        self._progress("")
        while self.pending:
            if self.cancel is not None and self.cancel.is_set():
                self.cancel_rest()
                raise GenerationCancelled("generation cancelled")
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                self.cancel_rest()
                raise TimeoutError(f"generation took longer than {timeout:g} s")
            events = self.client.events(timeout=0.25 if left is None else max(0.0, min(0.25, left)))
            for event in events or ():
                self._on_event(event)
            self._poll_states()

    def cancel_rest(self) -> None:
        for job_id in self.pending:
            with contextlib.suppress(Exception):   # best effort: the job may have just finished
                self.client.cancel(job_id)

    # -- internals -------------------------------------------------------------------------------------------

    def _on_event(self, event: Any) -> None:
        job_id = getattr(event, "job_id", None)
        if job_id not in self.callbacks or job_id in self.finished:
            return
        fraction = getattr(event, "fraction", None)
        if isinstance(fraction, (int, float)) and not isinstance(fraction, bool):
            self.fractions[job_id] = max(self.fractions[job_id], min(1.0, max(0.0, float(fraction))))
        eta = getattr(event, "eta_s", None)
        if isinstance(eta, (int, float)) and not isinstance(eta, bool):
            self.etas[job_id] = float(eta)
        if str(getattr(event, "kind", "")) in _END_EVENTS:
            self._finish(self.client.wait(job_id, timeout=60))
        else:
            self._progress(str(getattr(event, "message", "") or ""))

    def _poll_states(self) -> None:
        """Jobs that ended without an event reaching us (a restart, a cache hit found late); once a second."""
        now = time.monotonic()
        if not self.pending or now - self.last_poll < 1.0:
            return
        self.last_poll = now
        try:
            jobs = {j.id: j for j in self.client.jobs()}
        except Exception:  # noqa: BLE001 - the events remain the main path
            return
        for job_id in self.pending:
            job = jobs.get(job_id)
            if job is not None and job_state(job) in TERMINAL:
                self._finish(job)

    def _finish(self, job: Any) -> None:
        if job.id in self.finished:
            return
        self.finished.add(job.id)
        self.fractions[job.id] = 1.0
        self.etas.pop(job.id, None)
        try:
            self.callbacks[job.id](job)
        finally:
            self._progress(f"{job_state(job)}")

    def _progress(self, message: str) -> None:
        if self.report is None:
            return
        total = len(self.callbacks)
        fraction = sum(self.fractions.values()) / total if total else 1.0
        elapsed = time.monotonic() - self.started
        eta: float | None = None
        if fraction >= 1.0:
            eta = 0.0
        elif len(self.pending) == 1 and self.etas:
            eta = next(iter(self.etas.values()))
        elif fraction > 0.02 and elapsed > 1.0:
            eta = elapsed * (1.0 - fraction) / fraction
        self.report(BatchProgress(len(self.finished), total, fraction, eta, message))
