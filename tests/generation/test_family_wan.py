"""Wan 2.2 A14B (two experts) and Wan VACE: registry facts, frame arithmetic, and the tiny twins generating through
the real backend on the CPU for every ability they list."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from generation.backends.families import family_for
from generation.backends.families.wan import second_guidance
from generation.backends.families.wan_vace import context_frames, layout
from generation.model_types import Ability, FrameRule
from generation.models import get_model, list_models
from generation.request import GenerationRequest

A = Ability
VACE_ABILITIES = {
    A.TEXT_TO_VIDEO,
    A.IMAGE_TO_VIDEO,
    A.FIRST_LAST_FRAME,
    A.VIDEO_EXTENSION,
    A.VIDEO_LEAD_IN,
    A.REFERENCE_IMAGES,
}


def frames(seed: int, n: int, size: int = 64) -> np.ndarray:
    """``n`` flat-coloured frames, a colour each (pixel noise would average out in a tiny random VAE)."""
    colours = np.random.default_rng(seed).integers(0, 256, (n, 1, 1, 3), dtype=np.uint8)
    return np.ascontiguousarray(np.broadcast_to(colours, (n, size, size, 3)))


def gen(backend, model: str, **kw):
    kw.setdefault("prompt", "a lighthouse at dusk")
    kw.setdefault("seed", 3)
    kw.setdefault("num_frames", 9)
    return backend.generate(GenerationRequest(model=model, width=64, height=64, **kw))


def control_of(backend, **kw):
    """Generate with the tiny VACE twin and catch the control latents its transformer receives. The tiny random VAE
    decodes most latents to near the same grey, so conditioning that reaches the model can vanish in 8-bit
    pixels; the control latents show it did reach it."""
    pipe = backend.load("tiny-wan-vace").base
    seen = []

    def grab(module, args, kwargs):
        if not seen:
            seen.append(kwargs["control_hidden_states"].detach().clone())

    handle = pipe.transformer.register_forward_pre_hook(grab, with_kwargs=True)
    try:
        result = gen(backend, "tiny-wan-vace", **kw)
    finally:
        handle.remove()
    return result, seen[0]


# -- registry facts ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("model_id", ["wan2.2-t2v-a14b", "wan2.2-i2v-a14b"])
def test_a14b_entries(model_id):
    m = get_model(model_id)
    assert m.family == "wan" and m.fps == 16 and m.default_frames == 81 and m.default_steps == 40
    assert {str(s) for s in m.sizes} >= {"832x480", "480x832", "1280x720"}
    assert m.params_b == 27.0 and m.license == "Apache-2.0" and not m.license_restricted
    assert m.frames.is_valid(81) and not m.frames.is_valid(80)
    assert "guidance_scale_2" in m.call_kwargs and m.vram is not None
    (lightning,) = m.fast_variants
    assert lightning.kind == "step_distill_lora" and lightning.both_transformers
    assert (lightning.steps, lightning.guidance) == (4, 1.0) and lightning.weight_name.endswith(".safetensors")
    expected = {
        "wan2.2-t2v-a14b": ("WanPipeline", A.TEXT_TO_VIDEO),
        "wan2.2-i2v-a14b": ("WanImageToVideoPipeline", A.IMAGE_TO_VIDEO),
    }
    cls, ability = expected[model_id]
    assert m.base_pipeline == cls and m.abilities == {ability}


@pytest.mark.parametrize("model_id", ["wan2.1-vace-1.3b", "wan2.1-vace-14b", "tiny-wan-vace"])
def test_vace_entries_do_everything_through_one_pipeline(model_id):
    m = get_model(model_id)
    assert m.family == "wan-vace" and m.base_pipeline == "WanVACEPipeline"
    assert m.abilities == VACE_ABILITIES
    assert m.pipeline_classes == ("WanVACEPipeline",)
    assert m.can_chain and m.license.startswith("Apache-2.0")


def test_vace_repos_and_sizes():
    small, big = get_model("wan2.1-vace-1.3b"), get_model("wan2.1-vace-14b")
    assert small.repo == "Wan-AI/Wan2.1-VACE-1.3B-diffusers" and big.repo == "Wan-AI/Wan2.1-VACE-14B-diffusers"
    assert {str(s) for s in small.sizes} == {"832x480", "480x832"}
    assert "1280x720" in {str(s) for s in big.sizes}
    assert (small.params_b, big.params_b) == (1.3, 14.0)


def test_tiny_twins_register_their_draft_loras():
    (tiny,) = get_model("tiny-wan").fast_variants
    assert (tiny.repo, tiny.weight_name, tiny.steps, tiny.guidance) == (
        "promptcut-test/tiny-wan-lightx2v",
        "tiny_wan_lightx2v.safetensors",
        4,
        1.0,
    )
    assert not tiny.both_transformers
    (a14b,) = get_model("tiny-wan-a14b").fast_variants
    assert (a14b.repo, a14b.weight_name) == (
        "promptcut-test/tiny-wan-a14b-lightning",
        "tiny_wan_a14b_lightning.safetensors",
    )
    assert a14b.both_transformers and (a14b.steps, a14b.guidance) == (4, 1.0)


def test_new_entries_are_listed():
    ids = {m.id for m in list_models(include_test=True)}
    assert {"wan2.2-t2v-a14b", "wan2.2-i2v-a14b", "wan2.1-vace-1.3b", "wan2.1-vace-14b"} <= ids
    assert {"tiny-wan-a14b", "tiny-wan-vace"} <= ids


# -- frame arithmetic -------------------------------------------------------------------------------------------

WAN = FrameRule(step=4)


@pytest.mark.parametrize("mode", [A.VIDEO_EXTENSION, A.VIDEO_LEAD_IN])
@pytest.mark.parametrize("new", [5, 9, 81])
@pytest.mark.parametrize("clip", [1, 2, 3, 4, 7, 16, 40])
def test_vace_layout_makes_exactly_the_new_frames(mode, new, clip):
    plan = layout(mode, new, clip, WAN, context=16)
    assert WAN.is_valid(plan.total, bounded=False)  # the pipeline would round anything else
    assert 1 <= plan.kept <= min(clip, 16)
    assert plan.take.stop - plan.take.start == new
    if mode is A.VIDEO_EXTENSION:
        assert plan.take.start == plan.kept  # the take starts right after the kept clip frames
    else:
        assert plan.take.stop == plan.total - plan.kept  # and ends right before them
    if clip >= 4:
        assert plan.kept % 4 == 0 and plan.total == plan.kept + new  # no wasted frames


def test_vace_context_is_at_most_a_second_and_half_a_window():
    assert context_frames(get_model("wan2.1-vace-14b")) == 16
    assert context_frames(get_model("tiny-wan-vace")) == 8


# -- tiny Wan 2.2 A14B --------------------------------------------------------------------------------------------


def test_tiny_a14b_runs_both_experts(backend):
    loaded = backend.load("tiny-wan-a14b")
    pipe = loaded.base
    assert pipe.transformer_2 is not None and pipe.config.boundary_ratio == 0.875
    calls = {"transformer": 0, "transformer_2": 0}
    hooks = [
        getattr(pipe, name).register_forward_hook(lambda *_, n=name: calls.__setitem__(n, calls[n] + 1))
        for name in calls
    ]
    try:
        r = gen(backend, "tiny-wan-a14b", steps=8)
    finally:
        for h in hooks:
            h.remove()
    assert r.frames.shape == (9, 64, 64, 3) and r.mode == "text_to_video"
    assert calls["transformer"] > 0 and calls["transformer_2"] > 0  # high-noise then low-noise expert


def test_tiny_a14b_second_guidance_follows_the_recipe(backend):
    model = get_model("tiny-wan-a14b")
    pipe = backend.load(model).base
    assert second_guidance(pipe, model, model.default_guidance) == 3.0  # the registered low-noise guidance
    assert second_guidance(pipe, model, 1.0) == 1.0  # a Draft's CFG 1 holds for both experts
    one_expert = backend.load("tiny-wan").base
    assert second_guidance(one_expert, get_model("tiny-wan"), 5.0) is None  # WanPipeline would refuse it
    # And through the family's real call_kwargs:
    from generation.backends.diffusers_backend import plan_shot

    request = GenerationRequest(model=model.id, prompt="x", width=64, height=64, guidance=1.0)
    kwargs, _ = family_for(model).call_kwargs(pipe, model, request, plan_shot(model, request))
    assert kwargs["guidance_scale"] == kwargs["guidance_scale_2"] == 1.0


def test_tiny_a14b_is_deterministic_by_seed(backend):
    a, b, c = (gen(backend, "tiny-wan-a14b", seed=s).frames for s in (5, 5, 6))
    assert np.array_equal(a, b) and not np.array_equal(a, c)


# -- tiny Wan VACE ----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def vace_text(backend):
    return gen(backend, "tiny-wan-vace")


def test_vace_text_to_video(vace_text, backend):
    assert vace_text.frames.shape == (9, 64, 64, 3)
    assert (vace_text.mode, vace_text.pipeline_class) == ("text_to_video", "WanVACEPipeline")
    assert np.array_equal(gen(backend, "tiny-wan-vace").frames, vace_text.frames)  # same seed, same shot


def test_vace_first_frame_and_bridge_condition_the_shot(vace_text, backend):
    first, other, last = frames(1, 1)[0], frames(2, 1)[0], frames(3, 1)[0]
    i2v = gen(backend, "tiny-wan-vace", first_image=first)
    assert i2v.mode == "image_to_video" and i2v.frames.shape == (9, 64, 64, 3)
    assert not np.array_equal(i2v.frames, vace_text.frames)
    assert not np.array_equal(gen(backend, "tiny-wan-vace", first_image=other).frames, i2v.frames)
    flf, control = control_of(backend, first_image=first, last_image=last)
    assert flf.mode == "first_last_frame" and flf.frames.shape == (9, 64, 64, 3)
    _, control_other_last = control_of(backend, first_image=first, last_image=other)
    # The last latent frame carries the last image; the rest of the conditioning is the same.
    assert not torch.equal(control[:, :, -1], control_other_last[:, :, -1])
    assert torch.equal(control[:, :, 0], control_other_last[:, :, 0])


def test_vace_extension_takes_only_new_frames_from_the_clip_tail(backend):
    clip = frames(10, 12)
    r = gen(backend, "tiny-wan-vace", video_prefix=clip)
    assert r.mode == "video_extension" and r.frames.shape == (9, 64, 64, 3)  # the new frames only
    assert any("last 8 frames" in n for n in r.notes)
    other_tail = clip.copy()
    other_tail[-4:] = 255 - other_tail[-4:]
    assert not np.array_equal(gen(backend, "tiny-wan-vace", video_prefix=other_tail).frames, r.frames)
    other_head = clip.copy()
    other_head[:4] = 0  # outside the 8 frames of context: no influence
    assert np.array_equal(gen(backend, "tiny-wan-vace", video_prefix=other_head).frames, r.frames)


def test_vace_lead_in_takes_only_new_frames_before_the_clip_head(backend):
    clip = frames(20, 12)
    r, control = control_of(backend, video_suffix=clip)
    assert r.mode == "video_lead_in" and r.frames.shape == (9, 64, 64, 3)
    assert any("first 8 frames" in n for n in r.notes)
    other_head = clip.copy()
    other_head[:4] = 255 - other_head[:4]
    _, other_control = control_of(backend, video_suffix=other_head)
    assert not torch.equal(control, other_control)  # the clip's head conditions the shot's end
    assert torch.equal(control[:, :, :2], other_control[:, :, :2])  # and not its start
    other_tail = clip.copy()
    other_tail[8:] = 0  # after the 8 frames led into: no influence
    assert np.array_equal(gen(backend, "tiny-wan-vace", video_suffix=other_tail).frames, r.frames)


def test_vace_reference_images_condition_the_shot(vace_text, backend):
    ref, control = control_of(backend, reference_images=(frames(30, 1, 48)[0],))
    assert ref.frames.shape == (9, 64, 64, 3)  # the reference latents are not in the take
    assert not np.array_equal(ref.frames, vace_text.frames)
    _, plain = control_of(backend)
    assert control.shape[2] == plain.shape[2] + 1  # one more latent frame: the reference, in front
    _, other = control_of(backend, reference_images=(frames(31, 1, 48)[0],))
    assert not torch.equal(other[:, :, 0], control[:, :, 0]) and torch.equal(other[:, :, 1:], control[:, :, 1:])
