"""Insert, Overwrite, Move, Split, Delete, RippleDelete on the standard timeline (see conftest.tl)."""

from __future__ import annotations

from editor.model import Change
from editor.model.clips import Clip
from editor.model.commands import Delete, Insert, Move, Overwrite, RippleDelete, SetTrackFlags, Split
from editor.model.testing import clip, generated, spans

V1_BEFORE = [("a", 0, 100, 50), ("b", 100, 150, 0), ("c", 200, 240, 0)]


# --- Insert ---------------------------------------------------------------------------------------------------


def test_insert_in_a_gap_ripples_later_clips_on_that_track_only(tl, do):
    other_tracks = (tl.track("V2").clips[:], tl.track("A1").clips[:])
    do(tl, Insert("V1", clip("cam", 0, 30, clip_id="n"), at=150))
    assert spans(tl, "V1") == [("a", 0, 100, 50), ("b", 100, 150, 0), ("n", 150, 180, 0), ("c", 230, 270, 0)]
    assert (tl.track("V2").clips, tl.track("A1").clips) == other_tracks


def test_insert_at_a_cut_splits_nothing(tl, do):
    do(tl, Insert("V1", clip("cam", 0, 30, clip_id="n"), at=100))
    assert spans(tl, "V1") == [("a", 0, 100, 50), ("n", 100, 130, 0), ("b", 130, 180, 0), ("c", 230, 270, 0)]


def test_insert_inside_a_clip_splits_it_and_pushes_the_right_part(tl, do):
    do(tl, Insert("V1", clip("cam", 0, 30, clip_id="n"), at=40, split_id="a2"))
    assert spans(tl, "V1") == [("a", 0, 40, 50), ("n", 40, 70, 0), ("a2", 70, 130, 90), ("b", 130, 180, 0),
                               ("c", 230, 270, 0)]


def test_insert_uses_the_clips_own_start_by_default(tl, do):
    do(tl, Insert("V1", clip("cam", 160, 10, clip_id="n")))
    assert ("n", 160, 170, 0) in spans(tl, "V1")


def test_insert_splitting_a_still_keeps_its_source_in_at_zero(tl, do):
    do(tl, Insert("V1", clip("cam", 0, 10, clip_id="n"), at=220, split_id="c2"))
    assert spans(tl, "V1")[2:] == [("c", 200, 220, 0), ("n", 220, 230, 0), ("c2", 230, 250, 0)]


def test_insert_splitting_a_pending_generated_segment_keeps_its_source_in(tl, do):
    do(tl, Insert("V2", generated(0, 10, clip_id="n"), at=80, split_id="g2"))
    assert spans(tl, "V2") == [("g", 50, 80, 0), ("n", 80, 90, 0), ("g2", 90, 120, 0)]
    assert tl.find("g2")[1].spec == tl.find("g")[1].spec


def test_insert_emits_one_change_naming_the_track(tl):
    events: list[Change] = []
    tl.subscribe(events.append)
    Insert("A1", clip("music", 0, 10, clip_id="n"), at=0).apply(tl)
    assert events == [Change("Insert", ("A1",))]


def test_insert_refusals(tl, refuse):
    refuse(tl, Insert("V1", clip("cam", 0, 10, clip_id="a"), at=300), "a clip with id a is already on the timeline")
    refuse(tl, Insert("V1", clip("nope", 0, 10), at=300), "refers to media 'nope', not in the pool")
    refuse(tl, Insert("V1", clip("music", 0, 10, clip_id="n"), at=300),
           r"clip n cannot go on video track V1: music.wav has no picture")
    refuse(tl, Insert("A1", clip("mute", 0, 10, clip_id="n"), at=300),
           r"clip n cannot go on audio track A1: mute.mp4 has no sound")
    refuse(tl, Insert("A1", generated(0, 10, clip_id="n"), at=300), "generated clip n can only go on a video track")
    refuse(tl, Insert("V1", clip("cam", 0, 100, 250, clip_id="n"), at=300),
           r"clip n would play source frames 250..350 but its media has 300")
    refuse(tl, Insert("V1", clip("cam", 0, 0, clip_id="n"), at=300), "clip n would have length 0")
    refuse(tl, Insert("V1", clip("cam", 0, 10, clip_id="n"), at=-5), "would start at frame -5")
    refuse(tl, Insert("V1", clip("cam", 0, 10, clip_id="n"), at=1.5), "the insert point must be a whole frame")
    refuse(tl, Insert("V9", clip("cam", 0, 10, clip_id="n"), at=0), "no track 'V9'")
    refuse(tl, Insert("V1", Clip("n", 0, 10), at=0), "only media, generated and text clips go")
    refuse(tl, Insert("V1", clip("cam", 0, 10, clip_id="n"), at=50, split_id="b"),
           "a clip with id b is already on the timeline")


def test_locked_track_refuses_insert(tl, refuse):
    SetTrackFlags("V1", locked=True).apply(tl)
    err = refuse(tl, Insert("V1", clip("cam", 0, 10), at=0), "track V1 is locked")
    assert str(err) == "track V1 is locked"


# --- Overwrite ------------------------------------------------------------------------------------------------


def test_overwrite_trims_the_clips_it_partly_covers(tl, do):
    do(tl, Overwrite("V1", clip("cam", 0, 40, clip_id="n"), at=80))
    assert spans(tl, "V1") == [("a", 0, 80, 50), ("n", 80, 120, 0), ("b", 120, 150, 20), ("c", 200, 240, 0)]


def test_overwrite_removes_the_clips_it_covers(tl, do):
    do(tl, Overwrite("V1", clip("cam", 0, 70, clip_id="n"), at=90))
    assert spans(tl, "V1") == [("a", 0, 90, 50), ("n", 90, 160, 0), ("c", 200, 240, 0)]


def test_overwrite_inside_a_clip_splits_it(tl, do):
    do(tl, Overwrite("V1", clip("cam", 0, 20, clip_id="n"), at=20, split_id="a2"))
    assert spans(tl, "V1") == [("a", 0, 20, 50), ("n", 20, 40, 0), ("a2", 40, 100, 90), ("b", 100, 150, 0),
                               ("c", 200, 240, 0)]


def test_overwrite_over_a_still_keeps_its_source_in(tl, do):
    do(tl, Overwrite("V1", clip("cam", 0, 20, clip_id="n"), at=190))
    assert spans(tl, "V1")[-2:] == [("n", 190, 210, 0), ("c", 210, 240, 0)]


def test_overwrite_in_empty_space_moves_nothing(tl, do):
    do(tl, Overwrite("V1", clip("cam", 0, 20, clip_id="n"), at=160))
    assert spans(tl, "V1") == [*V1_BEFORE[:2], ("n", 160, 180, 0), V1_BEFORE[2]]


def test_overwrite_refusals(tl, refuse):
    refuse(tl, Overwrite("V1", clip("cam", 0, 100, 201, clip_id="n"), at=0), "source frames 201..301")
    refuse(tl, Overwrite("V1", clip("cam", 0, 20, clip_id="n"), at=20, split_id="m"), "id m is already")
    SetTrackFlags("V2", locked=True).apply(tl)
    refuse(tl, Overwrite("V2", clip("cam", 0, 10), at=0), "track V2 is locked")


# --- Move -----------------------------------------------------------------------------------------------------


def test_move_within_a_track_keeps_everything_else(tl, do):
    do(tl, Move("b", to_start=150))
    assert spans(tl, "V1") == [("a", 0, 100, 50), ("b", 150, 200, 0), ("c", 200, 240, 0)]


def test_move_into_a_gap_and_over_its_own_old_place(tl, do):
    do(tl, Move("b", to_start=120))
    assert spans(tl, "V1") == [("a", 0, 100, 50), ("b", 120, 170, 0), ("c", 200, 240, 0)]
    do(tl, Move("c", to_start=180))
    assert spans(tl, "V1")[-1] == ("c", 180, 220, 0)


def test_move_refuses_to_overlap(tl, refuse):
    refuse(tl, Move("b", to_start=180), r"clip b would overlap clip c on V1 at frames 200\.\.230")
    refuse(tl, Move("a", to_start=10), r"clip a would overlap clip b on V1 at frames 100\.\.110")
    refuse(tl, Move("a", "V2", 0), r"clip a would overlap clip g on V2 at frames 50\.\.100")
    refuse(tl, Move("b", to_start=-1), "would start at frame -1")


def test_move_across_tracks(tl, do):
    events: list[Change] = []
    tl.subscribe(events.append)
    do(tl, Move("a", "V2", 200))
    assert spans(tl, "V1") == V1_BEFORE[1:]
    assert spans(tl, "V2") == [("g", 50, 110, 0), ("a", 200, 300, 50)]
    assert events[0] == Change("Move", ("V1", "V2"))


def test_move_keeps_to_tracks_of_the_same_kind(tl, refuse):
    refuse(tl, Move("a", "A1", 400), "cannot move clip a from video track V1 to audio track A1")
    refuse(tl, Move("m", "V1", 400), "cannot move clip m from audio track A1 to video track V1")


def test_move_generated_clip_to_another_video_track(tl, do, refuse):
    refuse(tl, Move("g", "V1", 150), "clip g would overlap clip c")
    do(tl, Move("g", "V1", 240))
    assert spans(tl, "V1")[-1] == ("g", 240, 300, 0)


def test_overwrite_move_trims_what_it_lands_on(tl, do):
    do(tl, Move("b", to_start=0, overwrite=True))
    assert spans(tl, "V1") == [("b", 0, 50, 0), ("a", 50, 100, 100), ("c", 200, 240, 0)]


def test_overwrite_move_removes_and_splits(tl, do):
    do(tl, Move("b", to_start=190, overwrite=True))
    assert spans(tl, "V1") == [("a", 0, 100, 50), ("b", 190, 240, 0)]


def test_overwrite_move_splits_a_clip_it_lands_inside(tl, do):
    do(tl, Move("c", "V2", 60, overwrite=True, split_id="g2"))
    assert spans(tl, "V2") == [("g", 50, 60, 0), ("c", 60, 100, 0), ("g2", 100, 110, 0)]


def test_move_refuses_locked_tracks(tl, refuse):
    SetTrackFlags("V2", locked=True).apply(tl)
    refuse(tl, Move("a", "V2", 300), "track V2 is locked")
    refuse(tl, Move("g", "V1", 300), "track V2 is locked")


def test_move_unknown_clip(tl, refuse):
    refuse(tl, Move("zz", to_start=0), "no clip 'zz'")


# --- Split ----------------------------------------------------------------------------------------------------


def test_split_makes_a_right_part_with_the_new_id(tl, do):
    cmd = do(tl, Split("a", 30, right_id="a2"))
    assert cmd.right_id == "a2"
    assert spans(tl, "V1")[:2] == [("a", 0, 30, 50), ("a2", 30, 100, 80)]
    right = tl.find("a2")[1]
    assert (right.media_id(), right.fit, right.volume) == ("cam", tl.find("a")[1].fit, 1.0)


def test_split_makes_an_id_when_none_given_and_keeps_it_on_redo(tl):
    cmd = Split("a", 30)
    cmd.apply(tl)
    first = [c.id for c in tl.track("V1").clips]
    cmd.revert(tl)
    cmd.apply(tl)
    assert [c.id for c in tl.track("V1").clips] == first
    assert cmd.right_id in first


def test_split_a_still(tl, do):
    do(tl, Split("c", 210, right_id="c2"))
    assert spans(tl, "V1")[-2:] == [("c", 200, 210, 0), ("c2", 210, 240, 0)]


def test_split_refusals(tl, refuse):
    refuse(tl, Split("a", 0), r"cannot split clip a at frame 0: it covers frames 0\.\.100")
    refuse(tl, Split("a", 100), r"cannot split clip a at frame 100")
    refuse(tl, Split("a", 50, right_id="b"), "id b is already")
    refuse(tl, Split("zz", 50), "no clip 'zz'")


# --- Delete / RippleDelete ------------------------------------------------------------------------------------


def test_delete_leaves_a_gap(tl, do):
    do(tl, Delete("b"))
    assert spans(tl, "V1") == [V1_BEFORE[0], V1_BEFORE[2]]


def test_ripple_delete_closes_the_gap_on_that_track(tl, do):
    do(tl, RippleDelete("a"))
    assert spans(tl, "V1") == [("b", 0, 50, 0), ("c", 100, 140, 0)]
    assert spans(tl, "V2") == [("g", 50, 110, 0)]


def test_ripple_delete_of_the_last_clip(tl, do):
    do(tl, RippleDelete("c"))
    assert spans(tl, "V1") == V1_BEFORE[:2]


def test_delete_refusals(tl, refuse):
    refuse(tl, Delete("zz"), "no clip 'zz'")
    SetTrackFlags("A1", locked=True).apply(tl)
    refuse(tl, Delete("m"), "track A1 is locked")
    refuse(tl, RippleDelete("m"), "track A1 is locked")
