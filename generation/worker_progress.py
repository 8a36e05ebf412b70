"""The worker's progress events: backend progress turned into one fraction over the whole job, with an ETA, and
where a job's live preview picture is written."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any


def preview_path(output: str | Path) -> Path:
    """``<output stem>.preview.jpg`` beside the job's output: where its live preview goes (protocol 1)."""
    out = Path(output)
    return out.with_name(out.stem + ".preview.jpg")


class ProgressTracker:
    """Backend progress -> ``progress`` events with one fraction over the whole job (every window of a long
    shot: ``Progress.fraction``) and an ETA from the steps still to run in this window and the ones after."""

    _LOADED, _DENOISED, _DECODED = 0.05, 0.85, 0.93

    def __init__(self, send: Any, job: str) -> None:
        self.send, self.job = send, job
        self.since = time.perf_counter()  # the end of loading, once known
        self.first: tuple[int, float] | None = None  # (step over all windows, time) of the first denoising report
        self.steps = 0
        self.last_step = 0
        self.last: dict[str, Any] | None = None  # the latest denoising event's fields, repeated with a preview

    def __call__(self, p: Any) -> None:
        now = time.perf_counter()
        windows = {"window": p.window, "windows": p.windows}
        if p.phase == "loading":
            if p.step:
                self.since = now
            if p.window > 1:
                return  # a later window of a long shot touching its (loaded) model: no step back to 5 %
            fraction = self._LOADED if p.step else 0.0
            self.send("progress", job=self.job, fraction=fraction, step=0, steps=0, stage="loading", eta_s=None)
        elif p.phase == "denoising":
            self.steps, self.last_step = p.total, p.step
            overall = (p.window - 1) * p.total + p.step  # windows of one shot share their step count
            if self.first is None:
                self.first = (overall, now)
                per_step = (now - self.since) / overall if overall else None  # includes prompt encoding
            else:
                s0, t0 = self.first
                per_step = (now - t0) / (overall - s0) if overall > s0 else None
            left = max(0, p.total - p.step) + max(0, p.windows - p.window) * p.total
            eta = None if per_step is None else round(per_step * left, 3)
            fraction = self._LOADED + (self._DENOISED - self._LOADED) * p.fraction
            self.last = dict(
                fraction=round(fraction, 4), step=p.step, steps=p.total, stage="denoising", eta_s=eta, **windows
            )
            self.send("progress", job=self.job, **self.last)
        elif p.phase == "decoding":
            fraction = self._LOADED + (self._DENOISED - self._LOADED) * p.fraction
            self.send(
                "progress",
                job=self.job,
                fraction=round(fraction, 4),
                step=p.step,
                steps=p.total,
                stage="decoding",
                eta_s=None,
                **windows,
            )

    def preview(self, path: str) -> None:
        """A new preview picture: the latest step's event again, with its path."""
        fields = self.last or dict(fraction=self._LOADED, step=0, steps=0, stage="denoising", eta_s=None)
        self.send("progress", job=self.job, **fields, preview=path)

    def encoding(self) -> None:
        self.send(
            "progress",
            job=self.job,
            fraction=self._DECODED,
            step=self.last_step,
            steps=self.steps,
            stage="encoding",
            eta_s=None,
        )
