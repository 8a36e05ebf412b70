"""Planning jobs from segments: frame counts that cover, native sizes, conditioning by ability, order, seeds.

Pure Python: nothing here imports torch (checked in a subprocess at the end).
"""

from __future__ import annotations

import itertools
import subprocess
import sys
from fractions import Fraction

import pytest

from generation.models import Ability, get_model, list_models
from generation.plan import MAX_RANDOM_SEED, PlanError, SegmentNeed, describe, plan_job, plan_jobs


def need(key="s1", seconds=Fraction(1), model="tiny-wan", **kw) -> SegmentNeed:
    return SegmentNeed(key=key, seconds=seconds, prompt=kw.pop("prompt", "a kite over the sea"), model=model, **kw)


# -- frame counts ----------------------------------------------------------------------------------------------------


WAN_LENGTHS = [Fraction(1, 30), Fraction(1, 2), Fraction(1), Fraction(61, 30), Fraction(5)]


# tiny-wan-flf cannot continue a shot: at most twice its 9-frame window (1.06 s at 16 fps), see below.
@pytest.mark.parametrize(
    ("model_id", "seconds"),
    [(m, s) for m in ("tiny-wan", "wan2.1-t2v-1.3b", "wan2.2-ti2v-5b") for s in WAN_LENGTHS]
    + [("tiny-wan-flf", s) for s in WAN_LENGTHS if s <= 1],
)
def test_wan_frame_counts_are_4k_plus_1_and_cover_the_segment(model_id, seconds):
    job = plan_job(need(seconds=seconds, model=model_id, first_image="a.png", last_image="b.png"))
    m = get_model(model_id)
    assert job.num_frames % 4 == 1
    assert job.seconds >= seconds and job.fps == m.fps
    # ...and the smallest such count: one step fewer would not cover (unless already at the minimum).
    shorter = job.num_frames - 4
    assert shorter < m.frames.min_frames or Fraction(shorter, m.fps) < seconds


@pytest.mark.parametrize("seconds", [Fraction(1, 24), Fraction(1, 3), Fraction(1), Fraction(7, 3)])
def test_ltx_frame_counts_are_8k_plus_1_and_cover_the_segment(seconds):
    job = plan_job(need(seconds=seconds, model="tiny-ltx"))
    assert job.num_frames % 8 == 1 and job.seconds >= seconds
    assert job.num_frames - 8 < 9 or Fraction(job.num_frames - 8, 24) < seconds


def test_an_exact_fit_is_not_padded():
    # 33 frames at 16 fps = 2.0625 s exactly
    assert plan_job(need(seconds=Fraction(33, 16), model="wan2.1-t2v-1.3b")).num_frames == 33
    assert plan_job(need(seconds=2.0625, model="wan2.1-t2v-1.3b")).num_frames == 33


def test_a_long_segment_on_a_model_that_chains_is_one_job_made_in_windows():
    # 20 s at LTX's 24 fps: 480 frames, 481 on the 8k+1 rule; the shot is one job, made in chained windows.
    job = plan_job(need(seconds=20, model="ltx-video-0.9.5"))
    assert job.num_frames == 481 and job.seconds >= 20 and job.fps == 24
    assert job.windows == 5  # 121 frames, then 104 new ones per window after a 17-frame overlap
    assert job.window_note == "made in 5 windows, each continuing the last" and not job.notes
    assert describe(job)["windows"] == 5 and "windows" not in job.request_fields()
    # image to video chains too (Wan 2.2 TI2V: the last frame starts the next window)
    wan = plan_job(need(seconds=20, model="wan2.2-ti2v-5b"))
    assert wan.num_frames == 481 and wan.windows == 4  # 121 + 3 x 120
    # a shot that fits one window is one call
    short = plan_job(need(seconds=4, model="ltx-video-0.9.5"))
    assert short.windows == 1 and short.window_note == ""
    # unbounded models chain inside their one call
    sky = [m for m in list_models() if m.unbounded]
    for m in sky:
        assert plan_job(need(seconds=20, model=m.id, first_image="/a.png")).windows == 1


def test_a_model_that_cannot_continue_a_shot_refuses_one_longer_than_twice_its_window():
    # Wan 2.1 T2V 1.3B: text only (no extension, no image to video), 81-frame window at 16 fps: 161 at most.
    assert plan_job(need(seconds=10, model="wan2.1-t2v-1.3b")).num_frames == 161
    with pytest.raises(PlanError, match=r"longer than wan2.1-t2v-1.3b can make \(161 frames = 10.06 s; it cannot"):
        plan_job(need(seconds=11, model="wan2.1-t2v-1.3b"))
    with pytest.raises(PlanError, match="longer than tiny-wan-flf can make"):
        plan_job(need(seconds=5, model="tiny-wan-flf", first_image="/a.png", last_image="/b.png"))


def test_a_segment_longer_than_the_model_can_make_is_a_problem_not_a_short_shot():
    with pytest.raises(PlanError, match="longer than cogvideox-2b can make"):
        plan_job(need(seconds=7, model="cogvideox-2b"))
    assert plan_job(need(seconds=6, model="cogvideox-2b")).num_frames == 49


# -- sizes ------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model_id", "aspect", "size"),
    [
        ("tiny-wan", "9:16", (64, 128)),
        ("tiny-wan", (1080, 1920), (64, 128)),
        ("tiny-wan", "16:9", (128, 64)),
        ("tiny-wan", "1:1", (64, 64)),
        ("wan2.1-t2v-1.3b", (1080, 1920), (480, 832)),
        ("wan2.1-t2v-1.3b", (1920, 1080), (832, 480)),
        ("wan2.2-ti2v-5b", "9:16", (704, 1280)),
        ("ltx-video-0.9.5", "9:16", (544, 960)),
    ],
)
def test_size_is_the_native_size_matching_the_canvas_aspect(model_id, aspect, size):
    job = plan_job(need(model=model_id, aspect=aspect))
    assert (job.width, job.height) == size
    assert not job.notes


def test_vertical_is_the_default_when_no_aspect_is_given():
    job = plan_job(need(model="wan2.1-t2v-1.3b"))
    assert (job.width, job.height) == (480, 832)


def test_a_model_without_a_portrait_size_says_it_will_crop():
    job = plan_job(need(model="cogvideox-2b", seconds=2, aspect="9:16"))
    assert (job.width, job.height) == (720, 480)
    assert any("no portrait size" in n for n in job.notes)


def test_a_given_size_is_snapped_with_a_note():
    job = plan_job(need(model="tiny-wan", width=70, height=130))
    assert (job.width, job.height) == (64, 128)
    assert any("70x130 -> 64x128" in n for n in job.notes)
    assert not plan_job(need(model="tiny-wan", width=64, height=128)).notes


# -- defaults and seeds -----------------------------------------------------------------------------------------------


def test_defaults_come_from_the_model():
    m = get_model("wan2.1-t2v-1.3b")
    job = plan_job(need(model=m.id))
    assert (job.steps, job.guidance, job.negative_prompt) == (
        m.default_steps,
        m.default_guidance,
        m.default_negative_prompt,
    )
    job = plan_job(need(model=m.id, steps=4, guidance=1.0, negative="blur"))
    assert (job.steps, job.guidance, job.negative_prompt) == (4, 1.0, "blur")


def test_a_missing_seed_becomes_a_recorded_random_one():
    a = plan_job(need(seed=None))
    b = plan_job(need(seed=None))
    assert a.seed_was_random and b.seed_was_random
    assert 0 <= a.seed <= MAX_RANDOM_SEED and isinstance(a.seed, int)
    assert a.seed != b.seed or a.seed != plan_job(need(seed=None)).seed  # random, not a constant
    given = plan_job(need(seed=42))
    assert given.seed == 42 and not given.seed_was_random
    assert plan_job(need(seed=None), seed_source=lambda: 7).seed == 7


def test_the_same_need_plans_the_same_job():
    n = need(seed=5, aspect="9:16", first_image="/x/a.png")
    assert plan_job(n).request_fields() == plan_job(n).request_fields()


# -- conditioning -----------------------------------------------------------------------------------------------------


def test_first_and_last_images_reach_a_model_that_can_use_them():
    job = plan_job(need(model="tiny-wan-flf", first_image="/a.png", last_image="/b.png"))
    assert (job.first_image, job.last_image, job.mode) == ("/a.png", "/b.png", Ability.FIRST_LAST_FRAME)
    assert not job.notes
    job = plan_job(need(model="tiny-ltx", first_image="/a.png", last_image="/b.png"))
    assert (job.first_image, job.last_image) == ("/a.png", "/b.png") and not job.notes


def test_an_image_to_video_model_keeps_the_first_image_and_notes_the_last_dropped():
    job = plan_job(need(model="tiny-wan", first_image="/a.png", last_image="/b.png"))
    assert (job.first_image, job.last_image, job.mode) == ("/a.png", None, Ability.IMAGE_TO_VIDEO)
    assert len(job.notes) == 1 and "next clip's first frame is not used" in job.notes[0]


def test_a_text_only_model_drops_the_images_with_a_visible_note():
    job = plan_job(need(model="wan2.1-t2v-1.3b", first_image="/a.png", last_image="/b.png"))
    assert (job.first_image, job.last_image, job.mode) == (None, None, Ability.TEXT_TO_VIDEO)
    assert len(job.notes) == 1 and "text only" in job.notes[0]
    job = plan_job(need(model="wan2.1-t2v-1.3b", last_image="/b.png"))
    assert job.last_image is None and "not used" in job.notes[0]


def test_a_model_that_needs_both_images_refuses_a_segment_without_them():
    with pytest.raises(PlanError, match="needs both a first and a last image"):
        plan_job(need(model="tiny-wan-flf", first_image="/a.png"))
    with pytest.raises(PlanError, match="cannot generate from text alone"):
        plan_job(need(model="tiny-wan-flf"))


def test_a_last_image_alone_goes_to_a_keyframe_model():
    job = plan_job(need(model="tiny-ltx", last_image="/b.png"))
    assert (job.first_image, job.last_image, job.mode) == (None, "/b.png", Ability.KEYFRAMES)


# -- ordering and problems --------------------------------------------------------------------------------------------


def test_jobs_are_ordered_by_distance_from_the_playhead():
    distances = {"far": 300, "behind": -40, "here": 0, "ahead": 40, "near": 10}
    needs = [need(key=k, distance_from_playhead=d) for k, d in distances.items()]
    for order in itertools.permutations(needs, len(needs)):
        keys = [j.key for j in plan_jobs(order).jobs]
        assert keys == ["here", "near", "ahead", "behind", "far"]


def test_one_bad_segment_does_not_stop_the_others():
    plan = plan_jobs(
        [need(key="ok"), need(key="bad", model="wan9"), need(key="long", model="cogvideox-2b", seconds=60)]
    )
    assert [j.key for j in plan.jobs] == ["ok"]
    problems = {p.key: p.message for p in plan.problems}
    assert "unknown model 'wan9'" in problems["bad"] and "split the segment" in problems["long"]


def test_the_default_model_fills_in_where_the_segment_names_none():
    job = plan_job(need(model=""), default_model="tiny-ltx")
    assert job.model == "tiny-ltx"
    with pytest.raises(PlanError, match="no model"):
        plan_job(need(model=""))


@pytest.mark.parametrize(
    "bad", [dict(seconds=0), dict(seconds=-1), dict(steps=0), dict(guidance=-1.0), dict(seed=-3), dict(width=64)]
)
def test_bad_values_are_one_line_plan_errors(bad):
    with pytest.raises(PlanError) as info:
        plan_job(need(**bad))
    assert "\n" not in str(info.value)


def test_planning_imports_no_torch():
    code = (
        "import sys, generation.plan as p; p.plan_jobs([p.SegmentNeed('k', 1, 'x', model='tiny-wan')]); "
        "print(sorted({'torch', 'diffusers', 'transformers', 'editor'} & {m.split('.')[0] for m in sys.modules}))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
