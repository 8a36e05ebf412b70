"""Worker lines and worker deaths turned into job store updates and :class:`Event` s. Pure Python.

``generation.client.GeneratorClient``'s pump reads the worker's protocol lines; the ones about the job it runs
come here (:func:`apply_job_event`), as does a worker that died under a job (:func:`settle_after_crash`). These
write the store and say what to tell people; the client keeps its own state (which job runs, the crash count)
and emits the events.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .events import DeviceReport, Event
from .jobs import Job, JobState, JobStore

__all__ = [
    "JobUpdate",
    "apply_job_event",
    "device_fields",
    "finished_event",
    "parse_line",
    "settle_after_crash",
    "stray_error_event",
]


@dataclass
class JobUpdate:
    """What one line did to the running job: ``events`` to emit now; ``finished`` when the job ended (done,
    failed or cancelled: the client lets it go and reports it with ``mem``); ``requeued`` when it went back to
    the queue quietly (cancelled by the client's own shutdown)."""

    events: list[Event] = field(default_factory=list)
    finished: Job | None = None
    mem: Mapping[str, Any] | None = None
    requeued: bool = False


def parse_line(raw: bytes) -> dict[str, Any] | None:
    """One protocol line as a dict; None for anything else."""
    try:
        msg = json.loads(raw.decode("utf-8", "replace"))
    except ValueError:
        return None  # only protocol lines reach stdout; a torn line from a dying worker is not worth a word
    return msg if isinstance(msg, dict) else None


def device_fields(report: DeviceReport | None) -> dict[str, Any]:
    """The device and memory fields an event carries when the line brought a device report."""
    if report is None:
        return {}
    return {"device": report.device, "memory_used": report.memory_used, "memory_total": report.memory_total}


def stray_error_event(msg: Mapping[str, Any]) -> Event:
    """An ``error`` line that is not about the running job (a bad line, a worker that could not start)."""
    return Event(
        "error",
        msg.get("job"),
        message=str(msg.get("message", "")),
        error_kind=msg.get("kind"),
        hint=str(msg.get("hint", "")),
    )


def apply_job_event(store: JobStore, msg: Mapping[str, Any], mem: Mapping[str, Any], *, closing: bool) -> JobUpdate:
    """Write what a line about the running job ``msg["job"]`` says to the store. ``closing``: the client is
    shutting down, so a cancel it did not ask the store for puts the job back in the queue."""
    event, job_id = msg.get("event"), msg["job"]
    if event == "started":
        store.set_progress(job_id, 0.0, "generating")
        return JobUpdate([Event("started", job_id, 0.0)])
    if event == "progress":
        return JobUpdate([_progress(store, job_id, msg, mem)])
    if event == "done":
        output = str(msg.get("output") or "")
        result = {k: msg.get(k) for k in ("mode", "notes", "timings", "sidecar", "revision", "pipeline_class")}
        result.update({k: msg[k] for k in ("seconds", "language") if k in msg})  # audio jobs
        if not output or not Path(output).is_file():
            job = store.set_failed(job_id, f"the generator reported a take that is not there: {output}", kind="write")
            return JobUpdate(finished=job)
        notes = msg.get("notes") or []
        job = store.set_done(job_id, output, result=result, message="; ".join(map(str, notes)))
        return JobUpdate(finished=job, mem=mem)
    if event == "error":
        job = store.set_failed(
            job_id,
            str(msg.get("message") or "failed"),
            kind=str(msg.get("kind") or "pipeline"),
            hint=str(msg.get("hint") or ""),
            result={"fix": msg.get("fix") or {}},
        )
        return JobUpdate(finished=job)
    if event == "cancelled":
        job = store.get(job_id)
        if closing and not job.cancel_requested:  # cancelled by our shutdown: it goes back in the queue
            store.requeue(job_id, "interrupted: the generator was closed", count_attempt=False)
            return JobUpdate(requeued=True)
        return JobUpdate(finished=store.set_cancelled(job_id))
    return JobUpdate()


def _progress(store: JobStore, job_id: str, msg: Mapping[str, Any], mem: Mapping[str, Any]) -> Event:
    fraction = float(msg.get("fraction") or 0.0)
    stage = msg.get("stage")
    step, steps = msg.get("step"), msg.get("steps")
    text = f"{stage} {step}/{steps}" if stage == "denoising" else str(stage or "")
    window, windows = msg.get("window"), msg.get("windows")
    if isinstance(windows, int) and windows > 1 and stage in ("denoising", "decoding"):
        text += f" (window {window}/{windows})"
    store.set_progress(job_id, fraction, text)
    eta = msg.get("eta_s")
    preview = msg.get("preview")
    return Event(
        "progress",
        job_id,
        fraction,
        text,
        eta_s=None if eta is None else float(eta),
        stage=stage,
        preview=preview if isinstance(preview, str) and preview else None,
        **mem,
    )


def finished_event(job: Job, mem: Mapping[str, Any] | None = None) -> Event | None:
    """The event that reports a job that ended (None for one that has not)."""
    if job.state is JobState.DONE:
        return Event("done", job.id, 1.0, job.message, output=job.output, **(mem or {}))
    if job.state is JobState.FAILED:
        return Event("error", job.id, job.progress, job.message, error_kind=job.error_kind, hint=job.hint)
    if job.state is JobState.CANCELLED:
        return Event("cancelled", job.id, job.progress, job.message)
    return None


def settle_after_crash(
    store: JobStore, job_id: str, why: str, *, max_attempts: int, log_path: Path
) -> tuple[Job | None, Event | None]:
    """The worker died (``why``) running ``job_id``: a job whose cancel was asked ends cancelled; one started
    ``max_attempts`` times fails as a crash; any other goes back in the queue. Returns the job if it ended (for
    the client to report), else the ``requeued`` event to emit (both None when the job had already moved on)."""
    job = store.find(job_id)
    if job is None or job.state is not JobState.RUNNING:
        return None, None
    if job.cancel_requested:
        return store.set_cancelled(job_id, f"cancelled (the generator {why})"), None
    if job.attempts >= max_attempts:
        times = "once" if job.attempts == 1 else f"{job.attempts} times"
        failed = store.set_failed(
            job_id,
            f"the generator crashed {times} on this job (last: {why})",
            kind="crash",
            hint=f"See the generator log {log_path}; try fewer frames, a smaller size or another model.",
        )
        return failed, None
    store.requeue(job_id, f"the generator {why}; trying again (attempt {job.attempts + 1} of {max_attempts})")
    return None, Event("requeued", job_id, 0.0, f"the generator {why}; the job is queued again")
