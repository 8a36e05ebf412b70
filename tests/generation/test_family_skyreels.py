"""SkyReels-V2 diffusion forcing: registry facts, the extension arithmetic, and the tiny twin generating through the
real backend (text, first/last image, extension, several windows in one call) and through the worker process."""

from __future__ import annotations

import os

import numpy as np
import pytest

from generation.backends.families.skyreels import extension_plan
from generation.jobs import JobSpec
from generation.model_types import Ability
from generation.models import get_model
from generation.request import GenerationRequest

A = Ability
DF = {A.TEXT_TO_VIDEO, A.IMAGE_TO_VIDEO, A.FIRST_LAST_FRAME, A.VIDEO_EXTENSION}


def frames(seed: int, n: int, size: int = 64) -> np.ndarray:
    """``n`` flat-coloured frames (pixel noise would average out in a tiny random VAE)."""
    colours = np.random.default_rng(seed).integers(0, 256, (n, 1, 1, 3), dtype=np.uint8)
    return np.ascontiguousarray(np.broadcast_to(colours, (n, size, size, 3)))


def gen(backend, **kw):
    kw.setdefault("prompt", "a paper boat on a river")
    kw.setdefault("seed", 4)
    kw.setdefault("num_frames", 9)
    return backend.generate(GenerationRequest(model="tiny-skyreels-df", width=64, height=64, **kw))


# -- registry facts ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("model_id", ["skyreels-v2-df-1.3b-540p", "skyreels-v2-df-14b-540p"])
def test_df_entries(model_id):
    m = get_model(model_id)
    assert m.family == "skyreels-df" and m.unbounded and m.can_chain
    assert m.abilities == DF and m.base_pipeline == "SkyReelsV2DiffusionForcingPipeline"
    assert m.pipeline_for(A.VIDEO_EXTENSION) == "SkyReelsV2DiffusionForcingVideoToVideoPipeline"
    assert m.pipeline_for(A.FIRST_LAST_FRAME) == "SkyReelsV2DiffusionForcingImageToVideoPipeline"
    assert m.fps == 24 and m.window == 97 and m.default_frames == 97 and m.frames.is_valid(97)
    assert {str(s) for s in m.sizes} == {"960x544", "544x960"}
    kw = m.call_kwargs
    assert (kw["base_num_frames"], kw["overlap_history"], kw["addnoise_condition"], kw["ar_step"]) == (97, 17, 20, 0)
    assert m.license_restricted and m.license_terms and m.license_url.startswith("https://huggingface.co/Skywork/")
    assert m.repo.startswith("Skywork/SkyReels-V2-DF-") and m.repo.endswith("-540P-Diffusers")


def test_tiny_twin_is_small_and_unbounded():
    m = get_model("tiny-skyreels-df")
    assert m.is_test_model and m.unbounded and m.abilities == DF and m.window == 17
    assert not m.license_restricted  # random weights carry no licence terms


# -- extension arithmetic ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("clip", [1, 2, 5, 8, 17, 40])
@pytest.mark.parametrize("new", [5, 9, 97])
def test_extension_plan_takes_the_new_frames_right_after_the_overlap(clip, new):
    plan = extension_plan(clip, new, overlap_history=17)
    assert (plan.overlap - 1) % 4 == 0 and 1 <= plan.overlap <= min(clip, 17)  # whole latent frames
    assert (plan.num_frames - 1) % 4 == 0 and plan.num_frames >= plan.overlap + new
    # Output = the clip tail as given, then the generated frames, whose first `overlap` re-decode that tail.
    assert plan.take == slice(2 * plan.overlap, 2 * plan.overlap + new)
    assert plan.take.stop <= plan.overlap + plan.num_frames


# -- the tiny twin through the backend -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def text_shot(backend):
    return gen(backend)


def test_text_to_video_is_deterministic(text_shot, backend):
    assert text_shot.frames.shape == (9, 64, 64, 3)
    assert (text_shot.mode, text_shot.pipeline_class) == ("text_to_video", "SkyReelsV2DiffusionForcingPipeline")
    assert text_shot.fps == 24
    assert np.array_equal(gen(backend).frames, text_shot.frames)
    assert not np.array_equal(gen(backend, seed=5).frames, text_shot.frames)


def test_a_shot_longer_than_the_window_is_one_call(backend):
    r = gen(backend, num_frames=25)
    assert r.frames.shape == (25, 64, 64, 3) and r.windows == 1  # chained inside the pipeline
    assert any("2 diffusion-forcing windows of 17 frames, overlapping by 5" in n for n in r.notes)
    assert r.frames.std() > 0


def test_an_extension_is_the_same_take_on_every_call_of_a_seed(backend):
    # SkyReels DF's addnoise_condition draws from torch's global generator; the backend seeds it per call.
    import torch

    clip = frames(11, 12)
    torch.manual_seed(1)
    first = gen(backend, video_prefix=clip).frames
    torch.manual_seed(2)
    assert np.array_equal(gen(backend, video_prefix=clip).frames, first)
    torch.manual_seed(3)
    before = torch.rand(1)
    torch.manual_seed(3)
    gen(backend, video_prefix=clip)
    assert torch.equal(torch.rand(1), before)  # the process's own random state is left as it was


def test_first_and_last_images_condition_the_shot(text_shot, backend):
    first, last = frames(1, 1)[0], frames(2, 1)[0]
    i2v = gen(backend, first_image=first)
    assert i2v.mode == "image_to_video" and i2v.frames.shape == (9, 64, 64, 3)
    assert i2v.pipeline_class == "SkyReelsV2DiffusionForcingImageToVideoPipeline"
    assert not np.array_equal(i2v.frames, text_shot.frames)
    assert not np.array_equal(gen(backend, first_image=frames(3, 1)[0]).frames, i2v.frames)
    flf = gen(backend, first_image=first, last_image=last)
    assert flf.mode == "first_last_frame" and flf.frames.shape == (9, 64, 64, 3)


def test_extension_is_the_new_frames_only_conditioned_on_the_clip_tail(backend):
    clip = frames(10, 12)
    r = gen(backend, video_prefix=clip)
    assert r.mode == "video_extension" and r.pipeline_class == "SkyReelsV2DiffusionForcingVideoToVideoPipeline"
    assert r.frames.shape == (9, 64, 64, 3)  # neither the clip nor its re-decoded overlap
    assert any("last 5 frames" in n for n in r.notes)
    def diff(a, b) -> int:
        return int(np.abs(a.astype(np.int16) - b.astype(np.int16)).max())

    tail = clip.copy()
    tail[-5:] = 255 - tail[-5:]
    assert diff(gen(backend, video_prefix=tail).frames, r.frames) > 8
    head = clip.copy()
    head[:7] = 0  # before the 5-frame overlap: never passed to the pipeline
    assert np.array_equal(gen(backend, video_prefix=head).frames, r.frames)
    longer = gen(backend, video_prefix=clip, num_frames=17)
    assert longer.frames.shape == (17, 64, 64, 3)


# -- through the worker ------------------------------------------------------------------------------------------


def test_an_extension_runs_through_the_worker(models_root, tmp_path):
    from generation.video_files import read_frames
    from generation.writer import write_video
    from tests.generation.test_worker import RawWorker

    clip_path = write_video(frames(40, 12), tmp_path / "clip.mp4", 24)
    spec = JobSpec(
        model="tiny-skyreels-df",
        prompt="a paper boat",
        negative_prompt="",
        seed=2,
        width=64,
        height=64,
        num_frames=9,
        steps=2,
        guidance=6.0,
        prefix_video=str(clip_path),
    )
    w = RawWorker("--parent-pid", str(os.getpid()), "--models-dir", models_root, log=tmp_path / "worker.log")
    try:
        w.expect("ready", timeout=120)
        out = tmp_path / "take.mp4"
        w.send({"cmd": "submit", "job": "x1", "spec": spec.to_dict(), "output": str(out)})
        done = w.expect("done", job="x1", timeout=300)
        assert done["mode"] == "video_extension"
        assert done["pipeline_class"] == "SkyReelsV2DiffusionForcingVideoToVideoPipeline"
        assert read_frames(out).shape == (9, 64, 64, 3)
        w.send({"cmd": "shutdown"})
        assert w.proc.wait(timeout=30) == 0
    finally:
        if w.proc.poll() is None:
            w.proc.kill()
