"""OTIO imports keep the timeline (issue 12, part 2): each behaviour shown on an .otio file written to disk with
opentimelineio's own API and opened the way the app opens it (``open_document``, ``promptcut convert``)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import opentimelineio as otio
import pytest

from editor.cli import main
from editor.documents import DocumentError, open_document
from editor.media.ffmpeg import ffmpeg_exe
from editor.model import MediaClip

RATE = 30


def rng(start: int, duration: int) -> otio.opentime.TimeRange:
    return otio.opentime.TimeRange(otio.opentime.RationalTime(start, RATE), otio.opentime.RationalTime(duration, RATE))


def ext(path: str | Path, frames: int | None = 300) -> otio.schema.ExternalReference:
    available = None if frames is None else rng(0, frames)
    return otio.schema.ExternalReference(target_url=str(path), available_range=available)


def clip(name: str, reference: otio.core.MediaReference, start: int, frames: int) -> otio.schema.Clip:
    return otio.schema.Clip(name=name, media_reference=reference, source_range=rng(start, frames))


def gap(frames: int, name: str = "") -> otio.schema.Gap:
    return otio.schema.Gap(name=name, source_range=rng(0, frames))


def write(folder: Path, *items: otio.core.Composable, name: str = "cut", file: str = "cut.otio") -> Path:
    timeline = otio.schema.Timeline(name=name)
    track = otio.schema.Track(name="V1", kind=otio.schema.TrackKind.Video)
    for item in items:
        track.append(item)
    timeline.tracks.append(track)
    path = folder / file
    otio.adapters.write_to_file(timeline, str(path))
    return path


def convert(source: Path, target: Path) -> None:
    assert main(["convert", str(source), str(target), "-y"]) == 0


def video(path: Path, seconds: float = 1.0) -> Path:
    subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-y", "-f", "lavfi", "-i", f"testsrc=size=64x36:rate={RATE}:duration={seconds}",
         "-pix_fmt", "yuv420p", str(path)],
        check=True, capture_output=True, timeout=60,
    )
    return path


# --- length, nesting, disabled clips, names ------------------------------------------------------------------


def test_trailing_gap_keeps_the_timeline_length(tmp_path: Path) -> None:
    path = write(tmp_path, clip("a", ext("/m/a.mov"), 0, 30), gap(60))
    doc = open_document(path)
    assert doc.timeline.duration == 90
    convert(path, tmp_path / "again.otio")
    assert open_document(tmp_path / "again.otio").timeline.duration == 90
    convert(path, tmp_path / "cut.promptcut")
    assert open_document(tmp_path / "cut.promptcut").timeline.duration == 90


def test_trailing_gap_length_is_read(tmp_path: Path) -> None:
    from editor.interchange.otio import read_otio

    assert read_otio(write(tmp_path, clip("a", ext("/m/a.mov"), 0, 30), gap(60))).length == 90


def test_nested_stack_holding_one_clip_is_flattened(tmp_path: Path) -> None:
    stack = otio.schema.Stack(name="compound")
    stack.append(clip("inner", ext("/m/inner.mov"), 10, 40))
    stack.source_range = rng(5, 20)   # the stack plays its frames 5..25: the clip's source 15..35
    doc = open_document(write(tmp_path, clip("a", ext("/m/a.mov"), 0, 30), stack, clip("b", ext("/m/b.mov"), 0, 10)))
    clips = doc.timeline.video_tracks[0].clips
    assert [(c.name, c.start, c.duration) for c in clips] == [("a", 0, 30), ("inner", 30, 20), ("b", 50, 10)]
    assert isinstance(clips[1], MediaClip) and clips[1].source_in == 15
    assert not any("replaced by a gap" in w for w in doc.warnings)


def test_nested_stack_holding_one_track_is_flattened(tmp_path: Path) -> None:
    inner = otio.schema.Track(name="inner track")
    inner.append(gap(10))
    inner.append(clip("deep", ext("/m/deep.mov"), 0, 20))
    stack = otio.schema.Stack(name="compound")
    stack.append(otio.schema.Track(name="empty"))
    stack.append(inner)
    outer = otio.schema.Stack(name="outer")   # a stack in a stack, each with one layer
    outer.append(stack)
    doc = open_document(write(tmp_path, clip("a", ext("/m/a.mov"), 0, 30), outer))
    placed = [(c.name, c.start, c.duration) for c in doc.timeline.video_tracks[0].clips]
    assert placed == [("a", 0, 30), ("deep", 40, 20)]


def test_disabled_clip_stays_disabled(tmp_path: Path) -> None:
    off = clip("off", ext("/m/off.mov"), 0, 20)
    off.enabled = False
    path = write(tmp_path, clip("a", ext("/m/a.mov"), 0, 30), off)
    clips = open_document(path).timeline.video_tracks[0].clips
    assert [(c.name, c.start, c.enabled) for c in clips] == [("a", 0, True), ("off", 30, False)]
    convert(path, tmp_path / "again.otio")
    again = otio.adapters.read_from_file(str(tmp_path / "again.otio")).tracks[0]
    assert [(c.name, c.enabled) for c in again.find_clips()] == [("a", True), ("off", False)]


def test_timeline_name_survives_read_and_write(tmp_path: Path) -> None:
    from editor.interchange.otio import read_otio, write_otio

    result = read_otio(write(tmp_path, clip("a", ext("/m/a.mov"), 0, 30), name="Reel 7 – final"))
    assert result.name == "Reel 7 – final"
    write_otio(result.timeline, tmp_path / "again.otio", name=result.name)
    assert otio.adapters.read_from_file(str(tmp_path / "again.otio")).name == "Reel 7 – final"


def test_timeline_name_survives_convert(tmp_path: Path) -> None:
    convert(write(tmp_path, clip("a", ext("/m/a.mov"), 0, 30), name="Reel 7"), tmp_path / "again.otio")
    assert otio.adapters.read_from_file(str(tmp_path / "again.otio")).name == "Reel 7"


def test_gap_names_survive_convert(tmp_path: Path) -> None:
    path = write(tmp_path, clip("a", ext("/m/a.mov"), 0, 30), gap(15, "slug"), clip("b", ext("/m/b.mov"), 0, 30))
    convert(path, tmp_path / "again.otio")
    again = otio.adapters.read_from_file(str(tmp_path / "again.otio")).tracks[0]
    assert [g.name for g in again if isinstance(g, otio.schema.Gap)] == ["slug"]


def gap_names(path: Path) -> list[list[tuple[str, int, int]]]:
    """(name, start, frames) of every gap, track by track, as opentimelineio reads the file."""
    timeline = otio.adapters.read_from_file(str(path))
    return [[(g.name, round(g.range_in_parent().start_time.value), round(g.duration().value))
             for g in track if isinstance(g, otio.schema.Gap)] for track in timeline.tracks]


def test_gap_names_survive_a_project_and_back(tmp_path: Path) -> None:
    path = write(tmp_path, clip("a", ext("/m/a.mov"), 0, 30), gap(15, "slug"), clip("b", ext("/m/b.mov"), 0, 30))
    assert open_document(path).timeline.video_tracks[0].gap_names == {30: "slug"}
    convert(path, tmp_path / "cut.promptcut")
    assert open_document(tmp_path / "cut.promptcut").timeline.video_tracks[0].gap_names == {30: "slug"}
    convert(tmp_path / "cut.promptcut", tmp_path / "again.otio")
    assert gap_names(tmp_path / "again.otio") == [[("slug", 30, 15)]]


def test_named_gaps_in_a_row_stay_two_gaps(tmp_path: Path) -> None:
    path = write(tmp_path, clip("a", ext("/m/a.mov"), 0, 30), gap(10, "slate"), gap(5), gap(20, "black"),
                 clip("b", ext("/m/b.mov"), 0, 30))
    convert(path, tmp_path / "again.otio")
    assert gap_names(tmp_path / "again.otio") == [[("slate", 30, 15), ("black", 45, 20)]]


def test_a_named_trailing_gap_keeps_its_name_and_the_length(tmp_path: Path) -> None:
    timeline = otio.schema.Timeline(name="cut")
    v1 = otio.schema.Track(name="V1", kind=otio.schema.TrackKind.Video)
    v1.extend([clip("a", ext("/m/a.mov"), 0, 30), gap(60, "end card")])
    a1 = otio.schema.Track(name="A1", kind=otio.schema.TrackKind.Audio)
    a1.extend([clip("s", ext("/m/s.wav"), 0, 20), gap(10, "breath")])
    timeline.tracks.extend([v1, a1])
    otio.adapters.write_to_file(timeline, str(tmp_path / "cut.otio"))
    convert(tmp_path / "cut.otio", tmp_path / "cut.promptcut")
    doc = open_document(tmp_path / "cut.promptcut")
    assert doc.timeline.duration == 90
    assert [t.gap_names for t in doc.timeline.tracks] == [{30: "end card"}, {20: "breath"}]
    convert(tmp_path / "cut.promptcut", tmp_path / "again.otio")
    # A named trailing gap runs to the timeline's end on its track (OTIO's trailing gaps only say how long).
    assert gap_names(tmp_path / "again.otio") == [[("end card", 30, 60)], [("breath", 20, 70)]]
    assert otio.adapters.read_from_file(str(tmp_path / "again.otio")).duration().value == 90


def test_a_gap_name_where_no_gap_starts_is_not_written(tmp_path: Path) -> None:
    from editor.interchange.otio import read_otio, write_otio
    from editor.model.commands import Move

    result = read_otio(write(tmp_path, clip("a", ext("/m/a.mov"), 0, 30), gap(15, "slug"),
                             clip("b", ext("/m/b.mov"), 0, 30)))
    timeline = result.timeline
    b = timeline.video_tracks[0].clips[1]
    Move(b.id, timeline.video_tracks[0].id, 30).apply(timeline)   # closes the gap
    write_otio(timeline, tmp_path / "again.otio")
    assert gap_names(tmp_path / "again.otio") == [[]]


def test_the_user_can_drop_the_trailing_gap(tmp_path: Path) -> None:
    from editor.interchange.otio import write_otio
    from editor.model.commands.length import DropTrailingGap

    path = write(tmp_path, clip("a", ext("/m/a.mov"), 0, 30), gap(60, "tail"))
    timeline = open_document(path).timeline
    DropTrailingGap().apply(timeline)
    assert timeline.duration == 30
    write_otio(timeline, tmp_path / "again.otio")
    assert gap_names(tmp_path / "again.otio") == [[]]
    assert otio.adapters.read_from_file(str(tmp_path / "again.otio")).duration().value == 30


def test_export_and_preview_run_to_the_end_of_the_trailing_gap(tmp_path: Path) -> None:
    from editor.media.probe import probe
    from editor.playback.engine import Player
    from editor.render.plan import build_plan

    video(tmp_path / "one.mp4", 1.0)
    path = write(tmp_path, clip("a", ext(tmp_path / "one.mp4", 30), 0, 30), gap(60))
    timeline = open_document(path).timeline
    plan = build_plan(timeline, timeline.fps, 48000)
    assert plan.segments[-1].end_frame == 90 and plan.segments[-1].base is None   # black after the clip
    player = Player(render=None)   # type: ignore[arg-type]   # load() only reads the timeline
    player.load(timeline)
    assert player.total == 3 * 48000
    out = tmp_path / "out.mp4"
    assert main(["export", str(path), "-o", str(out), "--size", "64x112", "--encoder-preset", "ultrafast",
                 "--quiet"]) == 0
    assert probe(out, cache=False).duration == pytest.approx(3.0, abs=0.05)


# --- what opentimelineio accepts, newer files ---------------------------------------------------------------


def test_inf_and_nan_that_otio_accepts_are_accepted(tmp_path: Path) -> None:
    a = clip("a", ext("/m/a.mov"), 0, 30)
    a.metadata["vendor"] = {"gain": float("inf"), "floor": float("-inf"), "score": float("nan")}
    path = write(tmp_path, a)
    text = path.read_text(encoding="utf-8")
    assert "Infinity" in text and "NaN" in text   # as opentimelineio writes them
    doc = open_document(path)
    assert [c.name for c in doc.timeline.video_tracks[0].clips] == ["a"]
    convert(path, tmp_path / "cut.promptcut")
    assert [c.name for c in open_document(tmp_path / "cut.promptcut").timeline.video_tracks[0].clips] == ["a"]


def test_newer_schema_says_so(tmp_path: Path) -> None:
    path = write(tmp_path, clip("a", ext("/m/a.mov"), 0, 30))
    newest = otio.core.type_version_map()["Clip"]
    path.write_text(path.read_text(encoding="utf-8").replace(f'"Clip.{newest}"', f'"Clip.{newest + 1}"'),
                    encoding="utf-8")
    with pytest.raises(DocumentError) as caught:
        open_document(path)
    assert "written by a newer OpenTimelineIO" in str(caught.value) and "malformed" not in str(caught.value)
    assert main(["convert", str(path), str(tmp_path / "x.promptcut")]) != 0


# --- media: missing stays missing, damaged is damaged, past the end --------------------------------------------


def test_missing_reference_never_finds_a_same_named_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    video(tmp_path / "lost.mp4")   # a file of the clip's name, in the folder of the .otio and in the current one
    monkeypatch.chdir(tmp_path)
    path = write(tmp_path, clip("lost.mp4", otio.schema.MissingReference(), 0, 20))
    doc = open_document(path)
    (media,) = doc.timeline.media.values()
    assert not media.online and media.name == "lost.mp4"
    convert(path, tmp_path / "cut.promptcut")
    reopened = open_document(tmp_path / "cut.promptcut")
    assert [m.online for m in reopened.timeline.media.values()] == [False]
    convert(tmp_path / "cut.promptcut", tmp_path / "again.otio")
    again = otio.adapters.read_from_file(str(tmp_path / "again.otio"))
    assert isinstance(again.find_clips()[0].media_reference, otio.schema.MissingReference)


def test_damaged_media_is_reported_as_damaged(tmp_path: Path) -> None:
    (tmp_path / "broken.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42" + os.urandom(4000))
    path = write(tmp_path, clip("b", ext(tmp_path / "broken.mp4"), 0, 30))
    doc = open_document(path)
    (media,) = doc.timeline.media.values()
    assert not media.online
    assert any("broken.mp4" in w and "damaged" in w for w in doc.warnings)


def test_export_calls_damaged_media_damaged(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "broken.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42" + os.urandom(4000))
    path = write(tmp_path, clip("b", ext(tmp_path / "broken.mp4"), 0, 30))
    assert main(["export", str(path), "-o", str(tmp_path / "out.mp4"), "--quiet"]) != 0
    err = capsys.readouterr().err
    assert "damaged" in err and "media missing" not in err


def test_clip_past_its_media_one_rule_for_export_and_convert(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    video(tmp_path / "short.mp4", 1.0)   # 30 frames; the clip asks for 90
    path = write(tmp_path, clip("long", ext(tmp_path / "short.mp4", None), 0, 90))
    doc = open_document(path)
    assert doc.timeline.problems() == []
    note = [w for w in doc.warnings if "short.mp4" in w]
    assert note
    convert(path, tmp_path / "cut.promptcut")
    assert [c.duration for c in open_document(tmp_path / "cut.promptcut").timeline.video_tracks[0].clips] == \
        [c.duration for c in doc.timeline.video_tracks[0].clips]
    assert note[0] in capsys.readouterr().err
    assert main(["export", str(path), "-o", str(tmp_path / "out.mp4"), "--quiet"]) == 0
    assert note[0] in capsys.readouterr().err
