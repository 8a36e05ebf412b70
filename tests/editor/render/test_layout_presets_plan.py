"""Pure parts of the exporter: layout rules, presets and settings, segment planning, error lines."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st
from render_support import timeline

from editor.model import Fit, GeneratedClip, GenerationSpec, MediaClip, MediaKind, MediaSource
from editor.render import PRESETS, get_preset, place, resolve_settings
from editor.render.plan import build_plan, output_frames
from editor.render.procs import meaningful_error
from editor.render.settings import h264_level, video_encoder_args

# --- layout -------------------------------------------------------------------------------------------------


def test_fill_covers_and_centre_crops():
    p = place(1920, 1080, 1080, 1920, Fit.FILL)
    assert (p.scaled_w, p.scaled_h) == (3413, 1920)
    assert (p.crop_x, p.crop_y, p.crop_w, p.crop_h, p.x, p.y) == (1166, 0, 1080, 1920, 0, 0)
    assert p.covers(1080, 1920)


def test_fit_contains_with_bars():
    p = place(1920, 1080, 1080, 1920, Fit.FIT)
    assert (p.scaled_w, p.scaled_h, p.x, p.y) == (1080, 608, 0, 656)
    assert not p.needs_crop and not p.covers(1080, 1920)


def test_crop_keeps_native_size_centred():
    small = place(120, 120, 180, 320, Fit.CROP)
    assert (small.scaled_w, small.crop_w, small.x, small.y) == (120, 120, 30, 100)
    big = place(1920, 1080, 1080, 1920, Fit.CROP)
    assert (big.crop_x, big.crop_y, big.crop_w, big.crop_h, big.x, big.y) == (420, 0, 1080, 1080, 0, 420)


def test_stretch_is_the_canvas():
    p = place(321, 241, 180, 320, Fit.STRETCH)
    assert (p.scaled_w, p.scaled_h, p.x, p.y) == (180, 320, 0, 0) and p.covers(180, 320)


@given(st.integers(1, 5000), st.integers(1, 5000), st.integers(16, 4096), st.integers(16, 4096),
       st.sampled_from(list(Fit)))
def test_placement_always_lies_on_the_canvas(sw, sh, cw, ch, fit):
    p = place(sw, sh, cw, ch, fit)
    assert p.crop_x >= 0 and p.crop_x + p.crop_w <= p.scaled_w
    assert p.crop_y >= 0 and p.crop_y + p.crop_h <= p.scaled_h
    assert p.x >= 0 and p.x + p.crop_w <= cw and p.y >= 0 and p.y + p.crop_h <= ch
    if fit in (Fit.FILL, Fit.STRETCH):
        assert p.covers(cw, ch)
    if fit is Fit.FIT:
        assert p.crop_w == cw or p.crop_h == ch   # touches two sides


# --- presets and settings -----------------------------------------------------------------------------------


def test_presets():
    for name in ("tiktok", "reels", "shorts"):
        p = get_preset(name)
        assert (p.width, p.height, p.fps, p.encoder, p.profile, p.pix_fmt, p.audio_codec, p.sample_rate) == \
            (1080, 1920, 30, "libx264", "high", "yuv420p", "aac", 48000)
    assert get_preset("youtube").size == (1920, 1080) and get_preset("square").size == (1080, 1080)
    assert get_preset("YouTube").name == "youtube"
    with pytest.raises(ValueError, match=r"unknown preset 'vine' \(choose from: tiktok, reels, shorts, youtube"):
        get_preset("vine")
    assert set(PRESETS) == {"tiktok", "reels", "shorts", "youtube", "square"}


def test_resolve_settings_defaults_and_overrides():
    tl = timeline()
    own = resolve_settings(tl)
    assert (own.width, own.height, own.fps, own.encoder, own.crf, own.sample_rate) == \
        (180, 320, 30, "libx264", 20, 48000)
    yt = resolve_settings(tl, "youtube", fps="30000/1001", crf=18, encoder_preset="medium")
    assert (yt.width, yt.height, yt.fps, yt.crf, yt.encoder_preset, yt.gop, yt.bframes) == \
        (1920, 1080, Fraction(30000, 1001), 18, "medium", 15, 2)
    odd = resolve_settings(tl, size="721x1281")
    assert odd.size == (720, 1280) and "rounded down" in odd.notes[0]
    assert resolve_settings(tl, encoder="x265").encoder == "libx265"
    for bad in ({"crf": 60}, {"size": "big"}, {"encoder": "divx"}, {"encoder_preset": "warp"}, {"fps": 0}):
        with pytest.raises(ValueError):
            resolve_settings(tl, **bad)


def test_h264_level_and_identical_encoder_args():
    assert h264_level(1080, 1920, Fraction(30)) == "4.1"
    assert h264_level(1080, 1920, Fraction(60)) == "4.2"
    assert h264_level(3840, 2160, Fraction(30)) == "5.1"
    assert h264_level(180, 320, Fraction(30)) == "3.0"
    s = resolve_settings(timeline(), "tiktok")
    args = video_encoder_args(s, threads=1)
    assert args[args.index("-level:v") + 1] == "4.1" and args[args.index("-g") + 1] == "60"
    strip = lambda a: [x for i, x in enumerate(a) if "-threads" not in a[max(0, i - 1):i + 1]]  # noqa: E731
    assert strip(video_encoder_args(s, threads=0)) == strip(args)


# --- plan ---------------------------------------------------------------------------------------------------


def _pool(tl, mid="m", seconds=10, audio=True, kind=MediaKind.VIDEO):
    tl.media[mid] = MediaSource(mid, f"/media/{mid}.mp4", kind, None if kind is MediaKind.IMAGE else
                                Fraction(seconds), kind is not MediaKind.AUDIO, audio, 320, 180)
    return mid


def test_plan_keeps_the_base_clip_whole_and_offsets_what_comes_and_goes():
    tl = timeline(video_tracks=2, audio_tracks=1)
    _pool(tl, "a")
    _pool(tl, "b")
    _pool(tl, "s", kind=MediaKind.IMAGE, audio=False)
    v = tl.video_tracks[0]
    v.add(MediaClip("c1", 0, 30, 0, media="a"))
    v.add(MediaClip("c2", 30, 20, 30, media="a"))       # razor continuation: one base
    v.add(MediaClip("c3", 60, 30, 0, media="b"))        # after a gap
    tl.video_tracks[1].add(MediaClip("st", 10, 15, 0, media="s"))   # a sticker over the first clip
    tl.audio_tracks[0].add(MediaClip("s1", 40, 40, 0, media="b"))   # a sound crossing the gap
    tl.check()
    plan = build_plan(tl, Fraction(30), 48000)
    assert [(s.frame, s.frames) for s in plan.segments] == [(0, 50), (50, 10), (60, 30)]
    first, gap, last = plan.segments
    assert [(x.media_id, x.offset, x.frames, x.start) for x in first.layers] == [("a", 0, 50, 0), ("s", 10, 15, 0)]
    assert first.base == first.layers[0]
    assert [(x.track, x.offset, x.frames, x.start) for x in first.sounds] == [("a0", 40, 10, 0), ("v0", 0, 50, 0)]
    assert gap.layers == () and gap.base is None
    assert [(x.track, x.offset, x.frames, x.start) for x in gap.sounds] == [("a0", 0, 10, Fraction(1, 3))]
    assert [(x.track, x.offset, x.frames) for x in last.sounds] == [("a0", 0, 20), ("v0", 0, 30)]
    assert plan.total_frames == 90 and plan.total_samples == 90 * 1600
    assert [s.sample for s in plan.segments] == [0, 50 * 1600, 60 * 1600]
    unmerged = build_plan(tl, Fraction(30), 48000, merge=False)
    assert [(s.frame, s.frames) for s in unmerged.segments] == [(0, 10), (10, 15), (25, 5), (30, 10), (40, 10),
                                                                  (50, 10), (60, 20), (80, 10)]


def test_plan_cuts_when_a_segment_would_open_too_many_sources():
    tl = timeline(video_tracks=2, audio_tracks=0)
    _pool(tl, "a", seconds=100)
    _pool(tl, "s", kind=MediaKind.IMAGE, audio=False)
    tl.video_tracks[0].add(MediaClip("main", 0, 600, 0, media="a"))
    for i in range(20):
        tl.video_tracks[1].add(MediaClip(f"st{i}", 20 + 25 * i, 10, 0, media="s"))
    plan = build_plan(tl, Fraction(30), 48000, max_inputs=4)
    assert all(s.inputs() <= 4 for s in plan.segments)
    assert len(plan.segments) == 7
    assert sum(len(s.layers) for s in plan.segments) == 20 + 7   # every sticker once, the base once per segment


def test_plan_skips_hidden_and_muted_and_silent():
    tl = timeline(video_tracks=2)
    _pool(tl, "a")
    _pool(tl, "q", audio=False)
    tl.video_tracks[0].add(MediaClip("c1", 0, 30, 0, media="a", volume=0.0))
    tl.video_tracks[1].add(MediaClip("c2", 10, 10, 0, media="q"))
    tl.video_tracks[1].hidden = True
    plan = build_plan(tl, Fraction(30), 48000)
    assert len(plan.segments) == 1 and plan.segments[0].sounds == ()
    tl.video_tracks[0].muted = True
    tl.video_tracks[0].clips[0] = MediaClip("c1", 0, 30, 0, media="a")
    assert build_plan(tl, Fraction(30), 48000).segments[0].sounds == ()


def test_plan_conversion_is_cumulative_without_drift():
    tl = timeline()
    _pool(tl, "a", seconds=1000)
    start = 0
    for i in range(400):
        tl.video_tracks[0].add(MediaClip(f"c{i}", start, 7, 0, media="a"))
        start += 7 + (i % 2)
    ntsc = Fraction(30000, 1001)
    plan = build_plan(tl, ntsc, 48000)
    total = tl.duration
    assert plan.total_frames == output_frames(total, Fraction(30), ntsc)
    assert plan.total_samples == round(Fraction(plan.total_frames) / ntsc * 48000)
    frame = sample = 0
    for seg in plan.segments:
        assert (seg.frame, seg.sample) == (frame, sample)
        assert seg.sample == round(Fraction(seg.frame) / ntsc * 48000)
        frame, sample = frame + seg.frames, sample + seg.samples
    assert (frame, sample) == (plan.total_frames, plan.total_samples)


def test_still_layers_merge_and_ignore_source_in():
    tl = timeline()
    _pool(tl, "s", kind=MediaKind.IMAGE, audio=False)
    tl.video_tracks[0].add(MediaClip("a", 0, 20, 0, media="s"))
    tl.video_tracks[0].add(MediaClip("b", 20, 20, 0, media="s"))
    plan = build_plan(tl, Fraction(30), 48000)
    assert len(plan.segments) == 1 and plan.segments[0].layers[0].still


def test_pending_generated_clip_is_not_planned():
    tl = timeline()
    tl.video_tracks[0].add(GeneratedClip("g", 0, 30, spec=GenerationSpec(prompt="x")))
    plan = build_plan(tl, Fraction(30), 48000)
    assert plan.total_frames == 30 and plan.segments[0].layers == ()


# --- ffmpeg error lines -------------------------------------------------------------------------------------


def test_meaningful_error_skips_boilerplate():
    stderr = """x264 [error]: invalid preset 'bogus'
[libx264 @ 0x555a0fc80dc0] Error setting preset/tune bogus/(null).
[vost#0:0/libx264 @ 0x555a0fbf7f40] [enc:libx264 @ 0x555a0fbf3900] Error while opening encoder - maybe incorrect
[vf#0:0 @ 0x555a0fbce180] Task finished with error code: -22 (Invalid argument)
[out#0/mp4 @ 0x555a0fc30b80] Nothing was written into output file, because at least one of its streams received"""
    assert meaningful_error(stderr) == "x264: invalid preset 'bogus'"
    assert meaningful_error("[h264_nvenc @ 0x56196e354200] Cannot load libcuda.so.1\nConversion failed!") == \
        "Cannot load libcuda.so.1"
    assert meaningful_error("") == ""


@given(st.integers(16, 4000), st.integers(16, 4000), st.integers(16, 2000), st.integers(16, 2000),
       st.sampled_from([Fit.FILL, Fit.FIT, Fit.CROP]))
def test_source_window_is_the_visible_part_of_the_source(sw, sh, cw, ch, fit):
    p = place(sw, sh, cw, ch, fit)
    x, y, w, h = p.source_window(sw, sh)
    assert 0 <= x and x + w <= sw and 0 <= y and y + h <= sh   # noqa: SIM300
    assert w * p.scaled_w == p.crop_w * sw and h * p.scaled_h == p.crop_h * sh


def test_short_segments_share_runs_and_long_ones_run_alone():
    from editor.render.export import BATCH_INPUTS, batch_segments
    from editor.render.ffgraph import SourceFacts

    tl = timeline()
    _pool(tl, "a", seconds=1000)
    start = 0
    lengths = [10] * 30 + [300] + [10] * 5
    for i, n in enumerate(lengths):
        tl.video_tracks[0].add(MediaClip(f"c{i}", start, n, (i * 50) % 900, media="a"))
        start += n
    plan = build_plan(tl, Fraction(30), 48000)
    assert len(plan.segments) == len(lengths)
    facts = {"a": SourceFacts("/media/a.mp4", 320, 180, has_audio=True)}
    runs = batch_segments(plan, facts)
    assert [s for run in runs for s in run] == list(plan.segments)             # all, in order, once
    assert any(len(run) == 1 and run[0].frames == 300 for run in runs)         # the long one alone
    assert all(sum(s.inputs() for s in run) <= BATCH_INPUTS for run in runs)
    assert all(sum(s.frames for s in run) <= 120 for run in runs if len(run) > 1)
    assert len(runs) < len(lengths) / 3


def test_a_moving_picture_over_a_cut_holds_the_segment_together():
    tl = timeline(video_tracks=2, audio_tracks=0)
    for mid in ("a", "b", "p", "q"):
        _pool(tl, mid, seconds=100)
    _pool(tl, "s", kind=MediaKind.IMAGE, audio=False)
    tl.video_tracks[0].add(MediaClip("a", 0, 100, 0, media="a"))
    tl.video_tracks[0].add(MediaClip("b", 100, 100, 0, media="b"))     # clean cut at 100 ...
    tl.video_tracks[0].add(MediaClip("c", 200, 100, 0, media="a"))     # ... and at 200
    tl.video_tracks[1].add(MediaClip("pip", 150, 100, 0, media="p"))   # a video over the cut at 200
    tl.video_tracks[1].add(MediaClip("logo", 0, 120, 0, media="s"))    # a still over the cut at 100
    plan = build_plan(tl, Fraction(30), 48000)
    assert [(s.frame, s.frames) for s in plan.segments] == [(0, 100), (100, 200)]
    second = plan.segments[1]
    assert [(x.media_id, x.offset, x.frames) for x in second.layers] == \
        [("b", 0, 100), ("a", 100, 100), ("s", 0, 20), ("p", 50, 100)]
    assert second.layers[1].start == Fraction(200 - 200, 30)
