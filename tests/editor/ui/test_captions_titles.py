"""Titles and captions in the window: Add Title, Import Captions, the Captions dock, the viewer's safe-zone
guides and warning, editing a title in place and dragging it, and the platform checks before export."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QMessageBox

from editor.interchange.caption_tracks import timeline_cues
from editor.model import TextClip
from editor.model.text import DEFAULT_CAPTION_STYLE, PRESETS

SRT = ("1\n00:00:00,500 --> 00:00:01,000\nIt's 100% \"real\": C:\\path\n\n"
       "2\n00:00:00,900 --> 00:00:02,000\nFire 🔥 and\nmore lines\n\n"
       "3\n00:00:02,500 --> 00:00:03,200\nمرحبا بالعالم\n")


def _grab(widget) -> np.ndarray:
    image = widget.grab().toImage().convertToFormat(widget.grab().toImage().Format.Format_RGB888)
    return np.frombuffer(image.constBits(), np.uint8, image.sizeInBytes()).copy()


def _title(w) -> TextClip:
    return next(c for _, c in w.timeline.clips() if isinstance(c, TextClip))


def test_add_title_puts_a_centred_title_at_the_playhead_and_selects_it(window, qtbot):
    window.timeline_view.set_playhead(15)
    window.actions_by_name["add_title"].trigger()
    (clip,) = [c for _, c in window.timeline.clips() if isinstance(c, TextClip)]
    assert (clip.start, clip.duration, clip.style) == (15, 90, PRESETS["Centred title"])
    assert window.timeline.video_tracks[-1].clips == [clip]
    assert window.timeline_view.selected == {clip.id}
    lower = window.add_title("Lower third")       # the next track down with room
    assert window.timeline.video_tracks[0].clips == [lower]
    window.add_title("Headline")      # no track has room there: a new track on top, one undo step
    assert len(window.timeline.video_tracks) == 3
    window.edits.stack.undo()
    assert len(window.timeline.video_tracks) == 2


def test_import_captions_makes_a_caption_track_and_lists_its_cues(window, tmp_path):
    path = tmp_path / "subs.srt"
    path.write_text(SRT, encoding="utf-8")
    assert window.import_captions(str(path))
    track = window.timeline.video_tracks[-1]
    assert track.captions and all(c.style == DEFAULT_CAPTION_STYLE for c in track.clips)
    assert [(c.start, c.end, c.text) for c in track.clips] == [
        (15, 27, "It's 100% \"real\": C:\\path"), (27, 60, "Fire 🔥 and\nmore lines"), (75, 96, "مرحبا بالعالم")]
    table = window.captions.table
    assert window.caption_dock.isVisible() and table.rowCount() == 3
    assert [table.item(r, 2).text() for r in range(3)] == [c.text for c in track.clips]
    assert table.item(0, 0).text() == "00:00:00:15"
    window.edits.stack.undo()
    assert not any(t.captions for t in window.timeline.tracks) and table.rowCount() == 0


def test_a_bad_caption_file_is_a_one_line_message(window, tmp_path, monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a: shown.append(a[2]))
    bad = tmp_path / "bad.srt"
    bad.write_text("1\n00:00:02,000 --> 00:00:01,000\nbackwards\n", encoding="utf-8")
    assert not window.import_captions(str(bad))
    assert len(shown) == 1 and "bad.srt" in shown[0] and "\n" not in shown[0]
    assert window.edits.stack.count() == 0


def test_caption_list_edits_are_commands(window, tmp_path, qtbot):
    path = tmp_path / "subs.srt"
    path.write_text(SRT, encoding="utf-8")
    window.import_captions(str(path))
    table, stack = window.captions.table, window.edits.stack
    steps = stack.count()
    table.item(0, 2).setText("Edited\\nin place")
    assert timeline_cues(window.timeline)[0].text == "Edited\nin place" and stack.count() == steps + 1
    table.item(1, 1).setText("00:00:02:10")
    assert timeline_cues(window.timeline)[1].end == 70 and stack.count() == steps + 2
    table.item(1, 0).setText("00:00:00:00")        # would overlap the first cue: refused, shown as it was
    assert timeline_cues(window.timeline)[1].start == 27 and table.item(1, 0).text() == "00:00:00:27"
    assert stack.count() == steps + 2
    rect = table.visualItemRect(table.item(2, 2))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.timeline_view.playhead == 75
    table.setCurrentCell(2, 2)
    window.captions.delete_button.click()
    assert len(timeline_cues(window.timeline)) == 2
    window.timeline_view.set_playhead(150)
    window.captions.add_button.click()
    assert [(c.start, c.end, c.text) for c in timeline_cues(window.timeline)][-1] == (150, 210, "New caption")
    out = tmp_path / "out.srt"
    assert window.captions.export_srt(out)
    assert "Edited\nin place" in out.read_text(encoding="utf-8")
    for _ in range(4):
        stack.undo()
    assert [c.text for c in timeline_cues(window.timeline)][0] == "It's 100% \"real\": C:\\path"


def test_safe_zone_guides_paint_over_the_picture(window, qtbot):
    screen = window.viewer.screen_
    assert window.viewer.safe_zones_action.isChecked()      # a portrait canvas
    on = _grab(screen)
    window.viewer.safe_zones_action.trigger()
    assert not window.viewer.safe_zones_action.isChecked()
    off = _grab(screen)
    assert (on != off).sum() > 1000


def test_text_outside_the_safe_zone_is_a_note_in_the_viewer(window, qtbot):
    clip = window.add_title()
    assert window.viewer.note_label.isHidden()
    from editor.model.commands import SetClipProperties
    window.edits.do(SetClipProperties(clip.id, style=replace(clip.style, y=0.92)))
    window.timeline_view.set_playhead(1)
    qtbot.waitUntil(lambda: window.viewer.note_label.isVisible())
    assert "bottom" in window.viewer.note_label.text() and "\n" not in window.viewer.note_label.text()


def _title_centre(window) -> QPoint:
    overlay = window.viewer.screen_.overlay
    return overlay.title_rect(_title(window)).center().toPoint()


def test_double_click_a_title_edits_its_text_in_place(window, qtbot):
    window.add_title()
    screen = window.viewer.screen_
    steps = window.edits.stack.count()
    qtbot.mouseDClick(screen, Qt.MouseButton.LeftButton, pos=_title_centre(window))
    editor = screen.overlay.editor
    assert editor is not None and editor.isVisible() and editor.toPlainText() == "Title"
    editor.selectAll()
    qtbot.keyClicks(editor, "Hello")
    editor.insertPlainText(" 🔥")       # QTest cannot type a character outside the BMP
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    assert _title(window).text == "Hello 🔥" and window.edits.stack.count() == steps + 1
    assert screen.overlay.editor is None


def test_dragging_a_title_moves_it_in_one_undo_step(window, qtbot):
    window.add_title()
    screen = window.viewer.screen_
    before = _title(window).style
    steps = window.edits.stack.count()
    start = _title_centre(window)
    qtbot.mousePress(screen, Qt.MouseButton.LeftButton, pos=start)
    for dy in (10, 20, 40):
        qtbot.mouseMove(screen, start + QPoint(0, dy))
    qtbot.mouseRelease(screen, Qt.MouseButton.LeftButton, pos=start + QPoint(0, 40))
    after = _title(window).style
    assert after.x == pytest.approx(before.x, abs=1e-6)
    assert after.y == pytest.approx(before.y + 40 / screen.canvas_rect().height(), abs=0.01)
    assert window.edits.stack.count() == steps + 1
    window.edits.stack.undo()
    assert _title(window).style == before


def test_platform_warnings_ask_before_exporting(window, monkeypatch):
    clip = window.add_title()
    from editor.model.commands import SetClipProperties
    window.edits.do(SetClipProperties(clip.id, style=replace(clip.style, y=0.95)))
    dialog = window.export_dialog()
    dialog.preset_box.setCurrentIndex(dialog.preset_box.findData("tiktok"))
    started = []
    monkeypatch.setattr(dialog, "start_export", lambda: started.append(True))
    monkeypatch.setattr(QMessageBox, "exec", lambda self: QMessageBox.StandardButton.Cancel)
    assert any("safe zone" in w for w in window.platform_warnings(dialog))
    dialog.export_button.click()
    assert started == [] and "bottom" in window._platform_box.text()
    monkeypatch.setattr(QMessageBox, "exec", lambda self: QMessageBox.StandardButton.Yes)
    dialog.export_button.click()
    assert started == [True]
    dialog.close()


def test_master_volume_in_db_is_one_undo_step_and_reaches_the_mix(window):
    w = window
    assert "master_volume" in w.actions_by_name
    assert w.set_master_volume_db(-6.0)
    assert abs(w.timeline.master_volume - 10 ** (-6 / 20)) < 1e-9
    assert w.edits.stack.undoText() == "Set master volume"
    w.edits.stack.undo()
    assert w.timeline.master_volume == 1.0


def test_an_edit_shows_in_the_viewer_without_moving_the_playhead(window, qtbot):
    """Typing a title's new words (or any edit, undo, redo) redraws the frame at the playhead."""
    from editor.model.commands import SetClipProperties

    window.timeline_view.set_playhead(10)
    clip = window.add_title("Centred title")
    viewer = window.viewer
    qtbot.waitUntil(lambda: viewer.screen_.image is not None and not viewer._busy and viewer._wanted is None)
    before = viewer.screen_.image.copy()
    window.edits.do(SetClipProperties(clip.id, text="Completely different words", label="Edit title text"))
    qtbot.waitUntil(lambda: viewer.screen_.image is not None and viewer.screen_.image != before, timeout=5000)
    changed = viewer.screen_.image.copy()
    window.edits.stack.undo()
    qtbot.waitUntil(lambda: viewer.screen_.image != changed, timeout=5000)
