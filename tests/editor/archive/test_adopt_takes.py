"""Takes generated before a project's first save live in the user cache; the first save gives the project its
own file of each (a hard link on the same filesystem, else a copy; JSON sidecars too) in NAME.media/generated/,
and the project points at them with relative paths. The cache keeps its file, so whatever else still points
there (another project, a convert's input, an Undo after the save) keeps playing."""

from __future__ import annotations

import filecmp
import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from editor.archive.collect import adopt_cached_takes, generated_folder, media_folder
from editor.documents import open_document, save_document
from editor.generate.places import media_folder as places_media_folder
from editor.generate.places import places_for
from editor.model import GeneratedClip, GenerationSpec, Group, Take, Timeline
from editor.model.commands import AddMedia
from editor.model.commands.properties import AddTake
from editor.model.testing import generated
from editor.project import load_project, save_project
from generation.job_spec import output_path_for

from .conftest import pool_entry

HASH = "3f2a9c0d1e2b4a5f"


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    """A user cache of this test's own (XDG_CACHE_HOME), as an unsaved project's generator writes to."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    return places_for(None).output_dir


def cached_take(cache: Path, media: dict[str, Path], content_hash: str = HASH, source: str = "red") -> Path:
    """A finished take where the generator puts it: <cache>/<hash[:2]>/<hash>.mp4 and its sidecar."""
    video = output_path_for(cache, content_hash)
    video.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(media[source], video)
    video.with_suffix(".json").write_text(json.dumps({"model": "tiny-wan", "seed": 1}))
    return video


def unsaved_project(take: Path) -> Timeline:
    tl = Timeline.empty()
    tl.media["t1"] = pool_entry("t1", take)
    tl.video_tracks[0].add(generated(0, 15, clip_id="g1", takes=[Take("t1", "h1")], active_take=0))
    return tl


def test_the_layout_agrees_with_the_generation_places(tmp_path, cache):
    project = tmp_path / "cut.promptcut"
    assert media_folder(project) == places_media_folder(project)
    assert generated_folder(project) == places_for(project).output_dir
    assert generated_folder(None) == places_for(None).output_dir == cache


def test_first_save_gives_the_project_its_own_take_and_sidecar_and_the_cache_keeps_its_file(tmp_path, cache, media):
    take = cached_take(cache, media)
    original = take.read_bytes()
    tl = unsaved_project(take)
    project = tmp_path / "cut.promptcut"

    assert adopt_cached_takes(tl, project) == []
    moved = tmp_path / "cut.media" / "generated" / HASH[:2] / f"{HASH}.mp4"
    assert tl.media["t1"].path == str(moved)
    assert moved.read_bytes() == original
    assert json.loads(moved.with_suffix(".json").read_text()) == {"model": "tiny-wan", "seed": 1}
    assert take.read_bytes() == original and take.with_suffix(".json").is_file()   # still in the cache
    assert os.path.samefile(take, moved)   # one filesystem: a hard link, no second copy on disk
    take.unlink()   # the cache is swept: the project's file stays
    assert moved.read_bytes() == original
    tl.check()

    save_project(tl, project)
    stored = json.loads(project.read_text())["media"][0]["path"]
    assert stored == f"cut.media/generated/{HASH[:2]}/{HASH}.mp4"
    reopened = load_project(project)
    assert reopened.offline == []
    assert reopened.timeline.media["t1"].path == str(moved)


def test_the_move_is_announced_to_views(tmp_path, cache, media):
    tl = unsaved_project(cached_take(cache, media))
    seen = []
    tl.subscribe(seen.append)
    adopt_cached_takes(tl, tmp_path / "cut.promptcut")
    assert [c.media for c in seen] == [True]


def test_media_outside_the_cache_and_saved_projects_stay_put(tmp_path, cache, media):
    tl = Timeline.empty()
    tl.media["r"] = pool_entry("r", media["red"])
    tl.video_tracks[0].add(generated(0, 15, clip_id="g1", takes=[Take("r", "h1")], active_take=0))
    before = dict(tl.media)
    seen = []
    tl.subscribe(seen.append)
    assert adopt_cached_takes(tl, tmp_path / "cut.promptcut") == []
    assert tl.media == before and seen == []
    assert not (tmp_path / "cut.media").exists()


def test_a_take_already_in_the_project_is_reused_not_duplicated(tmp_path, cache, media):
    take = cached_take(cache, media)
    project = tmp_path / "cut.promptcut"
    there = generated_folder(project) / HASH[:2] / f"{HASH}.mp4"
    there.parent.mkdir(parents=True)
    shutil.copy(take, there)
    tl = unsaved_project(take)
    assert adopt_cached_takes(tl, project) == []
    assert tl.media["t1"].path == str(there)
    assert sorted(p.name for p in there.parent.iterdir()) == [f"{HASH}.json", f"{HASH}.mp4"]


def test_a_different_file_under_the_same_name_is_never_overwritten(tmp_path, cache, media):
    take = cached_take(cache, media, source="red")
    project = tmp_path / "cut.promptcut"
    theirs = generated_folder(project) / HASH[:2] / f"{HASH}.mp4"
    theirs.parent.mkdir(parents=True)
    shutil.copy(media["blue"], theirs)
    tl = unsaved_project(take)
    adopt_cached_takes(tl, project)
    assert filecmp.cmp(theirs, media["blue"], shallow=False)
    moved = Path(tl.media["t1"].path)
    assert moved == theirs.with_name(f"{HASH}-2.mp4")
    assert filecmp.cmp(moved, media["red"], shallow=False)
    assert moved.with_suffix(".json").is_file()


def test_a_take_gone_from_the_cache_is_noted_and_left_offline(tmp_path, cache, media):
    take = cached_take(cache, media)
    tl = unsaved_project(take)
    take.unlink()
    notes = adopt_cached_takes(tl, tmp_path / "cut.promptcut")
    assert len(notes) == 1 and f"{HASH}.mp4" in notes[0] and "no longer in the user cache" in notes[0]
    assert tl.media["t1"].path == str(take)


def test_one_file_used_by_two_pool_entries_moves_once(tmp_path, cache, media):
    take = cached_take(cache, media)
    tl = unsaved_project(take)
    tl.media["t2"] = pool_entry("t2", take)   # the same file imported again through the bin
    adopt_cached_takes(tl, tmp_path / "cut.promptcut")
    assert tl.media["t1"].path == tl.media["t2"].path
    assert Path(tl.media["t1"].path).is_file()


def test_another_project_pointing_at_the_cache_keeps_playing_after_a_save_adopts_the_take(tmp_path, cache, media):
    take = cached_take(cache, media)
    legacy = tmp_path / "legacy.promptcut"
    save_project(unsaved_project(take), legacy)   # written without adopting: it points into the cache
    copy = load_project(legacy).timeline
    save_document(copy, tmp_path / "copy.promptcut")   # what `promptcut convert legacy copy` does
    assert Path(copy.media["t1"].path).is_relative_to(tmp_path / "copy.media")
    reopened = open_document(legacy)
    assert reopened.offline == [] and reopened.timeline.media["t1"].path == str(take)


def test_undo_and_redo_of_a_take_after_the_first_save_still_play(tmp_path, cache, media):
    take = cached_take(cache, media)
    tl = Timeline.empty()
    tl.video_tracks[0].add(GeneratedClip(id="g1", start=0, duration=15, name="fox", spec=GenerationSpec("fox")))
    arrived = Group("Take for 'fox'", [AddMedia(pool_entry("t1", take)), AddTake("g1", Take("t1", "h1"))])
    arrived.apply(tl)   # as the generator's result lands on an unsaved project
    project = tmp_path / "cut.promptcut"
    save_document(tl, project)

    arrived.revert(tl)   # Edit > Undo
    arrived.apply(tl)    # Edit > Redo: the pool entry as it was made, pointing at the cache
    assert Path(tl.media["t1"].path).is_file()
    tl.check()
    save_document(tl, project)
    reopened = open_document(project)
    assert reopened.offline == [] and reopened.warnings == []
    assert Path(reopened.timeline.media["t1"].path) == generated_folder(project) / HASH[:2] / f"{HASH}.mp4"
    assert sorted(p.name for p in (generated_folder(project) / HASH[:2]).iterdir()) == [f"{HASH}.json",
                                                                                      f"{HASH}.mp4"]


def _other_filesystem() -> Path | None:
    """A folder on another filesystem than the test's temporary folder (a RAM disk), if this machine has one."""
    shm = Path("/dev/shm")
    if not shm.is_dir() or not os.access(shm, os.W_OK) or os.stat(shm).st_dev == os.stat(tempfile.gettempdir()).st_dev:
        return None
    return shm


@pytest.mark.skipif(_other_filesystem() is None, reason="needs a second filesystem to put the cache on")
def test_a_take_on_another_filesystem_is_copied_and_the_cache_keeps_its_file(tmp_path, monkeypatch, media):
    with tempfile.TemporaryDirectory(dir=_other_filesystem()) as elsewhere:
        monkeypatch.setenv("XDG_CACHE_HOME", elsewhere)
        take = cached_take(places_for(None).output_dir, media)
        tl = unsaved_project(take)
        project = tmp_path / "cut.promptcut"
        assert adopt_cached_takes(tl, project) == []
        copy = Path(tl.media["t1"].path)
        assert copy.is_relative_to(generated_folder(project)) and not os.path.samefile(copy, take)
        assert filecmp.cmp(copy, take, shallow=False) and copy.with_suffix(".json").is_file()
        assert take.is_file() and take.with_suffix(".json").is_file()
