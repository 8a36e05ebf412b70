"""Where recovery copies go (the user state folder, not a cache a cleaner may empty) and that copies an earlier
version left in the old cache folder are still offered."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import pytest

from editor.model.testing import clip, timeline, video
from editor.project import encode, save_project, to_dict
from editor.ui import autosave

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="XDG variables are a Linux convention")


@pytest.fixture
def homes(tmp_path, monkeypatch) -> Path:
    monkeypatch.delenv("PROMPTCUT_RECOVERY", raising=False)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path


def crash_copy(folder: Path, project: Path | None, key: str | None = None) -> Path:
    """A recovery copy and sidecar as a crashed editor leaves them (no live writer, newer than the project)."""
    tl = timeline(media=[video("m1")])
    tl.video_tracks[0].clips = [clip("m1", 0, 60, clip_id="a")]
    folder.mkdir(parents=True, exist_ok=True)
    rec = folder / f"{key or autosave.key_for(project)}{autosave.RECOVERY_SUFFIX}"
    rec.write_bytes(encode(to_dict(tl, None, {})))
    sidecar = {"original": str(project.absolute()) if project else None, "time": time.time(), "pid": None}
    autosave.sidecar_of(rec).write_text(json.dumps(sidecar), encoding="utf-8")
    return rec


def old_project(tmp_path: Path) -> Path:
    path = tmp_path / "film.promptcut"
    save_project(timeline(media=[video("m1")]), path)
    past = path.stat().st_mtime - 60
    os.utime(path, (past, past))
    return path


def test_recovery_copies_go_to_the_user_state_folder(homes):
    assert autosave.recovery_dir() == homes / "state" / "promptcut" / "recovery"
    assert autosave.recovery_dirs() == [homes / "state" / "promptcut" / "recovery",
                                        homes / "cache" / "promptcut" / "recovery"]


def test_the_override_is_the_only_recovery_folder(homes, monkeypatch):
    monkeypatch.setenv("PROMPTCUT_RECOVERY", str(homes / "mine"))
    assert autosave.recovery_dir() == homes / "mine"
    assert autosave.recovery_dirs() == [homes / "mine"]


def test_a_copy_left_in_the_old_cache_folder_is_still_offered(homes):
    project = old_project(homes)
    old = crash_copy(homes / "cache" / "promptcut" / "recovery", project)
    untitled = crash_copy(homes / "cache" / "promptcut" / "recovery", None, key="untitled-1234")

    assert autosave.find_recovery(project) == old
    assert [(r.project, r.recovery) for r in autosave.recoverable_projects()] == [(project.absolute(), old)]
    assert autosave.untitled_recoveries() == [untitled]
    timeline_back, _ = autosave.load_recovery(old)
    assert [c.id for c in timeline_back.video_tracks[0].clips] == ["a"]


def test_with_copies_in_both_folders_the_newest_is_offered_once(homes):
    project = old_project(homes)
    old = crash_copy(homes / "cache" / "promptcut" / "recovery", project)
    past = time.time() - 30
    os.utime(old, (past, past))
    new = crash_copy(homes / "state" / "promptcut" / "recovery", project)

    assert autosave.find_recovery(project) == new
    assert [r.recovery for r in autosave.recoverable_projects()] == [new]
