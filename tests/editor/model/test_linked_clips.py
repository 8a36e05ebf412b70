"""Linked clips: a video placed with its sound is a picture on a video track and a sound on an audio track,
linked, edited together as one, and heard once. Every step checks the invariants and the exact inverse
(the ``do`` fixture applies, reverts and re-applies, calling ``timeline.check()`` each time)."""

from __future__ import annotations

import pytest

from editor.model import Timeline
from editor.model.clips import MediaClip
from editor.model.commands import (
    Delete,
    Group,
    History,
    Insert,
    Link,
    Move,
    Overwrite,
    Place,
    RemoveTrack,
    RippleDelete,
    RippleTrim,
    Slip,
    Split,
    TrimHead,
    TrimTail,
    Unlink,
    clips_using,
    one_per_link,
    place_media,
)
from editor.model.testing import clip, sound, spans, timeline, video
from editor.model.timeline import InvariantError


@pytest.fixture
def pair(do) -> Timeline:
    """V1: v [30,130) cam@0, its picture; A1: s [30,130) cam@0, its sound; linked as "L". A2 empty."""
    t = timeline(2, 2, media=[video("cam", 300), video("mute", 200, audio=False), sound("music", 600)])
    do(t, Place("V1", clip("cam", 0, 100, clip_id="v"), at=30, sound_track="A1", sound_id="s", link_id="L"))
    return t


def _clip(t: Timeline, clip_id: str) -> MediaClip:
    return t.find(clip_id)[1]   # type: ignore[return-value]


# --- placing -----------------------------------------------------------------------------------------------


def test_placing_a_video_with_sound_puts_its_picture_and_its_sound_on_two_tracks_linked(pair):
    assert spans(pair, "V1") == [("v", 30, 130, 0)]
    assert spans(pair, "A1") == [("s", 30, 130, 0)]
    assert _clip(pair, "v").link == _clip(pair, "s").link == "L"
    assert [c.id for _, c in pair.linked(_clip(pair, "v"))] == ["s"]


def test_the_picture_of_a_placed_pair_is_silent_so_its_sound_is_heard_once(pair):
    assert _clip(pair, "v").sound_detached
    assert not _clip(pair, "s").sound_detached


def test_placing_with_insert_pushes_later_clips_on_both_tracks(pair, do):
    do(pair, Place("V1", clip("cam", 0, 20, clip_id="v2"), at=0, sound_track="A1", insert=True, sound_id="s2",
                   link_id="L2"))
    assert spans(pair, "V1") == [("v2", 0, 20, 0), ("v", 50, 150, 0)]
    assert spans(pair, "A1") == [("s2", 0, 20, 0), ("s", 50, 150, 0)]


def test_placing_a_video_without_sound_gives_one_clip_and_no_link(do):
    t = timeline(1, 1, media=[video("mute", 200, audio=False)])
    do(t, Place("V1", clip("mute", 0, 50, clip_id="v"), at=0))
    assert spans(t, "V1") == [("v", 0, 50, 0)] and spans(t, "A1") == []
    assert _clip(t, "v").link is None and not _clip(t, "v").sound_detached


def test_placing_a_pair_is_refused_for_a_video_without_sound(refuse):
    t = timeline(1, 1, media=[video("mute", 200, audio=False)])
    refuse(t, Place("V1", clip("mute", 0, 50), at=0, sound_track="A1"), "no picture and sound")


def test_placing_a_pair_over_a_locked_audio_track_is_refused(pair, refuse, do):
    from editor.model.commands import SetTrackFlags

    do(pair, SetTrackFlags("A2", locked=True))
    refuse(pair, Place("V2", clip("cam", 0, 10), at=0, sound_track="A2"), "locked")


# --- editing a pair as one ---------------------------------------------------------------------------------


def test_moving_one_clip_of_a_pair_moves_the_other_by_as_much(pair, do):
    do(pair, Move("v", None, 60))
    assert spans(pair, "V1") == [("v", 60, 160, 0)]
    assert spans(pair, "A1") == [("s", 60, 160, 0)]


def test_moving_the_picture_to_another_video_track_keeps_the_sound_on_its_track(pair, do):
    do(pair, Move("v", "V2", 10))
    assert spans(pair, "V2") == [("v", 10, 110, 0)] and spans(pair, "A1") == [("s", 10, 110, 0)]


def test_moving_the_sound_moves_the_picture(pair, do):
    do(pair, Move("s", "A2", 0))
    assert spans(pair, "A2") == [("s", 0, 100, 0)] and spans(pair, "V1") == [("v", 0, 100, 0)]


def test_a_move_blocked_on_the_partner_track_is_refused_whole(pair, do, refuse):
    do(pair, Insert("A1", clip("music", 0, 50, clip_id="m"), at=200))
    refuse(pair, Move("v", None, 150), "would overlap clip m")


def test_a_move_with_linked_false_moves_one_clip_alone(pair, do):
    do(pair, Move("v", None, 40, linked=False))
    assert spans(pair, "V1") == [("v", 40, 140, 0)] and spans(pair, "A1") == [("s", 30, 130, 0)]


def test_trimming_a_head_trims_the_partner_too(pair, do):
    do(pair, TrimHead("s", 50))
    assert spans(pair, "V1") == [("v", 50, 130, 20)] and spans(pair, "A1") == [("s", 50, 130, 20)]


def test_trimming_a_tail_trims_the_partner_too(pair, do):
    do(pair, TrimTail("v", 100))
    assert spans(pair, "V1") == [("v", 30, 100, 0)] and spans(pair, "A1") == [("s", 30, 100, 0)]


def test_a_ripple_trim_ripples_both_tracks(pair, do):
    do(pair, Insert("V1", clip("mute", 0, 10, clip_id="w"), at=140))
    do(pair, Insert("A1", clip("music", 0, 10, clip_id="m"), at=140))
    do(pair, RippleTrim("v", "tail", 110))
    assert spans(pair, "V1") == [("v", 30, 110, 0), ("w", 120, 130, 0)]
    assert spans(pair, "A1") == [("s", 30, 110, 0), ("m", 120, 130, 0)]


def test_slipping_one_slips_both(pair, do):
    do(pair, Slip("v", 40))
    assert spans(pair, "V1") == [("v", 30, 130, 40)] and spans(pair, "A1") == [("s", 30, 130, 40)]


def test_splitting_one_splits_both_and_links_the_right_parts_together(pair, do):
    do(pair, Split("v", 80, right_id="v2", right_link="R"))
    assert spans(pair, "V1") == [("v", 30, 80, 0), ("v2", 80, 130, 50)]
    assert spans(pair, "A1") == [("s", 30, 80, 0), ("v2-1", 80, 130, 50)]
    assert _clip(pair, "v").link == _clip(pair, "s").link == "L"
    assert _clip(pair, "v2").link == _clip(pair, "v2-1").link == "R"
    assert _clip(pair, "v2").sound_detached and not _clip(pair, "v2-1").sound_detached


def test_deleting_one_deletes_both(pair, do):
    do(pair, Delete("s"))
    assert spans(pair, "V1") == [] and spans(pair, "A1") == []


def test_ripple_deleting_one_ripples_both_tracks(pair, do):
    do(pair, Insert("V1", clip("mute", 0, 10, clip_id="w"), at=140))
    do(pair, RippleDelete("v"))
    assert spans(pair, "V1") == [("w", 40, 50, 0)] and spans(pair, "A1") == []


def test_an_edit_of_a_pair_is_one_undo_step():
    t = timeline(1, 1, media=[video("cam", 300)])
    history = History(t)
    history.do(Place("V1", clip("cam", 0, 100, clip_id="v"), at=0, sound_track="A1", sound_id="s"))
    history.do(Move("v", None, 20))
    t.check()
    history.undo()
    t.check()
    assert spans(t, "V1") == [("v", 0, 100, 0)] and spans(t, "A1") == [("s", 0, 100, 0)]
    history.redo()
    t.check()
    assert spans(t, "A1") == [("s", 20, 120, 0)]


def test_one_per_link_keeps_one_clip_of_each_group_so_group_edits_act_once(pair, do):
    clips = [_clip(pair, "v"), _clip(pair, "s")]
    assert [c.id for c in one_per_link(clips)] == ["v"]
    do(pair, Group("Delete 1 clips", [Delete(c.id) for c in one_per_link(clips)]))
    assert pair.duration == 0


# --- link and unlink ---------------------------------------------------------------------------------------


def test_unlink_separates_the_pair_and_the_picture_stays_silent(pair, do):
    do(pair, Unlink("s"))
    assert _clip(pair, "v").link is None and _clip(pair, "s").link is None
    assert _clip(pair, "v").sound_detached     # or the sound would be heard twice
    do(pair, Move("v", None, 0))
    assert spans(pair, "A1") == [("s", 30, 130, 0)]


def test_link_joins_a_picture_and_a_sound_on_different_tracks(pair, do):
    do(pair, Unlink("v"))
    do(pair, Link(["v", "s"], link_id="K"))
    assert _clip(pair, "v").link == _clip(pair, "s").link == "K"


def test_link_refuses_one_clip_or_two_on_one_track(pair, do, refuse):
    do(pair, Insert("V1", clip("mute", 0, 10, clip_id="w"), at=200))
    refuse(pair, Link(["v"]), "two clips or more")
    refuse(pair, Link(["v", "w"]), "same track")


def test_unlink_refuses_a_clip_that_is_not_linked(pair, do, refuse):
    do(pair, Insert("V1", clip("mute", 0, 10, clip_id="w"), at=200))
    refuse(pair, Unlink("w"), "not linked")


# --- what other edits do to a link ---------------------------------------------------------------------------


def test_overwriting_the_whole_sound_unlinks_the_picture_in_the_same_step(pair, do):
    do(pair, Overwrite("A1", clip("music", 0, 200, clip_id="m"), at=0))
    assert spans(pair, "A1") == [("m", 0, 200, 0)]
    assert _clip(pair, "v").link is None


def test_overwriting_the_middle_of_the_picture_leaves_the_right_part_unlinked(pair, do):
    do(pair, Overwrite("V1", clip("mute", 0, 10, clip_id="w"), at=60, split_id="v2"))
    assert spans(pair, "V1") == [("v", 30, 60, 0), ("w", 60, 70, 0), ("v2", 70, 130, 40)]
    assert _clip(pair, "v").link == "L" and _clip(pair, "v2").link is None


def test_removing_the_audio_track_unlinks_the_picture(pair, do):
    do(pair, RemoveTrack("A1"))
    assert _clip(pair, "v").link is None


# --- invariants ---------------------------------------------------------------------------------------------


def test_a_link_group_of_one_clip_breaks_the_invariants():
    t = timeline(1, 1, media=[video("cam", 300)])
    t.track("V1").add(clip("cam", 0, 10, clip_id="v").moved(link="L"))
    with pytest.raises(InvariantError, match="only clip of link group L"):
        t.check()


def test_two_clips_of_one_link_group_on_one_track_break_the_invariants():
    t = timeline(1, 1, media=[video("cam", 300)])
    for c in (clip("cam", 0, 10, clip_id="v"), clip("cam", 10, 10, clip_id="w"), clip("cam", 0, 10, clip_id="s")):
        t.track("A1" if c.id == "s" else "V1").add(c.moved(link="L"))
    with pytest.raises(InvariantError, match="more than one clip on track V1"):
        t.check()


def test_detached_sound_on_an_audio_track_breaks_the_invariants():
    t = timeline(1, 1, media=[video("cam", 300)])
    t.track("A1").add(clip("cam", 0, 10, clip_id="s").moved(sound_detached=True))
    with pytest.raises(InvariantError, match="sound detached"):
        t.check()


# --- placing from the bin: which tracks -------------------------------------------------------------------


def test_media_from_the_bin_puts_its_sound_on_the_first_free_audio_track():
    t = timeline(1, 2, media=[video("cam", 300), sound("music", 600)])
    t.track("A1").add(clip("music", 0, 200, clip_id="m"))
    command, picture = place_media(t, t.media["cam"], t.track("V1"), 0)
    history = History(t)
    history.do(command)
    t.check()
    (track, partner), = t.linked(t.find(picture.id)[1])
    assert track.id == "A2" and (partner.start, partner.end) == (0, 300)   # the music on A1 is left alone
    history.undo()
    t.check()
    assert t.duration == 200


def test_with_no_free_audio_track_a_new_one_is_added_in_the_same_step():
    t = timeline(1, 1, media=[video("cam", 300), sound("music", 600)])
    t.track("A1").add(clip("music", 0, 600, clip_id="m"))
    history = History(t)
    command, picture = place_media(t, t.media["cam"], t.track("V1"), 30)
    history.do(command)
    t.check()
    assert len(t.audio_tracks) == 2 and spans(t, t.audio_tracks[1].id)[0][1:] == (30, 330, 0)
    history.undo()
    t.check()
    assert len(t.audio_tracks) == 1 and spans(t, "V1") == []
    history.redo()
    t.check()
    assert t.linked(t.find(picture.id)[1])


def test_media_without_sound_or_sound_only_is_one_clip():
    t = timeline(1, 1, media=[video("mute", 200, audio=False), sound("music", 600)])
    History(t).do(place_media(t, t.media["mute"], t.track("V1"), 0)[0])
    History(t).do(place_media(t, t.media["music"], t.track("A1"), 0)[0])
    t.check()
    assert [c.link for _, c in t.clips()] == [None, None]


def test_clips_using_names_clips_and_takes():
    t = timeline(1, 1, media=[video("cam", 300)])
    History(t).do(place_media(t, t.media["cam"], t.track("V1"), 0)[0])
    assert {tr.id for tr, _ in clips_using(t, t.media["cam"])} == {"V1", "A1"}
