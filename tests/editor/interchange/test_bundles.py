""".otioz and .otiod bundles: a timeline and its media in one file (or folder), written through OTIO's own
adapters, read back with the media inside and playing; bundles made by OTIO's tools read; hostile zips and
unsafe targets refused with one line, nothing written outside and nothing of the user's overwritten."""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import struct
import zipfile
from fractions import Fraction
from pathlib import Path

import av
import opentimelineio as otio
import pytest

from editor.interchange import InterchangeError
from editor.interchange.bundles import read_bundle, unpacked_folder, write_bundle
from editor.media import synth
from editor.media.probe import media_source_from_info, probe
from editor.model import (
    GeneratedClip,
    GenerationSpec,
    MediaClip,
    Settings,
    Take,
    TextClip,
    Timeline,
)
from generation.leftovers import is_temp_name

SAMPLES = Path(__file__).parent / "samples"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def plays(path: str) -> bool:
    """The file decodes: a picture frame for video, a sound frame for audio."""
    with av.open(path) as container:
        stream = container.streams.video[0] if container.streams.video else container.streams.audio[0]
        return next(iter(container.decode(stream)), None) is not None


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Real files made with ffmpeg, two of them with the same name in different folders."""
    root = tmp_path_factory.mktemp("bundle-media")
    (root / "day1").mkdir()
    (root / "day2").mkdir()
    return {
        "red": synth.color_clip(root / "day1" / "clip.mp4", "red", seconds=2.0),
        "blue": synth.color_clip(root / "day2" / "clip.mp4", "blue", seconds=1.0),
        "take1": synth.color_clip(root / "day1" / "take 1.mp4", "green", seconds=1.0, tone_hz=None),
        "take2": synth.color_clip(root / "day1" / "take #2 100%.mp4", "yellow", seconds=1.0, tone_hz=None),
        "tone": synth.tone(root / "day1" / "tone.wav", seconds=2.0),
        "still": synth.still(root / "day1" / "logo.png", size=(64, 64)),
    }


def project(media: dict[str, Path], folder: Path) -> Timeline:
    """A cut on copies of the media in ``folder``: media clips, a still, sound, a generated shot with two takes
    (the second active), a shot waiting for its take, and a title."""
    copies: dict[str, Path] = {}
    for key, source in media.items():
        target = folder / source.parent.name / source.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
        copies[key] = target
    tl = Timeline.empty(Settings(320, 180, Fraction(30), 48000), video_tracks=2, audio_tracks=1)
    for key, path in copies.items():
        tl.media[key] = media_source_from_info(probe(path), key)
    v1, v2 = tl.video_tracks
    spec = GenerationSpec(prompt="a fox in the snow", seed=7, model="tiny-wan")
    v1.add(MediaClip("c-red", 0, 30, source_in=12, name="Red", media="red"))
    v1.add(GeneratedClip("c-fox", 30, 24, source_in=3, name="fox", spec=spec,
                         takes=(Take("take1", "h1"), Take("take2", "h2")), active_take=1))
    v1.add(MediaClip("c-blue", 54, 20, source_in=5, name="Blue", media="blue"))
    v1.add(GeneratedClip("c-wait", 74, 16, name="waiting", spec=GenerationSpec(prompt="a boat at dawn")))
    v2.add(MediaClip("c-logo", 0, 40, name="Logo", media="still"))
    v2.add(TextClip("c-title", 50, 30, name="Title", text="The End"))
    tl.audio_tracks[0].add(MediaClip("c-tone", 10, 45, source_in=6, name="Tone", media="tone"))
    tl.check()
    return tl


def clip_layout(tl: Timeline) -> list[tuple]:
    """What a cut is, media paths aside: clips, order, positions, source ranges, names, kinds, tracks."""
    rows = []
    for track in tl.tracks:
        for clip in track.clips:
            rows.append((track.kind, track.name, type(clip).__name__, clip.id, clip.start, clip.duration,
                         clip.source_in, clip.name, clip.media_id(), getattr(clip, "active_take", None),
                         getattr(clip, "text", None), getattr(clip, "spec", None)))
    return rows


@pytest.mark.parametrize("suffix", [".otioz", ".otiod"])
def test_a_bundle_carries_the_cut_and_its_media_to_another_place(
    media: dict[str, Path], tmp_path: Path, suffix: str
) -> None:
    tl = project(media, tmp_path / "project")
    before = {key: digest(Path(m.path)) for key, m in tl.media.items()}
    notes = write_bundle(tl, tmp_path / f"cut{suffix}")

    # Moved to another folder, the originals gone: the bundle alone holds the cut and the files it plays.
    moved = tmp_path / "elsewhere" / f"cut{suffix}"
    moved.parent.mkdir()
    shutil.move(tmp_path / f"cut{suffix}", moved)
    shutil.rmtree(tmp_path / "project")
    result = read_bundle(moved)

    back = result.timeline
    back.check()
    assert result.name == "cut"
    assert result.warnings == []
    assert clip_layout(back) == clip_layout(tl)
    inside = unpacked_folder(moved) if suffix == ".otioz" else moved
    for key in ("red", "blue", "take2", "tone", "still"):   # everything the cut plays
        item = back.media[key]
        assert Path(item.path).parent == inside / "media"
        assert item.online and plays(item.path)
        assert digest(Path(item.path)) == before[key]
        assert (item.kind, item.duration, item.has_audio) == (tl.media[key].kind, tl.media[key].duration,
                                                               tl.media[key].has_audio)
    # The active take is the active reference, so any tool plays the rendered shot; the other take is not
    # carried and comes back offline; the shot still knows its prompt.
    fox = next(c for _, c in back.clips() if c.id == "c-fox")
    assert fox.active_take == 1 and fox.media_id() == "take2"
    assert not back.media["take1"].online
    assert any("other take not packed" in n for n in notes)
    assert any("1 shot without a take" in n for n in notes)
    assert any("1 title/caption travels as text" in n for n in notes)
    # Names that clash (clip.mp4 twice) or that OTIO's URLs mangle (#, %) are packed under plain names.
    names = sorted(os.path.basename(back.media[k].path) for k in ("red", "blue", "take2"))
    assert names == ["clip-2.mp4", "clip.mp4", "take _2 100_.mp4"]
    assert any("packed as media/clip-2.mp4" in n for n in notes)


@pytest.mark.parametrize("suffix", [".otioz", ".otiod"])
@pytest.mark.parametrize("where", ["media", "bundle"])
def test_a_percent_escape_in_a_folder_name_neither_stops_nor_misplaces_the_bundle(
    media: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suffix: str, where: str
) -> None:
    # OTIO decodes a media URL's escapes twice: a file in "day%20one" was looked for in "day one". So it is
    # handed over through a link; and when the bundle's own folder has the escape, a renamed file ("#") is
    # linked from the system's temporary folder instead of from beside the bundle.
    system_temp = tmp_path / "system-temp"
    system_temp.mkdir()
    monkeypatch.setattr("tempfile.tempdir", str(system_temp))
    folder = tmp_path / ("day%20one" if where == "media" else "plain")
    source = folder / ("red.mp4" if where == "media" else "red #1.mp4")
    folder.mkdir()
    shutil.copy2(media["red"], source)
    tl = Timeline.empty(Settings(320, 180, Fraction(30), 48000), video_tracks=1, audio_tracks=0)
    tl.media["red"] = media_source_from_info(probe(source), "red")
    tl.video_tracks[0].add(MediaClip("c-red", 0, 30, source_in=12, name="Red", media="red"))
    out = tmp_path / ("out%20put" if where == "bundle" else "out")
    out.mkdir()
    notes = write_bundle(tl, out / f"cut{suffix}")
    packed = "red.mp4" if where == "media" else "red _1.mp4"
    assert notes == ([] if where == "media" else [f"red #1.mp4 is packed as media/{packed} (bundle file names "
                                                   "must be distinct and plain)"])
    back = read_bundle(out / f"cut{suffix}").timeline
    red = back.media["red"]
    assert os.path.basename(red.path) == packed and red.online and plays(red.path)
    assert digest(Path(red.path)) == digest(source)
    assert [(c.id, c.start, c.duration, c.source_in) for c in back.video_tracks[0].clips] == [("c-red", 0, 30, 12)]
    assert not [n for n in os.listdir(out) if is_temp_name(n)] and os.listdir(system_temp) == []


def test_otio_itself_reads_our_bundle_and_sees_the_take_as_the_shot(media: dict[str, Path], tmp_path: Path) -> None:
    tl = project(media, tmp_path / "project")
    write_bundle(tl, tmp_path / "cut.otioz")
    with zipfile.ZipFile(tmp_path / "cut.otioz") as book:
        assert sorted(book.namelist()) == sorted([
            "version.txt", "content.otio", "media/clip.mp4", "media/clip-2.mp4", "media/take _2 100_.mp4",
            "media/tone.wav", "media/logo.png",
        ])
    theirs = otio.adapters.read_from_file(str(tmp_path / "cut.otioz"))
    fox = next(c for c in theirs.find_clips() if c.name == "fox")
    assert isinstance(fox.media_reference, otio.schema.ExternalReference)
    assert fox.media_reference.target_url == "media/take _2 100_.mp4"
    assert isinstance(fox.media_references()[otio.schema.Clip.DEFAULT_MEDIA_KEY], otio.schema.GeneratorReference)
    waiting = next(c for c in theirs.find_clips() if c.name == "waiting")
    assert isinstance(waiting.media_reference, otio.schema.GeneratorReference)


def test_offline_media_is_named_not_packed_and_reopens_offline(media: dict[str, Path], tmp_path: Path) -> None:
    tl = project(media, tmp_path / "project")
    os.unlink(tl.media["blue"].path)
    notes = write_bundle(tl, tmp_path / "cut.otiod")
    assert "clip.mp4 is offline: not packed; its clips reopen offline" in notes
    assert sorted(p.name for p in (tmp_path / "cut.otiod" / "media").iterdir()) == [
        "clip.mp4", "logo.png", "take _2 100_.mp4", "tone.wav"]
    back = read_bundle(tmp_path / "cut.otiod").timeline
    back.check()
    blue = next(c for _, c in back.clips() if c.id == "c-blue")
    assert blue.media_id() == "blue" and not back.media["blue"].online


def test_bundles_made_by_otioconvert_read_with_their_media(tmp_path: Path) -> None:
    """Samples made by OpenTimelineIO's own otioconvert (no PromptCut metadata), see samples/README.md."""
    shutil.copy2(SAMPLES / "otioconvert_sample.otioz", tmp_path / "sample.otioz")
    shutil.copytree(SAMPLES / "otioconvert_sample.otiod", tmp_path / "sample.otiod")
    for bundle in (tmp_path / "sample.otioz", tmp_path / "sample.otiod"):
        result = read_bundle(bundle)
        tl = result.timeline
        tl.check()
        assert result.name == "Edit from another tool"
        assert tl.fps == 24
        video = [(c.name, c.start, c.duration, c.source_in) for c in tl.video_tracks[0].clips]
        assert video == [("Shot A", 0, 24, 6), ("Shot B", 30, 18, 0)]
        assert [(c.name, c.start, c.duration) for c in tl.audio_tracks[0].clips] == [("Music", 0, 48)]
        for _, clip in tl.clips():
            path = tl.media[clip.media_id()].path
            assert tl.media[clip.media_id()].online and plays(path)
            assert Path(path).parent.parent == (unpacked_folder(bundle) if bundle.suffix == ".otioz" else bundle)


def test_a_bundle_written_by_the_adapter_at_test_time_reads(media: dict[str, Path], tmp_path: Path) -> None:
    shutil.copy2(media["red"], tmp_path / "red.mp4")
    foreign = otio.schema.Timeline(name="theirs")
    track = otio.schema.Track(kind=otio.schema.TrackKind.Video)
    foreign.tracks.append(track)
    rt = otio.opentime.RationalTime
    track.append(otio.schema.Clip(
        name="red", media_reference=otio.schema.ExternalReference(target_url=(tmp_path / "red.mp4").as_uri()),
        source_range=otio.opentime.TimeRange(rt(10, 30), rt(20, 30))))
    otio.adapters.write_to_file(foreign, str(tmp_path / "theirs.otioz"))
    tl = read_bundle(tmp_path / "theirs.otioz").timeline
    (clip,) = tl.video_tracks[0].clips
    assert (clip.start, clip.duration, clip.source_in) == (0, 20, 10)
    assert tl.media[clip.media_id()].path == str(unpacked_folder(tmp_path / "theirs.otioz") / "media" / "red.mp4")


def test_reopening_reuses_the_unpacked_folder_and_a_rewrite_reopens_with_its_new_cut(
    media: dict[str, Path], tmp_path: Path
) -> None:
    tl = project(media, tmp_path / "project")
    write_bundle(tl, tmp_path / "cut.otioz")
    first = read_bundle(tmp_path / "cut.otioz").timeline
    folder = unpacked_folder(tmp_path / "cut.otioz")
    stamps = {p: p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}
    assert read_bundle(tmp_path / "cut.otioz").timeline == first
    assert {p: p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()} == stamps   # nothing rewritten

    # Edited and written back over the bundle it came from (its media now in the unpacked folder), with a
    # new file added: it reopens with the new cut, the new file added beside the others.
    first.video_tracks[0].remove("c-blue")
    extra = synth.color_clip(tmp_path / "extra.mp4", "white", seconds=1.0)
    first.media["extra"] = media_source_from_info(probe(extra), "extra")
    first.video_tracks[1].add(MediaClip("c-extra", 100, 10, media="extra"))
    write_bundle(first, tmp_path / "cut.otioz")
    again = read_bundle(tmp_path / "cut.otioz").timeline
    assert "c-blue" not in {c.id for _, c in again.clips()}
    assert again.media["extra"].path == str(folder / "media" / "extra.mp4") and plays(again.media["extra"].path)
    assert all(p.stat().st_mtime_ns == t for p, t in stamps.items() if p.name != "content.otio")


def test_a_folder_of_that_name_holding_other_files_is_never_overwritten(
    media: dict[str, Path], tmp_path: Path
) -> None:
    write_bundle(project(media, tmp_path / "project"), tmp_path / "cut.otioz")
    folder = unpacked_folder(tmp_path / "cut.otioz")
    (folder / "media").mkdir(parents=True)
    (folder / "media" / "clip.mp4").write_bytes(b"the user's own file")
    with pytest.raises(InterchangeError) as caught:
        read_bundle(tmp_path / "cut.otioz")
    assert str(caught.value) == (
        f"{tmp_path / 'cut.otioz'}: cut.otioz-files already holds other files (media/clip.mp4 differs from the"
        " bundle's); move or rename that folder to open this bundle")
    assert (folder / "media" / "clip.mp4").read_bytes() == b"the user's own file"
    assert sorted(p.name for p in folder.rglob("*")) == ["clip.mp4", "media"]


# --- hostile bundles ------------------------------------------------------------------------------------


def hostile(path: Path, members: list[tuple[zipfile.ZipInfo | str, bytes]]) -> Path:
    with zipfile.ZipFile(path, "w") as book:
        book.writestr("content.otio", otio.schema.Timeline(name="x").to_json_string())
        for info, data in members:
            book.writestr(info, data)
    return path


def link_member(name: str, target: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.create_system = 3
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info, target.encode()


def lying_sizes(path: Path, member: str, declared: int) -> None:
    """Rewrite ``member``'s uncompressed size in both headers (a zip bomb lies about it)."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as book:
        info = book.getinfo(member)
    struct.pack_into("<I", data, info.header_offset + 22, declared)
    central = data.find(b"PK\x01\x02")
    while central >= 0:
        name_len = struct.unpack_from("<H", data, central + 28)[0]
        if data[central + 46:central + 46 + name_len] == member.encode():
            struct.pack_into("<I", data, central + 24, declared)
            break
        central = data.find(b"PK\x01\x02", central + 4)
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(("members", "says"), [
    ([("../escaped.txt", b"x")], "holds a path that leaves its folder ('../escaped.txt')"),
    ([("media/../../escaped.txt", b"x")], "holds a path that leaves its folder ('media/../../escaped.txt')"),
    ([("/tmp/absolute.txt", b"x")], "holds an absolute path ('/tmp/absolute.txt')"),
    ([("C:/absolute.txt", b"x")], "holds an absolute path ('C:/absolute.txt')"),
    ([link_member("media/link.mp4", "/etc/passwd")], "holds a link or special file ('media/link.mp4')"),
    ([("media/a.mp4", b"1"), ("media/A.mp4", b"2")], "holds 'media/A.mp4' twice"),
])
def test_hostile_members_refuse_the_bundle_before_anything_is_written(
    tmp_path: Path, members: list, says: str
) -> None:
    (tmp_path / "in").mkdir()
    bundle = hostile(tmp_path / "in" / "evil.otioz", members)
    with pytest.raises(InterchangeError) as caught:
        read_bundle(bundle)
    assert str(caught.value) == f"{bundle}: {says}"
    assert "\n" not in str(caught.value)
    assert sorted(os.listdir(tmp_path / "in")) == ["evil.otioz"]
    assert sorted(os.listdir(tmp_path)) == ["in"]


def test_a_member_that_inflates_past_its_declared_size_is_refused_and_removed(tmp_path: Path) -> None:
    bundle = hostile(tmp_path / "bomb.otioz", [])
    with zipfile.ZipFile(bundle, "a", compression=zipfile.ZIP_DEFLATED) as book:
        book.writestr("media/zeros.bin", bytes(8 * 1024 * 1024))   # 8 MB of zeros, a few KB packed
    lying_sizes(bundle, "media/zeros.bin", 1000)
    with pytest.raises(InterchangeError) as caught:
        read_bundle(bundle)
    assert str(caught.value).startswith(f"{bundle}: 'media/zeros.bin' ")
    assert sorted(os.listdir(tmp_path)) == ["bomb.otioz"]   # the half-unpacked temporary is gone too


def test_a_bundle_claiming_more_than_the_disk_holds_is_refused_before_writing(tmp_path: Path) -> None:
    free = shutil.disk_usage(tmp_path).free
    count = free // 0xFFFFFFF0 + 1   # members claiming 4 GB each, together just over the free space
    if count * 0xFFFFFFF0 > 200 * 1024 ** 3:
        pytest.skip("this disk has more room than an archive may claim; the cap test covers the claim")
    bundle = hostile(tmp_path / "claims.otioz", [(f"media/{i}.bin", b"0") for i in range(count)])
    for i in range(count):
        lying_sizes(bundle, f"media/{i}.bin", 0xFFFFFFF0)
    with pytest.raises(InterchangeError, match=r"unpacks to \d+ MB and the disk has \d+ MB free"):
        read_bundle(bundle)
    assert sorted(os.listdir(tmp_path)) == ["claims.otioz"]


def test_a_bundle_claiming_more_than_the_cap_is_refused(tmp_path: Path) -> None:
    bundle = hostile(tmp_path / "huge.otioz", [(f"media/{i}.bin", b"0") for i in range(60)])
    for i in range(60):
        lying_sizes(bundle, f"media/{i}.bin", 0xFFFFFFF0)   # 60 x 4 GB: over the 200 GiB an archive may hold
    with pytest.raises(InterchangeError, match=r"unpacks to over 214\.7 GB"):
        read_bundle(bundle)
    assert sorted(os.listdir(tmp_path)) == ["huge.otioz"]


@pytest.mark.parametrize(("make", "says"), [
    (lambda p: p.write_bytes(b"not a zip"), "not a zip archive, so not an .otioz bundle"),
    (lambda p: zipfile.ZipFile(p, "w").close(), "not an OTIO bundle (no content.otio inside)"),
    (lambda p: zipfile.ZipFile(p, "w").writestr("content.otio", "{ nope"), "content.otio: not JSON"),
    (lambda p: p.mkdir(), "is a folder, not an .otioz file (a folder bundle is named .otiod)"),
    (lambda p: os.mkfifo(p), "is not a regular file (a FIFO, device or socket)"),
])
def test_what_is_not_an_otioz_bundle_is_refused_in_one_line(tmp_path: Path, make, says: str) -> None:
    bundle = tmp_path / "x.otioz"
    make(bundle)
    with pytest.raises(InterchangeError) as caught:
        read_bundle(bundle)
    assert str(caught.value).startswith(f"{bundle}")
    assert says in str(caught.value) and "\n" not in str(caught.value)
    assert not unpacked_folder(bundle).exists()


def test_what_is_not_an_otiod_bundle_is_refused_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "file.otiod").write_text("x")
    (tmp_path / "empty.otiod").mkdir()
    for name, says in [("file.otiod", "is a file, and an .otiod bundle is a folder"),
                       ("empty.otiod", "not an OTIO bundle (no content.otio inside)"),
                       ("absent.otiod", "no such folder")]:
        with pytest.raises(InterchangeError) as caught:
            read_bundle(tmp_path / name)
        assert str(caught.value) == f"{tmp_path / name}: {says}"


# --- where a bundle is written ---------------------------------------------------------------------------


def test_writing_refuses_what_must_not_be_replaced(media: dict[str, Path], tmp_path: Path) -> None:
    tl = project(media, tmp_path / "project")
    os.mkfifo(tmp_path / "pipe.otioz")
    (tmp_path / "file.otiod").write_text("mine")
    (tmp_path / "photos.otiod").mkdir()
    (tmp_path / "photos.otiod" / "holiday.jpg").write_bytes(b"mine")
    refusals = {
        "pipe.otioz": "is a FIFO (named pipe): choose a file name to write to",
        "file.otiod": "a file is there, and an .otiod bundle is a folder: choose another name",
        "photos.otiod": "a folder that is not an OTIO bundle is there (it holds other files): choose another name",
        "cut.mp4": "not an OTIO bundle name (.otioz or .otiod)",
    }
    for name, says in refusals.items():
        with pytest.raises(InterchangeError) as caught:
            write_bundle(tl, tmp_path / name)
        assert str(caught.value) == f"{tmp_path / name}: {says}"
    assert stat.S_ISFIFO(os.stat(tmp_path / "pipe.otioz").st_mode)
    assert (tmp_path / "file.otiod").read_text() == "mine"
    assert os.listdir(tmp_path / "photos.otiod") == ["holiday.jpg"]


@pytest.mark.parametrize("suffix", [".otioz", ".otiod"])
def test_an_earlier_bundle_is_replaced_whole_and_no_temporaries_stay(
    media: dict[str, Path], tmp_path: Path, suffix: str
) -> None:
    tl = project(media, tmp_path / "project")
    target = tmp_path / "out" / f"cut{suffix}"
    target.parent.mkdir()
    write_bundle(tl, target)
    tl.video_tracks[0].remove("c-blue")
    write_bundle(tl, target, name="second")
    assert read_bundle(target).name == "second"
    assert "c-blue" not in {c.id for _, c in read_bundle(target).timeline.clips()}
    if suffix == ".otiod":   # the old folder went whole: its media folder holds only what the new cut plays
        assert "clip-2.mp4" not in os.listdir(target / "media")
    assert not [n for n in os.listdir(target.parent) if is_temp_name(n)]


def test_a_write_sweeps_what_a_killed_write_left_beside_it(media: dict[str, Path], tmp_path: Path) -> None:
    tl = project(media, tmp_path / "project")
    dead = tmp_path / ".cut.otioz.promptcut-tmp-00000000-999999999-abcd.bundle"   # another machine's, old
    dead.mkdir()
    os.utime(dead, (1, 1))
    write_bundle(tl, tmp_path / "cut.otioz")
    assert not dead.exists()


def test_media_named_outside_the_bundle_is_warned_about(media: dict[str, Path], tmp_path: Path) -> None:
    shutil.copy2(media["red"], tmp_path / "outside.mp4")
    foreign = otio.schema.Timeline(name="leaky")
    track = otio.schema.Track(kind=otio.schema.TrackKind.Video)
    foreign.tracks.append(track)
    rt = otio.opentime.RationalTime
    track.append(otio.schema.Clip(name="up", media_reference=otio.schema.ExternalReference(target_url="../outside.mp4"),
                                  source_range=otio.opentime.TimeRange(rt(0, 30), rt(10, 30))))
    with zipfile.ZipFile(tmp_path / "leaky.otioz", "w") as book:
        book.writestr("version.txt", "2.0.0")
        book.writestr("content.otio", foreign.to_json_string())
    result = read_bundle(tmp_path / "leaky.otioz")
    assert result.warnings == [
        "the bundle's format version is 2.0.0; read as version 1",
        f"1 media file the cut plays lies outside the bundle (first: {tmp_path / 'outside.mp4'})",
    ]


def test_a_link_planted_in_the_unpacked_folder_is_not_followed(media: dict[str, Path], tmp_path: Path) -> None:
    write_bundle(project(media, tmp_path / "project"), tmp_path / "cut.otioz")
    folder = unpacked_folder(tmp_path / "cut.otioz")
    (tmp_path / "elsewhere").mkdir()
    folder.mkdir()
    os.symlink(tmp_path / "elsewhere", folder / "media")
    with pytest.raises(InterchangeError, match="cut.otioz-files already holds other files"):
        read_bundle(tmp_path / "cut.otioz")
    assert os.listdir(tmp_path / "elsewhere") == []


def test_an_otiod_whose_content_is_a_fifo_is_refused(tmp_path: Path) -> None:
    (tmp_path / "cut.otiod").mkdir()
    os.mkfifo(tmp_path / "cut.otiod" / "content.otio")
    with pytest.raises(InterchangeError) as caught:
        read_bundle(tmp_path / "cut.otiod")
    assert str(caught.value) == f"{tmp_path / 'cut.otiod'}/content.otio: is a FIFO (named pipe), not a file"
