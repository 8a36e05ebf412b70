"""generation.leftovers.write_atomically: the file is either the old one or the whole new one, and a symlink
the user put at the target is written through (its target replaced, the link kept), as a project save does.
generation.leftovers.replacing, which every atomic writer uses: the block fills a recognisable temporary beside
the target, which becomes the target only when the block ends normally."""

from __future__ import annotations

import os

import pytest

from generation.leftovers import is_temp_name, replacing, write_atomically


def test_writing_through_a_symlink_replaces_its_target_and_keeps_the_link(tmp_path):
    real = tmp_path / "shared" / "notes.srt"
    real.parent.mkdir()
    real.write_bytes(b"old")
    os.chmod(real, 0o600)
    link = tmp_path / "work" / "notes.srt"
    link.parent.mkdir()
    link.symlink_to(real)

    write_atomically(link, b"new")

    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_bytes() == b"new" and link.read_bytes() == b"new"
    assert (real.stat().st_mode & 0o777) == 0o600   # the permissions of the file replaced
    assert not [p for p in (*real.parent.iterdir(), *link.parent.iterdir()) if is_temp_name(p.name)]


def test_a_dangling_symlink_is_written_through_to_the_file_it_names(tmp_path):
    real = tmp_path / "out" / "cut.srt"
    real.parent.mkdir()
    link = tmp_path / "cut.srt"
    link.symlink_to(real)
    write_atomically(link, b"subtitles")
    assert link.is_symlink() and real.read_bytes() == b"subtitles"


def test_a_plain_target_is_replaced_whole(tmp_path):
    target = tmp_path / "a.txt"
    target.write_bytes(b"old")
    write_atomically(target, b"new")
    assert target.read_bytes() == b"new" and not target.is_symlink()


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "a.txt"
    target.write_bytes(b"old")
    with pytest.raises(TypeError):
        write_atomically(target, "not bytes")   # type: ignore[arg-type]
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]


def test_a_block_that_ends_normally_puts_its_temporary_in_place_of_the_target(tmp_path):
    target = tmp_path / "take.mp4"
    target.write_bytes(b"old")
    with replacing(target, ".partial.mp4") as temp:
        assert temp.parent == tmp_path and is_temp_name(temp.name) and temp.name.endswith(".partial.mp4")
        assert target.read_bytes() == b"old"   # nothing is replaced while the block runs
        temp.write_bytes(b"new")
    assert target.read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == ["take.mp4"]


def test_a_block_that_raises_leaves_the_target_and_no_temporary(tmp_path):
    target = tmp_path / "take.mp4"
    target.write_bytes(b"old")
    with pytest.raises(KeyboardInterrupt), replacing(target) as temp:
        temp.write_bytes(b"half")
        raise KeyboardInterrupt   # a cancel too
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["take.mp4"]


def test_a_failed_rename_leaves_no_temporary(tmp_path):
    target = tmp_path / "take.mp4"
    renamed = []

    def refusing(temp, dest):
        renamed.append((temp, dest))
        raise PermissionError(13, "Permission denied")

    with pytest.raises(PermissionError), replacing(target, replace=refusing) as temp:
        temp.write_bytes(b"new")
    assert renamed == [(temp, target)]   # the caller's own rename (the project store's Windows retry) is used
    assert list(tmp_path.iterdir()) == []
