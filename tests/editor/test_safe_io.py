"""editor.safe_io.extract_zip: a refused archive leaves the disk as it found it — what the unpacking created
goes, and a folder the user gave (empty, as it must be) stays where it was."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest

from editor.safe_io import FileRefused, check_free_space, extract_zip


def lying_zip(path: Path) -> Path:
    """A zip whose second member's header lies about its size (a bomb's trick): every check before writing
    passes, and the lie shows only while unpacking, after the first member is already on disk."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("first/ok.txt", "fine")
        z.writestr("second/bomb.bin", b"\0" * 100_000)
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as z:
        info = z.getinfo("second/bomb.bin")
    # The uncompressed size sits at offset 22 of the local header and 24 of the central directory entry.
    declared = (100_000).to_bytes(4, "little")
    for at in (i for i in range(len(data) - 4) if data[i:i + 4] == declared):
        data[at:at + 4] = (10).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    assert info.file_size == 100_000
    return path


def test_a_refused_archive_keeps_the_empty_folder_the_user_gave(tmp_path):
    archive = lying_zip(tmp_path / "bomb.zip")
    given = tmp_path / "unpack here"
    given.mkdir()
    with pytest.raises(FileRefused):
        extract_zip(archive, given)
    assert given.is_dir() and list(given.iterdir()) == []


def test_a_refused_archive_removes_the_folders_the_unpacking_made(tmp_path):
    archive = lying_zip(tmp_path / "bomb.zip")
    with pytest.raises(FileRefused):
        extract_zip(archive, tmp_path / "new" / "deeper" / "dest")
    assert not (tmp_path / "new").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bomb.zip"]


def test_an_archive_that_unpacks_keeps_every_file(tmp_path):
    archive = tmp_path / "fine.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("a/b.txt", "hello")
    given = tmp_path / "dest"
    given.mkdir()
    assert extract_zip(archive, given) == [given / "a" / "b.txt"]
    assert (given / "a" / "b.txt").read_text() == "hello"


def test_a_member_whose_compressed_data_is_damaged_is_refused_in_one_line(tmp_path):
    path = tmp_path / "damaged.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("a.bin", b"x" * 10_000)
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as z:
        info = z.getinfo("a.bin")
    name_length = int.from_bytes(data[info.header_offset + 26:info.header_offset + 28], "little")
    extra_length = int.from_bytes(data[info.header_offset + 28:info.header_offset + 30], "little")
    data[info.header_offset + 30 + name_length + extra_length] = 0xFF   # a deflate block of the reserved type
    path.write_bytes(bytes(data))
    with pytest.raises(FileRefused, match=r"^could not be unpacked \(Error -3 while decompressing data"):
        extract_zip(path, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_unpacking_more_than_the_disk_holds_is_refused_in_one_line(tmp_path: Path) -> None:
    folder = tmp_path / "not" / "made" / "yet"   # asked of the nearest folder that exists
    free = shutil.disk_usage(tmp_path).free
    check_free_space(folder, 1)
    with pytest.raises(FileRefused, match=r"^unpacks to \d+ MB and the disk has \d+ MB free$"):
        check_free_space(folder, free + 10 ** 12)
    assert not folder.parent.parent.exists()
