"""Relinking offline media (pure): find by name in a folder (any case), confirm by probed facts or hash."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from editor.documents import open_document
from editor.media import synth
from editor.media.probe import content_hash, media_source_from_info, probe
from editor.model import Timeline
from editor.model.testing import clip
from editor.project import save_project
from editor.relink import find_candidates, relink_command


@pytest.fixture(scope="module")
def clips(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("relink-media")
    return {"a": synth.color_clip(d / "Shot.mp4", seconds=2.0),
            "b": synth.color_clip(d / "other.mp4", color="blue", seconds=1.0)}


def _project(tmp_path: Path, media: Path, *, hashed: bool = False) -> Path:
    """A project using ``media`` (copied into tmp_path/old), which then moves away. ``hashed``: the pool entry
    records its content hash, as an import through the bin does."""
    old = tmp_path / "old"
    old.mkdir()
    src = shutil.copy(media, old / "Shot.mp4")
    tl = Timeline.empty()
    tl.media["m1"] = media_source_from_info(probe(src), "m1", str(src),
                                            content_hash=content_hash(src) if hashed else None)
    tl.video_tracks[0].clips = [clip("m1", 0, 30, clip_id="c1")]
    path = tmp_path / "film.promptcut"
    save_project(tl, path)
    return path


def test_moved_and_renamed_case_is_found_and_confirmed(tmp_path, clips):
    path = _project(tmp_path, clips["a"])
    (tmp_path / "new" / "deep").mkdir(parents=True)
    (tmp_path / "old" / "Shot.mp4").rename(tmp_path / "new" / "deep" / "SHOT.MP4")
    shutil.rmtree(tmp_path / "old")
    tl = open_document(path).timeline
    assert [m.id for m in tl.offline_media()] == ["m1"]
    [match] = find_candidates(tl, tmp_path / "new")
    assert match.confirmed, match.reason
    assert match.new_path == str(tmp_path / "new" / "deep" / "SHOT.MP4")
    assert match.old_path.endswith("Shot.mp4")
    command = relink_command([match])
    command.apply(tl)
    assert tl.media["m1"].online and tl.media["m1"].path == match.new_path
    command.revert(tl)
    assert not tl.media["m1"].online


def test_same_name_different_duration_is_not_confirmed(tmp_path, clips):
    path = _project(tmp_path, clips["a"])
    shutil.rmtree(tmp_path / "old")
    (tmp_path / "new").mkdir()
    shutil.copy(clips["b"], tmp_path / "new" / "shot.mp4")
    tl = open_document(path).timeline
    [match] = find_candidates(tl, tmp_path / "new")
    assert not match.confirmed
    assert "lasts" in match.reason
    assert relink_command([match]) is None


def test_hash_when_recorded(tmp_path, clips):
    path = _project(tmp_path, clips["a"])
    shutil.rmtree(tmp_path / "old")
    (tmp_path / "new").mkdir()
    shutil.copy(clips["a"], tmp_path / "new" / "Shot.mp4")
    tl = open_document(path).timeline
    [ok] = find_candidates(tl, tmp_path / "new", hashes={"m1": content_hash(clips["a"])})
    assert ok.confirmed and "hash" in ok.reason
    [bad] = find_candidates(tl, tmp_path / "new", hashes={"m1": content_hash(clips["b"])})
    assert not bad.confirmed and "hash" in bad.reason


def test_no_file_of_that_name_gives_no_match(tmp_path, clips):
    path = _project(tmp_path, clips["a"])
    shutil.rmtree(tmp_path / "old")
    (tmp_path / "new").mkdir()
    shutil.copy(clips["b"], tmp_path / "new" / "unrelated.mp4")
    assert find_candidates(open_document(path).timeline, tmp_path / "new") == []


# --- content hashes without a format change ------------------------------------------------------------


def test_media_hashes_records_online_media_and_the_match_carries_its_hash(tmp_path, clips):
    from editor.relink import media_hashes

    path = _project(tmp_path, clips["a"])
    recorded = media_hashes(open_document(path).timeline)     # while the file is there
    assert recorded == {"m1": content_hash(clips["a"])}
    shutil.rmtree(tmp_path / "old")
    assert media_hashes(open_document(path).timeline) == {}   # offline: nothing to hash
    (tmp_path / "new").mkdir()
    shutil.copy(clips["a"], tmp_path / "new" / "Shot.mp4")
    [match] = find_candidates(open_document(path).timeline, tmp_path / "new", hashes=recorded)
    assert match.confirmed and match.content_hash == recorded["m1"]


def _twin(src: Path, dest: Path) -> None:
    """A copy of ``src`` with different bytes at its end (same probe facts, different content hash)."""
    shutil.copy(src, dest)
    with open(dest, "ab") as fh:
        fh.write(b"\0" * 4096)


def test_same_name_same_facts_different_content_is_ambiguous_without_a_hash(tmp_path, clips):
    path = _project(tmp_path, clips["a"])
    shutil.rmtree(tmp_path / "old")
    for sub in ("x", "y"):
        (tmp_path / "new" / sub).mkdir(parents=True)
    shutil.copy(clips["a"], tmp_path / "new" / "x" / "Shot.mp4")
    _twin(clips["a"], tmp_path / "new" / "y" / "shot.mp4")
    tl = open_document(path).timeline
    [match] = find_candidates(tl, tmp_path / "new")
    assert not match.confirmed and "ambiguous" in match.reason
    assert match.others == (str(tmp_path / "new" / "y" / "shot.mp4"),)
    assert relink_command([match]) is None
    # with the recorded hash the right one is found, whichever comes first on disk
    [match] = find_candidates(tl, tmp_path / "new", hashes={"m1": content_hash(tmp_path / "new" / "y" / "shot.mp4")})
    assert match.confirmed and match.new_path == str(tmp_path / "new" / "y" / "shot.mp4")


def test_identical_copies_confirm_the_first(tmp_path, clips):
    path = _project(tmp_path, clips["a"])
    shutil.rmtree(tmp_path / "old")
    for sub in ("x", "y"):
        (tmp_path / "new" / sub).mkdir(parents=True)
        shutil.copy(clips["a"], tmp_path / "new" / sub / "Shot.mp4")
    [match] = find_candidates(open_document(path).timeline, tmp_path / "new")
    assert match.confirmed and "identical copies" in match.reason
    assert match.new_path == str(tmp_path / "new" / "x" / "Shot.mp4")
    assert match.content_hash == content_hash(clips["a"])
    assert relink_command([match]) is not None


# --- the hash kept in the project (MediaSource.content_hash) ---------------------------------------------


def test_recorded_hash_refuses_a_same_named_different_file(tmp_path, clips):
    path = _project(tmp_path, clips["a"], hashed=True)
    shutil.rmtree(tmp_path / "old")
    (tmp_path / "new").mkdir()
    _twin(clips["a"], tmp_path / "new" / "Shot.mp4")      # same name and probe facts, other bytes
    tl = open_document(path).timeline
    assert tl.media["m1"].content_hash == content_hash(clips["a"])   # kept by the project file
    [bad] = find_candidates(tl, tmp_path / "new")
    assert not bad.confirmed and "different content" in bad.reason and "\n" not in bad.reason
    assert relink_command([bad]) is None


def test_recorded_hash_accepts_the_identical_file_and_a_relink_keeps_the_hash(tmp_path, clips):
    path = _project(tmp_path, clips["a"], hashed=True)
    shutil.rmtree(tmp_path / "old")
    (tmp_path / "new" / "x").mkdir(parents=True)
    _twin(clips["a"], tmp_path / "new" / "x" / "Shot.mp4")   # found first on disk, refused by the hash
    shutil.copy(clips["a"], tmp_path / "new" / "shot.mp4")
    tl = open_document(path).timeline
    [ok] = find_candidates(tl, tmp_path / "new")
    assert ok.confirmed and "content hash" in ok.reason, ok.reason
    assert ok.new_path == str(tmp_path / "new" / "shot.mp4")
    relink_command([ok]).apply(tl)
    assert tl.media["m1"].online and tl.media["m1"].content_hash == content_hash(clips["a"])


def test_a_relink_by_facts_records_the_hash_for_next_time(tmp_path, clips):
    path = _project(tmp_path, clips["a"])                     # an older project: no hash recorded
    shutil.rmtree(tmp_path / "old")
    (tmp_path / "new").mkdir()
    shutil.copy(clips["a"], tmp_path / "new" / "Shot.mp4")
    doc = open_document(path)
    assert doc.timeline.media["m1"].content_hash is None
    [match] = find_candidates(doc.timeline, tmp_path / "new")
    assert match.confirmed and match.media.content_hash == content_hash(clips["a"]) == match.content_hash
    relink_command([match]).apply(doc.timeline)
    save_project(doc.timeline, path)
    # the file moves again and a same-named impostor turns up: the saved hash now refuses it
    shutil.rmtree(tmp_path / "new")
    (tmp_path / "newer").mkdir()
    _twin(clips["a"], tmp_path / "newer" / "Shot.mp4")
    tl = open_document(path).timeline
    assert tl.media["m1"].content_hash == content_hash(clips["a"])
    [bad] = find_candidates(tl, tmp_path / "newer")
    assert not bad.confirmed and "different content" in bad.reason


def test_a_renamed_identical_copy_is_not_looked_for(tmp_path, clips):
    """Matching is by name: the hash confirms a same-named file, it does not search for renamed ones."""
    path = _project(tmp_path, clips["a"], hashed=True)
    shutil.rmtree(tmp_path / "old")
    (tmp_path / "new").mkdir()
    shutil.copy(clips["a"], tmp_path / "new" / "renamed.mp4")
    assert find_candidates(open_document(path).timeline, tmp_path / "new") == []


def test_the_recorded_hash_wins_over_a_passed_mapping(tmp_path, clips):
    path = _project(tmp_path, clips["a"], hashed=True)
    shutil.rmtree(tmp_path / "old")
    (tmp_path / "new").mkdir()
    shutil.copy(clips["a"], tmp_path / "new" / "Shot.mp4")
    [ok] = find_candidates(open_document(path).timeline, tmp_path / "new", hashes={"m1": "not-this"})
    assert ok.confirmed, ok.reason


def test_opening_a_project_with_its_media_online_keeps_the_hash(tmp_path, clips):
    path = _project(tmp_path, clips["a"], hashed=True)     # the file is still there: open re-probes it
    assert open_document(path).timeline.media["m1"].content_hash == content_hash(clips["a"])
