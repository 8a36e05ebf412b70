"""generation.leftovers.write_atomically: the file is either the old one or the whole new one, and a symlink
the user put at the target is written through (its target replaced, the link kept), as a project save does."""

from __future__ import annotations

import os

import pytest

from generation.leftovers import is_temp_name, write_atomically


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
