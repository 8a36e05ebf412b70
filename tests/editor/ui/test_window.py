"""The real window, driven with real mouse and key events on the timeline widget."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, Qt
from PySide6.QtWidgets import QPushButton

from editor.media import synth
from editor.model.testing import clip, timeline, video
from editor.ui.timeline_view import MEDIA_MIME


@pytest.fixture(scope="module")
def media_files(tmp_path_factory) -> list[Path]:
    folder = tmp_path_factory.mktemp("media")
    return [synth.color_clip(folder / "red.mp4", "red", seconds=2), synth.color_clip(folder / "blue.mp4", "blue",
                                                                                      seconds=3)]


def _centre(rect) -> QPoint:
    return rect.center()


def test_full_edit_session(window, qtbot, media_files, tmp_path) -> None:
    tl = window.timeline
    view = window.timeline_view
    original = tl.copy()

    # import into the bin, probed off the GUI thread
    window.bin.import_paths([str(p) for p in media_files])
    qtbot.waitUntil(lambda: window.bin.count() == 2, timeout=10000)
    tl.check()
    assert window.edits.stack.undoText() == "Import media"
    by_name = {m.name: m.id for m in tl.media.values()}

    # drop both onto V1 through the drop handler
    view.set_zoom(4.0, 0)
    v1 = tl.video_tracks[0]
    top, h = view.row_of(v1.id)
    for name, frame in (("red.mp4", 0), ("blue.mp4", 100)):
        mime = QMimeData()
        mime.setData(MEDIA_MIME, by_name[name].encode())
        assert view.drop_mime(mime, QPoint(int(view.x_of(frame)) + 1, top + h // 2))
        tl.check()
    assert [(c.start, c.duration) for c in v1.clips] == [(0, 60), (100, 90)]
    red, blue = v1.clips

    # move blue right by 20 frames (80 px at 4 px/frame) with snapping off
    qtbot.keyClick(view, Qt.Key.Key_N)
    assert not view.snapping
    r = view.clip_rect(blue.id)
    start = _centre(r)
    qtbot.mousePress(view, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(view, start + QPoint(40, 0))
    qtbot.mouseMove(view, start + QPoint(80, 0))
    qtbot.mouseRelease(view, Qt.MouseButton.LeftButton, pos=start + QPoint(80, 0))
    tl.check()
    assert tl.find(blue.id)[1].start == 120
    assert window.edits.stack.undoText() == "Move"

    # trim red's tail back by 10 frames
    r = view.clip_rect(red.id)
    edge = QPoint(r.right() - 1, r.center().y())
    qtbot.mousePress(view, Qt.MouseButton.LeftButton, pos=edge)
    qtbot.mouseMove(view, edge - QPoint(20, 0))
    qtbot.mouseMove(view, edge - QPoint(40, 0))
    qtbot.mouseRelease(view, Qt.MouseButton.LeftButton, pos=edge - QPoint(40, 0))
    tl.check()
    assert tl.find(red.id)[1].duration == 50

    # split blue with S at the playhead (click on the ruler to place it)
    qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=QPoint(int(view.x_of(150)), 10))
    assert view.playhead == 150
    qtbot.keyClick(view, Qt.Key.Key_S)
    tl.check()
    assert [(c.start, c.end) for c in v1.clips] == [(0, 50), (120, 150), (150, 210)]

    # select the middle part and ripple delete it
    qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=_centre(view.clip_rect(v1.clips[1].id)))
    assert view.selected == {v1.clips[1].id}
    qtbot.keyClick(view, Qt.Key.Key_Delete, Qt.KeyboardModifier.ShiftModifier)
    tl.check()
    assert [(c.start, c.end) for c in v1.clips] == [(0, 50), (120, 180)]
    assert "•" in window.windowTitle()

    # undo everything back to the original, checking each step; redo all again
    steps = 0
    while window.edits.stack.canUndo():
        qtbot.keyClick(view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
        tl.check()
        steps += 1
    assert steps == 8   # 2 imports, 2 drops, move, trim, split, ripple delete
    assert tl == original
    while window.edits.stack.canRedo():
        qtbot.keyClick(view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
        tl.check()
    assert [(c.start, c.end) for c in v1.clips] == [(0, 50), (120, 180)]

    # save, reopen and compare
    path = tmp_path / "session.promptcut"
    assert window.save_to(path)
    assert "•" not in window.windowTitle() and "session.promptcut" in window.windowTitle()
    edited = tl.copy()
    assert window.open_path(path)
    assert window.timeline == edited
    window.timeline.check()
    assert not window.edits.stack.canUndo()


def test_refused_edit_goes_to_the_status_bar(window, qtbot) -> None:
    tl = timeline(media=[video("cam", frames=100)])
    tl.video_tracks[0].add(clip("cam", 0, 50, clip_id="a"))
    tl.video_tracks[0].add(clip("cam", 60, 40, clip_id="b", source_in=60))
    window.set_document(tl, None)
    view = window.timeline_view
    view.set_zoom(4.0, 0)
    # "b" cannot grow past its media (it ends at 100): the trim is held there and the rest is offered to
    # generative extend instead of being lost
    r = view.clip_rect("b")
    edge = QPoint(r.right() - 1, r.center().y())
    qtbot.mousePress(view, Qt.MouseButton.LeftButton, pos=edge)
    qtbot.mouseMove(view, edge + QPoint(20, 0))
    qtbot.mouseMove(view, edge + QPoint(40, 0))
    qtbot.mouseRelease(view, Qt.MouseButton.LeftButton, pos=edge + QPoint(40, 0))
    tl.check()
    assert tl.find("b")[1].end == 100
    assert "past the end of the media" in window.statusBar().currentMessage()
    offer = view.extend_offer
    assert offer is not None and any("extension" in b.text() for b in offer.findChildren(QPushButton))
    offer.reject()
    assert not window.edits.stack.canUndo()


def test_rubber_band_snapping_and_keys(window, qtbot) -> None:
    tl = timeline(media=[video("cam", frames=300)])
    for i, start in enumerate((0, 40, 100)):
        tl.video_tracks[0].add(clip("cam", start, 30, clip_id=f"c{i}"))
    window.set_document(tl, None)
    view = window.timeline_view
    view.set_zoom(4.0, 0)
    top, h = view.row_of("V1")
    # rubber band over the first two clips
    a, b = QPoint(int(view.x_of(50)), top + h - 5), QPoint(int(view.x_of(5)), top + h - 5)
    qtbot.mousePress(view, Qt.MouseButton.LeftButton, pos=QPoint(int(view.x_of(80)), top + 5))
    qtbot.mouseMove(view, a)
    qtbot.mouseMove(view, b)
    qtbot.mouseRelease(view, Qt.MouseButton.LeftButton, pos=b)
    assert view.selected == {"c0", "c1"}
    # ctrl-click adds the third
    qtbot.mouseClick(view, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ControlModifier,
                     _centre(view.clip_rect("c2")))
    assert view.selected == {"c0", "c1", "c2"}
    # snapping: dragging c2 near c1's end (frame 70) lands on it
    assert view.snapping
    qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=_centre(view.clip_rect("c2")))   # c2 alone
    assert view.selected == {"c2"}
    r = view.clip_rect("c2")
    p0 = _centre(r)
    qtbot.mousePress(view, Qt.MouseButton.LeftButton, pos=p0)
    qtbot.mouseMove(view, p0 - QPoint(60, 0))
    qtbot.mouseMove(view, p0 - QPoint(4 * 28, 0))   # 28 frames left: start 72, snaps to 70
    qtbot.mouseRelease(view, Qt.MouseButton.LeftButton, pos=p0 - QPoint(4 * 28, 0))
    assert tl.find("c2")[1].start == 70
    tl.check()
    # navigation keys
    qtbot.keyClick(view, Qt.Key.Key_Home)
    qtbot.keyClick(view, Qt.Key.Key_Down)
    assert view.playhead == 30
    qtbot.keyClick(view, Qt.Key.Key_Right)
    assert view.playhead == 31
    qtbot.keyClick(view, Qt.Key.Key_Up)
    assert view.playhead == 30
    qtbot.keyClick(view, Qt.Key.Key_End)
    assert view.playhead == 100
    qtbot.keyClick(view, Qt.Key.Key_I)
    assert view.mark_in == 100
    # zoom keys and track header toggles
    before = view.px_per_frame
    qtbot.keyClick(view, Qt.Key.Key_Minus)
    assert view.px_per_frame < before
    box = view.header_buttons(tl.video_tracks[0], top, h)["muted"]
    qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=box.center())
    assert tl.video_tracks[0].muted
    assert window.edits.stack.undoText() == "Mute track"
    # playback advances the playhead on a timer
    qtbot.keyClick(view, Qt.Key.Key_Home)
    qtbot.keyClick(view, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: view.playhead > 0, timeout=3000)
    qtbot.keyClick(view, Qt.Key.Key_K)
    assert window.play_speed == 0


def test_unsaved_changes_prompt_and_inspector(window, qtbot, tmp_path) -> None:
    tl = timeline(media=[video("cam", frames=300)])
    tl.video_tracks[0].add(clip("cam", 0, 30, clip_id="c0"))
    window.set_document(tl, None)
    view = window.timeline_view
    view.select({"c0"})
    assert window.inspector.clip_id == "c0"
    window.inspector.volume.setValue(0.5)
    window.inspector.volume.editingFinished.emit()
    assert tl.find("c0")[1].volume == 0.5
    assert window.actions_by_name["undo"].text() == "&Undo Set volume"
    asked = []
    window.ask_save_changes = lambda: asked.append(1) or "cancel"
    window.close()
    assert asked and window.isVisible()
    window.ask_save_changes = lambda: "discard"


def test_the_viewer_shows_the_composited_frame_at_the_playhead(window, qtbot, media_files) -> None:
    window.bin.import_paths([str(p) for p in media_files])
    qtbot.waitUntil(lambda: window.bin.count() == 2, timeout=10000)
    tl, view = window.timeline, window.timeline_view
    by_name = {m.name: m.id for m in tl.media.values()}
    top, h = view.row_of(tl.video_tracks[0].id)
    for name, frame in (("red.mp4", 0), ("blue.mp4", 60)):
        mime = QMimeData()
        mime.setData(MEDIA_MIME, by_name[name].encode())
        assert view.drop_mime(mime, QPoint(int(view.x_of(frame)) + 1, top + h // 2))

    def centre_colour():
        image = window.viewer.screen_.image
        if image is None:
            return None
        c = image.pixelColor(image.width() // 2, image.height() // 2)
        return c.red(), c.green(), c.blue()

    for frame, expected in ((10, "red"), (90, "blue")):
        view.set_playhead(frame)
        qtbot.waitUntil(lambda e=expected: (c := centre_colour()) is not None and
                        (c[0] > 200 and c[2] < 60 if e == "red" else c[2] > 200 and c[0] < 60), timeout=10000)


def test_copy_cut_and_paste_through_the_window_keys(window, qtbot, media_files) -> None:
    window.bin.import_paths([str(media_files[0])])
    qtbot.waitUntil(lambda: window.bin.count() == 1, timeout=10000)
    tl, view = window.timeline, window.timeline_view
    media_id = next(iter(tl.media))
    top, h = view.row_of(tl.video_tracks[0].id)
    mime = QMimeData()
    mime.setData(MEDIA_MIME, media_id.encode())
    assert view.drop_mime(mime, QPoint(int(view.x_of(0)) + 1, top + h // 2))
    clip_id = tl.video_tracks[0].clips[0].id
    view.select({clip_id})
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    view.set_playhead(100)
    qtbot.keyClick(view, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    tl.check()
    assert [c.start for c in tl.video_tracks[0].clips] == [0, 100]
    qtbot.keyClick(view, Qt.Key.Key_X, Qt.KeyboardModifier.ControlModifier)   # cuts the pasted (selected) clip
    tl.check()
    assert [c.start for c in tl.video_tracks[0].clips] == [0]
    view.set_playhead(200)
    qtbot.keyClick(view, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert [c.start for c in tl.video_tracks[0].clips] == [0, 200]


def test_the_dark_theme_is_found_and_applied(qtbot) -> None:
    from editor.ui.app import application, stylesheet

    qss = stylesheet()
    assert "QMainWindow" in qss or "QWidget" in qss
    assert application().styleSheet() == qss


def test_transport_and_zoom_keys_work_wherever_the_focus_is_but_not_in_text_fields(window, qtbot) -> None:
    view = window.timeline_view
    window.bin.setFocus()
    qtbot.waitUntil(window.bin.hasFocus, timeout=2000)
    before = view.px_per_frame
    qtbot.keyClick(window.bin, Qt.Key.Key_Minus)
    assert view.px_per_frame < before
    zoomed = view.px_per_frame
    qtbot.keyClick(window.bin, Qt.Key.Key_Plus, Qt.KeyboardModifier.ShiftModifier)   # "+" on a US keyboard
    assert view.px_per_frame > zoomed
    qtbot.keyClick(window.bin, Qt.Key.Key_Space)
    assert window.play_speed == 1
    qtbot.keyClick(window.bin, Qt.Key.Key_K)
    assert window.play_speed == 0
    # typing a clip name in the inspector is typing, not editing the timeline
    name = window.inspector.name
    name.show()
    name.setFocus()
    qtbot.waitUntil(name.hasFocus, timeout=2000)
    qtbot.keyClicks(name, "s m g")
    assert name.text() == "s m g" and window.play_speed == 0 and window.timeline.markers == []
    assert window.shots.prompt_box is None
