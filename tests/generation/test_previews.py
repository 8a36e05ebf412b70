"""Live previews: the backend sends small pictures of the shot every few steps without changing it, and the
worker turns them into a JPEG beside the take that progress events point at and that is gone afterwards."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from generation.backends.previews import is_due, preview_every, write_preview_jpeg
from generation.request import GenerationRequest, PreviewFrame


@pytest.mark.parametrize("total", [1, 2, 4, 8, 12, 24, 50, 100])
def test_previews_come_every_few_steps_never_on_the_last(total):
    due = [d for d in range(1, total + 1) if is_due(d, total)]
    assert total not in due
    assert len(due) <= max(8, total // 8)  # ~6 a shot; long schedules keep one every 8 steps
    if total >= 12:
        assert len(due) >= 4
    gaps = np.diff([0, *due, total])
    assert gaps.max() <= max(preview_every(total), 1) <= 8


@pytest.mark.parametrize("model", ["tiny-wan", "tiny-ltx"])
def test_previews_arrive_during_a_shot_and_leave_it_unchanged(backend, model):
    # 9 frames: one window of the tiny models (longer shots are chained windows, each previewed on its own)
    request = GenerationRequest(model=model, prompt="a red fox", seed=7, width=64, height=64, num_frames=9, steps=12)
    plain = backend.generate(request)
    frames: list[PreviewFrame] = []
    seen = backend.generate(request, preview=frames.append)
    assert np.array_equal(plain.frames, seen.frames)  # a preview must not change the shot
    steps = [f.step for f in frames]
    assert len(frames) >= 4 and steps == sorted(set(steps)) and steps[-1] < 12
    assert all(f.total == 12 and (f.window, f.windows) == (1, 1) for f in frames)
    for f in frames:
        assert f.image.dtype == np.uint8 and f.image.ndim == 3 and f.image.shape[2] == 3
        assert max(f.image.shape[:2]) <= 256 and min(f.image.shape[:2]) >= 8
    # The pictures follow the shot: each is a different picture, and the last is close to the finished frame.
    assert not np.array_equal(frames[0].image, frames[-1].image)
    last = frames[-1].image.astype(np.float32)
    final = np.asarray(Image.fromarray(seen.frames[len(seen.frames) // 2]).resize(last.shape[1::-1]), np.float32)
    noise = np.asarray(Image.fromarray(frames[0].image).resize(last.shape[1::-1]), np.float32)
    assert np.abs(last - final).mean() <= np.abs(noise - final).mean() + 1.0


def test_a_failing_preview_never_fails_the_shot(backend, capfd):
    request = GenerationRequest(model="tiny-wan", prompt="a fox", seed=2, width=64, height=64, num_frames=9, steps=6)
    calls = []

    def broken(frame: PreviewFrame) -> None:
        calls.append(frame.step)
        raise OSError("disk full")

    result = backend.generate(request, preview=broken)
    assert result.frames.shape == (9, 64, 64, 3)
    assert calls == [1]  # it stopped previewing after the first failure
    assert "live previews off" in capfd.readouterr().err


def test_preview_jpeg_is_written_atomically(tmp_path):
    img = np.zeros((40, 60, 3), np.uint8)
    img[:, :30] = (255, 0, 0)
    path = write_preview_jpeg(PreviewFrame(image=img, step=1, total=4), tmp_path / "shot.preview.jpg")
    assert [p.name for p in tmp_path.iterdir()] == ["shot.preview.jpg"]  # no temporary left behind
    back = np.asarray(Image.open(path).convert("RGB"))
    assert back.shape == (40, 60, 3) and back[20, 10, 0] > 200 and back[20, 50, 0] < 50


def test_worker_progress_points_at_preview_jpegs_that_are_gone_afterwards(models_root, tmp_path):
    from tests.generation.test_worker import RawWorker, spec_dict

    w = RawWorker("--parent-pid", str(os.getpid()), "--models-dir", models_root, log=tmp_path / "worker.log")
    try:
        w.expect("ready", timeout=120)
        out = tmp_path / "take.mp4"
        w.send({"cmd": "submit", "job": "p", "spec": spec_dict(steps=12, num_frames=9), "output": str(out)})
        pictures = []
        while True:
            msg = w.expect("progress", timeout=120, job="p") if not pictures or len(pictures) < 4 else None
            if msg is None:
                break
            if msg.get("preview"):
                path = Path(msg["preview"])
                assert path == tmp_path / "take.preview.jpg"
                # The file is there while the job runs (the worker rewrites it, never removes it mid-job).
                pictures.append(np.asarray(Image.open(path).convert("RGB")))
                assert msg["stage"] == "denoising" and 1 <= msg["step"] < msg["steps"] == 12
            if msg.get("stage") == "encoding":
                break
        w.expect("done", timeout=120, job="p")
        assert len(pictures) >= 4 and all(p.ndim == 3 and p.shape[2] == 3 for p in pictures)
        assert out.is_file() and not (tmp_path / "take.preview.jpg").exists()
        assert not any(p.name.endswith(".tmp") for p in tmp_path.iterdir())
    finally:
        w.send({"cmd": "shutdown"})
        w.proc.wait(timeout=30)
