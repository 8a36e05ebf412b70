"""Real Qt drag-and-drop events (file manager -> bin, bin -> timeline), many tracks scrolling under the ruler,
and a multi-clip drag that snaps only to clips standing still."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent, QWheelEvent
from PySide6.QtWidgets import QApplication

from editor.media import synth
from editor.model import Timeline, TrackKind
from editor.model.testing import clip, timeline, video
from editor.ui.timeline_view import RULER_H


@pytest.fixture(scope="module")
def media_files(tmp_path_factory) -> list[Path]:
    folder = tmp_path_factory.mktemp("dnd media")
    return [synth.color_clip(folder / "it's red: 100%.mp4", "red", seconds=2),
            synth.color_clip(folder / "blå.mp4", "blue", seconds=1)]


def drag_and_drop(target, mime: QMimeData, pos: QPoint, mods=Qt.KeyboardModifier.NoModifier) -> bool:
    """What Qt delivers to a widget when something is dragged over it and let go: enter, move, drop.
    True when the widget accepted the drop."""
    action = Qt.DropAction.CopyAction
    buttons = Qt.MouseButton.LeftButton
    enter = QDragEnterEvent(pos, action, mime, buttons, mods)
    QApplication.sendEvent(target, enter)
    if not enter.isAccepted():
        return False
    move = QDragMoveEvent(pos, action, mime, buttons, mods)
    QApplication.sendEvent(target, move)
    drop = QDropEvent(QPointF(pos), action, mime, buttons, mods)
    QApplication.sendEvent(target, drop)
    return drop.isAccepted()


def test_files_dragged_from_the_file_manager_land_in_the_bin_then_on_the_timeline(window, qtbot,
                                                                                  media_files) -> None:
    tl = window.timeline
    files = QMimeData()
    files.setUrls([QUrl.fromLocalFile(str(p)) for p in media_files])
    assert drag_and_drop(window.bin.viewport(), files, QPoint(20, 20))
    qtbot.waitUntil(lambda: window.bin.count() == 2, timeout=10000)
    by_name = {m.name: m.id for m in tl.media.values()}
    assert set(by_name) == {p.name for p in media_files}

    view = window.timeline_view
    view.set_zoom(4.0, 0)
    v1 = tl.video_tracks[0]
    top, h = view.row_of(v1.id)
    item = {window.bin.item(i).text().split("\n")[0]: window.bin.item(i) for i in range(window.bin.count())}
    red_item = next(it for name, it in item.items() if "red" in name)
    blue_item = next(it for name, it in item.items() if "bl" in name)

    # the bin's own drag payload, dropped on V1 at frame 0 (overwrite), then blue inserted at 0 with Ctrl
    assert drag_and_drop(view, window.bin.mimeData([red_item]), QPoint(int(view.x_of(0)) + 1, top + h // 2))
    assert [(c.start, c.duration) for c in v1.clips] == [(0, 60)]
    assert drag_and_drop(view, window.bin.mimeData([blue_item]), QPoint(int(view.x_of(0)) + 1, top + h // 2),
                         Qt.KeyboardModifier.ControlModifier)
    assert [(tl.media[c.media].name, c.start, c.duration) for c in v1.clips] == [
        ("blå.mp4", 0, 30), ("it's red: 100%.mp4", 30, 60)]
    tl.check()
    assert window.edits.stack.undoText() == "Insert"

    # a drag carrying neither media nor files is refused at the door
    assert not drag_and_drop(view, QMimeData(), QPoint(int(view.x_of(0)), top + 4))


def test_many_tracks_scroll_under_a_fixed_ruler(window, qtbot) -> None:
    tl = Timeline.empty(video_tracks=14, audio_tracks=6)
    window.set_document(tl, None)
    view = window.timeline_view
    assert view.tracks_height() > view.lanes_height()
    assert view.vscrollbar.isVisible() and view.vscrollbar.maximum() > 0
    bottom = tl.audio_tracks[-1]
    assert view.row_of(bottom.id)[0] > view.height()    # below the fold at first

    # the wheel over the track headers scrolls the tracks; the ruler stays put
    centre = QPointF(40, RULER_H + 60)
    for _ in range(30):
        wheel = QWheelEvent(centre, view.mapToGlobal(centre), QPoint(), QPoint(0, -120), Qt.MouseButton.NoButton,
                            Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
        QApplication.sendEvent(view, wheel)
    assert view.scroll_y == view.vscrollbar.maximum()
    top, h = view.row_of(bottom.id)
    assert top >= RULER_H and top + h <= RULER_H + view.lanes_height()
    assert view.track_at(RULER_H - 2) is None     # a press on the ruler never reaches a scrolled-up track

    # the header buttons of a scrolled track work where they are drawn
    box = view.header_buttons(bottom, top, h)["muted"]
    qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=box.center())
    assert bottom.muted and bottom.kind is TrackKind.AUDIO
    # Shift+wheel over the lanes scrolls back up
    lanes = QPointF(view.x_of(10), RULER_H + 60)
    for _ in range(30):
        wheel = QWheelEvent(lanes, view.mapToGlobal(lanes), QPoint(), QPoint(0, 120), Qt.MouseButton.NoButton,
                            Qt.KeyboardModifier.ShiftModifier, Qt.ScrollPhase.NoScrollPhase, False)
        QApplication.sendEvent(view, wheel)
    assert view.scroll_y == 0 and view.scroll_px == 0
    view.grab()    # paints with the headers clipped under the ruler


def test_a_multi_clip_drag_snaps_to_clips_that_stay_not_to_ones_that_move(window, qtbot) -> None:
    tl = timeline(media=[video("cam", frames=300)])
    tl.video_tracks[0].add(clip("cam", 0, 30, clip_id="a"))
    tl.video_tracks[0].add(clip("cam", 32, 30, clip_id="b"))
    window.set_document(tl, None)
    view = window.timeline_view
    view.set_zoom(4.0, 0)
    assert view.snapping
    view.select({"a", "b"})
    assert 32 not in view.snap_targets({"a", "b"}) and 32 in view.snap_targets("a")
    p0 = view.clip_rect("a").center()
    qtbot.mousePress(view, Qt.MouseButton.LeftButton, pos=p0)
    qtbot.mouseMove(view, p0 + QPoint(6, 0))
    qtbot.mouseMove(view, p0 + QPoint(12, 0))   # 3 frames: a's end (33) is 1 frame from b's old start (32)
    qtbot.mouseRelease(view, Qt.MouseButton.LeftButton, pos=p0 + QPoint(12, 0))
    assert [(c.id, c.start) for c in tl.video_tracks[0].clips] == [("a", 3), ("b", 35)]
    tl.check()


def test_the_track_header_menu_adds_and_deletes_tracks_undoably(window, qtbot) -> None:
    from PySide6.QtGui import QContextMenuEvent

    tl = window.timeline
    view = window.timeline_view
    v1 = tl.video_tracks[0]
    v1.add(clip_of(tl))
    top, h = view.row_of(v1.id)
    at = QPoint(40, top + h // 2)
    view.contextMenuEvent(QContextMenuEvent(QContextMenuEvent.Reason.Mouse, at, view.mapToGlobal(at)))
    actions = {a.text(): a for a in view.context_menu.actions() if a.text()}
    assert set(actions) == {"Add Video Track Above", "Add Audio Track", "Delete Track V1 and its 1 clips"}
    actions["Add Video Track Above"].trigger()
    view.context_menu.close()
    assert len(tl.video_tracks) == 3 and tl.video_tracks[0] is v1 and not tl.video_tracks[1].clips
    top, h = view.row_of(v1.id)
    at = QPoint(40, top + h // 2)
    view.contextMenuEvent(QContextMenuEvent(QContextMenuEvent.Reason.Mouse, at, view.mapToGlobal(at)))
    {a.text(): a for a in view.context_menu.actions()}["Delete Track V1 and its 1 clips"].trigger()
    view.context_menu.close()
    assert v1 not in tl.video_tracks and len(tl.video_tracks) == 2
    tl.check()
    window.edits.stack.undo()
    window.edits.stack.undo()
    assert len(tl.video_tracks) == 2 and tl.video_tracks[0].id == v1.id and len(tl.video_tracks[0].clips) == 1


def clip_of(tl):
    from editor.model import MediaClip
    from editor.model.testing import video

    tl.media["cam"] = video("cam", frames=100)
    return MediaClip("c1", 0, 30, media="cam")


def test_dragging_from_the_bin_shows_where_the_clip_lands_snapped_to_edges(window, qtbot) -> None:
    from editor.model.testing import video
    from editor.ui.timeline_view import MEDIA_MIME

    tl = window.timeline
    tl.media["cam"] = video("cam", frames=60)
    v1 = tl.video_tracks[0]
    from editor.model import MediaClip

    v1.add(MediaClip("a", 0, 40, media="cam"))
    view = window.timeline_view
    view.set_zoom(4.0, 0)
    top, h = view.row_of(v1.id)
    mime = QMimeData()
    mime.setData(MEDIA_MIME, b"cam")
    near_the_end = QPoint(int(view.x_of(41)), top + h // 2)   # one frame past a's end: snaps onto it
    enter = QDragEnterEvent(near_the_end, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(view, enter)
    QApplication.sendEvent(view, QDragMoveEvent(near_the_end, Qt.DropAction.CopyAction, mime,
                                                Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier))
    assert view.drop_preview == (v1.id, 40, 100)
    view.grab()   # the ghost paints
    QApplication.sendEvent(view, QDropEvent(QPointF(near_the_end), Qt.DropAction.CopyAction, mime,
                                            Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier))
    assert view.drop_preview is None
    assert [(c.start, c.end) for c in v1.clips] == [(0, 40), (40, 100)]


def test_close_gap_from_the_track_menu_ripples_the_later_clips_back(window, qtbot) -> None:
    from PySide6.QtGui import QContextMenuEvent

    from editor.model import MediaClip
    from editor.model.testing import video

    tl = window.timeline
    tl.media["cam"] = video("cam", frames=300)
    v1 = tl.video_tracks[0]
    v1.add(MediaClip("a", 0, 30, media="cam"))
    v1.add(MediaClip("b", 50, 30, media="cam"))
    v1.add(MediaClip("c", 90, 30, media="cam"))
    view = window.timeline_view
    view.set_zoom(4.0, 0)
    top, h = view.row_of(v1.id)
    at = QPoint(int(view.x_of(40)), top + h // 2)
    view.contextMenuEvent(QContextMenuEvent(QContextMenuEvent.Reason.Mouse, at, view.mapToGlobal(at)))
    actions = {a.text(): a for a in view.context_menu.actions() if a.text()}
    assert "Close Gap" in actions and "Generate shot…" in actions
    actions["Close Gap"].trigger()
    view.context_menu.close()
    assert [(c.id, c.start) for c in v1.clips] == [("a", 0), ("b", 30), ("c", 70)]
    assert window.edits.stack.undoText() == "Close gap"
    window.edits.stack.undo()
    assert [(c.id, c.start) for c in v1.clips] == [("a", 0), ("b", 50), ("c", 90)]
    tl.check()
