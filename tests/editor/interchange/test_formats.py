"""Timeline files of other editors, chosen by extension: what PromptCut reads and writes, samples made by other
tools (Premiere, Final Cut Pro X, Avid, Kdenlive) come in, and hostile or damaged files are one line."""

from __future__ import annotations

import gzip
import os
import shutil
from fractions import Fraction
from pathlib import Path

import opentimelineio as otio
import pytest

from editor.interchange.foreign_read import edl_rate, run_adapter
from editor.interchange.formats import (
    FORMATS,
    file_dialog_filter,
    format_for,
    is_timeline_file,
    read_timeline,
    write_timeline,
)
from editor.interchange.otio_common import InterchangeError
from editor.model import Settings, Timeline, TrackKind

SAMPLES = Path(__file__).parent / "samples"


def copy_sample(name: str, folder: Path) -> Path:
    """A sample in a temp folder (unzipped when stored gzipped): relative media resolve there, not in tests/."""
    source = SAMPLES / name
    if name.endswith(".gz"):
        target = folder / name[:-3]
        target.write_bytes(gzip.decompress(source.read_bytes()))
        return target
    return Path(shutil.copy(source, folder / name))


def clips(tl: Timeline, index: int) -> list[tuple[str, int, int, int]]:
    return [(c.name, c.start, c.duration, c.source_in) for c in tl.tracks[index].clips]


# --- which extension is which format ------------------------------------------------------------------------


@pytest.mark.parametrize("name, key", [
    ("cut.otio", "otio_json"), ("cut.XML", "fcp_xml"), ("cut.fcpxml", "fcpx_xml"), ("cut.edl", "cmx_3600"),
    ("cut.aaf", "AAF"), ("cut.kdenlive", "kdenlive"), ("cut.otioz", "otioz"), ("cut.otiod/", "otiod"),
])
def test_the_extension_chooses_the_format(name: str, key: str) -> None:
    assert format_for(name, writing=False).key == key
    assert is_timeline_file(name)


def test_a_project_or_a_video_is_not_a_timeline_file() -> None:
    assert not is_timeline_file("cut.promptcut")
    assert not is_timeline_file("cut.mp4")
    with pytest.raises(InterchangeError, match=r"^x\.mp4: \.mp4 is not a timeline file PromptCut reads "
                                               r"\(it reads \.otio, .*\.edl, \.aaf, \.kdenlive\)$"):
        format_for("x.mp4", writing=False)
    with pytest.raises(InterchangeError, match="a PromptCut project, not a timeline file"):
        format_for("x.promptcut", writing=True)
    with pytest.raises(InterchangeError, match="has no extension"):
        format_for("cut", writing=False)


def test_kdenlive_is_read_but_its_export_is_refused_by_name() -> None:
    assert format_for("a.kdenlive", writing=False).reads
    with pytest.raises(InterchangeError, match=r"^a\.kdenlive: Kdenlive export is not supported: write \.otio or "
                                               r"\.xml$"):
        format_for("a.kdenlive", writing=True)


def test_the_file_dialog_filters_list_what_reads_and_what_writes() -> None:
    reading = file_dialog_filter(writing=False)
    assert reading.startswith("All timelines (*.otio *.otioz *.otiod *.xml *.fcpxml *.edl *.aaf *.kdenlive);;")
    assert "Premiere Pro / Final Cut Pro 7 XML (*.xml)" in reading
    writing = file_dialog_filter(writing=True)
    assert "*.kdenlive" not in writing and "CMX 3600 EDL (*.edl)" in writing
    assert len(writing.split(";;")) == len([f for f in FORMATS if f.writes]) - 1   # no folder bundle to pick


def test_every_format_that_is_not_ours_has_its_adapter_installed() -> None:
    import opentimelineio as otio

    installed = set(otio.adapters.available_adapter_names())
    assert {f.key for f in FORMATS} <= installed


# --- samples made by other tools ------------------------------------------------------------------------------


def test_a_premiere_xml_comes_in(tmp_path: Path) -> None:
    result = read_timeline(copy_sample("premiere_example.xml", tmp_path))
    tl = result.timeline
    assert result.name == "sc01_sh010_layerA"
    assert tl.fps == 30
    assert [t.kind for t in tl.tracks] == [TrackKind.VIDEO] * 4 + [TrackKind.AUDIO] * 4
    assert clips(tl, 1) == [("sc01_sh010_anim.mov", 13, 100, 0), ("sc01_sh020_anim.mov", 165, 157, 0),
                            ("sc01_sh030_anim.mov", 322, 235, 0)]
    assert clips(tl, 3)[0] == ("sc01_master_layerA_sh030_temp.mov", 956, 208, 34)
    assert tl.media[tl.tracks[1].clips[0].media_id()].path == "D:/media/sc01_sh010_anim.mov"
    assert all(not m.online for m in tl.media.values())   # the editor's machine, not this one
    # What we cannot carry is said, by clip: Premiere's Slug generator.
    assert any("generator 'Slug' is not supported" in w for w in result.warnings)
    assert tl.problems() == []


def test_a_final_cut_pro_x_fcpxml_comes_in(tmp_path: Path) -> None:
    result = read_timeline(copy_sample("fcpx_project.fcpxml", tmp_path))
    tl = result.timeline
    assert result.name == "OpenTimeline_Project"
    assert tl.fps == 30
    assert [t.kind for t in tl.tracks] == [TrackKind.VIDEO] * 3 + [TrackKind.AUDIO]
    assert clips(tl, 0)[:2] == [("IMG_0715", 0, 300, 0), ("IMG_0233", 3300, 300, 0)]
    assert tl.media[tl.tracks[0].clips[0].media_id()].path == "/Volumes/Media/otio/IMG_0715.MOV"
    assert any("compound_clip_1" in w for w in result.warnings)   # a 3-layer compound clip cannot flatten
    assert tl.problems() == []


def test_an_avid_edl_comes_in_with_its_rate_guessed_out_loud(tmp_path: Path) -> None:
    result = read_timeline(copy_sample("avid_example.edl", tmp_path))
    tl = result.timeline
    assert result.name == "Avid_Example.01"
    assert tl.fps == 24
    assert result.warnings[0] == "an EDL does not record its frame rate: read at 24 fps (its timecodes count frames " \
                                 "up to 20)"
    assert clips(tl, 0) == [("take_1", 0, 31, 86501), ("take_2", 31, 50, 86557)]
    assert tl.media[tl.tracks[0].clips[0].media_id()].path == "S:\\path\\to\\ZZ100_501.take_1.0001.exr"


def test_another_editors_edl_starts_at_its_first_event_and_its_tracks_stay_in_sync(tmp_path: Path) -> None:
    # Record timecodes count from the other editor's own start (here a leader at 00:59:58:00 before the usual
    # 01:00:00:00): the earliest record-in is the timeline's 0, every event keeps its distance from it.
    path = tmp_path / "countdown.edl"
    path.write_text(
        "TITLE: Countdown\nFCM: NON-DROP FRAME\n\n"
        "001  REELA    V     C        00:00:10:00 00:00:11:00 00:59:58:00 00:59:59:00\n"
        "* FROM CLIP NAME:  leader\n"
        "002  REELB    V     C        00:00:20:00 00:00:22:00 01:00:00:00 01:00:02:00\n"
        "* FROM CLIP NAME:  picture\n"
        "003  REELC    A     C        00:00:05:00 00:00:06:00 01:00:01:00 01:00:02:00\n"
        "* FROM CLIP NAME:  sound\n")
    result = read_timeline(path)
    tl = result.timeline
    assert tl.fps == 24
    assert [t.kind for t in tl.tracks] == [TrackKind.VIDEO, TrackKind.AUDIO]
    assert clips(tl, 0) == [("leader", 0, 24, 240), ("picture", 48, 48, 480)]
    assert clips(tl, 1) == [("sound", 72, 24, 120)]
    assert not any("trim" in w for w in result.warnings)
    assert tl.problems() == []


def otio_track_with_range(start: int, duration: int) -> otio.schema.Timeline:
    """One video track of two 20-frame clips at 24 fps, shown through ``TimeRange(start, duration)``."""
    track = otio.schema.Track(name="V1", source_range=otio.opentime.TimeRange(
        otio.opentime.RationalTime(start, 24), otio.opentime.RationalTime(duration, 24)))
    for name, first in (("one", 100), ("two", 200)):
        track.append(otio.schema.Clip(name=name, media_reference=otio.schema.MissingReference(),
                                      source_range=otio.opentime.TimeRange(otio.opentime.RationalTime(first, 24),
                                                                           otio.opentime.RationalTime(20, 24))))
    timeline = otio.schema.Timeline(name="ranged")
    timeline.tracks.append(track)
    return timeline


@pytest.mark.parametrize("start, duration, expected", [
    (-5, 40, [("one", 5, 20, 100), ("two", 25, 20, 200)]),    # a leading offset: empty time before the first item
    (10, 20, [("one", 0, 10, 110), ("two", 10, 10, 200)]),    # OTIO's trim: [10, 30) of the track, from 0
    (0, 30, [("one", 0, 20, 100), ("two", 20, 10, 200)]),     # its tail cut
])
def test_a_tracks_own_range_in_an_otio_file_places_its_items(tmp_path: Path, start: int, duration: int,
                                                              expected: list) -> None:
    path = tmp_path / "ranged.otio"
    otio.adapters.write_to_file(otio_track_with_range(start, duration), str(path))
    result = read_timeline(path)
    assert clips(result.timeline, 0) == expected
    assert not any("trim" in w for w in result.warnings)
    assert result.timeline.problems() == []


def test_a_premiere_edl_without_file_names_keeps_its_clips_offline(tmp_path: Path) -> None:
    result = read_timeline(copy_sample("premiere_example.edl", tmp_path))
    assert [c.name for c in result.timeline.tracks[0].clips] == ["ZZ100_501.take_1.0001.exr",
                                                                "ZZ100_502A.take_2.0101.exr"]
    assert all(not m.online for m in result.timeline.media.values())


def test_an_avid_aaf_comes_in(tmp_path: Path) -> None:
    result = read_timeline(copy_sample("multitrack.aaf.gz", tmp_path))
    tl = result.timeline
    assert result.name == "OTIO TEST - multitrack.Exported.01"
    assert tl.fps == 24
    assert [t.kind for t in tl.tracks] == [TrackKind.VIDEO] * 3 + [TrackKind.AUDIO] * 2
    assert clips(tl, 0) == [("tech.fux (loop)-HD.mp4", 0, 720, 0), ("out-b (loop)-HD.mp4", 803, 722, 0),
                            ("brokchrd (loop)-HD.mp4", 1957, 720, 0)]
    assert clips(tl, 3)[2] == ("tech.fux (loop)-HD.mp4", 962, 238, 482)
    assert tl.problems() == []


def test_a_kdenlive_project_comes_in_with_media_beside_it(tmp_path: Path) -> None:
    sample = copy_sample("kdenlive_example_v221170.kdenlive", tmp_path)
    result = read_timeline(sample)
    tl = result.timeline
    assert tl.fps == 25
    assert [t.kind for t in tl.tracks] == [TrackKind.VIDEO] * 2 + [TrackKind.AUDIO] * 3
    assert [(c.start, c.duration, c.source_in) for c in tl.tracks[0].clips] == [(74, 218, 166), (458, 373, 508)]
    first = tl.media[tl.tracks[0].clips[0].media_id()]
    assert first.path == str(tmp_path / "VID0001.MKV") and not first.online   # relative to the project file
    assert any("effect 'fadeout' ignored" in w for w in result.warnings)
    assert tl.problems() == []


def test_an_adapter_failure_on_a_real_sample_is_one_line(tmp_path: Path) -> None:
    # fcpx_clips.fcpxml holds an event's clips and no project: the adapter makes no timeline of it.
    with pytest.raises(InterchangeError) as caught:
        read_timeline(copy_sample("fcpx_clips.fcpxml", tmp_path))
    assert "\n" not in str(caught.value) and str(caught.value).startswith(str(tmp_path / "fcpx_clips.fcpxml"))


# --- hostile and damaged files ----------------------------------------------------------------------------------


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE xmeml [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<xmeml version="4"><sequence><name>&lol9;</name></sequence></xmeml>
"""


@pytest.mark.parametrize("suffix", [".xml", ".fcpxml", ".kdenlive"])
def test_a_billion_laughs_file_is_refused_in_one_line(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"laughs{suffix}"
    path.write_text(BILLION_LAUGHS.replace("xmeml", "fcpxml" if suffix == ".fcpxml" else "xmeml"))
    with pytest.raises(InterchangeError, match="declares XML entities") as caught:
        read_timeline(path)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("suffix", [".xml", ".fcpxml", ".kdenlive"])
def test_deep_nesting_is_one_line(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"deep{suffix}"
    depth = 200_000
    path.write_text('<?xml version="1.0"?><xmeml version="4"><sequence>' + "<a>" * depth + "</a>" * depth
                    + "</sequence></xmeml>")
    with pytest.raises(InterchangeError) as caught:
        read_timeline(path)
    assert "\n" not in str(caught.value) and str(caught.value).startswith(str(path))


@pytest.mark.parametrize("name, data", [
    ("garbage.aaf", os.urandom(4096)),
    ("garbage.xml", b"<xmeml version='4'><sequence><media><video><track><clipitem><duration>x"),
    ("text.edl", b"this is not an edit decision list\n"),
    ("binary.fcpxml", bytes(range(256)) * 8),
    ("json.edl", b'{"OTIO_SCHEMA": "Timeline.1"}'),
])
def test_damaged_files_are_one_line_naming_the_file(tmp_path: Path, name: str, data: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(InterchangeError) as caught:
        read_timeline(path)
    message = str(caught.value)
    assert "\n" not in message and message.startswith(str(path))
    assert "JSON" not in message or name.endswith(".otio")   # an EDL is never called "not valid JSON"


def test_an_empty_file_a_folder_and_a_missing_file(tmp_path: Path) -> None:
    (tmp_path / "empty.edl").write_bytes(b"")
    (tmp_path / "folder.xml").mkdir()
    with pytest.raises(InterchangeError, match="empty file$"):
        read_timeline(tmp_path / "empty.edl")
    with pytest.raises(InterchangeError, match="is a folder"):
        read_timeline(tmp_path / "folder.xml")
    with pytest.raises(InterchangeError, match="no such file$"):
        read_timeline(tmp_path / "gone.aaf")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_a_fifo_is_neither_read_nor_written(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.edl"
    os.mkfifo(fifo)
    with pytest.raises(InterchangeError, match="FIFO"):
        read_timeline(fifo)   # must not wait for a writer
    tl = Timeline.empty(Settings(320, 180, Fraction(30)))
    with pytest.raises(InterchangeError, match="FIFO"):
        write_timeline(tl, fifo)
    assert fifo.exists() and not fifo.is_file()


def test_a_reader_that_runs_too_long_is_stopped_with_one_line() -> None:
    with pytest.raises(InterchangeError, match=r"^slow\.xml: reading it as XML took over 0\.001 s; gave up"):
        run_adapter(b"<xmeml version='4'/>", "fcp_xml", ".xml", shown="slow.xml", label="XML", timeout_s=0.001)


def test_a_reader_that_crashes_is_one_line() -> None:
    # An adapter name the child cannot load fails inside it, never in the editor.
    with pytest.raises(InterchangeError, match=r"^x\.edl: the EDL reader refused it \(") as caught:
        run_adapter(b"TITLE: x\n", "no_such_adapter", ".edl", shown="x.edl", label="EDL")
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("text, rate", [
    (b"001  AX V C 01:00:00:00 01:00:00:23 00:00:00:00 00:00:00:23\n", 24),
    (b"001  AX V C 01:00:00:00 01:00:00:24 00:00:00:00 00:00:00:24\n", 25),
    (b"001  AX V C 01:00:00:00 01:00:01:29 00:00:00:00 00:00:01:29\n", 30),
    (b"FCM: DROP FRAME\n001  AX V C 01:00:00;00 01:00:01;10 00:00:00;00 00:00:01;10\n", 30000 / 1001),
])
def test_an_edl_rate_is_the_lowest_its_timecodes_allow(text: bytes, rate: float) -> None:
    assert edl_rate(text)[0] == pytest.approx(rate)


def test_an_edl_rate_comment_is_exact_and_needs_no_warning() -> None:
    text = b"001  AX V C 01:00:00:00 01:00:00:10 00:00:00:00 00:00:00:10\n* PROMPTCUT FRAME RATE: 30000/1001\n"
    assert edl_rate(text) == (30000 / 1001, "")


def test_media_of_the_same_name_in_the_current_folder_is_not_picked_up(tmp_path: Path, monkeypatch) -> None:
    # The Premiere sample names D:/media/...; a same-named file here must not be taken for it.
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sc01_sh010_anim.mov").write_bytes(b"x")
    tl = read_timeline(copy_sample("premiere_example.xml", tmp_path)).timeline
    assert {m.path for m in tl.media.values()} >= {"D:/media/sc01_sh010_anim.mov"}
    assert all(m.path.startswith("D:/media/") and not m.online for m in tl.media.values())
