"""Markers from the keyboard and the ruler; dragging several selected clips as one undo step."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt

from editor.model.testing import clip, timeline, video
from editor.ui.timeline_view import RULER_H


def _setup(window, clips):
    tl = timeline(media=[video("cam", frames=600)])
    for track, start, duration, cid in clips:
        tl.track(track).add(clip("cam", start, duration, clip_id=cid))
    window.set_document(tl, None)
    view = window.timeline_view
    view.set_zoom(4.0, 0)
    view.snapping = False
    view.setFocus()
    return tl, view


def _drag(qtbot, view, p0: QPoint, p1: QPoint) -> None:
    qtbot.mousePress(view, Qt.MouseButton.LeftButton, pos=p0)
    qtbot.mouseMove(view, p0 + (p1 - p0) / 2)
    qtbot.mouseMove(view, p1)
    qtbot.mouseRelease(view, Qt.MouseButton.LeftButton, pos=p1)


def test_m_adds_a_marker_and_undo_removes_it(window, qtbot) -> None:
    tl, view = _setup(window, [("V1", 0, 30, "a")])
    view.set_playhead(25)
    qtbot.keyClick(view, Qt.Key.Key_M)
    tl.check()
    assert [m.frame for m in tl.markers] == [25]
    assert window.edits.stack.undoText() == "Add marker"
    # a second one at the same frame is refused, with a message
    qtbot.keyClick(view, Qt.Key.Key_M)
    tl.check()
    assert [m.frame for m in tl.markers] == [25]
    assert "already a marker" in window.statusBar().currentMessage()
    window.edits.stack.undo()
    tl.check()
    assert tl.markers == []
    window.edits.stack.redo()
    assert [m.frame for m in tl.markers] == [25]
    # Ctrl+Shift+M deletes the marker at the playhead
    qtbot.keyClick(view, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    tl.check()
    assert tl.markers == []
    window.edits.stack.undo()
    assert [m.frame for m in tl.markers] == [25]
    # right-click on the marker in the ruler removes it
    qtbot.mouseClick(view, Qt.MouseButton.RightButton, pos=QPoint(round(view.x_of(25)), RULER_H - 6))
    tl.check()
    assert tl.markers == []
    assert window.edits.stack.undoText() == "Remove marker"
    assert window.actions_by_name["add_marker"].shortcut().toString() == "M"


def test_double_clicking_a_marker_renames_it_undoably(window, qtbot) -> None:
    tl, view = _setup(window, [("V1", 0, 30, "a")])
    view.set_playhead(40)
    qtbot.keyClick(view, Qt.Key.Key_M)
    answers = iter(["Beat drop", None])
    view.ask_marker_name = lambda marker: next(answers)
    at = QPoint(round(view.x_of(40)), RULER_H - 6)
    qtbot.mouseDClick(view, Qt.MouseButton.LeftButton, pos=at)
    assert [(m.frame, m.name) for m in tl.markers] == [(40, "Beat drop")]
    assert window.edits.stack.undoText() == "Edit marker"
    qtbot.mouseDClick(view, Qt.MouseButton.LeftButton, pos=at)   # cancelled: nothing changes
    assert window.edits.stack.undoText() == "Edit marker" and tl.markers[0].name == "Beat drop"
    window.edits.stack.undo()
    assert [(m.frame, m.name) for m in tl.markers] == [(40, "")]
    tl.check()


def test_dragging_two_selected_clips_moves_both_as_one_step(window, qtbot) -> None:
    tl, view = _setup(window, [("V1", 0, 30, "a"), ("V1", 50, 20, "b"), ("V1", 200, 20, "far")])
    qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=view.clip_rect("a").center())
    qtbot.mouseClick(view, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ControlModifier,
                     view.clip_rect("b").center())
    assert view.selected == {"a", "b"}
    p0 = view.clip_rect("b").center()
    _drag(qtbot, view, p0, p0 + QPoint(4 * 40, 0))    # 40 frames right
    tl.check()
    assert tl.find("a")[1].start == 40
    assert tl.find("b")[1].start == 90
    assert tl.find("far")[1].start == 200
    assert view.selected == {"a", "b"}
    assert window.edits.stack.undoText() == "Move 2 clips"
    window.edits.stack.undo()
    tl.check()
    assert (tl.find("a")[1].start, tl.find("b")[1].start) == (0, 50)
    # across tracks: both go to V2 together, keeping their spacing
    p0 = view.clip_rect("a").center()
    _, v2_h = view.row_of("V2")
    p1 = QPoint(p0.x() + 4 * 10, view.row_of("V2")[0] + v2_h // 2)
    _drag(qtbot, view, p0, p1)
    tl.check()
    assert [(c.id, c.start) for c in tl.track("V2").clips] == [("a", 10), ("b", 60)]
    window.edits.stack.undo()
    tl.check()
    assert [c.id for c in tl.track("V1").clips] == ["a", "b", "far"]


def test_a_refused_part_moves_nothing(window, qtbot) -> None:
    tl, view = _setup(window, [("V1", 0, 30, "a"), ("V1", 50, 20, "b"), ("V1", 100, 40, "wall")])
    view.select({"a", "b"})
    p0 = view.clip_rect("a").center()
    _drag(qtbot, view, p0, p0 + QPoint(4 * 40, 0))    # b would land on "wall"
    tl.check()
    assert (tl.find("a")[1].start, tl.find("b")[1].start) == (0, 50)
    assert not window.edits.stack.canUndo()
    assert window.statusBar().currentMessage()
    # a plain click on one of them (no drag) selects it alone
    qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=view.clip_rect("b").center())
    assert view.selected == {"b"}
