"""HunyuanVideo 1.5: registry facts, and the tiny twin through the real backend: text and image to video, its
guidance set through the pipeline's guider, and steps (progress, cancel, previews) counted by a scheduler hook
since the pipelines take no step callback."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from generation.backends.families import family_for
from generation.backends.families.hunyuan import bucket_aim
from generation.errors import Cancelled
from generation.model_types import Ability
from generation.models import get_model
from generation.request import GenerationRequest

A = Ability


def image(seed: int, h: int = 40, w: int = 24) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (h, w, 3), dtype=np.uint8)


def gen(backend, **kw):
    kw.setdefault("prompt", "a heron in the reeds")
    kw.setdefault("seed", 2)
    kw.setdefault("num_frames", 9)
    kw.setdefault("width", 24)
    kw.setdefault("height", 40)
    call = kw.pop("_call", {})
    return backend.generate(GenerationRequest(model="tiny-hunyuan15", **kw), **call)


@pytest.mark.parametrize(
    "model_id,ability,cls",
    [
        ("hunyuanvideo-1.5-480p-t2v", A.TEXT_TO_VIDEO, "HunyuanVideo15Pipeline"),
        ("hunyuanvideo-1.5-480p-i2v", A.IMAGE_TO_VIDEO, "HunyuanVideo15ImageToVideoPipeline"),
    ],
)
def test_real_entries(model_id, ability, cls):
    m = get_model(model_id)
    assert m.family == "hunyuan15" and m.abilities == {ability} and m.base_pipeline == cls
    assert m.repo.startswith("hunyuanvideo-community/HunyuanVideo-1.5-Diffusers-480p_")
    assert m.fps == 24 and m.default_frames == 121 and m.frames.is_valid(121) and not m.frames.is_valid(120)
    assert m.default_steps == 50 and {str(s) for s in m.sizes} == {"848x480", "480x848"}
    assert m.license_restricted and "EU" in m.license_terms and m.license_url.startswith("https://")
    assert not m.makes_audio and m.params_b == 8.3


def test_tiny_twin():
    m = get_model("tiny-hunyuan15")
    assert m.is_test_model and m.family == "hunyuan15" and m.abilities == {A.TEXT_TO_VIDEO, A.IMAGE_TO_VIDEO}


@pytest.mark.parametrize("w,h", [(848, 480), (480, 848), (24, 40), (40, 24), (32, 32)])
def test_bucket_aim_lands_on_the_bucket(w, h):
    """The image-to-video pipeline's own bucket choice picks exactly the shot's size from the aimed image."""
    from diffusers.pipelines.hunyuan_video1_5.image_processor import HunyuanVideo15ImageProcessor

    ratio = 16 if w > 100 else 4
    proc = HunyuanVideo15ImageProcessor(vae_scale_factor=ratio)
    aim_w, aim_h = bucket_aim(w, h)
    target = 640 if w > 100 else 32
    assert proc.calculate_default_height_width(aim_h, aim_w, target) == (h, w)


def test_text_to_video(backend):
    result = gen(backend)
    assert result.frames.shape == (9, 40, 24, 3) and result.pipeline_class == "HunyuanVideo15Pipeline"
    assert result.audio is None
    assert np.array_equal(result.frames, gen(backend).frames)
    assert not np.array_equal(result.frames, gen(backend, seed=3).frames)


@pytest.mark.parametrize("w,h", [(24, 40), (40, 24)])
def test_image_to_video_keeps_the_shot_size(backend, w, h):
    result = gen(backend, width=w, height=h, first_image=image(1, h, w))
    assert result.mode == "image_to_video" and result.pipeline_class == "HunyuanVideo15ImageToVideoPipeline"
    assert result.frames.shape == (9, h, w, 3)


def test_guidance_goes_to_the_guider_and_steps_count_once(backend):
    pipe = backend.load(get_model("tiny-hunyuan15")).pipeline("HunyuanVideo15Pipeline")
    calls = []
    hook = pipe.transformer.register_forward_pre_hook(lambda *a: calls.append(1))
    events = []
    try:
        result = gen(backend, steps=3, guidance=3.0, _call={"progress": events.append})
    finally:
        hook.remove()
    assert pipe.guider.guidance_scale == 3.0 and result.guidance == 3.0
    assert len(calls) == 6  # CFG: two transformer passes a step...
    steps = [(e.step, e.total) for e in events if e.phase == "denoising"]
    assert steps == [(1, 3), (2, 3), (3, 3)]  # ...counted once per scheduler step
    assert "step" not in vars(pipe.scheduler)  # the hook is gone after the call


def test_cancel_mid_run(backend):
    cancel = threading.Event()
    seen = []

    def progress(p):
        seen.append(p)
        if p.phase == "denoising" and p.step == 2:
            cancel.set()

    with pytest.raises(Cancelled, match="step 2 of 4"):
        gen(backend, steps=4, _call={"progress": progress, "cancel": cancel})
    assert max(p.step for p in seen if p.phase == "denoising") == 2
    pipe = backend.load(get_model("tiny-hunyuan15")).pipeline("HunyuanVideo15Pipeline")
    assert "step" not in vars(pipe.scheduler)
    assert gen(backend).frames.shape == (9, 40, 24, 3)  # the pipeline still works afterwards


def test_previews_arrive(backend):
    frames = []
    result = gen(backend, steps=8, _call={"preview": frames.append})
    assert len(frames) >= 2 and all(f.total == 8 and 0 < f.step < 8 for f in frames)
    assert all(f.image.dtype == np.uint8 and f.image.ndim == 3 for f in frames)
    assert result.frames.shape == (9, 40, 24, 3)


def test_family_module():
    assert family_for(get_model("tiny-hunyuan15")).name == "hunyuan15"
