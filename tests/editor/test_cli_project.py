"""`promptcut collect`, `promptcut archive` and `promptcut unarchive` end to end: a project whose media lies
outside it is collected and reopens online; archived, moved and unarchived it opens with every file identical;
hostile or foreign archives and wrong inputs are one line, never a traceback."""

from __future__ import annotations

import filecmp
import json
import os
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from editor.cli import main
from editor.documents import open_document
from editor.media import synth
from editor.media.probe import media_source_from_info, probe
from editor.model import MediaClip, TextClip, Timeline
from editor.project import save_project


@pytest.fixture(scope="module")
def media(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("cli-project-media")
    return {"red": synth.color_clip(folder / "red.mp4", seconds=1.0),
            "tone": synth.tone(folder / "tone.wav", seconds=1.0)}


def scattered_project(tmp_path: Path, media: dict[str, Path]) -> Path:
    """tmp_path/film/film.promptcut using a video and a sound from two other folders, and a title."""
    sources = {}
    for media_id, folder in (("red", "shoot"), ("tone", "sound")):
        (tmp_path / folder).mkdir()
        sources[media_id] = Path(shutil.copy(media[media_id], tmp_path / folder / media[media_id].name))
    tl = Timeline.empty()
    for media_id, path in sources.items():
        tl.media[media_id] = media_source_from_info(probe(path), media_id, str(path))
    tl.video_tracks[0].add(MediaClip("c1", 0, 15, media="red"))
    tl.audio_tracks[0].add(MediaClip("c2", 0, 15, media="tone"))
    tl.video_tracks[0].add(TextClip("t1", 15, 15, text="The end"))
    project = tmp_path / "film" / "film.promptcut"
    project.parent.mkdir()
    save_project(tl, project)
    return project


def one_line_error(capsys, code: int, *fragments: str) -> None:
    err = capsys.readouterr().err
    assert code != 0
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in err, err
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def test_collect_copies_into_the_project_and_saves_it(tmp_path, media, capsys):
    project = scattered_project(tmp_path, media)
    assert main(["collect", str(project)]) == 0
    assert "collected 2 files into film.media/collected" in capsys.readouterr().out
    stored = [m["path"] for m in json.loads(project.read_text())["media"]]
    assert stored == ["film.media/collected/red.mp4", "film.media/collected/tone.wav"]
    assert project.with_name("film.promptcut.bak").is_file()     # the save before collecting is kept
    doc = open_document(project)
    assert doc.offline == []
    assert filecmp.cmp(doc.timeline.media["red"].path, media["red"], shallow=False)

    assert main(["collect", str(project)]) == 0
    assert "collected 0 files" in capsys.readouterr().out


def test_collect_notes_offline_media_and_keeps_going(tmp_path, media, capsys):
    project = scattered_project(tmp_path, media)
    (tmp_path / "sound" / "tone.wav").unlink()
    assert main(["collect", str(project)]) == 0
    captured = capsys.readouterr()
    assert "tone.wav is offline" in captured.err and "collected 1 file " in captured.out


def test_archive_then_unarchive_elsewhere_opens_with_everything_online(tmp_path, media, capsys):
    project = scattered_project(tmp_path, media)
    assert main(["archive", str(project)]) == 0
    archive = project.with_suffix(".zip")
    assert f"wrote {archive}" in capsys.readouterr().out
    with zipfile.ZipFile(archive) as book:
        assert "fonts/Inter-Regular.otf" in book.namelist()

    away = tmp_path / "away"
    away.mkdir()
    moved = Path(shutil.move(archive, away / "film.zip"))
    shutil.rmtree(tmp_path / "shoot")    # the originals are gone: only the archive travels
    shutil.rmtree(tmp_path / "sound")
    assert main(["unarchive", str(moved), "-o", str(away / "opened")]) == 0
    opened = Path(capsys.readouterr().out.strip())
    assert opened == away / "opened" / "film.promptcut"
    doc = open_document(opened)
    assert doc.offline == []
    assert filecmp.cmp(doc.timeline.media["red"].path, media["red"], shallow=False)
    assert filecmp.cmp(doc.timeline.media["tone"].path, media["tone"], shallow=False)


def test_archive_refuses_to_replace_an_archive_without_y(tmp_path, media, capsys):
    project = scattered_project(tmp_path, media)
    out = tmp_path / "out.zip"
    out.write_bytes(b"keep me")
    one_line_error(capsys, main(["archive", str(project), "-o", str(out)]), "exists (use -y")
    assert out.read_bytes() == b"keep me"
    assert main(["archive", str(project), "-o", str(out), "-y"]) == 0


def test_archive_to_a_fifo_and_of_a_timeline_file_are_one_line(tmp_path, media, capsys):
    project = scattered_project(tmp_path, media)
    fifo = tmp_path / "pipe.zip"
    os.mkfifo(fifo)
    one_line_error(capsys, main(["archive", str(project), "-o", str(fifo), "-y"]), "pipe.zip is a FIFO")
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    one_line_error(capsys, main(["archive", str(tmp_path / "cut.otio")]), "work on a .promptcut project")
    one_line_error(capsys, main(["collect", str(tmp_path / "nothing.promptcut")]), "no such file")


def test_unarchive_refuses_a_hostile_zip_in_one_line(tmp_path, capsys):
    evil = tmp_path / "evil.zip"
    with zipfile.ZipFile(evil, "w") as book:
        for name, data in (("promptcut-archive.json", json.dumps(
                {"format": "promptcut-archive", "format_version": 1, "project": "cut.promptcut"})),
                ("cut.promptcut", "{}"), ("../escaped.txt", "owned")):
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFREG | 0o644) << 16
            book.writestr(info, data)
    one_line_error(capsys, main(["unarchive", str(evil)]), "evil.zip holds a path that leaves its folder")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["evil.zip"]


def test_the_installed_command_says_one_line_for_a_foreign_zip(tmp_path):
    plain = tmp_path / "photos.zip"
    with zipfile.ZipFile(plain, "w") as book:
        book.writestr("a.txt", "x")
    done = subprocess.run([sys.executable, "-m", "editor.cli", "unarchive", str(plain)], capture_output=True,
                          text=True, timeout=120, env={k: v for k, v in os.environ.items() if k != "PROMPTCUT_DEBUG"})
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines() == [
        "promptcut: error: photos.zip is not a PromptCut project archive (it holds no promptcut-archive.json)"]
