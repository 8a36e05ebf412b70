"""Speed, transitions, fades and keyframes as edits: exact inverses, and what they do to lengths and sources."""

from __future__ import annotations

from fractions import Fraction

import pytest

from editor.model.clips import TextClip
from editor.model.commands import (
    AddTransition,
    Insert,
    Move,
    SetClipProperties,
    SetMasterVolume,
    SetSpeed,
    Split,
    TrimHead,
    TrimTail,
)
from editor.model.effects import Transform, Transition, TransitionKind, parse_speed
from editor.model.keyframes import Curve, Ease, Key


def test_double_speed_halves_the_clip_and_ripples_the_ones_after(tl, do) -> None:
    do(tl, SetSpeed("a", Fraction(2)))
    a, b = tl.find("a")[1], tl.find("b")[1]
    assert (a.duration, a.source_in, a.source_frames) == (50, 50, 100)
    assert b.start == 50                        # rippled: the same source range, half the time
    assert a.source_frame(10) == 70


def test_half_speed_doubles_the_clip(tl, do) -> None:
    do(tl, SetSpeed("b", Fraction(1, 2)))
    b = tl.find("b")[1]
    assert b.duration == 100 and b.source_frames == 50
    assert tl.find("c")[1].start == 250


def test_speed_without_ripple_must_fit(tl, refuse) -> None:
    refuse(tl, SetSpeed("a", Fraction(1, 2), ripple=False), "would run into")


def test_out_of_range_speeds_and_stills_are_refused(tl, refuse) -> None:
    refuse(tl, SetSpeed("a", Fraction(11)), "outside 0.1x..10x")
    refuse(tl, SetSpeed("c", Fraction(2)), "still picture")


def test_reverse_plays_the_same_range_backwards(tl, do) -> None:
    do(tl, SetSpeed("a", Fraction(1), reverse=True))
    a = tl.find("a")[1]
    assert a.source_frame(0) == 149 and a.source_frame(99) == 50


def test_freeze_frame_keeps_its_length_and_frame(tl, do) -> None:
    do(tl, SetSpeed("a", Fraction(0)))
    a = tl.find("a")[1]
    assert a.duration == 100 and a.source_frames == 1 and a.source_frame(80) == 50


def test_trims_and_splits_of_a_fast_clip_keep_source_in_step(tl, do) -> None:
    do(tl, SetSpeed("a", Fraction(2), ripple=False))
    do(tl, TrimHead("a", 10))
    assert tl.find("a")[1].source_in == 70
    split = do(tl, Split("a", 20))
    right = tl.find(split.right_id)[1]
    assert right.source_in == 90 and right.speed == 2


def test_reversed_clip_tail_trim_moves_the_bottom_of_its_range(tl, do) -> None:
    do(tl, SetSpeed("a", Fraction(1), reverse=True))
    do(tl, TrimTail("a", 80))
    a = tl.find("a")[1]
    assert a.source_frame(0) == 149 and a.source_in == 70


def test_transition_joins_touching_clips_and_goes_when_they_part(tl, do, refuse) -> None:
    do(tl, AddTransition("b", Transition(TransitionKind.DISSOLVE, 10, 10)))
    assert tl.find("b")[1].transition.duration == 20
    refuse(tl, AddTransition("c", Transition()), "no clip ending where it starts")
    refuse(tl, AddTransition("b", Transition(TransitionKind.DISSOLVE, 10, 60)), "longer than")
    do(tl, Move("a", "V1", 300))                 # the outgoing clip leaves: the transition goes, undo restores it
    assert tl.find("b")[1].transition is None


def test_a_split_keeps_the_transition_and_fade_in_on_the_left(tl, do) -> None:
    do(tl, AddTransition("b", Transition.aligned(TransitionKind.DIP_BLACK, 10, "start")))
    do(tl, SetClipProperties("b", fade_out=8))
    split = do(tl, Split("b", 120))
    left, right = tl.find("b")[1], tl.find(split.right_id)[1]
    assert left.transition == Transition(TransitionKind.DIP_BLACK, 0, 10) and left.fade_out == 0
    assert right.transition is None and right.fade_out == 8


def test_keyframes_stay_on_their_frames_when_the_head_is_trimmed(tl, do) -> None:
    ramp = Transform(opacity=Curve(1.0, (Key(20, 0.0), Key(40, 1.0, Ease.EASE_IN_OUT))))
    do(tl, SetClipProperties("a", transform=ramp))
    before = [tl.find("a")[1].transform.opacity.at(f) for f in range(20, 41)]
    do(tl, TrimHead("a", 10))
    after = [tl.find("a")[1].transform.opacity.at(f - 10) for f in range(20, 41)]
    assert before == after


def test_fades_longer_than_a_trimmed_clip_shrink_with_it(tl, do) -> None:
    do(tl, SetClipProperties("b", fade_in=20, fade_out=20))
    do(tl, TrimTail("b", 125))
    b = tl.find("b")[1]
    assert b.fade_in + b.fade_out <= b.duration


def test_bad_effect_values_are_refused(tl, refuse) -> None:
    refuse(tl, SetClipProperties("a", transform=Transform(opacity=Curve(2.0))), "opacity has a value outside")
    refuse(tl, SetClipProperties("a", fade_in=-1), "0 frames or more")
    refuse(tl, SetClipProperties("a", interpolation="warp"), "'blend' or 'flow'")


def test_text_clips_go_on_video_tracks_only(tl, do, refuse) -> None:
    title = TextClip("t", 400, 30, text="Hello")
    refuse(tl, Insert("A1", title), "only go on a video track")
    do(tl, Insert("V1", title))
    do(tl, SetClipProperties("t", text="Hi ' : % \\ \""))
    assert tl.find("t")[1].text == "Hi ' : % \\ \""


@pytest.mark.parametrize(("text", "speed"), [("2", Fraction(2)), ("50%", Fraction(1, 2)), ("0.25x", Fraction(1, 4)),
                                             ("1/3", Fraction(1, 3)), ("0", Fraction(0))])
def test_speeds_parse_from_what_people_type(text: str, speed: Fraction) -> None:
    assert parse_speed(text) == speed


@pytest.mark.parametrize("text", ["fast", "20", "-2", "0.01", ""])
def test_unusable_speeds_say_why(text: str) -> None:
    with pytest.raises(ValueError):
        parse_speed(text)


def test_master_volume_is_an_edit_with_an_inverse(tl, do, refuse) -> None:
    do(tl, SetMasterVolume(0.5))
    assert tl.master_volume == 0.5
    refuse(tl, SetMasterVolume(-1), "master volume")
