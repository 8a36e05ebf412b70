"""Takes generated before a project's first save live in the user cache; the first save moves them (and their
JSON sidecars) into NAME.media/generated/ and the project points at them with relative paths."""

from __future__ import annotations

import filecmp
import json
import shutil
from pathlib import Path

import pytest

from editor.archive.collect import adopt_cached_takes, generated_folder, media_folder
from editor.generate.places import media_folder as places_media_folder
from editor.generate.places import places_for
from editor.model import Take, Timeline
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


def test_first_save_moves_the_take_and_its_sidecar_into_the_project(tmp_path, cache, media):
    take = cached_take(cache, media)
    original = take.read_bytes()
    tl = unsaved_project(take)
    project = tmp_path / "cut.promptcut"

    assert adopt_cached_takes(tl, project) == []
    moved = tmp_path / "cut.media" / "generated" / HASH[:2] / f"{HASH}.mp4"
    assert tl.media["t1"].path == str(moved)
    assert moved.read_bytes() == original
    assert json.loads(moved.with_suffix(".json").read_text()) == {"model": "tiny-wan", "seed": 1}
    assert not take.exists() and not take.with_suffix(".json").exists()
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
