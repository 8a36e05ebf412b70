"""The model registry: facts, frame and size rules. No torch needed except where a test says so."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from fractions import Fraction

import pytest

from generation.models import (
    MODELS,
    TEST_MODEL_IDS,
    Ability,
    FrameRule,
    Size,
    UnknownModel,
    get_model,
    list_models,
    models_with,
    native_size,
    nearest_frame_count,
    parse_aspect,
    snap_size,
)

REQUIRED = [
    "wan2.1-t2v-1.3b",
    "wan2.2-ti2v-5b",
    "wan2.1-flf2v-14b-720p",
    "wan2.1-i2v-14b-480p",
    "ltx-video-0.9.5",
    "ltx-video-0.9.8-13b-distilled",
    "cogvideox-2b",
    "cogvideox-5b",
    "tiny-wan",
    "tiny-wan-flf",
    "tiny-ltx",
]


def test_registry_has_the_required_models():
    for model_id in REQUIRED:
        assert get_model(model_id).id == model_id
    # Every family has a tiny twin built offline (the suite runs each through the real pipeline classes).
    assert set(TEST_MODEL_IDS) == {"tiny-wan", "tiny-wan-flf", "tiny-ltx", "tiny-wan-a14b", "tiny-wan-vace",
                                   "tiny-skyreels-df", "tiny-ltx2", "tiny-hunyuan15"}
    families = {get_model(m).family for m in TEST_MODEL_IDS}
    assert families == {m.family for m in list_models(include_test=False)} - {"cogvideox"}


def test_test_models_are_labelled_as_such_everywhere_they_are_listed():
    for m in list_models():
        assert m.is_test_model == (m.id in TEST_MODEL_IDS)
        assert ("[test model]" in m.label) == m.is_test_model
        assert m.describe()["is_test_model"] == m.is_test_model
    assert all(not m.is_test_model for m in list_models(include_test=False))
    assert all(not m.is_test_model for m in models_with(Ability.FIRST_LAST_FRAME))


def test_unknown_model_error_lists_the_choices():
    with pytest.raises(UnknownModel) as info:
        get_model("wan9")
    message = str(info.value)
    assert "wan9" in message and "wan2.1-t2v-1.3b" in message and "tiny-ltx" in message


@pytest.mark.parametrize(
    ("model_id", "fps", "rule", "multiple"),
    [
        ("wan2.1-t2v-1.3b", 16, (4, 1), 16),
        ("wan2.2-ti2v-5b", 24, (4, 1), 32),
        ("wan2.1-flf2v-14b-720p", 16, (4, 1), 16),
        ("ltx-video-0.9.5", 24, (8, 1), 32),
        ("cogvideox-2b", 8, (4, 1), 16),
    ],
)
def test_native_facts(model_id, fps, rule, multiple):
    m = get_model(model_id)
    assert m.fps == fps
    assert (m.frames.step, m.frames.offset) == rule
    assert m.size_multiple == multiple
    assert m.frames.is_valid(m.default_frames)
    for s in m.sizes:
        assert s.width % multiple == 0 and s.height % multiple == 0


def test_abilities_and_pipeline_classes():
    wan22 = get_model("wan2.2-ti2v-5b")
    assert wan22.abilities == {Ability.TEXT_TO_VIDEO, Ability.IMAGE_TO_VIDEO}
    assert wan22.pipeline_for("image_to_video") == "WanImageToVideoPipeline"
    flf = get_model("wan2.1-flf2v-14b-720p")
    assert flf.abilities == {Ability.FIRST_LAST_FRAME}
    assert flf.pipeline_for(Ability.FIRST_LAST_FRAME) == "WanImageToVideoPipeline"
    ltx = get_model("ltx-video-0.9.5")
    assert ltx.abilities == set(Ability) - {Ability.REFERENCE_IMAGES}
    assert ltx.pipeline_for(Ability.KEYFRAMES) == "LTXConditionPipeline"
    assert get_model("tiny-ltx").pipeline_classes == ("LTXPipeline", "LTXConditionPipeline")
    with pytest.raises(ValueError, match="cannot do first_last_frame"):
        get_model("wan2.1-t2v-1.3b").pipeline_for(Ability.FIRST_LAST_FRAME)


def test_every_model_has_advice_and_fast_variants_are_described():
    for m in list_models(include_test=False):
        assert m.vram is not None and m.vram.minimum_gb <= m.vram.comfortable_gb and m.vram.note
        assert m.download_gb and m.download_gb > 0
        assert m.default_steps >= 1 and m.default_guidance >= 1.0
    distilled = get_model("ltx-video-0.9.8-13b-distilled")
    assert distilled.default_guidance == 1.0
    assert len(distilled.call_kwargs["timesteps"]) == distilled.default_steps == 8
    loras = [v for m in list_models() for v in m.fast_variants if v.kind == "step_distill_lora"]
    assert loras and all(v.weight_name and v.steps <= 8 for v in loras)
    linked = [v.registry_id for m in list_models() for v in m.fast_variants if v.registry_id]
    assert all(r in MODELS for r in linked)


def test_describe_is_json():
    json.dumps([m.describe() for m in list_models()])


# -- frame counts ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model_id", "seconds", "expected"),
    [
        ("wan2.1-t2v-1.3b", 5, 81),  # 80 frames at 16 fps -> 4k+1 covering it
        ("wan2.1-t2v-1.3b", 1, 17),
        ("wan2.1-t2v-1.3b", 0.1, 5),  # below the minimum: one step above a still
        ("wan2.2-ti2v-5b", 5, 121),
        ("wan2.2-ti2v-5b", 0.5, 13),
        ("wan2.2-ti2v-5b", Fraction(10, 3), 81),  # exactly 80 frames
        ("ltx-video-0.9.5", 5, 121),
        ("ltx-video-0.9.5", 2.5, 65),  # 60 -> 8k+1 = 65
        ("cogvideox-5b", 2, 49),  # CogVideoX 1.0: always 49
        ("cogvideox-5b", 30, 49),  # never above the maximum
    ],
)
def test_nearest_frame_count_from_seconds(model_id, seconds, expected):
    n = nearest_frame_count(model_id, seconds)
    assert n == expected
    assert get_model(model_id).frames.is_valid(n)


def test_nearest_frame_count_from_frames_is_the_smallest_covering_count():
    for model_id, step in (("wan2.1-t2v-1.3b", 4), ("ltx-video-0.9.5", 8)):
        for requested in range(1, 200):
            expected = next(v for v in range(max(requested, step + 1), 400) if (v - 1) % step == 0)
            assert nearest_frame_count(model_id, frames=requested) == expected


def test_float_seconds_are_read_as_printed():
    # 4.36 s at 25 fps is exactly 109 frames (4k+1); the binary float product is 109.00000000000001, which
    # would ask for 110 and get 113.
    at_25 = dataclasses.replace(get_model("wan2.1-t2v-1.3b"), fps=25)
    assert 4.36 * 25 > 109
    assert nearest_frame_count(at_25, 4.36) == 109


def test_nearest_frame_count_rejects_bad_input():
    with pytest.raises(ValueError):
        nearest_frame_count("tiny-wan")
    with pytest.raises(ValueError):
        nearest_frame_count("tiny-wan", 1, frames=9)
    with pytest.raises(ValueError):
        nearest_frame_count("tiny-wan", 0)
    with pytest.raises(ValueError):
        nearest_frame_count("tiny-wan", frames=0)


def test_frame_rule_describe_and_validation():
    assert FrameRule(step=4).describe() == "4k+1, at least 5"
    assert FrameRule(step=4, min_frames=49, max_frames=49).describe() == "exactly 49"
    with pytest.raises(ValueError):
        FrameRule(step=4, max_frames=50)
    assert FrameRule(step=8).at_least(10) == 17


# -- sizes ----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model_id", "size", "expected"),
    [
        ("wan2.1-t2v-1.3b", (1080, 1920), (1088, 1920)),
        ("wan2.1-t2v-1.3b", (832, 480), (832, 480)),
        ("wan2.2-ti2v-5b", (720, 1280), (704, 1280)),
        ("ltx-video-0.9.5", (1080, 1920), (1088, 1920)),
        ("ltx-video-0.9.5", (500, 500), (512, 512)),
        ("tiny-wan", (5, 5), (32, 32)),  # never below one multiple
        ("cogvideox-2b", (1080, 1920), (720, 480)),  # fixed size
    ],
)
def test_snap_size(model_id, size, expected):
    assert snap_size(model_id, *size) == expected


def test_native_size_prefers_the_asked_aspect():
    assert native_size("wan2.1-t2v-1.3b", "9:16") == Size(480, 832)
    assert native_size("wan2.1-t2v-1.3b", "landscape") == Size(832, 480)
    assert native_size("wan2.2-ti2v-5b", (1080, 1920)) == Size(704, 1280)
    assert native_size("ltx-video-0.9.5", 9 / 16) == Size(544, 960)
    assert native_size("tiny-wan", "1:1") == Size(64, 64)
    # A landscape-only model answers with what it has, or refuses when strict.
    assert native_size("cogvideox-2b", "9:16") == Size(720, 480)
    with pytest.raises(ValueError, match="no native size"):
        native_size("cogvideox-2b", "9:16", strict=True)


def test_default_size_is_vertical_where_the_model_has_one():
    assert get_model("wan2.1-t2v-1.3b").default_size == Size(480, 832)
    assert get_model("ltx-video-0.9.8-13b-distilled").default_size == Size(704, 1216)
    assert get_model("cogvideox-5b").default_size == Size(720, 480)


@pytest.mark.parametrize(
    ("text", "ratio"),
    [("9:16", 9 / 16), ("16/9", 16 / 9), ("1x1", 1.0), ("portrait", 9 / 16), ("Square", 1.0), ("1.5", 1.5)],
)
def test_parse_aspect(text, ratio):
    assert parse_aspect(text) == pytest.approx(ratio)


@pytest.mark.parametrize("bad", ["wide", "0:9", "-1", "9:0"])
def test_parse_aspect_rejects_nonsense(bad):
    with pytest.raises(ValueError):
        parse_aspect(bad)


def test_registry_modules_do_not_import_torch():
    code = (
        "import sys\n"
        "import generation.models, generation.request, generation.locate, generation.writer, generation.backends\n"
        "import generation.backends.memory, generation.errors, generation.testing\n"
        "bad = [m for m in ('torch', 'diffusers', 'transformers') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_pipeline_classes_exist_in_diffusers():
    diffusers = pytest.importorskip("diffusers")
    for m in list_models():
        for name in m.pipeline_classes:
            assert hasattr(diffusers, name), (m.id, name)
