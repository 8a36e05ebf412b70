"""TrimHead, TrimTail, RippleTrim, Roll, Slip on the standard timeline (see conftest.tl)."""

from __future__ import annotations

from editor.model.commands import Insert, RippleTrim, Roll, SetTrackFlags, Slip, TrimHead, TrimTail
from editor.model.testing import clip, spans

# --- TrimHead / TrimTail ----------------------------------------------------------------------------------------


def test_trim_head_in_moves_source_in_along(tl, do):
    do(tl, TrimHead("a", 10))
    assert spans(tl, "V1")[0] == ("a", 10, 100, 60)


def test_trim_head_out_into_free_space(tl, do):
    do(tl, TrimHead("a", 10))
    do(tl, TrimHead("a", 0))
    assert spans(tl, "V1")[0] == ("a", 0, 100, 50)


def test_trim_head_of_a_still_keeps_source_in(tl, do):
    do(tl, TrimHead("c", 160))
    assert spans(tl, "V1")[-1] == ("c", 160, 240, 0)


def test_trim_head_refusals(tl, refuse):
    refuse(tl, TrimHead("b", 99), "clip b cannot start earlier in its media: its head can move back 0 frames")
    refuse(tl, TrimHead("c", 140), "clip c cannot start at frame 140: clip b ends at 150")
    refuse(tl, TrimHead("a", 100), r"clip a would have no length: it would cover frames 100\.\.100")
    refuse(tl, TrimHead("a", -1), "cannot start at frame -1, before the timeline starts")
    SetTrackFlags("V1", locked=True).apply(tl)
    refuse(tl, TrimHead("a", 10), "track V1 is locked")


def test_trim_tail(tl, do):
    do(tl, TrimTail("a", 90))
    assert spans(tl, "V1")[0] == ("a", 0, 90, 50)
    do(tl, TrimTail("b", 200))
    assert spans(tl, "V1")[1:] == [("b", 100, 200, 0), ("c", 200, 240, 0)]


def test_trim_tail_of_still_and_pending_segment_has_no_media_limit(tl, do):
    do(tl, TrimTail("c", 5000))
    do(tl, TrimTail("g", 5000))
    assert spans(tl, "V2") == [("g", 50, 5000, 0)]


def test_trim_tail_refusals(tl, do, refuse):
    refuse(tl, TrimTail("a", 101), "clip a cannot end at frame 101: clip b starts at 100")
    refuse(tl, TrimTail("a", 0), "clip a would have no length")
    do(tl, Insert("V2", clip("take2", 0, 50, clip_id="t"), at=200))
    refuse(tl, TrimTail("t", 261), "clip t cannot end later in its media: its tail can move on 10 frames at most")
    do(tl, TrimTail("t", 260))


# --- RippleTrim -------------------------------------------------------------------------------------------------


def test_ripple_trim_tail_shortening_pulls_later_clips(tl, do):
    do(tl, RippleTrim("b", "tail", 130))
    assert spans(tl, "V1") == [("a", 0, 100, 50), ("b", 100, 130, 0), ("c", 180, 220, 0)]
    assert spans(tl, "V2") == [("g", 50, 110, 0)]


def test_ripple_trim_tail_lengthening_pushes_later_clips(tl, do):
    do(tl, RippleTrim("a", "tail", 120))
    assert spans(tl, "V1") == [("a", 0, 120, 50), ("b", 120, 170, 0), ("c", 220, 260, 0)]


def test_ripple_trim_head_keeps_the_clip_in_place_and_pulls_later_clips(tl, do):
    do(tl, RippleTrim("a", "head", 10))
    assert spans(tl, "V1") == [("a", 0, 90, 60), ("b", 90, 140, 0), ("c", 190, 230, 0)]


def test_ripple_trim_head_out_uses_earlier_source(tl, do):
    do(tl, RippleTrim("a", "head", -20))
    assert spans(tl, "V1") == [("a", 0, 120, 30), ("b", 120, 170, 0), ("c", 220, 260, 0)]


def test_ripple_trim_head_of_a_still(tl, do):
    do(tl, RippleTrim("c", "head", 150))
    assert spans(tl, "V1")[-1] == ("c", 200, 290, 0)


def test_ripple_trim_refusals(tl, refuse):
    refuse(tl, RippleTrim("b", "head", 90), "clip b cannot start earlier in its media")
    refuse(tl, RippleTrim("a", "tail", 251), "clip a cannot end later in its media: its tail can move on 150")
    refuse(tl, RippleTrim("a", "tail", 0), "clip a would have no length")
    refuse(tl, RippleTrim("a", "head", 100), "clip a would have no length")
    refuse(tl, RippleTrim("a", "middle", 10), "a clip has a 'head' and a 'tail' edge, not 'middle'")


# --- Roll -------------------------------------------------------------------------------------------------------


def test_roll_moves_the_cut_only(tl, do):
    do(tl, Roll("a", "b", 120))
    assert spans(tl, "V1") == [("a", 0, 120, 50), ("b", 120, 150, 20), ("c", 200, 240, 0)]
    do(tl, Roll("a", "b", 110))
    assert spans(tl, "V1")[:2] == [("a", 0, 110, 50), ("b", 110, 150, 10)]


def test_roll_refusals(tl, refuse):
    refuse(tl, Roll("a", "b", 80), "clip b cannot start earlier in its media")
    refuse(tl, Roll("a", "b", 150), "clip b would have no length")
    refuse(tl, Roll("a", "b", 0), "clip a would have no length")
    refuse(tl, Roll("b", "c", 170), "clip b and clip c do not meet")
    refuse(tl, Roll("a", "g", 60), "clip a and clip g do not meet")


def test_roll_stops_at_the_end_of_the_left_media(tl, do, refuse):
    do(tl, Insert("V2", clip("take2", 0, 50, 5, clip_id="l"), at=300))
    do(tl, Insert("V2", clip("cam", 0, 50, 100, clip_id="r"), at=350))
    refuse(tl, Roll("l", "r", 356), "clip l cannot end later in its media: its tail can move on 5 frames")
    do(tl, Roll("l", "r", 355))
    assert spans(tl, "V2")[-2:] == [("l", 300, 355, 5), ("r", 355, 400, 105)]


# --- Slip -------------------------------------------------------------------------------------------------------


def test_slip_changes_source_in_only(tl, do):
    do(tl, Slip("a", 0))
    assert spans(tl, "V1")[0] == ("a", 0, 100, 0)
    do(tl, Slip("a", 200))
    assert spans(tl, "V1")[0] == ("a", 0, 100, 200)


def test_slip_pending_generated_segment_is_allowed(tl, do):
    do(tl, Slip("g", 5))
    assert spans(tl, "V2") == [("g", 50, 110, 5)]


def test_slip_refusals(tl, refuse):
    refuse(tl, Slip("a", 201), "cannot slip clip a to source frame 201: it would play up to frame 301 of media "
                               "with 300")
    refuse(tl, Slip("a", -1), "cannot slip clip a to source frame -1, before its media starts")
    refuse(tl, Slip("c", 0), "clip c is a still image: there is nothing to slip")
    refuse(tl, Slip("a", "5"), "the source in point must be a whole frame number")


# --- generated shots outgrowing their take ----------------------------------------------------------------------


def _shot_with_a_40_frame_take():
    from editor.model import GeneratedClip, GenerationSpec, Take
    from editor.model.testing import timeline, video

    tl = timeline(media=[video("take1", frames=40), video("cam", frames=300)])
    spec = GenerationSpec("a kite", seed=3)
    tl.track("V1").add(GeneratedClip("g", 10, 30, source_in=5, spec=spec, takes=(Take("take1", spec.content_hash()),),
                                     active_take=0))
    tl.track("V1").add(clip("cam", 60, 30, clip_id="n"))
    tl.check()
    return tl


def test_a_generated_shot_trimmed_past_its_take_waits_for_a_new_take_and_undo_restores_it(do):
    for command in (TrimTail("g", 50), TrimHead("g", 0), RippleTrim("g", "tail", 60), RippleTrim("g", "head", 0)):
        tl = _shot_with_a_40_frame_take()
        do(tl, command)   # applies, checks, reverts to the exact original, re-applies
        g = tl.find("g")[1]
        assert g.pending and g.active_take is None and g.source_in == 0 and len(g.takes) == 1


def test_a_generated_shot_trimmed_within_its_take_keeps_playing_it(do):
    tl = _shot_with_a_40_frame_take()
    do(tl, TrimTail("g", 45))     # source frames 5..40: still inside the take
    g = tl.find("g")[1]
    assert not g.pending and (g.source_in, g.duration) == (5, 35)


def test_a_roll_past_the_take_of_a_shot_makes_it_pending(do):
    tl = _shot_with_a_40_frame_take()
    tl.track("V1").add(clip("cam", 40, 20, clip_id="m"))
    do(tl, Roll("g", "m", 50))
    assert tl.find("g")[1].pending


def test_a_pending_shot_trimmed_back_inside_a_take_of_its_spec_plays_that_take_again(do):
    tl = _shot_with_a_40_frame_take()
    do(tl, TrimTail("g", 55))          # outgrows the take: pending
    assert tl.find("g")[1].pending
    do(tl, TrimTail("g", 45))          # 35 frames from source 0: inside the 40-frame take again
    g = tl.find("g")[1]
    assert not g.pending and g.active_take == 0 and (g.source_in, g.duration) == (0, 35)


def test_a_take_of_another_spec_is_not_played_again(do):
    from dataclasses import replace

    from editor.model.commands import SetClipProperties

    tl = _shot_with_a_40_frame_take()
    do(tl, TrimTail("g", 55))
    g = tl.find("g")[1]
    do(tl, SetClipProperties("g", spec=replace(g.spec, prompt="a red kite")))
    do(tl, TrimTail("g", 45))
    assert tl.find("g")[1].pending
