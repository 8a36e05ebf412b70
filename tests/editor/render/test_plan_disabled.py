"""A disabled clip (Clip > Enable off) stays on the timeline but the render plan gives it no picture and no
sound, so neither the exporter nor the preview (both execute the plan) shows or plays it."""

from __future__ import annotations

from fractions import Fraction

from render_support import timeline

from editor.model import MediaClip, MediaKind, MediaSource
from editor.model.clips import TextClip
from editor.render.plan import build_plan, layers_at, media_used

FPS = Fraction(30)


def _pool(tl, mid, audio=True):
    tl.media[mid] = MediaSource(mid, f"/media/{mid}.mp4", MediaKind.VIDEO, Fraction(10), True, audio, 320, 180)


def _plan_ids(plan):
    pictures = {x.timing.clip_id for seg in plan.segments for x in seg.layers}
    sounds = {x.timing.clip_id for seg in plan.segments for x in seg.sounds}
    return pictures, sounds


def _example(enabled: bool):
    tl = timeline(video_tracks=2)
    for mid in ("base", "over", "voice"):
        _pool(tl, mid)
    tl.video_tracks[0].add(MediaClip("base", 0, 60, media="base"))
    tl.video_tracks[1].add(MediaClip("over", 10, 20, media="over", enabled=enabled))
    tl.video_tracks[1].add(TextClip(id="title", start=40, duration=10, text="Hi", enabled=enabled))
    tl.audio_tracks[0].add(MediaClip("voice", 0, 30, media="voice", enabled=enabled))
    tl.check()
    return tl


def test_disabled_clips_make_no_picture_and_no_sound_layer():
    pictures, sounds = _plan_ids(build_plan(_example(True), FPS, 48000))
    assert pictures == {"base", "over", "title"} and sounds == {"base", "over", "voice"}
    tl = _example(False)
    pictures, sounds = _plan_ids(build_plan(tl, FPS, 48000))
    assert pictures == {"base"} and sounds == {"base"}
    assert [c.id for _, c in tl.clips() if not c.enabled] != []          # still on the timeline
    assert build_plan(tl, FPS, 48000).total_frames == 60


def test_the_preview_frame_layers_and_the_media_read_leave_disabled_clips_out():
    on, off = _example(True), _example(False)
    assert [x.timing.clip_id for x in layers_at(on, 15)] == ["base", "over"]
    assert [x.timing.clip_id for x in layers_at(off, 15)] == ["base"]
    assert [x.timing.clip_id for x in layers_at(off, 45)] == ["base"]
    assert set(media_used(on)) == {"base", "over", "voice"}
    assert media_used(off) == ["base"]          # a disabled clip's missing file does not stop an export


def test_a_disabled_clip_does_not_cut_the_plan_into_more_segments():
    one = build_plan(_example(False), FPS, 48000)
    assert len(one.segments) == 1 and one.segments[0].frames == 60


def test_a_disabled_shot_that_was_never_generated_neither_blocks_the_export_nor_shows_its_card():
    import pytest

    from editor.model import GeneratedClip, GenerationSpec
    from editor.render.compositor import Compositor
    from editor.render.export import ExportError, check_inputs

    tl = timeline(video_tracks=1)
    shot = GeneratedClip("shot", 0, 30, spec=GenerationSpec("a paper boat"), enabled=False)
    tl.video_tracks[0].add(shot)
    tl.check()
    check_inputs(tl)   # nothing to make: a disabled shot is not waited for
    assert not [i for i in Compositor(tl)._items(5) if i.kind == "pending"]
    tl.video_tracks[0].clips[0] = shot.moved(enabled=True)
    with pytest.raises(ExportError, match="paper boat"):
        check_inputs(tl)
    assert [i.kind for i in Compositor(tl)._items(5)] == ["pending"]
