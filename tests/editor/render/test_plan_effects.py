"""The render plan's effects: what each layer says about speed, envelopes, tints, order and titles. Both
executors follow these fields, so they are specified here once, without ffmpeg or numpy."""

from __future__ import annotations

from fractions import Fraction

from render_support import timeline

from editor.model import MediaClip, MediaKind, MediaSource
from editor.model.clips import TextClip
from editor.model.effects import Transform, Transition, TransitionKind
from editor.model.keyframes import Curve, Key
from editor.model.text import TextStyle
from editor.render.plan import build_plan

FPS = Fraction(30)


def _pool(tl, mid="m", seconds=10, audio=True):
    tl.media[mid] = MediaSource(mid, f"/media/{mid}.mp4", MediaKind.VIDEO, Fraction(seconds), True, audio, 320, 180)
    return mid


def _at(plan, frame, kind="layers"):
    """The picture layers (or ``kind="sounds"``) at output frame ``frame``, with the frame's index into each."""
    for seg in plan.segments:
        if seg.frame <= frame < seg.end_frame:
            i = frame - seg.frame
            return [(x, i - x.offset) for x in getattr(seg, kind) if x.offset <= i < x.end]
    return []


def _layers(plan, frame):
    return _at(plan, frame)


def _sounds(plan, frame):
    return _at(plan, frame, "sounds")


def test_a_double_speed_clip_reads_its_source_twice_as_fast():
    tl = timeline()
    _pool(tl, "a")
    tl.video_tracks[0].add(MediaClip("c", 0, 30, 60, media="a", speed=Fraction(2)))
    plan = build_plan(tl, FPS, 48000)
    (layer, i), = _layers(plan, 10)
    assert layer.source_time(i, FPS) == Fraction(60 + 20, 30)
    assert plan.total_frames == 30


def test_a_reversed_clip_plays_its_range_backwards_and_a_freeze_holds_one_frame():
    tl = timeline()
    _pool(tl, "a")
    tl.video_tracks[0].add(MediaClip("r", 0, 30, 0, media="a", reverse=True))
    tl.video_tracks[0].add(MediaClip("f", 30, 30, 45, media="a", speed=Fraction(0)))
    plan = build_plan(tl, FPS, 48000)
    (rev, i), = _layers(plan, 0)
    assert rev.source_time(i, FPS) == Fraction(29, 30)
    (rev, i), = _layers(plan, 29)
    assert rev.source_time(i, FPS) == 0
    (frozen, i), = _layers(plan, 50)
    assert frozen.source_time(i, FPS) == Fraction(45, 30)


def test_a_centred_dissolve_runs_both_clips_into_their_handles_and_fades_the_incoming_one_in():
    tl = timeline()
    _pool(tl, "a")
    _pool(tl, "b")
    v = tl.video_tracks[0]
    v.add(MediaClip("out", 0, 60, 30, media="a"))
    v.add(MediaClip("in", 60, 60, 30, media="b", transition=Transition(TransitionKind.DISSOLVE, 10, 10)))
    tl.check()
    plan = build_plan(tl, FPS, 48000)
    assert _layers(plan, 49)[0][0].media_id == "a" and len(_layers(plan, 49)) == 1
    both = _layers(plan, 60)                                   # the cut: the midpoint
    assert [x.media_id for x, _ in both] == ["a", "b"]
    (outgoing, i), (incoming, j) = both
    assert incoming.order == 1 and outgoing.order == 0
    assert outgoing.opacity_at(i) == 1.0 and incoming.opacity_at(j) == 0.5
    assert outgoing.source_time(i, FPS) == Fraction(90, 30)      # past its out point: its handle
    assert incoming.source_time(j, FPS) == Fraction(30, 30)
    (incoming, j), = [x for x in _layers(plan, 50) if x[0].media_id == "b"]
    assert incoming.opacity_at(j) == 0.0 and incoming.source_time(j, FPS) == Fraction(20, 30)
    assert len(_layers(plan, 70)) == 1 and _layers(plan, 70)[0][0].opacity_at(_layers(plan, 70)[0][1]) == 1.0


def test_a_dissolve_crossfades_the_clips_sound():
    tl = timeline()
    _pool(tl, "a")
    _pool(tl, "b")
    a = tl.audio_tracks[0]
    a.add(MediaClip("out", 0, 60, 30, media="a"))
    a.add(MediaClip("in", 60, 60, 30, media="b", transition=Transition(TransitionKind.DISSOLVE, 10, 10)))
    plan = build_plan(tl, FPS, 48000)
    gains = {x.media_id: x.gain_at(i) for x, i in _sounds(plan, 60)}
    assert gains == {"a": 0.5, "b": 0.5}
    assert {x.media_id: x.gain_at(i) for x, i in _sounds(plan, 55)} == {"a": 0.75, "b": 0.25}


def test_a_dip_to_black_tints_out_then_in_without_handles():
    tl = timeline()
    _pool(tl, "a")
    _pool(tl, "b")
    v = tl.video_tracks[0]
    v.add(MediaClip("out", 0, 60, media="a"))
    v.add(MediaClip("in", 60, 60, media="b", transition=Transition(TransitionKind.DIP_BLACK, 10, 20)))
    plan = build_plan(tl, FPS, 48000)
    (out, i), = _layers(plan, 55)
    assert out.tint == "#000000" and out.tint_amount.at(float(out.clip_frame_at(i))) == 0.5
    (inc, j), = _layers(plan, 70)
    assert inc.tint == "#000000" and inc.tint_amount.at(float(inc.clip_frame_at(j))) == 0.5
    assert plan.total_frames == 120


def test_fades_and_keyframed_opacity_multiply():
    tl = timeline()
    _pool(tl, "a")
    half = Transform(opacity=Curve(0.5))
    tl.video_tracks[0].add(MediaClip("c", 0, 60, media="a", fade_in=10, fade_out=20, transform=half))
    plan = build_plan(tl, FPS, 48000)
    (layer, i), = _layers(plan, 5)
    assert layer.opacity_at(i) == 0.25
    (layer, i), = _layers(plan, 50)
    assert layer.opacity_at(i) == 0.25
    (layer, i), = _layers(plan, 20)
    assert layer.opacity_at(i) == 0.5


def test_gain_keys_and_fades_shape_the_sound():
    tl = timeline()
    _pool(tl, "a")
    keyed = Curve(0.0, (Key(0, -20.0), Key(30, 0.0)))
    tl.audio_tracks[0].add(MediaClip("c", 0, 60, media="a", gain=keyed, fade_out=30))
    plan = build_plan(tl, FPS, 48000)
    (s, i), = _sounds(plan, 0)
    assert abs(s.gain_at(i) - 0.1) < 1e-9
    (s, i), = _sounds(plan, 45)
    assert abs(s.gain_at(i) - 0.5) < 1e-9


def test_a_title_is_a_still_layer_with_its_text_and_style():
    tl = timeline()
    style = TextStyle()
    tl.video_tracks[0].add(TextClip("t", 0, 30, text="Hi ' : % \\ \"", style=style))
    plan = build_plan(tl, FPS, 48000)
    (layer, _), = _layers(plan, 3)
    assert layer.title == ("Hi ' : % \\ \"", style) and layer.still and layer.media_id == ""
    assert plan.segments[0].sounds == ()


def test_solo_silences_the_other_tracks():
    tl = timeline(audio_tracks=2)
    _pool(tl, "a")
    _pool(tl, "b")
    tl.audio_tracks[0].add(MediaClip("c", 0, 30, media="a"))
    tl.audio_tracks[1].add(MediaClip("d", 0, 30, media="b"))
    tl.audio_tracks[1].solo = True
    plan = build_plan(tl, FPS, 48000)
    assert [s.media_id for s, _ in _sounds(plan, 0)] == ["b"]


def test_effects_do_not_stop_a_razor_cut_clip_from_merging_into_one_segment():
    tl = timeline()
    _pool(tl, "a")
    fast = Fraction(2)
    tl.video_tracks[0].add(MediaClip("c", 0, 30, 0, media="a", speed=fast))
    tl.video_tracks[1 - 1].add(MediaClip("d", 30, 30, 60, media="a", speed=fast))
    plan = build_plan(tl, FPS, 48000)
    assert len(plan.segments) == 2        # two clips: their own timings, not one continuing layer
    one = timeline()
    _pool(one, "a")
    one.video_tracks[0].add(MediaClip("c", 0, 60, 0, media="a", speed=fast, fade_in=10))
    one.audio_tracks[0].add(MediaClip("s", 20, 10, 0, media="a"))    # a sound cuts the picture's segment
    assert len(build_plan(one, FPS, 48000).segments) == 1


def test_the_master_volume_scales_every_sound():
    tl = timeline()
    _pool(tl, "a")
    tl.audio_tracks[0].add(MediaClip("c", 0, 30, media="a", volume=0.5))
    tl.master_volume = 0.5
    (s, i), = _sounds(build_plan(tl, FPS, 48000), 0)
    assert s.gain_at(i) == 0.25
