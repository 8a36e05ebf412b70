"""The queue panel against a real GeneratorClient and JobStore; jobs that run use the tiny test model on the CPU."""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import Qt

from editor.ui.queue_panel import COLUMNS, NOT_AVAILABLE, NOT_STARTED, QueuePanel
from generation.client import Event, GeneratorClient
from generation.jobs import JobSpec, JobState
from generation.worker import FAIL_OOM_ONCE_ENV

WORKER_ENV = {"OMP_NUM_THREADS": "1"}
STATE, REASON = COLUMNS.index("State"), COLUMNS.index("Reason")


@pytest.fixture(scope="module")
def models_root(hermetic_env):
    from generation.testing import ensure_test_model

    root = hermetic_env["PROMPTCUT_MODELS"]
    ensure_test_model("tiny-wan", root)
    return root


def spec(seed: int, prompt: str = "a red fox runs through snow") -> JobSpec:
    return JobSpec.create("tiny-wan", prompt, seed=seed, width=64, height=64, steps=2)


def click(qtbot, button) -> None:
    assert button.isEnabled(), button.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def pump(client: GeneratorClient, panel: QueuePanel, until, timeout: float = 120.0) -> list[Event]:
    """Play the window: poll the client, hand the events to the panel, until ``until()`` holds."""
    seen: list[Event] = []
    deadline = time.monotonic() + timeout
    while True:
        events = client.events(timeout=0.2)
        seen += events
        panel.on_events(events)
        if until():
            return seen
        assert time.monotonic() < deadline, [(e.kind, e.message) for e in seen[-8:]]


def test_without_a_client_the_panel_says_generation_is_not_available(qtbot):
    panel = QueuePanel(None)
    qtbot.addWidget(panel)
    assert panel.footer_text() == NOT_AVAILABLE and panel.table is None
    panel.on_events([Event("queued", "x")])
    panel.refresh()
    assert panel.job_ids() == []


def test_reorder_cancel_retry_with_the_buttons(qtbot, models_root, tmp_path):
    # autostart=False and jobs straight into the store: the queue holds still until Retry starts the client.
    client = GeneratorClient(tmp_path / "jobs.sqlite", tmp_path / "media", models_dir=models_root, env=WORKER_ENV,
                             autostart=False)
    try:
        a, b, c = (client.store.submit(spec(s, f"shot {s}"), client.output_dir) for s in (1, 2, 3))
        panel = QueuePanel(client)
        qtbot.addWidget(panel)
        panel.show()
        assert panel.job_ids() == [a.id, b.id, c.id]
        assert panel.row_texts(a.id)[:3] == ("shot 1", "tiny-wan", "queued")
        assert panel.footer_text() == NOT_STARTED
        assert not panel.clear_button.isEnabled()

        items = {job_id: panel.table.topLevelItem(i) for i, job_id in enumerate(panel.job_ids())}
        panel.select_job(c.id)
        assert not panel.move_down_button.isEnabled() and not panel.retry_button.isEnabled()
        click(qtbot, panel.move_up_button)
        assert [j.id for j in client.jobs(JobState.QUEUED)] == [a.id, c.id, b.id]
        assert panel.job_ids() == [a.id, c.id, b.id] and panel.selected_job_id() == c.id
        click(qtbot, panel.move_up_button)
        assert client.store.next_queued().id == c.id and panel.job_ids() == [c.id, a.id, b.id]
        assert not panel.move_up_button.isEnabled()  # already first

        panel.select_job(a.id)
        click(qtbot, panel.move_down_button)
        assert [j.id for j in client.jobs(JobState.QUEUED)] == [c.id, b.id, a.id]
        assert panel.job_ids() == [c.id, b.id, a.id]
        events = client.poll()
        assert [e.kind for e in events] == ["queue_changed"] * 3
        panel.on_events(events)  # what the window does: nothing changes, nothing is rebuilt
        assert all(panel.table.topLevelItem(i) is items[j] for i, j in enumerate(panel.job_ids()))

        panel.select_job(b.id)
        click(qtbot, panel.cancel_button)
        assert client.get(b.id).state is JobState.CANCELLED
        assert panel.row_texts(b.id)[STATE] == "cancelled" and panel.job_ids()[-1] == b.id
        assert panel.clear_button.isEnabled() and panel.retry_button.isEnabled()
        assert not panel.cancel_button.isEnabled()

        click(qtbot, panel.retry_button)  # back in the queue, at its end; this starts the client
        job = client.get(b.id)
        assert job.state in (JobState.QUEUED, JobState.RUNNING)
        if job.state is JobState.QUEUED:
            assert [j.id for j in client.jobs(JobState.QUEUED)][-1] == b.id
    finally:
        client.close()


def test_a_failed_job_shows_why_and_the_queue_goes_on(qtbot, models_root, tmp_path):
    # The worker's test hook raises a (simulated) CUDA out-of-memory error in the first job's first step.
    client = GeneratorClient(tmp_path / "jobs.sqlite", tmp_path / "media", models_dir=models_root,
                             env={**WORKER_ENV, FAIL_OOM_ONCE_ENV: "1"})
    try:
        panel = QueuePanel(client)
        qtbot.addWidget(panel)
        assert panel.footer_text() == NOT_STARTED
        first = client.submit(spec(11, "the first shot"))
        second = client.submit(spec(12, "the second shot"))
        events = pump(client, panel, lambda: client.get(second.id).is_final)
        assert client.get(first.id).state is JobState.FAILED
        assert client.get(second.id).state is JobState.DONE
        assert any(e.kind == "progress" for e in events)

        failed = panel.row_texts(first.id)
        assert failed[STATE] == "failed" and failed[REASON].startswith("out of GPU memory")
        assert "\n" not in failed[REASON]
        done = panel.row_texts(second.id)
        assert done[STATE] == "done" and done[REASON] == "" and done[COLUMNS.index("Progress")] == "100%"
        footer = panel.footer_text()
        assert footer.startswith("CPU · worker ") and footer.endswith(" RAM"), footer

        panel.select_job(first.id)
        click(qtbot, panel.retry_button)
        pump(client, panel, lambda: client.get(first.id).is_final)
        assert client.get(first.id).state is JobState.DONE  # the hook fires once: the retry runs normally
        assert panel.row_texts(first.id)[STATE] == "done" and panel.row_texts(first.id)[REASON] == ""

        click(qtbot, panel.clear_button)
        assert client.jobs() == [] and panel.job_ids() == []
        assert not panel.clear_button.isEnabled()
    finally:
        client.close()
