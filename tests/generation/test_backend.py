"""The diffusers backend end to end on the CPU with the tiny models: real pipeline classes, no mocks.

The one simulation is a CUDA out-of-memory error raised at the true edge: from the progress callback, which the
backend calls inside diffusers' ``callback_on_step_end`` in the middle of a denoising loop.
"""

from __future__ import annotations

import threading

import numpy as np
import pytest
from PIL import Image

from generation.backends.diffusers_backend import DiffusersBackend, plan_shot
from generation.backends.settings import BackendSettings
from generation.errors import Cancelled, GenerationError, ModelNotInstalled
from generation.models import Ability, get_model
from generation.registry.common import LTX_ALL
from generation.request import GenerationRequest, Keyframe, Progress

RED = Image.new("RGB", (96, 80), (230, 20, 20))
BLUE = Image.new("RGB", (96, 80), (20, 20, 230))
GREEN = Image.new("RGB", (96, 80), (20, 230, 20))


def gen(backend, model="tiny-wan", **kw):
    kw.setdefault("prompt", "a red fox runs through snow")
    kw.setdefault("seed", 7)
    return backend.generate(GenerationRequest(model=model, **kw))


# -- text to video --------------------------------------------------------------------------------------------------


def test_tiny_wan_text_to_video(backend):
    events: list[Progress] = []
    r = backend.generate(
        GenerationRequest(model="tiny-wan", prompt="a red fox", seed=1, width=64, height=64, num_frames=9),
        progress=events.append,
    )
    assert r.frames.shape == (9, 64, 64, 3) and r.frames.dtype == np.uint8
    assert (r.mode, r.pipeline_class, r.fps) == ("text_to_video", "WanPipeline", 24)
    assert (r.width, r.height, r.num_frames, r.steps) == (64, 64, 9, 2)
    assert r.source == "built-in" and r.revision == "tiny-wan-recipe-1"
    assert r.device == "cpu" and r.dtype == "float32" and r.memory["offload"] == "none"
    assert r.frames.std() > 0  # noise, not a blank
    denoise = [(e.step, e.total) for e in events if e.phase == "denoising"]
    assert denoise == [(1, 2), (2, 2)]
    assert events[-1].phase == "done" and any(e.phase == "decoding" for e in events)
    assert {"load_s", "denoise_s", "decode_s", "total_s"} <= r.timings.keys()


def test_defaults_come_from_the_registry(backend):
    r = gen(backend)
    m = get_model("tiny-wan")
    assert (r.width, r.height) == (m.default_size.width, m.default_size.height) == (64, 128)
    assert r.num_frames == m.default_frames and r.steps == m.default_steps and r.guidance == m.default_guidance


def test_same_seed_same_frames_other_seed_other_frames(backend):
    a = gen(backend, seed=11, width=64, height=64)
    b = gen(backend, seed=11, width=64, height=64)
    c = gen(backend, seed=12, width=64, height=64)
    assert np.array_equal(a.frames, b.frames)
    assert not np.array_equal(a.frames, c.frames)


def test_size_and_length_snap_to_the_model_rules_with_notes(backend):
    r = gen(backend, width=70, height=70, num_frames=10)
    assert (r.width, r.height, r.num_frames) == (64, 64, 13)
    assert any("70x70 -> 64x64" in n for n in r.notes) and any("10 -> 13" in n for n in r.notes)


def test_tiny_ltx_text_to_video_uses_ltx_pipeline(backend):
    r = gen(backend, model="tiny-ltx", num_frames=17)
    assert r.frames.shape == (17, 128, 64, 3)
    assert (r.mode, r.pipeline_class) == ("text_to_video", "LTXPipeline")


# -- conditioning ---------------------------------------------------------------------------------------------------


def test_first_image_reaches_wan_image_to_video(backend):
    text = gen(backend, width=64, height=64)
    red = gen(backend, width=64, height=64, first_image=RED)
    blue = gen(backend, width=64, height=64, first_image=BLUE)
    assert (red.mode, red.pipeline_class) == ("image_to_video", "WanImageToVideoPipeline")
    assert not np.array_equal(red.frames, text.frames)
    assert not np.array_equal(red.frames, blue.frames)  # the image itself changes the shot
    assert red.request["first_image"]["size"] == [96, 80]


def test_first_and_last_image_reach_wan_flf(backend):
    a = gen(backend, model="tiny-wan-flf", first_image=RED, last_image=BLUE)
    b = gen(backend, model="tiny-wan-flf", first_image=RED, last_image=GREEN)
    again = gen(backend, model="tiny-wan-flf", first_image=RED, last_image=BLUE)
    assert (a.mode, a.pipeline_class) == ("first_last_frame", "WanImageToVideoPipeline")
    assert a.frames.shape == (9, 112, 64, 3)
    assert not np.array_equal(a.frames, b.frames)  # only the last image differs
    assert np.array_equal(a.frames, again.frames)


def test_image_paths_are_read_and_fitted(backend, tmp_path):
    path = tmp_path / "first.png"
    RED.save(path)
    by_path = gen(backend, width=64, height=64, first_image=path)
    by_image = gen(backend, width=64, height=64, first_image=RED)
    assert np.array_equal(by_path.frames, by_image.frames)
    assert by_path.request["first_image"] == {"path": str(path)}


def test_ltx_keyframes_first_last_and_mid_shot(backend):
    text = gen(backend, model="tiny-ltx", width=64, height=64)
    flf = gen(backend, model="tiny-ltx", width=64, height=64, first_image=RED, last_image=BLUE)
    other_last = gen(backend, model="tiny-ltx", width=64, height=64, first_image=RED, last_image=GREEN)
    assert (flf.mode, flf.pipeline_class) == ("first_last_frame", "LTXConditionPipeline")
    assert not np.array_equal(flf.frames, text.frames)
    assert not np.array_equal(flf.frames, other_last.frames)
    mid = gen(backend, model="tiny-ltx", width=64, height=64, keyframes=(Keyframe(4, GREEN),))
    assert mid.mode == "keyframes" and not np.array_equal(mid.frames, text.frames)
    last_only = gen(backend, model="tiny-ltx", width=64, height=64, last_image=BLUE)
    assert last_only.mode == "keyframes" and last_only.notes == []


def test_ltx_video_extension(backend):
    prefix = np.zeros((9, 64, 64, 3), dtype=np.uint8)
    prefix[..., 1] = 200
    r = gen(backend, model="tiny-ltx", width=64, height=64, num_frames=17, video_prefix=prefix)
    assert (r.mode, r.pipeline_class, r.num_frames) == ("video_extension", "LTXConditionPipeline", 17)
    assert r.request["video_prefix"]["frames"] == 9


def test_missing_ability_falls_back_with_a_note(backend):
    text = gen(backend, width=64, height=64)
    last_only = gen(backend, width=64, height=64, last_image=BLUE)
    assert last_only.mode == "text_to_video" and any("last image ignored" in n for n in last_only.notes)
    assert np.array_equal(last_only.frames, text.frames)  # truly text-only
    both = gen(backend, width=64, height=64, first_image=RED, last_image=BLUE)
    assert both.mode == "image_to_video" and any("last image ignored" in n for n in both.notes)
    keys = gen(backend, width=64, height=64, keyframes=(Keyframe(4, GREEN),))
    assert keys.mode == "text_to_video" and any("keyframes ignored" in n for n in keys.notes)


def test_image_only_model_without_images_is_a_clear_error(backend):
    with pytest.raises(GenerationError) as info:
        gen(backend, model="tiny-wan-flf")
    assert info.value.kind == "bad_request" and "both a first and a last image" in str(info.value)
    with pytest.raises(GenerationError, match="cannot generate from text alone"):
        gen(backend, model="tiny-wan-flf", first_image=RED)


def test_plan_shot_for_real_models_without_loading_them():
    wan22 = get_model("wan2.2-ti2v-5b")
    shot = plan_shot(wan22, GenerationRequest(model=wan22.id, prompt="x", first_image=RED, last_image=BLUE))
    assert shot.mode is Ability.IMAGE_TO_VIDEO and (shot.width, shot.height, shot.num_frames) == (704, 1280, 121)
    assert shot.negative_prompt.startswith("Bright tones")
    cog = get_model("cogvideox-5b")
    shot = plan_shot(cog, GenerationRequest(model=cog.id, prompt="x", width=1080, height=1920, num_frames=81))
    assert (shot.width, shot.height, shot.num_frames) == (720, 480, 49)
    assert any("supports only" in n for n in shot.notes)


# -- cancellation and failures --------------------------------------------------------------------------------------


def test_cancel_mid_job_then_the_next_job_runs(backend):
    cancel = threading.Event()
    seen: list[tuple[str, int]] = []

    def progress(p: Progress) -> None:
        seen.append((p.phase, p.step))
        if p.phase == "denoising" and p.step == 1:
            cancel.set()

    request = GenerationRequest(model="tiny-wan", prompt="x", seed=3, width=64, height=64, steps=4)
    with pytest.raises(Cancelled, match="step 1 of 4"):
        backend.generate(request, progress=progress, cancel=cancel)
    assert ("denoising", 2) not in seen and ("done", 4) not in seen
    after = backend.generate(request)
    assert after.frames.shape == (9, 64, 64, 3) and after.steps == 4


def test_cancel_before_start_loads_nothing(models_root, hermetic_env):
    b = DiffusersBackend(BackendSettings(device="cpu", models_root=models_root))
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled):
        b.generate(GenerationRequest(model="tiny-ltx", prompt="x"), cancel=cancel)
    assert b.loaded() == []


def test_cuda_out_of_memory_names_the_fix_and_the_next_job_runs(backend):
    import torch

    request = GenerationRequest(model="tiny-wan", prompt="x", seed=5, width=64, height=64)
    reference = backend.generate(request).frames

    def blow_up(p: Progress) -> None:
        if p.phase == "denoising":
            raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 20.00 GiB")

    with pytest.raises(GenerationError) as info:
        backend.generate(request, progress=blow_up)
    err = info.value
    assert err.kind == "out_of_memory"
    assert "offload=model" in str(err) and "PROMPTCUT_OFFLOAD=model" in err.hint
    assert err.fix == {"offload": "model", "vae_tiling": True}
    assert err.__cause__ is None and err.__context__ is None  # nothing keeps the failed step's tensors alive
    assert np.array_equal(backend.generate(request).frames, reference)


def test_other_pipeline_failures_become_generation_errors(backend):
    def broken(p: Progress) -> None:
        if p.phase == "denoising":
            raise ValueError("something odd")

    with pytest.raises(GenerationError) as info:
        backend.generate(GenerationRequest(model="tiny-wan", prompt="x", width=64, height=64), progress=broken)
    assert info.value.kind == "pipeline" and "ValueError: something odd" in str(info.value)
    assert "Traceback" in info.value.detail
    assert gen(backend, width=64, height=64).frames.shape[0] == 9


def test_missing_real_model_says_how_to_get_it(tmp_path, hf_cache):
    b = DiffusersBackend(BackendSettings(device="cpu", models_root=str(tmp_path), hf_cache_dir=hf_cache))
    with pytest.raises(ModelNotInstalled) as info:
        b.generate(GenerationRequest(model="wan2.1-t2v-1.3b", prompt="x"))
    assert info.value.kind == "model_missing"
    assert "promptcut models download wan2.1-t2v-1.3b" in str(info.value)


# -- keeping models warm --------------------------------------------------------------------------------------------


def test_lru_keeps_at_most_max_loaded(models_root, hermetic_env):
    b = DiffusersBackend(BackendSettings(device="cpu", max_loaded=1, models_root=models_root))
    first = gen(b, width=64, height=64)
    assert b.loaded() == ["tiny-wan"] and first.timings["load_s"] > 0
    warm = gen(b, width=64, height=64)
    assert warm.timings["load_s"] == 0.0
    gen(b, model="tiny-ltx", width=64, height=64)
    assert b.loaded() == ["tiny-ltx"]
    b.unload()
    assert b.loaded() == []


def test_switching_pipeline_classes_keeps_one_copy_of_the_weights(backend):
    gen(backend, model="tiny-ltx", width=64, height=64)
    gen(backend, model="tiny-ltx", width=64, height=64, first_image=RED)
    loaded = backend.load("tiny-ltx")
    condition = loaded.derived["LTXConditionPipeline"]
    assert condition.transformer is loaded.base.transformer and condition.vae is loaded.base.vae


# -- registry-driven details, exercised through patched registry entries of the tiny models -----------------------


def test_wan_vae_stays_float32_next_to_a_bf16_transformer(models_root, monkeypatch):
    import dataclasses

    import torch

    from generation import models

    monkeypatch.setitem(models.MODELS, "tiny-wan", dataclasses.replace(get_model("tiny-wan"), vae_fp32=True))
    b = DiffusersBackend(BackendSettings(device="cpu", dtype="bfloat16", models_root=models_root))
    r = gen(b, width=64, height=64)
    assert r.dtype == "bfloat16" and r.frames.shape == (9, 64, 64, 3)
    loaded = b.load("tiny-wan")
    i2v = loaded.pipeline("WanImageToVideoPipeline")  # built from the same parts: no dtype cast on the way
    assert loaded.base.transformer.dtype == torch.bfloat16 and loaded.base.text_encoder.dtype == torch.bfloat16
    assert loaded.base.vae.dtype == torch.float32 and i2v.vae is loaded.base.vae
    b.close()


def test_a_distilled_schedule_is_used_when_the_step_count_matches(models_root, monkeypatch):
    import dataclasses

    from generation import models

    distilled = dataclasses.replace(
        get_model("tiny-ltx"),
        pipelines=LTX_ALL,  # every mode through LTXConditionPipeline, as the real distilled model
        default_steps=4,
        default_guidance=1.0,
        call_defaults=(("max_sequence_length", 16), ("timesteps", (1000, 900, 700, 0.03))),
    )
    monkeypatch.setitem(models.MODELS, "tiny-ltx", distilled)
    b = DiffusersBackend(BackendSettings(device="cpu", models_root=models_root))
    events: list[Progress] = []
    r = b.generate(GenerationRequest(model="tiny-ltx", prompt="x", width=64, height=64), progress=events.append)
    assert r.pipeline_class == "LTXConditionPipeline" and r.notes == []
    assert [e.step for e in events if e.phase == "denoising"] == [1, 2, 3, 4]
    other = b.generate(GenerationRequest(model="tiny-ltx", prompt="x", width=64, height=64, steps=3))
    assert any("distilled schedule" in n for n in other.notes) and other.steps == 3
    b.close()


def test_describe_reports_device_and_loaded_models(backend):
    gen(backend, width=64, height=64)
    info = backend.describe()
    assert info["backend"] == "diffusers" and info["device"] == "cpu" and "tiny-wan" in info["loaded"]
    assert info["diffusers"] and info["torch"]
