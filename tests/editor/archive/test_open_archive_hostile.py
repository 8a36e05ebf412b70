"""Opening a project archive trusts nothing in it: names that leave the folder, absolute names, links,
archives that unpack to too much or hold too many files, lying size headers, zips that are not ours, a FIFO.
Each is refused in one line (ArchiveError) and nothing is written anywhere."""

from __future__ import annotations

import json
import os
import stat
import zipfile
from pathlib import Path

import pytest

from editor.archive import zip_archive
from editor.archive.zip_archive import MANIFEST, ArchiveError, open_archive

PROJECT = {"format": "promptcut-project", "format_version": 2, "settings": {"width": 64, "height": 64, "fps": "30",
           "sample_rate": 48000}, "media": [], "tracks": []}


def manifest(**changes) -> str:
    data = {"format": "promptcut-archive", "format_version": 1, "project": "cut.promptcut", "files": []}
    data.update(changes)
    return json.dumps(data)


def regular(name: str) -> zipfile.ZipInfo:
    """A member as the zip tool records a plain file (type and permission bits)."""
    info = zipfile.ZipInfo(name)
    info.external_attr = (stat.S_IFREG | 0o644) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def hostile(path: Path, members: list[tuple[zipfile.ZipInfo | str, bytes]], *, ours: bool = True) -> Path:
    """A zip that looks like ours (manifest and project) plus ``members``."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book:
        if ours:
            book.writestr(regular(MANIFEST), manifest())
            book.writestr(regular("cut.promptcut"), json.dumps(PROJECT))
        for info, data in members:
            book.writestr(regular(info) if isinstance(info, str) else info, data)
    return path


def symlink_member(name: str, target: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info


def refused(tmp_path: Path, archive: Path, match: str) -> None:
    before = sorted(p.name for p in tmp_path.iterdir())
    with pytest.raises(ArchiveError, match=match) as caught:
        open_archive(archive)
    assert "\n" not in str(caught.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == before   # no folder made, nothing written beside


def test_a_plain_archive_opens(tmp_path):
    project = open_archive(hostile(tmp_path / "cut.zip", [("cut.media/notes.txt", b"hi")]))
    assert project == tmp_path / "cut" / "cut.promptcut"
    assert (project.parent / "cut.media" / "notes.txt").read_bytes() == b"hi"


@pytest.mark.parametrize(("name", "match"), [
    ("../evil.txt", "leaves its folder"),
    ("cut.media/../../evil.txt", "leaves its folder"),
    ("/tmp/evil.txt", "absolute path"),
    ("C:/evil.txt", "absolute path"),
    ("\\\\server\\share\\evil.txt", "absolute path"),
])
def test_names_that_leave_the_folder_are_refused(tmp_path, name, match):
    archive = hostile(tmp_path / "cut.zip", [(regular(name), b"owned")])
    refused(tmp_path, archive, match)
    assert not (tmp_path.parent / "evil.txt").exists()


def test_a_symlink_member_is_refused(tmp_path):
    archive = hostile(tmp_path / "cut.zip", [(symlink_member("cut.media/passwd", "/etc/passwd"), b"/etc/passwd")])
    refused(tmp_path, archive, "link or special file")


def test_an_archive_that_unpacks_to_too_much_is_refused_before_writing(tmp_path, monkeypatch):
    monkeypatch.setattr(zip_archive, "MAX_BYTES", 10 * 1024 * 1024)
    archive = hostile(tmp_path / "cut.zip", [("cut.media/zeros.bin", bytes(20 * 1024 * 1024))])
    assert archive.stat().st_size < 1024 * 1024    # a small zip that would fill the disk: a bomb
    refused(tmp_path, archive, "unpacks to over")


def test_an_archive_with_too_many_files_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(zip_archive, "MAX_FILES", 5)
    archive = hostile(tmp_path / "cut.zip", [(f"cut.media/{i}.txt", b"x") for i in range(10)])
    refused(tmp_path, archive, "holds 12 files")


def test_a_member_that_lies_about_its_size_is_refused_and_removed(tmp_path):
    archive = hostile(tmp_path / "cut.zip", [("cut.media/zeros.bin", bytes(1024 * 1024))])
    # Declare 100 bytes (local header and central directory) for a member that inflates to 1 MiB.
    raw = bytearray(archive.read_bytes())
    with zipfile.ZipFile(archive) as book:
        info = book.getinfo("cut.media/zeros.bin")
    raw[info.header_offset + 22:info.header_offset + 26] = (100).to_bytes(4, "little")
    central = raw.index(b"PK\x01\x02", raw.index(b"PK\x01\x02") + 1)
    central = raw.index(b"PK\x01\x02", central + 1)   # the third entry: manifest, project, zeros.bin
    raw[central + 24:central + 28] = (100).to_bytes(4, "little")
    archive.write_bytes(bytes(raw))
    with zipfile.ZipFile(archive) as book:
        assert book.getinfo("cut.media/zeros.bin").file_size == 100
    refused(tmp_path, archive, "cut.zip (could not be unpacked|.*inflates past its declared size)")


def test_a_zip_that_is_not_a_project_archive_is_refused_by_name(tmp_path):
    archive = hostile(tmp_path / "photos.zip", [("a.jpg", b"x")], ours=False)
    refused(tmp_path, archive, "photos.zip is not a PromptCut project archive")


@pytest.mark.parametrize(("text", "match"), [
    ("{not json", "manifest is not valid JSON"),
    (manifest(format="something-else"), "not a PromptCut project archive"),
    (manifest(format_version=99), "newer PromptCut"),
    (manifest(project="missing.promptcut"), "is not in it"),
    (manifest(project="../cut.promptcut"), "is not in it"),
])
def test_a_damaged_or_foreign_manifest_is_refused(tmp_path, text, match):
    archive = tmp_path / "cut.zip"
    with zipfile.ZipFile(archive, "w") as book:
        book.writestr(regular(MANIFEST), text)
        book.writestr(regular("cut.promptcut"), json.dumps(PROJECT))
    refused(tmp_path, archive, match)


def test_not_a_zip_a_fifo_and_a_missing_file_are_one_line(tmp_path):
    (tmp_path / "text.zip").write_text("hello")
    refused(tmp_path, tmp_path / "text.zip", "not a readable zip archive")
    os.mkfifo(tmp_path / "pipe.zip")
    refused(tmp_path, tmp_path / "pipe.zip", "not a regular file")
    refused(tmp_path, tmp_path / "missing.zip", "no such file")
