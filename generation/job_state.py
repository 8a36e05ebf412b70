"""A job as the store keeps it: :class:`Job`, its :class:`JobState`, and the store's two errors. Plain data.

``generation.jobs`` re-exports all of these; import them from there.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from .audio.job_spec import AudioJobSpec
from .job_spec import JobSpec

__all__ = ["FINAL_STATES", "Job", "JobNotFound", "JobState", "StoreError"]


class JobState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


FINAL_STATES = frozenset({JobState.DONE, JobState.FAILED, JobState.CANCELLED})


@dataclass(frozen=True)
class Job:
    """A job as stored. ``progress`` is 0..1; ``message`` one line (the error, a note, or what is happening);
    ``error_kind``/``hint`` come from :class:`generation.errors.GenerationError` when it failed; ``output`` is the
    video path (where it will be written while queued or running); ``result`` holds the worker's report (mode,
    notes, timings, sidecar path). Times are Unix seconds. ``attempts`` counts the times it was started;
    ``interruptions`` the times the process running it died under it (the store fails it at the third)."""

    id: str
    spec: JobSpec | AudioJobSpec
    hash: str
    state: JobState
    priority: int
    order: float
    progress: float
    message: str
    error_kind: str | None
    hint: str
    output: str | None
    result: dict[str, Any]
    cached: bool
    attempts: int
    cancel_requested: bool
    owner: str | None
    created: float
    started: float | None
    finished: float | None
    interruptions: int = 0

    @property
    def is_final(self) -> bool:
        return self.state in FINAL_STATES

    @property
    def sidecar(self) -> Path | None:
        return None if not self.output else Path(self.output).with_suffix(".json")

    @property
    def mode(self) -> str | None:
        return self.result.get("mode")


class StoreError(RuntimeError):
    """The job store cannot be opened or used (newer schema, damaged file, locked past the timeout)."""


class JobNotFound(KeyError):  # noqa: N818 - reads as what happened
    def __str__(self) -> str:
        return f"no job {self.args[0]!r} in the job store"
