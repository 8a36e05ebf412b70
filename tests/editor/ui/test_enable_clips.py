"""Clip ▸ Enable (Shift+E) on the timeline: the clip menu's checkable Enable and the Edit menu's toggle the
selected clips in one undo step; a disabled clip is drawn dimmed and hatched, and undo turns it back on."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QContextMenuEvent, QImage
from PySide6.QtWidgets import QApplication

from editor.model.testing import clip, sound, timeline, video


@pytest.fixture
def view(window):
    tl = timeline(media=[video("cam", frames=600, audio=False), sound("music", frames=300)])
    tl.video_tracks[0].add(clip("cam", 0, 60, 100, clip_id="a"))
    tl.video_tracks[0].add(clip("cam", 60, 60, 300, clip_id="b"))
    tl.audio_tracks[0].add(clip("music", 0, 90, clip_id="m"))
    window.set_document(tl, None)
    v = window.timeline_view
    v.set_zoom(4.0)
    v.scrollbar.setValue(0)
    return v


def enabled(view, *ids):
    return [view.timeline.find(i)[1].enabled for i in ids]


def menu_of(view, clip_id: str) -> dict:
    pos = view.clip_rect(clip_id).center()
    QApplication.sendEvent(view, QContextMenuEvent(QContextMenuEvent.Reason.Mouse, pos, view.mapToGlobal(pos)))
    menu = view.context_menu
    assert menu is not None
    actions = {a.text(): a for a in menu.actions() if a.text()}
    menu.close()
    return actions


def test_the_clip_menu_enable_toggles_and_undo_re_enables(window, view):
    entry = menu_of(view, "a")["Enable"]
    assert entry.isCheckable() and entry.isChecked()
    entry.trigger()
    assert enabled(view, "a", "b") == [False, True]
    assert not menu_of(view, "a")["Enable"].isChecked()
    assert view.timeline.find("a")[1].start == 0               # still on the timeline, where it was
    view.edits.stack.undo()
    assert enabled(view, "a") == [True]


def test_shift_e_toggles_the_selection_in_one_undo_step(window, view, qtbot):
    view.select({"a", "m"})
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_E, Qt.KeyboardModifier.ShiftModifier)
    assert enabled(view, "a", "b", "m") == [False, True, False]
    view.select({"a", "b"})                                      # mixed: Shift+E turns them all on
    window.actions_by_name["enable_clips"].trigger()
    assert enabled(view, "a", "b", "m") == [True, True, False]
    view.edits.stack.undo()
    assert enabled(view, "a", "b", "m") == [False, True, False]
    view.edits.stack.undo()                                      # the first toggle was one step for both
    assert enabled(view, "a", "b", "m") == [True, True, True]


def test_with_nothing_selected_enable_says_so(window, view):
    view.select(set())
    said = []
    view.message.connect(said.append)
    assert not view.toggle_enabled_selected()
    assert said and "Select a clip" in said[-1]
    assert enabled(view, "a", "b", "m") == [True, True, True]


def _clip_pixels(view, clip_id):
    view.select(set())
    view.repaint()
    image = view.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    r = view.clip_rect(clip_id).adjusted(4, 24, -4, -4)
    arr = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine() // 4, 4)
    return arr[r.top():r.bottom(), r.left():r.right(), :3].astype(int)


def test_a_disabled_clip_is_drawn_dimmed(window, view):
    before = _clip_pixels(view, "b")
    view.select({"b"})
    assert view.toggle_enabled_selected()
    after = _clip_pixels(view, "b")
    assert after.mean() < before.mean() - 10, (before.mean(), after.mean())
    view.edits.stack.undo()
    assert abs(_clip_pixels(view, "b").mean() - before.mean()) < 3
