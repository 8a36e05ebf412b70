"""Long shots in chained windows, end to end on the CPU with the tiny models (real pipelines, random weights).

The registry's tiny twins have 9-frame windows (0.4 s): a 20 s shot would take 60 windows. The long-shot tests
give tiny-ltx a 97-frame window (``dataclasses.replace``, the same weights) so 20 s is six windows, as a real
LTX model's 121-frame window makes it five; the front door (``DiffusersBackend.generate``) is checked with the
registry's entries and shorter shots.
"""

from __future__ import annotations

import dataclasses
import threading

import numpy as np
import pytest
from PIL import Image

from generation.backends import windows
from generation.backends.diffusers_backend import plan_shot
from generation.errors import Cancelled, GenerationError
from generation.models import Ability, get_model
from generation.request import GenerationRequest, Progress

RED = Image.new("RGB", (64, 64), (230, 20, 20))
BLUE = Image.new("RGB", (64, 64), (20, 20, 230))


def with_window(model_id: str, frames: int):
    return dataclasses.replace(get_model(model_id), window_frames=frames)


class Spy:
    """The real backend, with each window's request and shot written down (nothing replaced)."""

    def __init__(self, backend) -> None:
        self.backend = backend
        self.calls: list[tuple[GenerationRequest, object, int, int]] = []

    def generate_window(self, model, request, shot, **kw):
        self.calls.append((request, shot, kw["window"], kw["windows"]))
        return self.backend.generate_window(model, request, shot, **kw)


def chained(backend, model, request, **hooks):
    shot = plan_shot(model, request)
    assert windows.needs_windows(model, shot)
    return windows.generate_chained(backend, model, request, shot, **hooks)


def joins(model, frames: int, *, extending: bool = False) -> list[int]:
    """Indexes of the first frame of every window after the first."""
    return list(np.cumsum(windows._layout(model, frames, extending=extending))[:-1])


def frame_means(frames: np.ndarray) -> np.ndarray:
    return frames.reshape(len(frames), -1).astype(np.float32).mean(axis=1)


def step_changes(frames: np.ndarray) -> np.ndarray:
    """Mean absolute change from each frame to the next."""
    return np.abs(np.diff(frames.astype(np.int16), axis=0)).reshape(len(frames) - 1, -1).mean(axis=1)


# -- the numbers ------------------------------------------------------------------------------------------------------


def test_window_numbers_follow_the_frame_rules():
    ltx = get_model("ltx-video-0.9.5")  # 121-frame window, 8k+1
    assert (windows.chain_mode(ltx), windows.window_frames(ltx), windows.context_frames(ltx)) == (
        Ability.VIDEO_EXTENSION,
        121,
        17,
    )
    assert windows._layout(ltx, 481, extending=False) == [121, 104, 104, 104, 48]
    assert windows._layout(ltx, 121, extending=False) == [121]
    wan = get_model("wan2.2-ti2v-5b")  # image to video: the last frame starts the next window
    assert windows.chain_mode(wan) is Ability.IMAGE_TO_VIDEO
    assert windows._layout(wan, 481, extending=False) == [121, 120, 120, 120]
    assert windows.context_frames(dataclasses.replace(get_model("tiny-ltx"), window_frames=9)) == 1  # a third of 9
    t2v = get_model("wan2.1-t2v-1.3b")
    assert windows.chain_mode(t2v) is None and windows.longest_frames(t2v) == 161
    assert windows.longest_frames(get_model("cogvideox-5b-i2v")) == 49  # fixed length
    assert windows.longest_frames(ltx) is None


# -- a 20 s shot ------------------------------------------------------------------------------------------------------


def test_a_20_s_shot_is_one_result_with_exactly_its_frames_continuous_at_the_joins(backend):
    model = with_window("tiny-ltx", 97)
    spy = Spy(backend)
    events: list[Progress] = []
    request = GenerationRequest(
        model=model.id, prompt="a kite over the sea", seed=5, width=64, height=64, num_frames=20 * model.fps
    )
    r = chained(spy, model, request, progress=events.append)

    assert r.frames.shape == (481, 64, 64, 3) and r.num_frames == 481  # 480 frames on the 8k+1 rule
    assert r.seconds >= 20 and r.fps == 24
    assert r.windows == 6 == len(spy.calls)
    assert (r.mode, r.pipeline_class, r.seed) == ("text_to_video", "LTXPipeline", 5)
    assert any("made in 6 windows" in n for n in r.notes)
    # no black frame anywhere, no repeated frame anywhere (so none at a join either)
    assert frame_means(r.frames).min() > 10
    changes = step_changes(r.frames)
    assert changes.min() > 0.5
    cuts = joins(model, 481)
    assert len(cuts) == 5 and all(changes[c - 1] > 0.5 for c in cuts)
    # window 1 as asked; each next one continues the last 17 frames (three latents) by video extension
    first_request, first_shot, _, _ = spy.calls[0]
    assert first_shot.mode is Ability.TEXT_TO_VIDEO and first_shot.num_frames == 97
    for (req, shot, i, n), cut in zip(spy.calls[1:], cuts, strict=True):
        assert shot.mode is Ability.VIDEO_EXTENSION and n == 6
        assert np.array_equal(np.asarray(req.video_prefix), r.frames[cut - 17 : cut])
        assert req.seed == 5 + i - 1  # window i draws seed + i - 1
    assert [shot.num_frames for _, shot, _, _ in spy.calls] == [97, 80, 80, 80, 80, 64]
    # progress reaches every window in order, and the whole shot's fraction only grows
    denoising = [e for e in events if e.phase == "denoising"]
    assert [e.window for e in denoising] == [w for w in range(1, 7) for _ in range(2)]
    assert all(e.windows == 6 for e in denoising)
    fractions = [e.fraction for e in denoising]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert events[-1].phase == "done" and [e.phase for e in events].count("done") == 1
    assert r.timings["denoise_s"] > 0 and r.timings["s_per_step"] > 0


class Repaint(Spy):
    """The real backend, but window 1's frames painted over with one colour before window 2 is made from them."""

    def __init__(self, backend, colour) -> None:
        super().__init__(backend)
        self.colour = colour

    def generate_window(self, model, request, shot, **kw):
        r = super().generate_window(model, request, shot, **kw)
        if kw["window"] == 1:
            r.frames = np.empty_like(r.frames)
            r.frames[:] = self.colour
        return r


@pytest.mark.parametrize(("model", "frames"), [(with_window("tiny-ltx", 33), 57), (get_model("tiny-wan"), 17)])
def test_the_second_window_is_conditioned_on_the_end_of_the_first(backend, model, frames):
    # (A first image barely reaches the end of a tiny random-weight window, so window 1 is changed outright.)
    request = GenerationRequest(model=model.id, prompt="waves at dusk", seed=9, width=64, height=64, num_frames=frames)
    plain = chained(Spy(backend), model, request)
    green = chained(Repaint(backend, (20, 230, 20)), model, request)
    cut = joins(model, frames)[0]
    assert plain.windows == green.windows == 2 and plain.num_frames == green.num_frames == frames
    assert (green.frames[:cut] == (20, 230, 20)).all()
    # Window 2 has the same seed and prompt in both: only window 1's end, carried over, tells them apart...
    start = np.s_[cut : cut + 2]
    assert np.abs(green.frames[start].astype(int) - plain.frames[start].astype(int)).mean() > 1

    # ...and it starts nearer the green it continues.
    def greenness(f):
        return float(f[..., 1].mean() - f[..., [0, 2]].mean())

    assert greenness(green.frames[cut]) > greenness(plain.frames[cut])


def test_image_to_video_chaining_through_the_front_door(backend):
    # The registry's tiny-wan (Wan 2.2 TI2V layout, 9-frame window) has no video extension: the last frame made
    # starts the next window, whose first frame (that same frame, re-made) is dropped.
    events: list[Progress] = []
    r = backend.generate(
        GenerationRequest(model="tiny-wan", prompt="a red fox", seed=2, width=64, height=64, num_frames=25),
        progress=events.append,
    )
    assert r.frames.shape == (25, 64, 64, 3) and r.windows == 3
    assert (r.mode, r.pipeline_class) == ("text_to_video", "WanPipeline")
    assert sorted({e.window for e in events if e.phase == "denoising"}) == [1, 2, 3]
    assert step_changes(r.frames).min() > 0.5 and frame_means(r.frames).min() > 10


def test_image_to_video_windows_start_from_the_last_frame_made(backend):
    model = get_model("tiny-wan")
    spy = Spy(backend)
    r = chained(
        spy,
        model,
        GenerationRequest(model="tiny-wan", prompt="x", seed=4, width=64, height=64, num_frames=21, first_image=RED),
    )
    assert r.num_frames == 21 and [shot.mode for _, shot, _, _ in spy.calls] == [Ability.IMAGE_TO_VIDEO] * 3
    assert [shot.num_frames for _, shot, _, _ in spy.calls] == [9, 9, 5]  # 9 + 8 + 4 kept
    assert spy.calls[0][0].first_image is RED
    assert np.array_equal(np.asarray(spy.calls[1][0].first_image), r.frames[8])
    assert np.array_equal(np.asarray(spy.calls[2][0].first_image), r.frames[16])


def test_end_conditioning_goes_to_the_last_window_and_colours_are_matched_once(backend, tmp_path):
    model = with_window("tiny-ltx", 33)
    ref = tmp_path / "ref.png"
    Image.new("RGB", (32, 32), (200, 120, 40)).save(ref)
    spy = Spy(backend)
    r = chained(
        spy,
        model,
        GenerationRequest(
            model=model.id,
            prompt="x",
            seed=1,
            width=64,
            height=64,
            num_frames=57,
            first_image=RED,
            last_image=BLUE,
            color_reference=str(ref),
        ),
    )
    (a, a_shot, _, _), (b, b_shot, _, _) = spy.calls
    assert a.first_image is RED and a.last_image is None and a_shot.mode is Ability.IMAGE_TO_VIDEO
    assert b.first_image is None and b.last_image is BLUE and b_shot.mode is Ability.VIDEO_EXTENSION
    assert a.color_reference is None and b.color_reference is None  # per window it could jump at the join
    assert r.mode == "first_last_frame" and r.request["color_reference"] == {"path": str(ref)}
    mean = r.frames.reshape(-1, 3).mean(axis=0)
    assert mean[0] > mean[2]  # pulled toward the orange reference as one shot


# -- video extension: the take is the new frames only ------------------------------------------------------------------


def test_ltx_extension_returns_only_the_new_frames(backend):
    model = with_window("tiny-ltx", 33)
    prefix = np.zeros((20, 64, 64, 3), dtype=np.uint8)
    prefix[..., 1] = 200
    request = GenerationRequest(
        model=model.id, prompt="x", seed=3, width=64, height=64, num_frames=24, video_prefix=prefix
    )
    shot = dataclasses.replace(plan_shot(model, request), num_frames=24)
    assert shot.mode is Ability.VIDEO_EXTENSION and not windows.needs_windows(model, shot)  # 9 + 24 = 33
    r = backend.generate_window(model, request, shot)
    assert r.frames.shape == (24, 64, 64, 3) and r.num_frames == 24
    # A longer extension chains: 24 new frames a window after the 9 carried over.
    long = dataclasses.replace(shot, num_frames=60)
    assert windows.needs_windows(model, long)
    r2 = windows.generate_chained(backend, model, request, long)
    assert r2.frames.shape == (60, 64, 64, 3) and r2.windows == 3 and r2.mode == "video_extension"
    assert step_changes(r2.frames).min() > 0.5


# -- cancelling and refusing ------------------------------------------------------------------------------------------


def test_cancel_during_the_second_window_stops_the_shot(backend):
    model = with_window("tiny-ltx", 17)
    cancel = threading.Event()
    seen: list[int] = []

    def progress(p: Progress) -> None:
        if p.phase == "denoising":
            seen.append(p.window)
            if p.window == 2:
                cancel.set()

    with pytest.raises(Cancelled):
        chained(
            backend,
            model,
            GenerationRequest(model=model.id, prompt="x", width=64, height=64, num_frames=49),
            progress=progress,
            cancel=cancel,
        )
    assert seen == [1, 1, 2]  # stopped at window 2's first step: no third window


def test_a_model_that_cannot_continue_a_shot_refuses_a_long_one_in_one_line(backend):
    request = GenerationRequest(
        model="tiny-wan-flf", prompt="x", width=64, height=64, num_frames=41, first_image=RED, last_image=BLUE
    )
    with pytest.raises(GenerationError) as info:
        backend.generate(request)
    assert info.value.kind == "bad_request"
    assert "at most 17 frames (1.06 s)" in info.value.message and "\n" not in info.value.message
    # ...while one up to twice its window is still one call
    assert backend.generate(dataclasses.replace(request, num_frames=17)).num_frames == 17
