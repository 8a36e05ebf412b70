"""Finished shots become remembered 5 s shot times; odd shots are skipped, never recorded wrongly."""

from __future__ import annotations

import json

import numpy as np
import pytest

from generation import shot_timing, timings
from generation.models import get_model, nearest_frame_count
from generation.profiles import recipe
from generation.request import GenerationResult


@pytest.fixture(autouse=True)
def times_file(tmp_path, monkeypatch):
    path = tmp_path / "shot_times.json"
    monkeypatch.setenv(timings.TIMINGS_ENV, str(path))
    return path


def result(
    model_id: str = "wan2.1-t2v-1.3b",
    *,
    size=(832, 480),
    frames: int = 81,
    profile: str = "final",
    steps: int | None = None,
    windows: int = 1,
    **t: float,
) -> GenerationResult:
    model = get_model(model_id)
    w, h = size
    return GenerationResult(
        frames=np.zeros((1, 2, 2, 3), np.uint8),
        fps=model.fps,
        model_id=model.id,
        model_repo=model.repo,
        revision=None,
        source="folder",
        mode="text_to_video",
        pipeline_class=model.base_pipeline,
        width=w,
        height=h,
        num_frames=frames,
        seed=1,
        steps=recipe(model, profile).steps if steps is None else steps,
        guidance=5.0,
        prompt="p",
        negative_prompt="",
        device="cuda:0",
        dtype="bfloat16",
        timings=t or {"s_per_step": 1.5, "decode_s": 4.0, "postprocess_s": 1.0},
        profile=profile,
        windows=windows,
    )


def test_native_shot_is_recorded_as_a_5s_shot(times_file):
    seconds = shot_timing.record_result(result(), "cuda:0 NVIDIA H100 80GB HBM3")
    # 50 steps x 1.5 s + (4 + 1) s of decode and write, 81 frames being the 5 s shot itself.
    assert seconds == pytest.approx(50 * 1.5 + 5.0)
    data = json.loads(times_file.read_text())
    assert list(data) == ["NVIDIA H100 80GB HBM3|wan2.1-t2v-1.3b|final"]
    est = shot_timing.expected(get_model("wan2.1-t2v-1.3b"), "final", "NVIDIA H100 80GB HBM3")
    assert est is not None and est.measured and est.seconds == pytest.approx(80.0)


def test_short_shot_scales_decode_to_5s_frames():
    model = get_model("wan2.1-t2v-1.3b")
    seconds = shot_timing.record_result(result(frames=33, s_per_step=2.0, decode_s=3.3), "NVIDIA L4")
    five = nearest_frame_count(model, 5)
    assert seconds == pytest.approx(50 * 2.0 + 3.3 * five / 33)


def test_denoise_time_without_per_step_figure_divides_by_steps_and_windows():
    seconds = shot_timing.record_result(result(windows=2, denoise_s=200.0), "NVIDIA L4")
    assert seconds == pytest.approx(50 * 200.0 / (50 * 2))  # one window for a 5 s Wan shot


@pytest.mark.parametrize(
    ("kwargs", "why"),
    [
        ({"size": (640, 352)}, "not a native size"),
        ({"steps": 20}, "steps other than the profile's"),
        ({"decode_s": 1.0}, "no per-step figure"),
    ],
)
def test_unreliable_shots_are_skipped(times_file, kwargs, why):
    assert shot_timing.record_result(result(**kwargs), "NVIDIA L4") is None, why
    assert not times_file.exists()


def test_draft_profile_is_recorded_under_draft():
    model = get_model("wan2.1-t2v-1.3b")
    draft = recipe(model, "draft")
    shot_timing.record_result(result(profile="draft", steps=draft.steps, s_per_step=1.0, decode_s=2.0), "cuda:0 X")
    assert timings.measured("X", model.id, "draft") == pytest.approx(draft.steps * 1.0 + 2.0)
    assert timings.measured("X", model.id, "final") is None


def test_published_figure_is_named_when_nothing_was_measured():
    model = get_model("wan2.1-t2v-1.3b")
    est = shot_timing.expected(model, "final", "NVIDIA H100 80GB HBM3")
    assert est is not None and not est.measured and "H100" in est.source and est.text().startswith("~")
    assert shot_timing.expected(model, "final", "cpu") is None


def test_device_key_and_profile_rows():
    assert shot_timing.device_key("cuda:0 NVIDIA H100 80GB HBM3") == "NVIDIA H100 80GB HBM3"
    assert shot_timing.device_key("cpu") == "cpu"
    rows = shot_timing.profile_rows(get_model("wan2.1-t2v-1.3b"), "NVIDIA H100 PCIe")
    assert [r.profile for r in rows] == ["draft", "standard", "final"]
    assert rows[2].to_dict()["seconds_per_5s_shot"] == 91.0 and rows[2].to_dict()["measured"] is False


def test_a_real_tiny_shot_through_the_backend_is_remembered(backend, times_file):
    from generation.request import GenerationRequest

    model = get_model("tiny-wan")
    size = model.sizes[0]
    shot = backend.generate(
        GenerationRequest(
            model="tiny-wan",
            prompt="a fox",
            seed=3,
            width=size.width,
            height=size.height,
            num_frames=model.default_frames,
        )
    )
    seconds = shot_timing.record_result(shot, shot.device)
    assert seconds is not None and seconds > 0
    est = shot_timing.expected(model, "final", "cpu")
    assert est is not None and est.measured and est.seconds == pytest.approx(seconds, rel=1e-3)
    assert shot_timing.expected(model, "draft", "cpu") is None
