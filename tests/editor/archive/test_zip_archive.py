"""Archive Project: one zip holding the project, its media (inside and outside its folder), generated takes
with their sidecars and the fonts its titles use; unpacked elsewhere it opens with everything online and
byte-identical. Missing media is a note, never a crash."""

from __future__ import annotations

import filecmp
import json
import os
import shutil
import zipfile
from pathlib import Path

import pytest

from editor.archive.zip_archive import MANIFEST, ArchiveError, is_project_archive, open_archive, write_archive
from editor.documents import open_document, save_document
from editor.model import Take, TextClip, Timeline, Track, TrackKind
from editor.model.story import CastMember, Story
from editor.model.testing import generated
from editor.model.text import TextStyle

from .conftest import copy_to, place, pool_entry


def project_with_everything(tmp_path: Path, media: dict[str, Path]) -> tuple[Timeline, Path]:
    project = tmp_path / "film" / "film.promptcut"
    take = copy_to(media["blue"], project.parent / "film.media" / "generated" / "ab" / "abcd.mp4")
    take.with_suffix(".json").write_text('{"model": "tiny-wan"}')
    footage = copy_to(media["red"], project.parent / "footage" / "clip.mp4")
    outside = copy_to(media["red"], tmp_path / "elsewhere" / "clip.mp4")   # same name, collected beside
    other = copy_to(media["blue"], tmp_path / "elsewhere2" / "clip.mp4")
    tone = copy_to(media["tone"], tmp_path / "sound" / "tone.wav")
    face = copy_to(media["still"], tmp_path / "people" / "ada.png")
    tl = Timeline.empty()
    tl.video_tracks.append(Track("v2", TrackKind.VIDEO, "V2"))
    place(tl, "footage", footage)
    place(tl, "outside", outside)
    place(tl, "other", other)
    place(tl, "tone", tone, track="audio")
    tl.media["take"] = pool_entry("take", take)
    tl.video_tracks[0].add(generated(tl.video_tracks[0].end, 15, clip_id="g1", takes=[Take("take", "h")],
                                     active_take=0))
    tl.video_tracks[1].add(TextClip("t1", 0, 30, text="Hello مرحبا 🎬", style=TextStyle(bold=True)))
    tl.story = Story(cast=(CastMember("p1", "Ada", image=str(face)),))
    save_document(tl, project)
    return tl, project


def unpack_elsewhere(archive: Path, tmp_path: Path) -> Path:
    """The archive alone, moved to another machine (another folder), unpacked there."""
    moved = copy_to(archive, tmp_path / "other-machine" / archive.name)
    return open_archive(moved)


def test_archive_round_trip_opens_elsewhere_with_everything_online_and_identical(tmp_path, media):
    tl, project = project_with_everything(tmp_path, media)
    archive = tmp_path / "film.zip"

    assert write_archive(tl, project, archive, {"note": "kept"}) == []
    assert is_project_archive(archive)
    opened = unpack_elsewhere(archive, tmp_path)

    assert opened == tmp_path / "other-machine" / "film" / "film.promptcut"
    doc = open_document(opened)
    assert doc.offline == [] and doc.metadata == {"note": "kept"}
    root = opened.parent
    for media_id, source in tl.media.items():
        there = Path(doc.timeline.media[media_id].path)
        assert there.is_relative_to(root)
        assert filecmp.cmp(there, source.path, shallow=False)
    assert doc.timeline.media["footage"].path == str(root / "footage" / "clip.mp4")     # kept its place
    assert doc.timeline.media["take"].path == str(root / "film.media" / "generated" / "ab" / "abcd.mp4")
    assert (root / "film.media" / "generated" / "ab" / "abcd.json").read_text() == '{"model": "tiny-wan"}'
    collected = sorted(Path(doc.timeline.media[k].path).name for k in ("outside", "other"))
    assert collected == ["clip-2.mp4", "clip.mp4"]
    assert Path(doc.timeline.story.member("p1").image).is_relative_to(root)
    assert filecmp.cmp(doc.timeline.story.member("p1").image, media["still"], shallow=False)
    assert [(c.id, c.start, c.duration) for _, c in doc.timeline.clips()] == \
        [(c.id, c.start, c.duration) for _, c in tl.clips()]
    doc.timeline.check()


def test_the_archive_holds_relative_names_a_manifest_and_the_titles_fonts(tmp_path, media):
    tl, project = project_with_everything(tmp_path, media)
    archive = tmp_path / "film.zip"
    write_archive(tl, project, archive)
    with zipfile.ZipFile(archive) as book:
        names = book.namelist()
        manifest = json.loads(book.read(MANIFEST))
        stored = json.loads(book.read("film.promptcut"))
    assert all(not n.startswith("/") and ".." not in n.split("/") for n in names)
    assert all(not Path(m["path"]).is_absolute() for m in stored["media"])
    assert manifest["format"] == "promptcut-archive" and manifest["project"] == "film.promptcut"
    assert {f["path"] for f in manifest["files"]} == set(names) - {MANIFEST}
    fonts = {n.removeprefix("fonts/") for n in names if n.startswith("fonts/")}
    # Bold Inter for the Latin, Noto Sans Arabic (bold) for the Arabic, Twemoji for the emoji, and their licences.
    assert fonts == {"Inter-Bold.otf", "NotoSansArabic-Bold.ttf", "TwemojiMozilla.woff", "LICENSE-Inter.txt",
                     "LICENSE-Noto.txt", "LICENSE-TwemojiMozilla.txt"}


def test_a_project_without_titles_carries_no_fonts(tmp_path, media):
    project = tmp_path / "plain.promptcut"
    tl = Timeline.empty()
    place(tl, "red", media["red"])
    write_archive(tl, project, tmp_path / "plain.zip")
    with zipfile.ZipFile(tmp_path / "plain.zip") as book:
        assert not [n for n in book.namelist() if n.startswith("fonts/")]


def test_missing_media_is_a_note_and_the_archive_opens_with_it_offline(tmp_path, media):
    tl, project = project_with_everything(tmp_path, media)
    gone = Path(tl.media["other"].path)
    gone.unlink()
    doc = open_document(project)
    archive = tmp_path / "film.zip"
    notes = write_archive(doc.timeline, project, archive)
    assert len(notes) == 1 and "clip.mp4 is offline" in notes[0] and "not in the archive" in notes[0]
    reopened = open_document(unpack_elsewhere(archive, tmp_path))
    assert [m.id for m in reopened.offline] == ["other"]
    assert reopened.timeline.media["other"].path == str(gone)
    reopened.timeline.check()


def test_writing_is_atomic_and_refuses_a_fifo_or_the_project_itself(tmp_path, media, monkeypatch):
    tl, project = project_with_everything(tmp_path, media)
    fifo = tmp_path / "out.zip"
    os.mkfifo(fifo)
    with pytest.raises(ArchiveError, match="FIFO"):
        write_archive(tl, project, fifo)
    with pytest.raises(ArchiveError, match="a file it uses"):
        write_archive(tl, project, tl.media["footage"].path)
    with pytest.raises(ArchiveError, match="does not exist"):
        write_archive(tl, project, tmp_path / "no" / "such" / "x.zip")
    assert filecmp.cmp(tl.media["footage"].path, media["red"], shallow=False)
    # A disk that fills mid-way (the one edge faked here) leaves the previous archive and no temporary behind.
    good = tmp_path / "film.zip"
    write_archive(tl, project, good)
    before = good.read_bytes()
    real_write = zipfile.ZipFile.write

    def write_then_fill(self, filename, *args, **kwargs):
        if Path(filename).suffix == ".wav":
            raise OSError(28, "No space left on device")
        return real_write(self, filename, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "write", write_then_fill)
    with pytest.raises(ArchiveError, match="film.zip not written: No space left on device"):
        write_archive(tl, project, good)
    assert good.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_is_project_archive_knows_ours_from_any_zip(tmp_path):
    plain = tmp_path / "plain.zip"
    with zipfile.ZipFile(plain, "w") as book:
        book.writestr("readme.txt", "hello")
    assert not is_project_archive(plain)
    assert not is_project_archive(tmp_path / "missing.zip")
    (tmp_path / "text.zip").write_text("not a zip")
    assert not is_project_archive(tmp_path / "text.zip")
    fifo = tmp_path / "pipe.zip"
    os.mkfifo(fifo)
    assert not is_project_archive(fifo)


def test_unpacking_never_reuses_a_folder_in_use(tmp_path, media):
    tl, project = project_with_everything(tmp_path, media)
    archive = tmp_path / "film.zip"
    assert write_archive(tl, project, archive) == []
    archive = copy_to(archive, tmp_path / "archives" / "film.zip")   # away from the project's own folder
    first = open_archive(archive)
    second = open_archive(archive)
    assert (first.parent.name, second.parent.name) == ("film", "film-2")
    busy = tmp_path / "busy"
    copy_to(media["still"], busy / "mine.png")
    with pytest.raises(ArchiveError, match="not empty"):
        open_archive(archive, busy)
    assert [p.name for p in busy.iterdir()] == ["mine.png"]
    shutil.rmtree(first.parent)


def test_names_holding_a_backslash_are_written_with_an_underscore_and_the_archive_opens(tmp_path, media):
    """A backslash is legal in a Linux or macOS file name, but unzip tools (and our own unpacking) read it as a
    folder separator: the project, its media folder and every file are named with ``_`` instead."""
    project = tmp_path / "work" / "cut\\final.promptcut"
    take = copy_to(media["blue"], project.parent / "cut\\final.media" / "generated" / "ab" / "abcd.mp4")
    take.with_suffix(".json").write_text('{"model": "tiny-wan"}')
    odd = copy_to(media["red"], tmp_path / "elsewhere" / "a\\b.mp4")
    inside = copy_to(media["tone"], project.parent / "sound\\fx" / "tone.wav")
    tl = Timeline.empty()
    place(tl, "odd", odd)
    place(tl, "tone", inside, track="audio")
    tl.media["take"] = pool_entry("take", take)
    tl.video_tracks[0].add(generated(tl.video_tracks[0].end, 15, clip_id="g1", takes=[Take("take", "h")],
                                     active_take=0))
    save_document(tl, project)
    archive = tmp_path / "cut.zip"

    notes = write_archive(tl, project, archive)
    assert notes == ["cut\\final.promptcut is cut_final.promptcut in the archive (a backslash reads as a folder "
                     "separator there)"]
    names = zipfile.ZipFile(archive).namelist()
    assert not any("\\" in name for name in names)
    assert {"cut_final.promptcut", "cut_final.media/collected/a_b.mp4", "sound_fx/tone.wav",
            "cut_final.media/generated/ab/abcd.mp4", "cut_final.media/generated/ab/abcd.json"} <= set(names)

    opened = unpack_elsewhere(archive, tmp_path)
    assert opened.name == "cut_final.promptcut"
    doc = open_document(opened)
    assert doc.offline == [] and doc.warnings == []
    for media_id, source in tl.media.items():
        there = Path(doc.timeline.media[media_id].path)
        assert there.is_relative_to(opened.parent) and filecmp.cmp(there, source.path, shallow=False)
