"""The media pool, tracks and their flags, markers."""

from __future__ import annotations

from dataclasses import replace

from editor.model import Change, Marker, Take, TrackKind
from editor.model.commands import (
    AddMarker,
    AddMedia,
    AddTake,
    AddTrack,
    Delete,
    EditMarker,
    Insert,
    MoveTrack,
    RemoveMarker,
    RemoveMedia,
    RemoveTrack,
    ReplaceMedia,
    SetTrackFlags,
)
from editor.model.testing import clip, spans, video

# --- media pool -------------------------------------------------------------------------------------------------


def test_add_and_remove_media(tl, do):
    events: list[Change] = []
    tl.subscribe(events.append)
    do(tl, AddMedia(video("new", 90)))
    assert list(tl.media)[-1] == "new"
    assert events[0] == Change("Import media", (), media=True)
    do(tl, RemoveMedia("mute"))
    assert "mute" not in tl.media


def test_undoing_remove_media_restores_the_pool_order(tl):
    order = list(tl.media)
    cmd = RemoveMedia("mute")
    cmd.apply(tl)
    cmd.revert(tl)
    assert list(tl.media) == order


def test_media_refusals(tl, do, refuse):
    refuse(tl, AddMedia(video("cam", 10)), r"media cam \(cam.mp4\) is already in the pool")
    refuse(tl, RemoveMedia("cam"), "media cam.mp4 is used by 2 clips: clip a, clip b")
    refuse(tl, RemoveMedia("nope"), "no media 'nope' in the pool")
    do(tl, AddTake("g", Take("take1", "h"), activate=False))
    refuse(tl, RemoveMedia("take1"), "media take1.mp4 is used by 1 clip: clip g")
    refuse(tl, AddMedia("cam.mp4"), "not a media source")


def test_remove_media_once_unused(tl, do):
    do(tl, Delete("a"))
    do(tl, Delete("b"))
    do(tl, RemoveMedia("cam"))
    assert "cam" not in tl.media


def test_replace_media_relinks_and_refuses_what_no_longer_fits(tl, do, refuse):
    offline = replace(tl.media["cam"], path="/elsewhere/cam.mp4", online=False)
    do(tl, ReplaceMedia(offline))
    assert tl.offline_media() == [offline]
    refuse(tl, ReplaceMedia(video("cam", 120)), r"Relink media refused: clip a plays source frames 50\.\.150 but "
                                                r"its media has 120")
    refuse(tl, ReplaceMedia(video("other", 120)), "no media 'other' in the pool to replace")


# --- tracks -----------------------------------------------------------------------------------------------------


def test_add_track_at_an_index_with_a_stable_id(tl, do):
    cmd = do(tl, AddTrack("video", 0))
    assert [t.name for t in tl.video_tracks] == ["V3", "V1", "V2"]
    assert tl.video_tracks[0].id == cmd.track_id and tl.video_tracks[0].kind is TrackKind.VIDEO
    do(tl, AddTrack(TrackKind.AUDIO, name="Voice", track_id="vo"))
    assert [t.id for t in tl.audio_tracks] == ["A1", "vo"]


def test_add_track_refusals(tl, refuse):
    refuse(tl, AddTrack("video", 3), "track position 3 is out of range 0..2")
    refuse(tl, AddTrack("subtitle"), "a track is 'video' or 'audio', not 'subtitle'")
    refuse(tl, AddTrack("audio", track_id="V1"), "a track with id V1 already exists")


def test_remove_track_with_its_clips_and_undo_puts_it_back_in_place(tl, do):
    events: list[Change] = []
    tl.subscribe(events.append)
    do(tl, RemoveTrack("V1"))
    assert [t.id for t in tl.video_tracks] == ["V2"]
    assert events[0] == Change("Remove track", ("V1",), layout=True)


def test_remove_locked_track_refused(tl, refuse):
    SetTrackFlags("V1", locked=True).apply(tl)
    refuse(tl, RemoveTrack("V1"), "track V1 is locked")
    refuse(tl, RemoveTrack("V7"), "no track 'V7'")


def test_move_track(tl, do, refuse):
    do(tl, MoveTrack("V1", 1))
    assert [t.id for t in tl.video_tracks] == ["V2", "V1"]
    refuse(tl, MoveTrack("V1", 2), "track position 2 is out of range 0..1")


def test_track_flags_and_their_labels(tl, do):
    assert do(tl, SetTrackFlags("V1", hidden=True)).label == "Hide track"
    assert do(tl, SetTrackFlags("A1", muted=True)).label == "Mute track"
    assert do(tl, SetTrackFlags("A1", volume=0.25)).label == "Set track volume"
    assert do(tl, SetTrackFlags("A1", name="Music")).label == "Rename track"
    assert do(tl, SetTrackFlags("V1", hidden=False, muted=True)).label == "Set track flags"
    assert do(tl, SetTrackFlags("V1", locked=True)).label == "Lock track"
    a1 = tl.track("A1")
    assert (a1.muted, a1.volume, a1.name) == (True, 0.25, "Music")
    assert tl.track("V1").locked


def test_a_locked_track_can_be_unlocked_muted_and_hidden(tl, do, refuse):
    SetTrackFlags("V1", locked=True).apply(tl)
    refuse(tl, Insert("V1", clip("cam", 0, 5), at=0), "track V1 is locked")
    do(tl, SetTrackFlags("V1", hidden=True, muted=True))
    assert do(tl, SetTrackFlags("V1", locked=False)).label == "Unlock track"
    do(tl, Insert("V1", clip("cam", 0, 5, clip_id="n"), at=0))
    assert spans(tl, "V1")[0] == ("n", 0, 5, 0)


def test_track_flag_refusals(tl, refuse):
    refuse(tl, SetTrackFlags("A1", volume=-0.5), "the volume of track A1 must be a finite number of 0 or more")
    refuse(tl, SetTrackFlags("A1", muted="yes"), "track flag muted is true or false")


# --- markers ----------------------------------------------------------------------------------------------------


def test_markers_stay_in_frame_order(tl, do):
    do(tl, AddMarker(Marker(30, "beat")))
    do(tl, AddMarker(Marker(10, "intro")))
    do(tl, AddMarker(Marker(30, "drop")))
    assert [(m.frame, m.name) for m in tl.markers] == [(10, "intro"), (30, "beat"), (30, "drop")]
    do(tl, RemoveMarker(30))
    assert [m.name for m in tl.markers] == ["intro", "drop"]
    do(tl, RemoveMarker(Marker(30, "drop")))
    do(tl, EditMarker(10, frame=50, name="outro"))
    assert tl.markers == [Marker(50, "outro")]


def test_edit_marker_keeps_order(tl, do):
    for f in (10, 20, 30):
        do(tl, AddMarker(Marker(f)))
    do(tl, EditMarker(10, frame=25))
    assert [m.frame for m in tl.markers] == [20, 25, 30]


def test_marker_refusals_and_event(tl, refuse):
    events: list[Change] = []
    tl.subscribe(events.append)
    AddMarker(Marker(5)).apply(tl)
    assert events == [Change("Add marker", (), markers=True)]
    refuse(tl, AddMarker(Marker(-1)), r"a marker cannot sit before the timeline starts \(frame -1\)")
    refuse(tl, RemoveMarker(99), "no marker at frame 99")
    refuse(tl, RemoveMarker(Marker(5, "x")), "no marker 'x' at frame 5")
    refuse(tl, EditMarker(5, frame=-3), "before the timeline starts")
    refuse(tl, EditMarker(5, colour="red"), "a marker has a frame, a name and a color, not colour")
