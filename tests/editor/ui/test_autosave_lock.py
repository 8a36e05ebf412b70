"""Autosave to a recovery file, recovery after a simulated crash, and the project lock (real windows, real files)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from editor.model import Marker
from editor.model.commands import AddMarker, Split
from editor.model.testing import clip, spans, timeline, video
from editor.project import save_project
from editor.ui import autosave
from editor.ui.main_window import MainWindow
from editor.ui.project_lock import ProjectLock, lock_path_for
from editor.ui.welcome import WelcomeDialog


@pytest.fixture(autouse=True)
def own_recovery_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("PROMPTCUT_RECOVERY", str(tmp_path / "recovery"))
    return tmp_path / "recovery"


@pytest.fixture
def project(tmp_path) -> Path:
    tl = timeline(media=[video("m1")])
    tl.video_tracks[0].clips = [clip("m1", 0, 120, clip_id="a")]
    path = tmp_path / "film.promptcut"
    save_project(tl, path)
    old = path.stat().st_mtime - 10
    os.utime(path, (old, old))   # the project predates any autosave made in this test
    return path


def _window(qtbot, path: Path | None = None, *, recover: str = "recover", read_only: str = "read-only"):
    w = MainWindow()
    w.ask_save_changes = lambda: "discard"
    w.offered: list[str] = []

    def ask_recover(p, rec):
        w.offered.append("recover")
        return recover

    def ask_read_only(p, holder):
        w.offered.append("read-only")
        return read_only

    w.ask_recover = ask_recover
    w.ask_open_read_only = ask_read_only
    qtbot.addWidget(w)
    if path is not None:
        assert w.open_path(path) or read_only == "cancel"
    return w


def _crash(w: MainWindow) -> None:
    """What a crash leaves: the recovery file stays, the timers stop, the process's lock is gone."""
    w.autosaver.timer.stop()
    w.autosaver.quiet.stop()
    w.autosaver.wait()
    w.autosaver.written.clear()        # a dead process deletes nothing
    w.project_lock.release()
    w.ask_save_changes = lambda: "cancel"
    w.closeEvent = lambda event: event.accept()   # no clean close when qtbot tidies up


def test_autosave_writes_recovery_never_the_project(qtbot, project) -> None:
    before = project.read_bytes()
    w = _window(qtbot, project)
    assert not w.autosaver.autosave_now()          # unmodified: nothing written
    assert w.edits.do(Split("a", 60, right_id="b"))
    w.autosaver.set_interval(20)
    qtbot.waitUntil(lambda: w.autosaver.recovery_path.exists() and autosave.sidecar_of(
        w.autosaver.recovery_path).exists(), timeout=5000)
    w.autosaver.wait()
    rec = w.autosaver.recovery_path
    assert rec.parent == autosave.recovery_dir() and rec.name == autosave.key_for(project) + ".promptcut"
    assert autosave.read_sidecar(rec)["original"] == str(project.absolute())
    assert project.read_bytes() == before
    # save removes the recovery copy
    assert w.save()
    assert not rec.exists() and not autosave.sidecar_of(rec).exists()
    assert project.read_bytes() != before


def test_recovery_after_crash(qtbot, project) -> None:
    before = project.read_bytes()
    w1 = _window(qtbot, project)
    assert w1.edits.do(Split("a", 60, right_id="b"))
    modified = spans(w1.timeline, "V1")
    assert w1.autosaver.autosave_now()
    _crash(w1)
    assert project.read_bytes() == before

    # declined: nothing changes and the copy stays for later
    w2 = _window(qtbot, project, recover="later")
    assert w2.offered == ["recover"] and not w2.modified
    assert spans(w2.timeline, "V1") != modified
    w2.close()
    assert autosave.find_recovery(project) is not None

    w3 = _window(qtbot, project)
    assert w3.offered == ["recover"]
    assert spans(w3.timeline, "V1") == modified
    assert w3.modified and w3.path == project
    assert project.read_bytes() == before
    assert w3.save()
    assert autosave.find_recovery(project) is None
    assert not autosave.recovery_path_for(project).exists()
    w3.close()
    w4 = _window(qtbot, project)
    assert w4.offered == [] and spans(w4.timeline, "V1") == modified


def test_discarding_recovery_deletes_it(qtbot, project) -> None:
    w1 = _window(qtbot, project)
    w1.edits.do(Split("a", 60, right_id="b"))
    w1.autosaver.autosave_now()
    _crash(w1)
    w2 = _window(qtbot, project, recover="discard")
    assert w2.offered == ["recover"] and not autosave.recovery_path_for(project).exists()
    assert [s[0] for s in spans(w2.timeline, "V1")] == ["a"]


def test_clean_close_removes_recovery(qtbot, project) -> None:
    w = _window(qtbot, project)
    w.edits.do(Split("a", 60, right_id="b"))
    assert w.autosaver.autosave_now()
    w.autosaver.wait()
    rec = w.autosaver.recovery_path
    assert rec.exists()
    assert w.close()
    assert not rec.exists() and not lock_path_for(project).exists()


def test_untitled_recovery_offered_at_start(qtbot) -> None:
    w1 = _window(qtbot)
    assert w1.edits.do(AddMarker(Marker(30, "here")))
    assert w1.autosaver.autosave_now()
    rec = w1.autosaver.recovery_path
    assert rec.name.startswith("untitled-")
    _crash_untitled(w1)
    assert autosave.untitled_recoveries() == []      # its writer (this process) is alive
    info = autosave.read_sidecar(rec)
    info["pid"] = _dead_pid()                          # as a crashed process would have left it
    autosave.sidecar_of(rec).write_text(json.dumps(info))
    assert autosave.untitled_recoveries() == [rec]
    w2 = _window(qtbot)
    qtbot.waitUntil(lambda: w2.offered == ["recover"], timeout=3000)
    assert w2.modified and w2.path is None
    assert [(m.frame, m.name) for m in w2.timeline.markers] == [(30, "here")]


def _crash_untitled(w: MainWindow) -> None:
    w.autosaver.timer.stop()
    w.autosaver.quiet.stop()
    w.autosaver.wait()
    w.autosaver.written.clear()
    w.closeEvent = lambda event: event.accept()


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_locked_project_opens_read_only_and_cannot_be_overwritten(qtbot, project) -> None:
    w1 = _window(qtbot, project)
    assert w1.project_lock is not None and w1.project_lock.locked and not w1.read_only
    assert lock_path_for(project).exists()

    w2 = _window(qtbot, project, read_only="cancel")
    assert w2.offered == ["read-only"] and w2.path is None

    w3 = _window(qtbot, project)
    assert w3.offered == ["read-only"] and w3.read_only and w3.path == project
    before = project.read_bytes()
    w3.edits.do(Split("a", 60, right_id="b"))
    asked: list[bool] = []
    w3.save_as = lambda: asked.append(True) or False
    assert not w3.save()                     # Save does Save As (declined here)
    assert asked == [True]
    assert not w3.save_to(project)           # and never writes over the locked file
    assert project.read_bytes() == before
    # Save As elsewhere works and takes that file's lock
    other = project.with_name("copy.promptcut")
    assert w3.save_to(other) and other.exists() and not w3.read_only
    assert w3.project_lock is not None and w3.project_lock.path == lock_path_for(other)

    # the lock goes with the window; the next opener gets it
    assert w1.close()
    assert not lock_path_for(project).exists()
    w4 = _window(qtbot, project)
    assert w4.offered == [] and not w4.read_only


def test_opening_another_file_releases_the_lock(qtbot, project, tmp_path) -> None:
    other = tmp_path / "other.promptcut"
    save_project(timeline(), other)
    w = _window(qtbot, project)
    assert w.open_path(other)
    assert not lock_path_for(project).exists() and lock_path_for(other).exists()


def test_stale_lock_from_dead_process_does_not_block(qtbot, project) -> None:
    code = ("import os, sys; from PySide6.QtCore import QLockFile; l = QLockFile(sys.argv[1]); "
            "l.setStaleLockTime(0); assert l.tryLock(1000); os._exit(0)")
    subprocess.run([sys.executable, "-c", code, str(lock_path_for(project))], check=True)
    assert lock_path_for(project).exists()
    w = _window(qtbot, project)
    assert w.offered == [] and not w.read_only and w.project_lock.locked


def test_lock_held_by_live_process_blocks(project) -> None:
    first, second = ProjectLock(project), ProjectLock(project)
    assert first.acquire()
    assert not second.acquire()
    assert str(os.getpid()) in second.holder()
    first.release()
    assert second.acquire()
    second.release()


# --- crash recovery offered at start, autosave after a pause ----------------------------------------------


def _crash_at_exit(w: MainWindow) -> None:
    """What a crash leaves: the recovery file with the pid of a process that has gone, no lock."""
    w.autosaver.shutdown(discard=False)
    rec = w.autosaver.recovery_path
    info = autosave.read_sidecar(rec)
    info["pid"] = _dead_pid()
    autosave.sidecar_of(rec).write_text(json.dumps(info))
    w.autosaver.written.clear()
    w.project_lock.release()
    w.closeEvent = lambda event: event.accept()


def _edit_then_crash(qtbot, project: Path) -> list:
    """Open ``project``, split its clip, autosave, crash; returns the edited spans of V1."""
    w = _window(qtbot)
    assert w.open_path(project)
    assert w.edits.do(Split("a", 60, right_id="b"))
    edited = spans(w.timeline, "V1")
    assert w.autosaver.autosave_now()
    _crash_at_exit(w)
    return edited


def test_the_welcome_screen_offers_a_crashed_project_and_opens_it_recovered(qtbot, project) -> None:
    before = project.read_bytes()
    edited = _edit_then_crash(qtbot, project)

    dialog = WelcomeDialog(recents=[])
    qtbot.addWidget(dialog)
    assert dialog.recover_list.isVisibleTo(dialog) and dialog.recover_list.count() == 1
    assert dialog.recover_list.item(0).text().startswith("film.promptcut  —  unsaved changes from ")
    qtbot.mouseClick(dialog.recover_button, Qt.MouseButton.LeftButton)
    assert dialog.choice == "recover" and dialog.recovered.project == project

    w2 = _window(qtbot)
    w2.apply_welcome(dialog)
    assert w2.path == project and spans(w2.timeline, "V1") == edited
    assert w2.modified and w2.offered == []            # chosen on the welcome screen: not asked a second time
    assert project.read_bytes() == before
    assert w2.save()
    assert autosave.recoverable_projects() == []      # saved: nothing left to recover


def test_a_crashed_project_whose_file_has_gone_comes_back_from_its_copy(qtbot, project) -> None:
    edited = _edit_then_crash(qtbot, project)
    project.unlink()
    dialog = WelcomeDialog(recents=[])
    qtbot.addWidget(dialog)
    dialog.recover_current()
    w2 = _window(qtbot)
    w2.apply_welcome(dialog)
    assert w2.path == project and spans(w2.timeline, "V1") == edited and w2.modified
    assert w2.save() and project.is_file()


def test_the_welcome_screen_lists_no_recovery_older_than_its_project(qtbot, project) -> None:
    _edit_then_crash(qtbot, project)
    save_project(timeline(media=[video("m1")]), project)      # the project was saved after that copy
    dialog = WelcomeDialog(recents=[])
    qtbot.addWidget(dialog)
    assert dialog.recover_list.count() == 0 and dialog.recover_list.isHidden()


def test_an_edit_is_autosaved_once_the_editing_pauses(qtbot, project) -> None:
    w = _window(qtbot)
    assert w.open_path(project)
    assert w.autosaver.timer.interval() == 60_000     # the backstop during long unbroken editing stays
    rec = w.autosaver.recovery_path
    assert w.edits.do(Split("a", 60, right_id="b"))
    qtbot.wait(1000)
    assert w.edits.do(Split("b", 90, right_id="c"))   # still editing: the pause starts again
    assert not rec.exists()
    qtbot.waitUntil(rec.exists, timeout=6000)          # seconds after the last edit, not a minute
    w.autosaver.wait()
    loaded, _ = autosave.load_recovery(rec)
    assert [s[0] for s in spans(loaded, "V1")] == ["a", "b", "c"]
