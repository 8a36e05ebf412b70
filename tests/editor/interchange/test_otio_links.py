"""Linked clips through OpenTimelineIO: the link and the detached sound come back exactly; a group that does
not arrive whole is unlinked with a warning."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import opentimelineio as otio

from editor.interchange import timeline_from_otio, timeline_to_otio
from editor.interchange.otio import METADATA_KEY
from editor.model import MediaKind, MediaSource, Settings, Timeline
from editor.model.commands import Place
from editor.model.testing import clip


def reimport(timeline: Timeline | otio.schema.Timeline):
    source = timeline if isinstance(timeline, otio.schema.Timeline) else timeline_to_otio(timeline, name="t")
    return timeline_from_otio(otio.adapters.read_from_string(source.to_json_string(), "otio_json"))


def linked_pair(folder: Path) -> Timeline:
    path = folder / "shot.mov"
    path.write_bytes(b"x")
    tl = Timeline.empty(Settings(fps=Fraction(30)), video_tracks=1, audio_tracks=1)
    tl.media["cam"] = MediaSource("cam", str(path), MediaKind.VIDEO, Fraction(10), True, True, 1920, 1080)
    Place(tl.video_tracks[0], clip("cam", 0, 90, clip_id="v"), 12, sound_track=tl.audio_tracks[0],
          sound_id="s", link_id="L").apply(tl)
    tl.check()
    return tl


def test_a_linked_pair_round_trips_with_its_link_and_detached_sound(tmp_path: Path) -> None:
    tl = linked_pair(tmp_path)
    result = reimport(tl)
    assert result.warnings == []
    assert result.timeline == tl
    assert result.timeline.find("v")[1].link == result.timeline.find("s")[1].link == "L"
    assert result.timeline.find("v")[1].sound_detached


def test_a_pair_whose_sound_was_removed_in_another_tool_comes_back_unlinked(tmp_path: Path) -> None:
    exported = timeline_to_otio(linked_pair(tmp_path), name="t")
    audio = next(t for t in exported.tracks if t.kind == otio.schema.TrackKind.Audio)
    del audio[[i for i, item in enumerate(audio) if isinstance(item, otio.schema.Clip)][0]]
    result = reimport(exported)
    picture = result.timeline.find("v")[1]
    assert picture.link is None and picture.sound_detached   # still silent: no double sound if relinked by hand
    assert any("linked clips are missing" in w for w in result.warnings)
    result.timeline.check()


def test_the_link_rides_in_the_clip_metadata(tmp_path: Path) -> None:
    exported = timeline_to_otio(linked_pair(tmp_path), name="t")
    video = next(t for t in exported.tracks if t.kind == otio.schema.TrackKind.Video)
    clip_meta = dict(video[1].metadata[METADATA_KEY])     # after the 12-frame gap
    assert clip_meta["link"] == "L" and clip_meta["sound_detached"] is True
