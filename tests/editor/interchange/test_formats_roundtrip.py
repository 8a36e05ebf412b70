"""Our timeline (real media made with ffmpeg) written for other editors and read back: clips, order, positions,
source ranges, names and track kinds survive; what a format cannot carry is said in a note; what it cannot take
is refused by name before anything is written."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction
from pathlib import Path

import pytest

from editor.interchange.formats import read_timeline, write_timeline
from editor.interchange.otio_common import InterchangeError
from editor.media import synth
from editor.media.probe import media_source_from_info, probe
from editor.model import GeneratedClip, GenerationSpec, MediaClip, Settings, Take, Timeline, TrackKind
from editor.model.clips import TextClip


@pytest.fixture(scope="module")
def media(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("media")
    return {
        "red": synth.color_clip(folder / "red clip.mp4", "red", seconds=4.0),
        "blue": synth.color_clip(folder / "blue.mp4", "blue", seconds=4.0),
        "take": synth.color_clip(folder / "fox take.mp4", "green", seconds=3.0, tone_hz=None),
        "music": synth.tone(folder / "music.wav", seconds=4.0),
    }


def make_timeline(media: dict[str, Path], *, extras: bool = True) -> Timeline:
    """Two cuts with a gap, a generated shot with a take on V1; music on A1; with ``extras``, a shot not
    generated yet and a title on V2 (what other editors cannot carry)."""
    tl = Timeline.empty(Settings(320, 180, Fraction(30), 48000), video_tracks=2 if extras else 1, audio_tracks=1)
    for key, path in media.items():
        tl.media[key] = media_source_from_info(probe(path), key)
    v1 = tl.video_tracks[0]
    a1 = tl.audio_tracks[0]
    v1.add(MediaClip(id="c1", start=0, duration=30, source_in=10, name="Red", media="red"))
    v1.add(MediaClip(id="c2", start=45, duration=40, source_in=5, name="Blue", media="blue"))
    v1.add(GeneratedClip(id="g1", start=85, duration=30, name="fox", spec=GenerationSpec(prompt="a fox in snow"),
                         takes=(Take("take", "hash"),), active_take=0))
    a1.add(MediaClip(id="s1", start=0, duration=60, source_in=12, name="Music", media="music"))
    if extras:
        v1.add(GeneratedClip(id="g2", start=130, duration=20, name="owl", spec=GenerationSpec(prompt="an owl")))
        tl.video_tracks[1].add(TextClip(id="t1", start=0, duration=30, text="Hello"))
    assert tl.problems() == []
    return tl


def described(tl: Timeline, index: int) -> list[tuple[str, int, int, int, str]]:
    return [(c.name, c.start, c.duration, c.source_in, Path(tl.media[c.media_id()].path).name)
            for c in tl.tracks[index].clips]


PICTURE = [("Red", 0, 30, 10, "red clip.mp4"), ("Blue", 45, 40, 5, "blue.mp4"), ("fox", 85, 30, 0, "fox take.mp4")]
SOUND = [("Music", 0, 60, 12, "music.wav")]


@pytest.mark.parametrize("suffix", [".xml", ".fcpxml", ".aaf"])
def test_a_timeline_goes_out_and_comes_back(media, tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"cut{suffix}"
    notes = write_timeline(make_timeline(media, extras=False), path, name="My cut")
    assert notes == ["1 generated shot written as the active take's file ('fox'); the prompts and other takes "
                     "stay in PromptCut"]
    result = read_timeline(path)
    tl = result.timeline
    assert result.name == "My cut"
    assert tl.fps == 30
    assert [t.kind for t in tl.tracks] == [TrackKind.VIDEO, TrackKind.AUDIO]
    assert described(tl, 0) == PICTURE
    assert described(tl, 1) == SOUND
    assert all(m.online for m in tl.media.values())   # the files themselves, found where they are
    assert {m.path for m in tl.media.values()} == {str(p) for p in media.values()}
    assert tl.problems() == []


def test_an_edl_carries_the_picture_cuts(media, tmp_path: Path) -> None:
    path = tmp_path / "cut.edl"
    notes = write_timeline(make_timeline(media, extras=False), path, name="My cut")
    assert "an EDL holds the video track's cuts only: 1 audio track not written ('A1')" in notes
    assert "an EDL does not record the frame rate: tell the other editor 30 fps on import" in notes
    text = path.read_text()
    assert text.startswith("TITLE: My cut\n")
    assert "001  redclip  V     C        00:00:00:10 00:00:01:10 00:00:00:00 00:00:01:00\n" \
           "* PROMPTCUT FRAME RATE: 30\n" in text   # a comment other editors ignore
    result = read_timeline(path)
    tl = result.timeline
    assert tl.fps == 30 and not any("frame rate" in w for w in result.warnings)
    assert [t.kind for t in tl.tracks] == [TrackKind.VIDEO]
    assert described(tl, 0) == PICTURE
    assert tl.problems() == []


@pytest.mark.parametrize("suffix", [".xml", ".fcpxml", ".edl", ".aaf"])
def test_a_timeline_whose_first_clip_starts_later_keeps_every_position(media, tmp_path: Path, suffix: str) -> None:
    tl = Timeline.empty(Settings(320, 180, Fraction(30), 48000), video_tracks=1, audio_tracks=1)
    for key in ("red", "blue", "music"):
        tl.media[key] = media_source_from_info(probe(media[key]), key)
    tl.video_tracks[0].add(MediaClip(id="c1", start=3, duration=20, source_in=5, name="Late", media="red"))
    tl.video_tracks[0].add(MediaClip(id="c2", start=30, duration=10, source_in=0, name="Later", media="blue"))
    tl.audio_tracks[0].add(MediaClip(id="s1", start=12, duration=10, source_in=2, name="Sound", media="music"))
    path = tmp_path / f"cut{suffix}"
    write_timeline(tl, path)
    back = read_timeline(path).timeline
    assert described(back, 0) == [("Late", 3, 20, 5, "red clip.mp4"), ("Later", 30, 10, 0, "blue.mp4")]
    if suffix != ".edl":   # an EDL holds the picture cuts only
        assert described(back, 1) == [("Sound", 12, 10, 2, "music.wav")]
    assert back.problems() == []


def test_fcpxml_writes_an_apostrophe_in_a_name_as_a_typographic_one(media, tmp_path: Path) -> None:
    # The FCPXML adapter looks names up in a '-quoted XPath predicate: "it's" made the whole export fail.
    tl = make_timeline(media, extras=False)
    tl.video_tracks[0].name = "Bob's picture"
    tl.video_tracks[0].add(replace(tl.video_tracks[0].remove("c1"), name="it's red"))
    path = tmp_path / "cut.fcpxml"
    notes = write_timeline(tl, path, name="Al's cut")
    assert "FCPXML cannot take an apostrophe in a clip name: 1 clip name written with \u2019 instead " \
           "(\"it's red\")" in notes
    back = read_timeline(path)
    assert back.name == "Al's cut"   # the timeline's name is not looked up by the adapter: kept as it is
    assert [c.name for c in back.timeline.video_tracks[0].clips] == ["it\u2019s red", "Blue", "fox"]
    assert described(back.timeline, 0)[1:] == PICTURE[1:]


@pytest.mark.parametrize("suffix", [".xml", ".fcpxml", ".edl", ".aaf"])
def test_what_a_format_cannot_carry_is_said_and_leaves_gaps(media, tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"cut{suffix}"
    notes = write_timeline(make_timeline(media), path)
    assert "1 generated shot with no take yet left as a gap ('owl')" in notes
    assert f"1 title or caption left as a gap: {suffix} cannot carry PromptCut text" in notes
    assert "1 track left empty by that not written ('V2')" in notes
    tl = read_timeline(path).timeline
    assert described(tl, 0) == PICTURE   # the rest keeps its place
    assert [t.kind for t in tl.tracks].count(TrackKind.VIDEO) == 1


def test_an_edl_of_several_video_tracks_is_refused_by_name(media, tmp_path: Path) -> None:
    tl = make_timeline(media)
    tl.video_tracks[1].add(MediaClip(id="c9", start=0, duration=10, name="Over", media="blue"))
    path = tmp_path / "cut.edl"
    with pytest.raises(InterchangeError, match=r"^.*cut\.edl: EDL export needs a single video track \(this "
                                               r"timeline has 2 video tracks with clips\)"):
        write_timeline(tl, path)
    assert list(tmp_path.iterdir()) == []   # nothing half-written, no temporary left


def test_an_export_replaces_the_old_file_whole_and_leaves_no_temporary(media, tmp_path: Path) -> None:
    for suffix in (".xml", ".aaf"):
        path = tmp_path / f"cut{suffix}"
        path.write_bytes(b"old")
        write_timeline(make_timeline(media, extras=False), path)
        assert path.read_bytes() != b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cut.aaf", "cut.xml"]


def test_an_unknown_or_read_only_extension_is_refused_before_writing(media, tmp_path: Path) -> None:
    tl = make_timeline(media)
    with pytest.raises(InterchangeError, match="Kdenlive export is not supported: write .otio or .xml"):
        write_timeline(tl, tmp_path / "cut.kdenlive")
    with pytest.raises(InterchangeError, match=r"\.mp4 is not a timeline file PromptCut writes"):
        write_timeline(tl, tmp_path / "cut.mp4")
    assert list(tmp_path.iterdir()) == []


def test_otio_still_goes_through_the_same_door_exactly(media, tmp_path: Path) -> None:
    tl = make_timeline(media)
    path = tmp_path / "cut.otio"
    assert write_timeline(tl, path, name="Mine") == []
    back = read_timeline(path)
    assert back.name == "Mine"
    assert [type(c).__name__ for c in back.timeline.video_tracks[0].clips] == \
        ["MediaClip", "MediaClip", "GeneratedClip", "GeneratedClip"]
    assert back.timeline.video_tracks[1].clips[0].text == "Hello"
