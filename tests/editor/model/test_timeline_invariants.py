"""Timeline.problems()/check(): each rule is detected; copy() and state() equality."""

from __future__ import annotations

import re
from dataclasses import replace
from fractions import Fraction

import pytest

from editor.model import Clip, InvariantError, Marker, Settings, Take, Timeline
from editor.model.testing import clip, generated, sound, still, timeline, video


def _broken(tl: Timeline, text: str) -> None:
    problems = tl.problems()
    assert any(text in p for p in problems), problems
    with pytest.raises(InvariantError, match=re.escape(text)):
        tl.check()


def test_the_standard_timeline_is_consistent(tl):
    assert tl.problems() == []


def test_overlap_and_order(tl):
    tl.track("V1").clips.append(clip("cam", 120, 10, clip_id="x"))
    _broken(tl, "clips c and x overlap on track V1")
    _broken(tl, "track V1 is not sorted at clip x")


def test_clip_rules(tl):
    v1 = tl.track("V1").clips
    v1[0] = replace(v1[0], source_in=-1)
    _broken(tl, "clip a source in before zero")
    v1[0] = replace(v1[0], source_in=250)
    _broken(tl, "clip a plays source frames 250..350 but its media has 300")
    v1[0] = replace(v1[0], source_in=0, volume=-1.0)
    _broken(tl, "clip a has volume -1.0")
    v1[0] = replace(v1[0], volume=1.0, duration=0)
    _broken(tl, "clip a has length 0")
    v1.insert(0, Clip("bare", 0, 0))
    _broken(tl, "clip bare is a Clip, not a media, generated or text clip")


def test_duplicate_ids_and_kinds(tl):
    tl.track("V2").clips.append(clip("cam", 500, 10, clip_id="a"))
    _broken(tl, "duplicate clip id a")
    tl.audio_tracks.append(tl.video_tracks[0])
    _broken(tl, "duplicate track id V1")
    _broken(tl, "track V1 is video but listed as audio")


def test_media_kind_rules(tl):
    tl.track("A1").clips.append(clip("mute", 400, 10, clip_id="x"))
    _broken(tl, "clip x on audio track A1 has no sound")
    tl.track("V2").clips.append(clip("music", 400, 10, clip_id="y"))
    _broken(tl, "clip y on video track V2 has no picture")
    tl.track("A1").clips.append(generated(500, 10, clip_id="z"))
    _broken(tl, "generated clip z is on a non-video track A1")


def test_take_rules(tl):
    v2 = tl.track("V2").clips
    v2[0] = replace(v2[0], takes=(Take("music", "h"),), active_take=0)
    _broken(tl, "active take of clip g has no picture")
    v2[0] = replace(v2[0], takes=(Take("gone", "h"),), active_take=None)
    _broken(tl, "take of clip g refers to unknown media 'gone'")
    v2[0] = replace(v2[0], takes=(), active_take=2)
    _broken(tl, "clip g has no take 2")


def test_pool_markers_and_track_rules(tl):
    tl.markers.append(Marker(-5, "early"))
    _broken(tl, "marker 'early' is before zero (-5)")
    tl.markers.clear()
    tl.media["alias"] = tl.media["cam"]
    _broken(tl, "media cam is filed under 'alias'")
    del tl.media["alias"]
    tl.track("A1").volume = float("inf")
    _broken(tl, "track A1 has volume inf")


def test_copy_is_independent_and_equal(tl):
    seen = []
    tl.subscribe(seen.append)
    twin = tl.copy()
    assert twin == tl and twin is not tl
    twin.track("V1").clips.pop()
    twin.track("A1").muted = True
    assert twin != tl
    assert len(tl.track("V1").clips) == 3 and not tl.track("A1").muted
    assert twin._listeners == []


def test_state_includes_what_defines_the_timeline(tl):
    other = tl.copy()
    other.settings = Settings(fps=Fraction(25))
    assert other != tl
    other = tl.copy()
    other.markers.append(Marker(3))
    assert other != tl
    assert tl != "timeline"


def test_stills_and_media_lengths():
    tl = timeline(1, 1, fps=Fraction(30000, 1001), media=[video("v", 300), still("s"), sound("m", 30)])
    tl.track("V1").add(clip("s", 0, 10_000, clip_id="x"))
    tl.track("V1").add(clip("v", 10_000, 10, clip_id="y"))
    assert tl.is_still(tl.find("x")[1]) and not tl.is_still(tl.find("y")[1])
    assert tl.media_frames(tl.find("x")[1]) is None
    assert tl.media["v"].duration == 10   # video("v", 300) lasts 300 frames at 30 fps ...
    assert tl.media["v"].duration_frames(tl.fps) == 299   # ... which is 299.7 frames at 29.97: whole frames only
    tl.check()
