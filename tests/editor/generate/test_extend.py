"""Generative extend, planned: the segment after (before) a recorded clip, its conditioning video or image as
the canvas shows the clip, the model fallbacks and refusals; and through a real shot queue and worker with
the tiny LTX model, one undo step that undo takes away."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from shot_support import Doc

from editor.generate.extend import ExtendError, extension_models, plan_extension
from editor.generate.places import places_for
from editor.media import synth
from editor.media.probe import media_source_from_info, probe
from editor.model import Fit, GeneratedClip, MediaClip, Settings, Timeline
from editor.render.compositor import Compositor
from generation.models import Ability, get_model
from generation.video_files import read_frames

WIDE = Settings(width=128, height=64, fps=Fraction(24))  # tiny-ltx's own 128x64 at its own 24 fps


@pytest.fixture(scope="module")
def counted(tmp_path_factory) -> Path:
    """48 frames (2 s at 24 fps) whose grey level says the frame number (Y = 16 + 4n), lossless."""
    return synth.indexed_clip(
        tmp_path_factory.mktemp("extend media") / "counted.mp4", frames=48, fps=24, size=(128, 64), step=4
    )


@pytest.fixture
def places(tmp_path):
    return places_for(tmp_path / "cut.promptcut").make()


def recorded(
    counted: Path,
    settings: Settings = WIDE,
    start: int = 24,
    source_in: int = 0,
    duration: int = 48,
    fit: Fit = Fit.FILL,
) -> Timeline:
    tl = Timeline.empty(settings)
    tl.media["m"] = media_source_from_info(probe(counted), "m")
    tl.video_tracks[0].add(MediaClip("c", start, duration, source_in=source_in, media="m", fit=fit))
    tl.check()
    return tl


def canvas(tl: Timeline, frames: list[int], size: tuple[int, int] | None = None) -> np.ndarray:
    comp = Compositor(tl)
    try:
        w, h = size or (tl.settings.width, tl.settings.height)
        return np.stack([comp.frame(f, w, h) for f in frames])
    finally:
        comp.close()


def test_a_tail_extension_continues_the_clips_last_second_as_the_canvas_shows_it(counted, places):
    tl = recorded(counted, source_in=4, duration=40)  # plays source frames 4..43 at timeline 24..63
    ext = plan_extension(tl, "c", "tail", 48, "tiny-ltx", places)
    seg = ext.clip
    assert isinstance(seg, GeneratedClip) and (seg.start, seg.duration, seg.source_in) == (64, 48, 0)
    assert ext.mode is Ability.VIDEO_EXTENSION and ext.notes == ()
    assert seg.spec.prefix_video == str(ext.conditioning) and seg.spec.suffix_video is None
    assert seg.spec.model == "tiny-ltx" and seg.spec.first_image is None
    assert seg.name == "Extension of counted.mp4" and "continues" in seg.spec.prompt
    assert seg.spec.first_source == "m@43/fill"  # the source frame it continues from
    assert ext.conditioning.parent == places.frames_dir
    video = read_frames(ext.conditioning)
    # 17 frames (LTX takes 8k+1; about a second at 24 fps), ending on the clip's last frame, pixel for pixel
    assert video.shape == (17, 64, 128, 3)
    assert np.array_equal(video, canvas(tl, list(range(47, 64))))
    # the same request again: the same file (named by its pixels), so the same job
    again = plan_extension(tl, "c", "tail", 48, "tiny-ltx", places)
    assert again.conditioning == ext.conditioning and again.clip.spec == seg.spec and again.clip.id != seg.id


def test_a_head_extension_leads_into_the_clips_first_frames(counted, places):
    tl = recorded(counted, source_in=10, duration=30)
    ext = plan_extension(tl, "c", "head", 12, "tiny-ltx", places, prompt="a slow pan")
    seg = ext.clip
    assert (seg.start, seg.end) == (12, 24) and ext.mode is Ability.VIDEO_LEAD_IN
    assert seg.spec.suffix_video == str(ext.conditioning) and seg.spec.prefix_video is None
    assert seg.spec.prompt == "a slow pan" and seg.spec.last_source == "m@10/fill"
    video = read_frames(ext.conditioning)
    assert np.array_equal(video, canvas(tl, list(range(24, 24 + len(video)))))
    assert len(video) == 17
    with pytest.raises(ExtendError, match="only 24 frames before it"):
        plan_extension(tl, "c", "head", 30, "tiny-ltx", places)


def test_the_conditioning_is_cropped_as_the_clip_shows_on_a_wider_canvas(counted, places):
    # a 4:1 canvas: the 2:1 model size is its centre, and a FIT clip is pillarboxed in it
    tl = recorded(counted, Settings(width=256, height=64, fps=Fraction(24)), fit=Fit.FIT)
    ext = plan_extension(tl, "c", "tail", 24, "tiny-ltx", places)
    video = read_frames(ext.conditioning)
    shown = canvas(tl, list(range(55, 72)))
    assert video.shape == (17, 64, 128, 3)
    assert np.array_equal(video, shown[:, :, 64:192])
    assert video[:, :, :16].max() > 100  # the picture (pillarboxed at x 96..160 on the canvas) is all there


def test_models_without_video_conditioning_fall_back_to_the_edge_frame_with_a_note(counted, places):
    tl = recorded(counted)
    ext = plan_extension(tl, "c", "tail", 24, "tiny-wan", places)  # image-to-video, no extension
    assert ext.mode is Ability.IMAGE_TO_VIDEO and "cannot continue a video" in ext.notes[0]
    assert ext.clip.spec.first_image == str(ext.conditioning) and ext.clip.spec.prefix_video is None
    assert ext.conditioning.suffix == ".png"
    assert np.array_equal(read_frames(ext.conditioning)[0], canvas(tl, [71])[0])
    # a model that ends on keyframes but cannot lead into a video: the head gets the first frame as last image
    ltx = get_model("tiny-ltx")
    keyframes_only = replace(ltx, pipelines=tuple(p for p in ltx.pipelines if p[0] is not Ability.VIDEO_LEAD_IN))
    head = plan_extension(tl, "c", "head", 12, keyframes_only, places)
    assert head.mode is Ability.KEYFRAMES and head.clip.spec.last_image == str(head.conditioning)
    assert np.array_equal(read_frames(head.conditioning)[0], canvas(tl, [24])[0])
    # neither: refused in one line
    with pytest.raises(ExtendError, match="can neither lead into a video nor end on a given frame") as err:
        plan_extension(tl, "c", "head", 12, "tiny-wan", places)
    assert "\n" not in str(err.value)
    wan = get_model("tiny-wan")
    text_only = replace(wan, pipelines=tuple(p for p in wan.pipelines if p[0] is Ability.TEXT_TO_VIDEO))
    with pytest.raises(ExtendError, match="can neither continue a video nor start from a frame"):
        plan_extension(tl, "c", "tail", 12, text_only, places)
    assert list(places.frames_dir.glob("*.partial*")) == []
    # the models offered: those that take a video first
    assert extension_models("tail", [wan, text_only, ltx]) == [ltx, wan]
    assert [m.id for m in extension_models("head", [get_model("tiny-wan"), ltx])] == ["tiny-ltx"]


def test_an_occupied_range_and_clips_that_cannot_be_extended_are_refused(counted, places):
    tl = recorded(counted)
    tl.video_tracks[0].add(MediaClip("other", 90, 10, media="m", name="B-roll"))
    with pytest.raises(ExtendError, match=r"'B-roll' is in the way at 00:00:03:18"):
        plan_extension(tl, "c", "tail", 48, "tiny-ltx", places)
    assert plan_extension(tl, "c", "tail", 18, "tiny-ltx", places).clip.end == 90  # up to it is fine
    with pytest.raises(ExtendError, match="no clip 'nope'"):
        plan_extension(tl, "nope", "tail", 10, "tiny-ltx", places)
    with pytest.raises(ExtendError, match="at least one frame"):
        plan_extension(tl, "c", "tail", 0, "tiny-ltx", places)
    tl.video_tracks[0].add(GeneratedClip("g", 200, 10))
    with pytest.raises(ExtendError, match="only recorded video clips"):
        plan_extension(tl, "g", "tail", 10, "tiny-ltx", places)


def test_an_extension_generates_with_takes_and_undo_takes_it_away(counted, places):
    doc = Doc(recorded(counted), places)
    before = doc.tl.find("c")[1]
    try:
        ext = plan_extension(doc.tl, "c", "tail", 24, "tiny-ltx", places)
        got: list = []
        assert ext.request(doc.queue, on_done=lambda clip, why: got.append((clip, why)))
        doc.run_until(lambda: bool(got))
        clip, why = got[0]
        assert clip is not None, why
        assert doc.history.undo_stack[-1].label.startswith("Generate")
        doc.run_until(lambda: doc.queue.status_by_id(clip.id).state == "ready")
        seg = doc.tl.find(clip.id)[1]
        assert not seg.pending and seg.spec.prefix_video == str(ext.conditioning) and seg.spec.seed is not None
        assert doc.tl.media[seg.media_id()].duration_frames(doc.tl.fps) >= seg.duration  # covers the extension
        assert doc.queue.regenerate(seg.id) == 1  # regenerable like any shot
        doc.run_until(lambda: len(doc.tl.find(clip.id)[1].takes) == 2)
        doc.history.undo()  # the second take
        doc.history.undo()  # the first take
        assert doc.tl.find(clip.id)[1].pending
        doc.history.undo()  # the extension itself
        with pytest.raises(KeyError):
            doc.tl.find(clip.id)
        assert doc.tl.find("c")[1] == before and [c.id for _, c in doc.tl.clips()] == ["c"]
    finally:
        doc.queue.close()
