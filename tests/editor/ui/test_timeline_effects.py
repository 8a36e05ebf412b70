"""Clip effects on the timeline: the clip menu's Speed, Add Transition, fades and Remove Effects; transitions,
fades, speed badges and the rubber band painted; the rubber band and a transition's edge dragged (one undo
step each)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, QRectF, Qt
from PySide6.QtGui import QContextMenuEvent, QImage
from PySide6.QtWidgets import QApplication

from editor.model import TextClip
from editor.model.commands import AddTransition, Insert, SetClipProperties, SetSpeed
from editor.model.effects import Transition, TransitionKind
from editor.model.testing import clip, sound, timeline, video
from editor.ui.timeline_effects import gain_y


@pytest.fixture
def view(window):
    tl = timeline(media=[video("cam", frames=600, audio=False), sound("music", frames=300)])
    tl.video_tracks[0].add(clip("cam", 0, 60, 100, clip_id="a"))
    tl.video_tracks[0].add(clip("cam", 60, 60, 300, clip_id="b"))
    tl.video_tracks[0].add(clip("cam", 150, 30, 400, clip_id="c"))
    tl.audio_tracks[0].add(clip("music", 0, 90, clip_id="m"))
    window.set_document(tl, None)
    v = window.timeline_view
    v.set_zoom(4.0)
    v.scrollbar.setValue(0)
    return v


def _clip(view, clip_id):
    return view.timeline.find(clip_id)[1]


def menu_of(view, clip_id: str) -> dict:
    pos = view.clip_rect(clip_id).center()
    QApplication.sendEvent(view, QContextMenuEvent(QContextMenuEvent.Reason.Mouse, pos, view.mapToGlobal(pos)))
    menu = view.context_menu
    assert menu is not None
    actions = {a.text(): a for a in menu.actions() if a.text()}
    menu.close()
    return actions


def submenu(actions: dict, name: str) -> dict:
    return {a.text(): a for a in actions[name].menu().actions() if a.text()}


def test_speed_menu_presets_custom_reverse_freeze(view) -> None:
    submenu(menu_of(view, "a"), "Speed")["2x"].trigger()
    assert (_clip(view, "a").speed, _clip(view, "a").duration, _clip(view, "b").start) == (2, 30, 30)
    view.ask_speed = lambda: "50%"
    submenu(menu_of(view, "a"), "Speed")["Custom…"].trigger()
    assert _clip(view, "a").speed == Fraction(1, 2)
    view.ask_speed = lambda: "99"
    assert not view.custom_speed("a")               # refused with a one-line message, nothing changed
    submenu(menu_of(view, "a"), "Speed")["Reverse"].trigger()
    assert _clip(view, "a").reverse
    submenu(menu_of(view, "a"), "Speed")["Freeze Frame"].trigger()
    assert _clip(view, "a").speed == 0
    for _ in range(4):
        view.edits.stack.undo()
    assert (_clip(view, "a").speed, _clip(view, "a").reverse, _clip(view, "b").start) == (1, False, 60)


def test_add_transition_only_where_a_clip_ends_at_the_head(view) -> None:
    assert "Add Transition" not in menu_of(view, "a")   # nothing before it
    assert "Add Transition" not in menu_of(view, "c")   # a gap before it
    submenu(menu_of(view, "b"), "Add Transition")["Dip to black"].trigger()
    assert _clip(view, "b").transition == Transition(TransitionKind.DIP_BLACK, 15, 15)   # 1 s, centred
    view.edits.stack.undo()
    assert _clip(view, "b").transition is None


def test_a_default_transition_is_shortened_to_what_the_clips_allow(view) -> None:
    assert view.edits.do(SetSpeed("a", Fraction(6)))    # "a" now lasts 10 frames and "b" follows it
    submenu(menu_of(view, "b"), "Add Transition")["Cross dissolve"].trigger()
    assert _clip(view, "b").transition == Transition(TransitionKind.DISSOLVE, 10, 10)


def test_fades_and_remove_effects(view) -> None:
    menu_of(view, "a")["Fade In"].trigger()
    menu_of(view, "a")["Fade Out"].trigger()
    assert (_clip(view, "a").fade_in, _clip(view, "a").fade_out) == (15, 15)
    submenu(menu_of(view, "a"), "Speed")["2x"].trigger()
    menu_of(view, "a")["Remove Effects"].trigger()
    a = _clip(view, "a")
    assert (a.fade_in, a.fade_out, a.speed, a.duration) == (0, 0, 1, 60)
    view.edits.stack.undo()                              # one step brings them all back
    a = _clip(view, "a")
    assert (a.fade_in, a.fade_out, a.speed) == (15, 15, 2)
    assert "Remove Effects" not in menu_of(view, "c")


def _pixels(view) -> np.ndarray:
    image = view.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    return np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine() // 4, 4).copy()


def _area(view, clip_id: str, x0: int, x1: int) -> tuple[slice, slice]:
    r = view.clip_rect(clip_id)
    return slice(r.top() + 10, r.bottom() - 10), slice(x0, x1)


def test_painted_transition_fades_badge_and_text_clip(view) -> None:
    before = _pixels(view)
    cut = round(view.x_of(60))
    rows, cols = _area(view, "b", cut - 20, cut + 20)
    view.edits.do(AddTransition("b", Transition(TransitionKind.DISSOLVE, 15, 15)))
    after = _pixels(view)
    assert (after[rows, cols] != before[rows, cols]).any(axis=2).mean() > 0.3   # the block covers the cut
    head = round(view.x_of(150))
    rows, cols = _area(view, "c", head + 2, head + 40)
    view.edits.do(SetClipProperties("c", fade_in=15))
    faded = _pixels(view)
    assert (faded[rows, cols] != after[rows, cols]).any(axis=2).any()
    r = view.clip_rect("b")
    badge = (slice(r.top() + 4, r.top() + 18), slice(r.right() - 40, r.right() - 6))
    view.edits.do(SetSpeed("b", Fraction(1), reverse=True))     # same length, now a "◀ 1x" badge
    reversed_ = _pixels(view)
    assert (reversed_[badge] != faded[badge]).any(axis=2).mean() > 0.2
    view.edits.do(Insert("V2", TextClip("t", 0, 60, text="Hello"), 0))
    assert view._label(_clip(view, "t")).endswith("Hello")


def test_drag_the_rubber_band_up_one_undo_step(view, qtbot) -> None:
    steps = view.edits.stack.count()
    rect = view.clip_rect("m")
    y = round(gain_y(QRectF(rect), 0.0))
    x = rect.left() + 40
    assert view.rubber_band_at(QPointF(x, y)) is not None
    qtbot.mousePress(view, Qt.MouseButton.LeftButton, pos=QPoint(x, y))
    qtbot.mouseMove(view, QPoint(x, y - 4))
    qtbot.mouseMove(view, QPoint(x, y - 5))
    qtbot.mouseRelease(view, Qt.MouseButton.LeftButton, pos=QPoint(x, y - 5))
    gain = _clip(view, "m").gain
    assert not gain.keys and 0 < gain.value <= 12
    assert view.edits.stack.count() == steps + 1
    view.edits.stack.undo()
    assert _clip(view, "m").gain.value == 0.0


def test_drag_a_transition_edge_changes_its_length(view, qtbot) -> None:
    view.edits.do(AddTransition("b", Transition(TransitionKind.DISSOLVE, 15, 15)))
    steps = view.edits.stack.count()
    top, h = view.row_of("V1")
    x, y = round(view.x_of(75)), top + h // 2
    assert view.transition_edge_at(QPointF(x, y))[2] == "after"
    qtbot.mousePress(view, Qt.MouseButton.LeftButton, pos=QPoint(x, y))
    qtbot.mouseMove(view, QPoint(x + 10, y))
    qtbot.mouseMove(view, QPoint(x + 20, y))
    qtbot.mouseRelease(view, Qt.MouseButton.LeftButton, pos=QPoint(x + 20, y))
    assert _clip(view, "b").transition == Transition(TransitionKind.DISSOLVE, 15, 20)
    assert view.edits.stack.count() == steps + 1
    view.edits.stack.undo()
    assert _clip(view, "b").transition == Transition(TransitionKind.DISSOLVE, 15, 15)
