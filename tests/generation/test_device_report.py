"""The worker's device and memory report, end to end through a real worker on the tiny test model, and the
client's queue management (reorder, clear finished) with its ``queue_changed`` events."""

from __future__ import annotations

import json

import pytest

from generation.client import DeviceReport, Event, GeneratorClient, format_bytes
from generation.device_memory import MemoryReporter, memory_report
from generation.jobs import JobState, StoreError

from .test_client import WORKER_ENV, spec


def test_cpu_memory_report_is_this_process_and_the_system_ram():
    fields = memory_report("cpu")
    assert fields["device_name"] == "cpu"
    used, total = fields["memory_used"], fields["memory_total"]
    assert isinstance(used, int) and isinstance(total, int)
    assert 10_000_000 < used < total  # a Python process with numpy loaded holds more than 10 MB
    assert fields["memory_worker"] == used
    json.dumps(fields)  # fit for the line protocol


def test_reporter_reports_at_most_once_a_second_unless_forced():
    now = [100.0]
    reporter = MemoryReporter("cpu", clock=lambda: now[0])
    assert reporter.fields()["device_name"] == "cpu"
    now[0] += 0.4
    assert reporter.fields() == {}
    assert reporter.fields(force=True)["device_name"] == "cpu"
    now[0] += 0.9
    assert reporter.fields() == {}
    now[0] += 0.2
    assert "memory_used" in reporter.fields()
    assert MemoryReporter(None).fields(force=True) == {}  # no device: nothing to say


def test_report_from_worker_lines_old_and_new():
    new = DeviceReport.from_message({"event": "ready", "device": "cuda:0", "device_name": "cuda:0 NVIDIA H100",
                                     "memory_used": 12_300_000_000, "memory_total": 80_000_000_000,
                                     "memory_worker": 9_000_000_000})
    assert new is not None and new.is_gpu
    assert new.describe() == "cuda:0 NVIDIA H100 · 12.3 / 80.0 GB"
    old = DeviceReport.from_message({"event": "ready", "pid": 1, "protocol": 1, "device": "cuda:0"})
    assert old is not None and old.device == "cuda:0" and old.memory_used is None and old.describe() == "cuda:0"
    assert DeviceReport.from_message({"event": "progress", "job": "x", "fraction": 0.5}) is None
    assert DeviceReport.from_message({"event": "ready", "device": None}) is None
    cpu = DeviceReport("cpu", 1_200_000_000, 24_000_000_000)
    assert not cpu.is_gpu and cpu.describe() == "CPU · worker 1.2 GB of 24.0 GB RAM"
    assert format_bytes(None) == "?" and format_bytes(512) == "512 B" and format_bytes(3_500_000) == "3.5 MB"


def test_ready_progress_and_done_carry_the_report(models_root, tmp_path):
    with GeneratorClient(tmp_path / "jobs.sqlite", tmp_path / "media", models_dir=models_root,
                         env=WORKER_ENV) as client:
        assert client.device_report is None  # no worker yet
        job = client.submit(spec(seed=7, steps=3))
        done = client.wait(job.id, timeout=120)
        assert done.state is JobState.DONE, done.message
        events = client.poll()
        report = client.device_report
        assert report is not None and report.device == "cpu" and not report.is_gpu
        assert report.memory_used is not None and report.memory_total is not None
        assert 10_000_000 < report.memory_used < report.memory_total
        assert report.memory_worker == report.memory_used
        with pytest.raises(AttributeError):
            report.device = "cuda"  # type: ignore[misc]  # frozen
        ready = next(e for e in events if e.kind == "worker_ready")
        assert ready.device == "cpu" and ready.memory_used and ready.memory_total
        assert "cpu" in ready.message
        finished = next(e for e in events if e.kind == "done" and e.job_id == job.id)
        assert finished.device == "cpu" and finished.memory_used and finished.memory_total
        progress = [e for e in events if e.kind == "progress" and e.job_id == job.id]
        assert progress
        with_report = [e for e in progress if e.device is not None]  # at most once a second: often none
        assert all(e.memory_total == report.memory_total for e in with_report)
    assert client.device_report is None  # the worker is gone


def test_reorder_and_clear_finished_emit_queue_changed(models_root, tmp_path):
    # autostart=False and jobs put straight into the store: nothing runs, the queue holds still.
    with GeneratorClient(tmp_path / "jobs.sqlite", tmp_path / "media", models_dir=models_root,
                         autostart=False) as client:
        a, b, c = (client.store.submit(spec(seed=s), client.output_dir) for s in (1, 2, 3))
        assert [j.id for j in client.jobs(JobState.QUEUED)] == [a.id, b.id, c.id]
        moved = client.reorder(c.id, before=a.id)
        assert moved.state is JobState.QUEUED
        assert [j.id for j in client.jobs(JobState.QUEUED)] == [c.id, a.id, b.id]
        assert client.store.next_queued().id == c.id
        urgent = client.reorder(b.id, priority=5)
        assert urgent.priority == 5 and client.store.next_queued().id == b.id
        events = client.poll()
        assert [(e.kind, e.job_id) for e in events] == [("queue_changed", c.id), ("queue_changed", b.id)]
        assert all(isinstance(e, Event) for e in events)

        client.store.cancel(a.id)
        with pytest.raises(StoreError):
            client.reorder(a.id, before=b.id)  # only queued jobs move
        assert client.poll() == []
        assert client.clear_finished() == 1
        assert [e.kind for e in client.poll()] == ["queue_changed"]
        assert {j.id for j in client.jobs()} == {b.id, c.id}
        assert client.clear_finished() == 0
        assert client.poll() == []


def test_cuda_report_shape_with_the_cuda_calls_stubbed(monkeypatch):
    # No GPU on the test machines: stub the four torch.cuda calls to check the fields the worker builds.
    import torch

    monkeypatch.setattr(torch.cuda, "current_device", lambda: 0)
    monkeypatch.setattr(torch.cuda, "mem_get_info", lambda i: (67_700_000_000, 80_000_000_000))
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda i: "NVIDIA H100 80GB HBM3")
    monkeypatch.setattr(torch.cuda, "memory_allocated", lambda i: 9_000_000_000)
    fields = memory_report("cuda")
    assert fields == {"device_name": "cuda:0 NVIDIA H100 80GB HBM3", "memory_used": 12_300_000_000,
                      "memory_total": 80_000_000_000, "memory_worker": 9_000_000_000}
    report = DeviceReport.from_message({"event": "progress", **fields})
    assert report is not None and report.describe() == "cuda:0 NVIDIA H100 80GB HBM3 · 12.3 / 80.0 GB"
