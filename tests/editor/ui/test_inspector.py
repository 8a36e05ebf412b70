"""The inspector's timing fields, typed into with real key events: Position moves, Duration trims the tail,
Source in slips; a refused edit changes nothing, says why in the status bar and shows the real value again."""

from __future__ import annotations

from fractions import Fraction

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit

from editor.model.commands import Insert
from editor.model.testing import clip, generated, spans, timeline, video
from editor.ui.inspector import parse_time
from editor.ui.main_window import MainWindow


@pytest.fixture
def window(window):
    w = window
    tl = timeline(media=[video("cam", frames=300)])
    tl.video_tracks[0].add(clip("cam", 0, 30, clip_id="c0"))
    tl.video_tracks[0].add(clip("cam", 100, 30, 50, clip_id="c1"))
    w.set_document(tl, None)
    w.timeline_view.select({"c0"})
    assert w.inspector.clip_id == "c0"
    return w


def _type(qtbot, edit: QLineEdit, text: str) -> None:
    edit.setFocus()
    qtbot.keyClick(edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(edit, text)
    qtbot.keyClick(edit, Qt.Key.Key_Return)


def _c0(w: MainWindow):
    return w.timeline.find("c0")[1]


def test_parse_time() -> None:
    fps = Fraction(30)
    assert parse_time("90", fps) == 90
    assert parse_time("00:00:03:00", fps) == 90
    assert parse_time(" 01:00:01:05 ", fps) == 3600 * 30 + 35
    assert parse_time("2:10", fps) == 70
    assert parse_time("1:00:00", fps) == 1800
    assert parse_time("00:00:01;15", Fraction(30000, 1001)) == 45
    for bad in ("", "abc", "1:30:00:00:00", "00:00:00:30", "00:61:00", "-5", "1.5"):
        with pytest.raises(ValueError):
            parse_time(bad, fps)


def test_fields_show_the_clip(window) -> None:
    ins = window.inspector
    assert (ins.position_edit.text(), ins.duration_edit.text(), ins.source_in_edit.text()) == (
        "00:00:00:00", "00:00:01:00", "00:00:00:00")
    assert ins.facts["Source out"].text().startswith("00:00:01:00")
    assert {"Track", "Source out", "Media", "Seed", "Model", "State"} <= set(ins.facts)
    window.timeline_view.select({"c1"})
    assert ins.position_edit.text() == "00:00:03:10"
    assert ins.source_in_edit.text() == "00:00:01:20"
    assert ins.facts["Source out"].text().startswith("00:00:02:20")


def test_move_by_typing_a_timecode_then_undo(window, qtbot) -> None:
    ins, tl = window.inspector, window.timeline
    before = spans(tl, "V1")
    _type(qtbot, ins.position_edit, "00:00:02:00")
    tl.check()
    assert (_c0(window).start, _c0(window).duration, _c0(window).source_in) == (60, 30, 0)
    assert ins.position_edit.text() == "00:00:02:00"
    assert window.edits.stack.count() == 1 and window.edits.stack.undoText() == "Move"
    # a plain frame number works too
    _type(qtbot, ins.position_edit, "40")
    assert _c0(window).start == 40 and ins.position_edit.text() == "00:00:01:10"
    assert window.edits.stack.count() == 2
    window.actions_by_name["undo"].trigger()
    assert _c0(window).start == 60 and ins.position_edit.text() == "00:00:02:00"
    window.actions_by_name["undo"].trigger()
    tl.check()
    assert spans(tl, "V1") == before and ins.position_edit.text() == "00:00:00:00"


def test_trim_by_typing_a_duration(window, qtbot) -> None:
    ins, tl = window.inspector, window.timeline
    _type(qtbot, ins.duration_edit, "00:00:02:15")
    tl.check()
    assert (_c0(window).start, _c0(window).duration, _c0(window).source_in) == (0, 75, 0)
    assert ins.facts["Source out"].text().startswith("00:00:02:15")
    assert window.edits.stack.count() == 1 and window.edits.stack.undoText() == "Trim tail"
    window.actions_by_name["undo"].trigger()
    assert _c0(window).duration == 30 and ins.duration_edit.text() == "00:00:01:00"


def test_slip_by_typing_a_source_in(window, qtbot) -> None:
    ins, tl = window.inspector, window.timeline
    _type(qtbot, ins.source_in_edit, "00:00:05:00")
    tl.check()
    assert (_c0(window).start, _c0(window).duration, _c0(window).source_in) == (0, 30, 150)
    assert ins.facts["Source out"].text().startswith("00:00:06:00")
    assert window.edits.stack.count() == 1 and window.edits.stack.undoText() == "Slip"
    window.actions_by_name["undo"].trigger()
    assert _c0(window).source_in == 0 and ins.source_in_edit.text() == "00:00:00:00"


@pytest.mark.parametrize(("field", "text", "shown", "reason"), [
    ("position_edit", "00:00:03:00", "00:00:00:00", "overlap"),    # overlaps c1 (100..130)
    ("duration_edit", "00:00:04:00", "00:00:01:00", "c1"),         # would run into c1
    ("source_in_edit", "00:00:09:10", "00:00:00:00", "media"),     # 280 + 30 > 300 frames of media
    ("position_edit", "soon", "00:00:00:00", "not a timecode"),    # not a time at all
])
def test_a_refused_edit_changes_nothing_and_says_why(window, qtbot, field, text, shown, reason) -> None:
    ins, tl = window.inspector, window.timeline
    before = spans(tl, "V1")
    edit = getattr(ins, field)
    _type(qtbot, edit, text)
    tl.check()
    assert spans(tl, "V1") == before
    assert window.edits.stack.count() == 0
    assert edit.text() == shown and not edit.isModified()
    message = window.statusBar().currentMessage()
    assert message and reason in message


def test_unchanged_value_and_generated_clip(window, qtbot) -> None:
    ins, tl = window.inspector, window.timeline
    _type(qtbot, ins.position_edit, "0")          # same place: no undo step
    assert window.edits.stack.count() == 0
    window.edits.do(Insert("V2", generated(200, 40, clip_id="g0")))
    window.timeline_view.select({"g0"})
    assert ins.gen_box.isVisibleTo(ins) and ins.prompt_edit.toPlainText() == "a red kite over the sea"
    _type(qtbot, ins.position_edit, "00:00:08:00")
    tl.check()
    assert tl.find("g0")[1].start == 240 and ins.position_edit.text() == "00:00:08:00"
    assert ins.facts["Seed"].text() == "1"
