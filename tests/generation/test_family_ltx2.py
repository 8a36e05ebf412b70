"""LTX-2.x: registry facts, the latent-index arithmetic of its conditions, and the tiny twin generating picture
and sound through the real backend (every ability it lists) and through the worker into an MP4 with sound."""

from __future__ import annotations

import json
import os
from pathlib import Path

import av
import numpy as np
import pytest

from generation.backends.families import family_for
from generation.backends.families.ltx2 import latent_index
from generation.model_types import Ability
from generation.models import get_model
from generation.request import GenerationRequest, Keyframe

A = Ability
REAL = ("ltx-2-19b", "ltx-2-19b-distilled", "ltx-2.3", "ltx-2.5-distilled")


def image(seed: int, h: int = 64, w: int = 32) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (h, w, 3), dtype=np.uint8)


def clip(seed: int, n: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (n, 64, 32, 3), dtype=np.uint8)


def gen(backend, **kw):
    kw.setdefault("prompt", "rain on a tin roof")
    kw.setdefault("seed", 5)
    kw.setdefault("num_frames", 9)
    return backend.generate(GenerationRequest(model="tiny-ltx2", width=32, height=64, **kw))


def assert_sound_fits(result) -> None:
    assert result.audio is not None and result.audio.dtype == np.float32 and result.audio.ndim == 2
    assert result.audio.shape[1] == 2 and result.audio_rate == 16000  # the tiny vocoder: stereo, 16 kHz
    seconds = len(result.audio) / result.audio_rate
    picture = result.num_frames / result.fps
    # The causal audio VAE comes back a few mel frames short (3 x 10 ms at the tiny twin's hop).
    assert picture - 0.06 <= seconds <= picture + 0.01
    assert np.isfinite(result.audio).all() and np.abs(result.audio).max() > 0


# -- registry facts ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("model_id", REAL)
def test_real_entries(model_id):
    m = get_model(model_id)
    assert m.family == "ltx2" and m.makes_audio and m.fps == 24 and m.default_frames == 121
    assert m.frames.is_valid(121) and not m.frames.is_valid(120) and m.size_multiple == 32
    assert {str(s) for s in m.sizes} == {"768x512", "512x768"}
    assert m.pipeline_for(A.TEXT_TO_VIDEO) == "LTX2Pipeline"
    assert m.pipeline_for(A.IMAGE_TO_VIDEO) == "LTX2ImageToVideoPipeline"
    for ability in (A.FIRST_LAST_FRAME, A.KEYFRAMES, A.VIDEO_EXTENSION, A.VIDEO_LEAD_IN):
        assert m.pipeline_for(ability) == "LTX2ConditionPipeline"
    assert m.license_restricted and m.license_terms and m.license_url.startswith("https://")
    assert m.can_chain and m.describe()["makes_audio"] is True
    if "distilled" in model_id:
        assert (m.default_steps, m.default_guidance) == (8, 1.0) and m.few_step
        assert len(m.call_kwargs["sigmas"]) == 8


def test_repos_and_the_gated_licence():
    assert get_model("ltx-2-19b").repo == "Lightricks/LTX-2"
    assert get_model("ltx-2.3").repo == "diffusers/LTX-2.3-Diffusers"
    m = get_model("ltx-2.5-distilled")
    assert m.repo == "Lightricks/LTX-2.5-Diffusers" and "gated" in m.license_terms.lower()
    (variant,) = get_model("ltx-2-19b").fast_variants
    assert variant.registry_id == "ltx-2-19b-distilled" and get_model(variant.registry_id).repo == variant.repo


def test_tiny_twin():
    m = get_model("tiny-ltx2")
    assert m.is_test_model and m.makes_audio and m.family == "ltx2" and m.window == 17
    assert m.abilities == {
        A.TEXT_TO_VIDEO,
        A.IMAGE_TO_VIDEO,
        A.FIRST_LAST_FRAME,
        A.KEYFRAMES,
        A.VIDEO_EXTENSION,
        A.VIDEO_LEAD_IN,
    }


def test_latent_index():
    # LTX-2's causal VAE: frame 0 is latent 0, then 8 frames per latent.
    assert [latent_index(f, 8) for f in (0, 1, 8, 9, 16, 17, 120)] == [0, 1, 1, 2, 2, 3, 15]


def test_distilled_schedule_dropped_for_another_step_count(backend):
    m = get_model("ltx-2-19b-distilled")
    from generation.backends.diffusers_backend import plan_shot

    shot = plan_shot(m, GenerationRequest(model=m.id, prompt="x", steps=6))
    pipe = backend.load(get_model("tiny-ltx2")).pipeline("LTX2Pipeline")
    kwargs, notes = family_for(m).call_kwargs(pipe, m, GenerationRequest(model=m.id, prompt="x", steps=6), shot)
    assert "sigmas" not in kwargs and any("distilled schedule" in n for n in notes)
    assert kwargs["audio_guidance_scale"] == 1.0 and kwargs["frame_rate"] == 24.0
    shot8 = plan_shot(m, GenerationRequest(model=m.id, prompt="x"))
    kwargs8, _ = family_for(m).call_kwargs(pipe, m, GenerationRequest(model=m.id, prompt="x"), shot8)
    assert len(kwargs8["sigmas"]) == 8


# -- the tiny twin through the backend ------------------------------------------------------------------------


def test_text_to_video_brings_sound(backend):
    result = gen(backend)
    assert result.frames.shape == (9, 64, 32, 3) and result.pipeline_class == "LTX2Pipeline"
    assert_sound_fits(result)
    again = gen(backend)
    assert np.array_equal(result.frames, again.frames) and np.array_equal(result.audio, again.audio)
    other = gen(backend, seed=6)
    assert not np.array_equal(result.audio, other.audio)


def test_image_to_video(backend):
    result = gen(backend, first_image=image(1))
    assert result.mode == "image_to_video" and result.pipeline_class == "LTX2ImageToVideoPipeline"
    assert result.frames.shape == (9, 64, 32, 3)
    assert_sound_fits(result)


def test_first_last_and_keyframes(backend):
    flf = gen(backend, num_frames=17, first_image=image(1), last_image=image(2))
    assert flf.mode == "first_last_frame" and flf.pipeline_class == "LTX2ConditionPipeline"
    assert flf.frames.shape == (17, 64, 32, 3)
    assert_sound_fits(flf)
    keys = gen(backend, num_frames=17, first_image=image(1), keyframes=(Keyframe(frame=8, image=image(3)),))
    assert keys.mode == "keyframes" and keys.frames.shape == (17, 64, 32, 3)
    assert not np.array_equal(keys.frames, flf.frames)


def test_extension_holds_new_frames_and_their_sound(backend):
    prefix = clip(4, 20)
    result = gen(backend, num_frames=9, video_prefix=prefix)
    assert result.mode == "video_extension" and result.frames.shape == (9, 64, 32, 3)
    assert result.audio is not None and len(result.audio) == round(9 * result.audio_rate / 24)


def test_lead_in(backend):
    result = gen(backend, num_frames=17, video_suffix=clip(5, 20))
    assert result.mode == "video_lead_in" and result.frames.shape == (17, 64, 32, 3)
    assert_sound_fits(result)


def test_lead_in_conditions_sit_at_the_last_latents(backend):
    m = get_model("tiny-ltx2")
    from generation.backends.diffusers_backend import plan_shot

    request = GenerationRequest(model=m.id, prompt="x", num_frames=17, video_suffix=clip(5, 20))
    shot = plan_shot(m, request)
    pipe = backend.load(m).pipeline("LTX2ConditionPipeline")
    kwargs, _ = family_for(m).call_kwargs(pipe, m, request, shot)
    (cond,) = kwargs["conditions"]
    ratio = pipe.vae_temporal_compression_ratio  # 2 in the tiny VAE
    latents = latent_index(16, ratio) + 1
    frames = len(cond.frames)
    assert (frames - 1) % ratio == 0 and cond.index + (frames - 1) // ratio == latents - 1


# -- through the worker: an MP4 with its sound ----------------------------------------------------------------


def test_worker_writes_a_take_with_an_audio_stream(models_root, tmp_path):
    from tests.generation.test_worker import RawWorker, spec_dict

    w = RawWorker("--parent-pid", str(os.getpid()), "--models-dir", models_root, log=tmp_path / "worker.log")
    try:
        w.expect("ready", timeout=120)
        out = tmp_path / "take.mp4"
        spec = spec_dict(model="tiny-ltx2", width=32, height=64, num_frames=17, steps=2, guidance=1.0)
        w.send({"cmd": "submit", "job": "a1", "spec": spec, "output": str(out)})
        done = w.expect("done", job="a1", timeout=300)
        with av.open(str(out)) as c:
            assert len(c.streams.video) == 1 and len(c.streams.audio) == 1
            a = c.streams.audio[0]
            samples = sum(f.samples for f in c.decode(a))
            assert a.codec_context.name == "aac" and a.rate == 48000
        assert abs(samples - round(17 / 24 * 48000)) <= 2 * 1024
        sidecar = json.loads(Path(done["sidecar"]).read_text())
        assert sidecar["audio"]["codec"] == "aac" and sidecar["audio"]["source_rate"] == 16000
    finally:
        w.send({"cmd": "shutdown"})
        w.proc.wait(timeout=30)
