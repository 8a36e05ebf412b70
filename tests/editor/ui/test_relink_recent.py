"""File > Relink Offline Media… and File > Open Recent on the real window."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from editor.media import synth
from editor.media.probe import media_source_from_info, probe
from editor.model import Timeline
from editor.model.testing import clip
from editor.project import save_project
from editor.ui import main_window
from editor.ui.main_window import MainWindow

pytestmark = pytest.mark.usefixtures("own_settings")   # conftest: recovery and recent files of its own


@pytest.fixture(scope="module")
def media(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("relink-ui")
    return {"a": synth.color_clip(d / "a.mp4", seconds=2.0),
            "b": synth.color_clip(d / "b.mp4", color="blue", seconds=1.0)}


def _project(tmp_path: Path, src: Path, name: str = "film.promptcut") -> Path:
    old = tmp_path / "old"
    old.mkdir(exist_ok=True)
    copy = shutil.copy(src, old / "Shot.mp4")
    tl = Timeline.empty()
    tl.media["m1"] = media_source_from_info(probe(copy), "m1", str(copy))
    tl.video_tracks[0].clips = [clip("m1", 0, 30, clip_id="c1")]
    path = tmp_path / name
    save_project(tl, path)
    return path


def _window(qtbot) -> MainWindow:
    w = MainWindow()
    w.ask_save_changes = lambda: "discard"
    w.ask_recover = lambda p, r: "discard"
    qtbot.addWidget(w)
    return w


def test_relink_moved_media_and_undo(qtbot, tmp_path, media):
    path = _project(tmp_path, media["a"])
    (tmp_path / "moved").mkdir()
    (tmp_path / "old" / "Shot.mp4").rename(tmp_path / "moved" / "shot.MP4")
    w = _window(qtbot)
    assert w.open_path(path)
    assert not w.timeline.media["m1"].online
    w.ask_relink_folder = lambda: str(tmp_path / "moved")
    with qtbot.waitSignal(w.relink_finished, timeout=30000):
        w.actions_by_name["relink"].trigger()
        assert "Searching" in w.statusBar().currentMessage()   # the window is free while it searches
    assert w.timeline.media["m1"].online
    assert w.timeline.media["m1"].path == str(tmp_path / "moved" / "shot.MP4")
    assert "Relinked 1 media; 0 still offline" in w.statusBar().currentMessage()
    assert w.edits.stack.count() == 1
    w.actions_by_name["undo"].trigger()
    assert not w.timeline.media["m1"].online
    assert w.timeline.media["m1"].path.endswith("old/Shot.mp4")


def test_relink_refuses_unconfirmed_same_name(qtbot, tmp_path, media):
    path = _project(tmp_path, media["a"])
    shutil.rmtree(tmp_path / "old")
    (tmp_path / "moved").mkdir()
    shutil.copy(media["b"], tmp_path / "moved" / "Shot.mp4")
    w = _window(qtbot)
    assert w.open_path(path)
    w.ask_relink_folder = lambda: str(tmp_path / "moved")
    with qtbot.waitSignal(w.relink_finished, timeout=30000) as finished:
        assert w.relink_dialog()
    matches = finished.args[0]
    assert [m.confirmed for m in matches] == [False]
    assert not w.timeline.media["m1"].online
    assert w.edits.stack.count() == 0
    message = w.statusBar().currentMessage()
    assert "0 still" not in message and "not confirmed: Shot.mp4" in message


def test_recent_projects_updated_pruned_and_opened(qtbot, tmp_path, media):
    one = _project(tmp_path, media["a"], "one.promptcut")
    two = _project(tmp_path, media["a"], "two.promptcut")
    w = _window(qtbot)
    assert w.open_path(one)
    assert w.open_path(two)
    assert main_window.recent_projects() == [str(two.absolute()), str(one.absolute())]
    saved = tmp_path / "three.promptcut"
    assert w.save_to(saved)
    assert main_window.recent_projects()[0] == str(saved.absolute())
    saved.unlink()
    w.update_recent_menu()
    actions = w.recent_menu.actions()
    assert [a.text() for a in actions] == ["two.promptcut", "one.promptcut"]
    assert main_window.recent_projects() == [str(two.absolute()), str(one.absolute())]
    actions[1].trigger()
    assert w.path == one


def test_recent_list_keeps_ten(tmp_path):
    for i in range(12):
        p = tmp_path / f"p{i}.promptcut"
        p.write_text("{}")
        main_window.add_recent_project(p)
    recent = main_window.recent_projects()
    assert len(recent) == 10 and recent[0].endswith("p11.promptcut")
