"""The setup wizard's work beside the GUI thread: one ``Task`` per job (reading the index, fetching a model,
the test generation), and the plain-Python steps those tasks run.

A ``Task`` runs ``work(report)`` on a plain thread. The thread only emits the task's signals; the task lives in
the GUI thread, so Qt delivers them queued and widgets are touched from the GUI thread only. Unlike
``model_downloads.Downloads`` (which knows one outcome besides done: failed or cancelled), a task hands the
exception itself to the page, which tells a pause from a checksum failure from no network.
"""

from __future__ import annotations

import contextlib
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

TEST_PROMPT = "a paper boat drifting on a calm pond at sunrise"
TEST_SECONDS = Fraction(1, 2)
TEST_LONG_SIDE = 320        # pixels: small enough to be quick on any GPU, big enough to see something
TEST_STEPS_TINY = 2         # test models make noise at any step count
TEST_TIMEOUT_S = 30 * 60    # a first load of a real model from a slow disk can take minutes


class Task(QObject):
    """``progress(value)`` while it runs, then exactly one of ``finished(result)`` or ``failed(exception)``."""

    progress = Signal(object)
    finished = Signal(object)
    failed = Signal(object)

    def __init__(self, name: str, work: Callable[[Callable[[Any], None]], Any],
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self._work = work
        self.thread: threading.Thread | None = None
        # Over once its end is delivered here: the thread may still be alive when the slots run, and a page that
        # asks "still running?" from its finished slot must hear no.
        self._over = False
        self.finished.connect(self._end)
        self.failed.connect(self._end)

    def _end(self, _value: object) -> None:
        self._over = True

    def start(self) -> Task:
        def emit(signal, *args) -> None:
            with contextlib.suppress(RuntimeError):   # the wizard is gone: nobody to tell
                signal.emit(*args)

        def run() -> None:
            try:
                result = self._work(lambda value: emit(self.progress, value))
            except Exception as exc:  # noqa: BLE001 - the page turns it into one line; never a traceback
                emit(self.failed, exc)
            else:
                emit(self.finished, result)

        self.thread = threading.Thread(target=run, name=f"setup-{self.name}", daemon=True)
        self.thread.start()
        return self

    @property
    def running(self) -> bool:
        return self.thread is not None and not self._over and self.thread.is_alive()

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the thread (tests and closing); True when it has ended."""
        if self.thread is not None:
            self.thread.join(timeout)
        return not self.running


def free_bytes(folder: Path) -> int | None:
    """Free space where ``folder`` is (or would be made: its nearest existing parent); None when unknown."""
    probe = Path(folder).absolute()
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    try:
        return shutil.disk_usage(probe).free
    except OSError:
        return None


def duration_text(seconds: float | None) -> str:
    """``about 12 s left``, ``about 3 min left``, ``about 1.5 h left``; "" when unknown."""
    if seconds is None or seconds < 0:
        return ""
    if seconds < 90:
        return f"about {max(1, round(seconds))} s left"
    if seconds < 90 * 60:
        return f"about {round(seconds / 60)} min left"
    return f"about {seconds / 3600:.1f} h left"


# -- the test generation -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class TestShot:
    model_id: str
    video: Path
    width: int
    height: int
    frames: int
    steps: int
    seconds: float                 # how long it took, the worker's start included
    first_frame: Any               # RGB uint8 array (height, width, 3)


def plan_test_job(model_id: str):
    """A short, small, few-step job for ``model_id`` (a ``generation.plan.PlannedJob``); PlanError when the
    model cannot make video from a prompt alone."""
    from generation.models import get_model, snap_size
    from generation.plan import SegmentNeed, plan_job

    model = get_model(model_id)
    native = model.default_size
    scale = min(1.0, TEST_LONG_SIDE / max(native.width, native.height))
    width, height = snap_size(model, max(1, round(native.width * scale)), max(1, round(native.height * scale)))
    need = SegmentNeed(key="setup-test", seconds=max(TEST_SECONDS, Fraction(1, model.fps)), prompt=TEST_PROMPT,
                       model=model.id, seed=1, width=width, height=height, profile="draft",
                       steps=TEST_STEPS_TINY if model.is_test_model else None)
    return plan_job(need)


def first_frame(video: Path):
    """The first decoded frame of ``video`` as an RGB array."""
    import av

    with av.open(str(video)) as container:
        for frame in container.decode(video=0):
            return frame.to_ndarray(format="rgb24")
    raise ValueError(f"{video.name} holds no frames")


def run_test_generation(model_id: str, models_root: Path, *, cancel: threading.Event,
                        report: Callable[[Any], None] | None = None, env: dict[str, str | None] | None = None,
                        places=None) -> TestShot:
    """Generate one test shot with ``model_id`` through a ``GeneratorClient`` (its own worker process), as
    ``promptcut generate`` does; the job skips the cache, so the install itself is what gets tested. Raises
    GenerationCancelled when ``cancel`` is set, RuntimeError (one line) when the job fails."""
    from editor.generate.places import places_for
    from editor.generate.runner import JobRunner, job_failure, job_state
    from editor.generate.session import open_client

    job = plan_test_job(model_id)
    started = time.monotonic()
    finished: list = []
    with open_client(places or places_for(None), models_dir=models_root, env=env) as client:
        runner = JobRunner(client, progress=report, cancel=cancel)
        runner.submit(job.job_spec(), finished.append, no_cache=True)
        runner.wait(timeout=TEST_TIMEOUT_S)
    result = finished[0]
    if job_state(result) != "done":
        raise RuntimeError(job_failure(result) if job_state(result) == "failed" else job_state(result))
    video = Path(result.output)
    return TestShot(model_id, video, job.width, job.height, job.num_frames, job.steps,
                    time.monotonic() - started, first_frame(video))
