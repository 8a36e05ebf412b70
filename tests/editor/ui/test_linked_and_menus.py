"""Issue #8, as a new user found the window: a video with sound lands as a linked picture and sound, clips and
bin items have right-click menus, a bin item double-clicked goes in at the playhead, and the first clip dropped
on an empty timeline starts at 0. Every edit is checked against the timeline's rules, and undone in one step."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt
from PySide6.QtGui import QContextMenuEvent, QDesktopServices, QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QApplication
from ui_support import OpenedUrls

from editor.model import GeneratedClip, GenerationSpec, MediaClip, Timeline
from editor.model.testing import video
from editor.ui.edits import Edits
from editor.ui.media_bin import MediaBin
from editor.ui.timeline_view import MEDIA_MIME, TimelineView


def drop(view: TimelineView, media_id: str, pos: QPoint) -> None:
    """Drag a bin item over the timeline and let go at ``pos``, as Qt delivers it."""
    mime = QMimeData()
    mime.setData(MEDIA_MIME, media_id.encode())
    args = (Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(view, QDragEnterEvent(pos, *args))
    QApplication.sendEvent(view, QDragMoveEvent(pos, *args))
    QApplication.sendEvent(view, QDropEvent(QPointF(pos), *args))


def right_click(widget, pos: QPoint) -> dict:
    """Send a right-click's context menu event; the actions of the menu it opened, by text."""
    QApplication.sendEvent(widget, QContextMenuEvent(QContextMenuEvent.Reason.Mouse, pos, widget.mapToGlobal(pos)))
    owner = widget if hasattr(widget, "context_menu") else widget.parent()
    menu = owner.context_menu
    assert menu is not None, "no menu opened"
    actions = {a.text(): a for a in menu.actions() if a.text()}
    menu.close()
    return actions


def centre(view: TimelineView, clip_id: str) -> QPoint:
    return view.clip_rect(clip_id).center()


@pytest.fixture
def opened(qtbot):
    handler = OpenedUrls()
    QDesktopServices.setUrlHandler("file", handler, "open")
    yield handler
    QDesktopServices.unsetUrlHandler("file")


@pytest.fixture
def pair(window):
    """The window's timeline with "cam" (10 s, picture and sound) dropped from the bin on V1 at frame 30."""
    tl = window.timeline
    tl.media["cam"] = video("cam", frames=300)
    view = window.timeline_view
    view.set_zoom(2.0, 0)
    top, h = view.row_of(tl.video_tracks[0].id)
    drop(view, "cam", QPoint(round(view.x_of(30)), top + h // 2))
    tl.check()
    return tl


def picture_and_sound(tl: Timeline) -> tuple[MediaClip, MediaClip]:
    (picture,), (sound,) = tl.video_tracks[0].clips, tl.audio_tracks[0].clips
    return picture, sound


# --- linked picture and sound ---------------------------------------------------------------------------------


def test_a_video_with_sound_dropped_from_the_bin_lands_as_linked_picture_and_sound(window, pair):
    picture, sound = picture_and_sound(pair)
    assert (picture.start, picture.end) == (sound.start, sound.end) == (30, 330)
    assert picture.link is not None and picture.link == sound.link
    assert picture.sound_detached and not sound.sound_detached    # heard once, from the audio track
    window.edits.stack.undo()
    pair.check()
    assert pair.duration == 0                                   # one undo step takes both away


def test_dragging_a_video_with_sound_over_the_timeline_shows_where_its_sound_lands(window):
    tl = window.timeline
    tl.media["cam"] = video("cam", frames=90)
    view = window.timeline_view
    view.set_zoom(3.0, 0)
    top, h = view.row_of(tl.video_tracks[0].id)
    mime = QMimeData()
    mime.setData(MEDIA_MIME, b"cam")
    at = QPoint(round(view.x_of(40)), top + h // 2)
    args = (Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(view, QDragEnterEvent(at, *args))
    QApplication.sendEvent(view, QDragMoveEvent(at, *args))
    assert view.drop_preview == (tl.video_tracks[0].id, 40, 130)
    assert view.drop_sound_preview == (tl.audio_tracks[0].id, 40, 130)
    view.grab()   # both ghosts paint
    QApplication.sendEvent(view, QDropEvent(QPointF(at), *args))
    assert view.drop_preview is None and view.drop_sound_preview is None


def test_dragging_the_picture_moves_its_sound_and_one_undo_puts_both_back(window, qtbot, pair):
    view = window.timeline_view
    picture, sound = picture_and_sound(pair)
    p0 = centre(view, picture.id)
    p1 = p0 + QPoint(round(20 * view.px_per_frame), 0)
    qtbot.mousePress(view, Qt.MouseButton.LeftButton, pos=p0)
    qtbot.mouseMove(view, p0 + QPoint(10, 0))
    qtbot.mouseMove(view, p1)
    view.grab()   # the sound's ghost follows on A1 while dragging
    qtbot.mouseRelease(view, Qt.MouseButton.LeftButton, pos=p1)
    pair.check()
    picture, sound = picture_and_sound(pair)
    assert picture.start == sound.start == 50
    window.edits.stack.undo()
    pair.check()
    assert [c.start for c in picture_and_sound(pair)] == [30, 30]


def test_trimming_the_sound_trims_the_picture(window, qtbot, pair):
    view = window.timeline_view
    _, sound = picture_and_sound(pair)
    rect = view.clip_rect(sound.id)
    p0 = QPoint(rect.right() - 1, rect.center().y())
    p1 = p0 - QPoint(round(100 * view.px_per_frame), 0)
    qtbot.mousePress(view, Qt.MouseButton.LeftButton, pos=p0)
    qtbot.mouseMove(view, p0 - QPoint(10, 0))
    qtbot.mouseMove(view, p1)
    qtbot.mouseRelease(view, Qt.MouseButton.LeftButton, pos=p1)
    pair.check()
    picture_end, sound_end = (c.end for c in picture_and_sound(pair))
    assert picture_end == sound_end and abs(sound_end - 230) <= 1     # within a pixel of where it was let go


def test_deleting_the_picture_deletes_its_sound_in_one_step(window, qtbot, pair):
    view = window.timeline_view
    picture, _ = picture_and_sound(pair)
    qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=centre(view, picture.id))
    view.delete_selected()
    pair.check()
    assert pair.duration == 0
    window.edits.stack.undo()
    pair.check()
    assert len(pair.audio_tracks[0].clips) == 1


def test_split_at_the_playhead_cuts_picture_and_sound_once(window, pair):
    view = window.timeline_view
    view.set_playhead(100)
    view.select(set())
    view.split_at_playhead()    # every clip under the playhead: the pair, cut once each
    pair.check()
    assert [(c.start, c.end) for c in pair.video_tracks[0].clips] == [(30, 100), (100, 330)]
    assert [(c.start, c.end) for c in pair.audio_tracks[0].clips] == [(30, 100), (100, 330)]
    right_picture, right_sound = pair.video_tracks[0].clips[1], pair.audio_tracks[0].clips[1]
    assert right_picture.link is not None and right_picture.link == right_sound.link


def test_copy_and_paste_of_a_linked_clip_pastes_a_linked_pair(window, qtbot, pair):
    view = window.timeline_view
    picture, _ = picture_and_sound(pair)
    view.select({picture.id})
    assert view.copy_selected()
    view.set_playhead(400)
    assert view.paste_at_playhead()
    pair.check()
    pasted = [c for _, c in pair.clips() if c.start == 400]
    assert len(pasted) == 2 and pasted[0].link == pasted[1].link is not None and pasted[0].link != picture.link


# --- the clip's menu --------------------------------------------------------------------------------------------


def test_right_click_on_a_clip_offers_its_edits(window, pair):
    view = window.timeline_view
    picture, _ = picture_and_sound(pair)
    view.set_playhead(100)
    actions = right_click(view, centre(view, picture.id))
    assert {"Cut", "Copy", "Delete", "Ripple Delete", "Split at Playhead", "Unlink", "Reveal in Bin",
            "Reveal in File Manager"} <= set(actions)
    assert view.selected == {picture.id}
    actions["Split at Playhead"].trigger()
    pair.check()
    assert len(pair.video_tracks[0].clips) == len(pair.audio_tracks[0].clips) == 2


def test_unlink_from_the_menu_then_link_the_selected_pair_again(window, pair):
    view = window.timeline_view
    picture, sound = picture_and_sound(pair)
    right_click(view, centre(view, sound.id))["Unlink"].trigger()
    pair.check()
    picture, sound = picture_and_sound(pair)
    assert picture.link is None and sound.link is None
    assert window.edits.stack.undoText() == "Unlink"
    view.select({picture.id, sound.id})
    actions = right_click(view, centre(view, picture.id))
    assert "Unlink" not in actions
    actions["Link"].trigger()
    pair.check()
    picture, sound = picture_and_sound(pair)
    assert picture.link is not None and picture.link == sound.link


def test_ripple_delete_from_the_menu(window, pair):
    view = window.timeline_view
    picture, _ = picture_and_sound(pair)
    right_click(view, centre(view, picture.id))["Ripple Delete"].trigger()
    pair.check()
    assert pair.duration == 0 and window.edits.stack.undoText() == "Ripple delete"


def test_reveal_in_the_file_manager_opens_the_media_folder(window, pair, opened, tmp_path):
    pair.media["cam"] = replace(pair.media["cam"], path=str(tmp_path / "cam.mp4"))
    view = window.timeline_view
    picture, _ = picture_and_sound(pair)
    right_click(view, centre(view, picture.id))["Reveal in File Manager"].trigger()
    assert [Path(u.toLocalFile()) for u in opened.urls] == [tmp_path]


def test_reveal_in_bin_selects_the_media(window, pair):
    view = window.timeline_view
    view.reveal_in_bin.connect(window.bin.reveal)     # the window's wiring
    window.bin.refresh()                              # "cam" went into the pool behind the bin's back
    picture, _ = picture_and_sound(pair)
    right_click(view, centre(view, picture.id))["Reveal in Bin"].trigger()
    assert window.bin.currentItem().data(Qt.ItemDataRole.UserRole) == "cam"


def test_a_generated_shot_menu_has_the_clip_edits_and_the_generate_entries(window):
    tl = window.timeline
    tl.video_tracks[0].add(GeneratedClip("g", 0, 60, spec=GenerationSpec("a kite")))
    view = window.timeline_view
    view.set_zoom(4.0, 0)
    actions = right_click(view, centre(view, "g"))
    assert {"Cut", "Copy", "Delete", "Regenerate (new seed)"} <= set(actions)


# --- dropping the first clip ------------------------------------------------------------------------------------


def test_the_first_clip_dropped_near_the_start_lands_at_zero(window):
    tl = window.timeline
    tl.media["mute"] = video("mute", frames=90, audio=False)
    view = window.timeline_view
    view.zoom_to_fit()
    view.set_playhead(200)          # the playhead is elsewhere: it is 0 itself that the drop snaps to
    top, h = view.row_of(tl.video_tracks[0].id)
    drop(view, "mute", QPoint(round(view.x_of(2)), top + h // 2))
    tl.check()
    assert [(c.start, c.end) for c in tl.video_tracks[0].clips] == [(0, 90)]


def test_a_drop_near_zero_on_an_empty_track_lands_at_zero_even_with_snapping_off(window):
    tl = window.timeline
    tl.media["mute"] = video("mute", frames=90, audio=False)
    view = window.timeline_view
    view.set_zoom(3.0, 0)
    view.snapping = False
    top, h = view.row_of(tl.video_tracks[0].id)
    drop(view, "mute", QPoint(round(view.x_of(2)), top + h // 2))
    assert [c.start for c in tl.video_tracks[0].clips] == [0]


def test_a_drop_near_the_playhead_lands_on_it(window):
    tl = window.timeline
    tl.media["mute"] = video("mute", frames=90, audio=False)
    view = window.timeline_view
    view.set_zoom(3.0, 0)
    view.set_playhead(120)
    top, h = view.row_of(tl.video_tracks[0].id)
    drop(view, "mute", QPoint(round(view.x_of(122)), top + h // 2))
    assert [c.start for c in tl.video_tracks[0].clips] == [120]


# --- the bin ------------------------------------------------------------------------------------------------


@pytest.fixture
def bin_and_view(qtbot):
    """A bin and a timeline on one timeline (two video tracks, one audio), wired as the window wires them."""
    tl = Timeline.empty(video_tracks=2, audio_tracks=1)
    tl.media["cam"] = video("cam", frames=300)
    edits = Edits(tl)
    view, media_bin = TimelineView(edits), MediaBin(edits)
    media_bin.insert_requested.connect(view.insert_media_at_playhead)
    for w in (view, media_bin):
        qtbot.addWidget(w)
        w.resize(900, 400)
        w.show()
    qtbot.waitExposed(media_bin)
    return tl, edits, view, media_bin


def item_point(media_bin: MediaBin, media_id: str) -> QPoint:
    return media_bin.visualItemRect(media_bin.item_for(media_id)).center()


def test_double_clicking_a_bin_item_inserts_it_at_the_playhead_with_its_sound(qtbot, bin_and_view):
    tl, edits, view, media_bin = bin_and_view
    tl.video_tracks[0].add(MediaClip("a", 0, 60, media="cam"))
    view.set_playhead(60)
    at = item_point(media_bin, "cam")
    qtbot.mouseClick(media_bin.viewport(), Qt.MouseButton.LeftButton, pos=at)   # a double-click's first press
    qtbot.mouseDClick(media_bin.viewport(), Qt.MouseButton.LeftButton, pos=at)
    tl.check()
    (_, picture), = [(t, c) for t, c in tl.clips() if c.id != "a" and t.kind.value == "video"]
    (_, sound), = tl.linked(picture)
    assert (picture.start, sound.start) == (60, 60) and picture.duration == 300
    edits.stack.undo()
    tl.check()
    assert [c.id for _, c in tl.clips()] == ["a"]


def test_right_click_on_a_bin_item_offers_insert_reveal_relink_remove(qtbot, bin_and_view):
    tl, edits, view, media_bin = bin_and_view
    actions = right_click(media_bin.viewport(), item_point(media_bin, "cam"))
    assert set(actions) == {"Insert at Playhead", "Reveal in File Manager", "Relink…", "Remove from Project"}
    view.set_playhead(15)
    actions["Insert at Playhead"].trigger()
    tl.check()
    assert sorted((c.start, c.end) for _, c in tl.clips()) == [(15, 315), (15, 315)]


def test_remove_from_project_of_unused_media(qtbot, bin_and_view):
    tl, edits, view, media_bin = bin_and_view
    right_click(media_bin.viewport(), item_point(media_bin, "cam"))["Remove from Project"].trigger()
    assert tl.media == {} and media_bin.count() == 0


def test_remove_from_project_of_used_media_is_refused_with_the_reason_unless_confirmed(qtbot, bin_and_view):
    tl, edits, view, media_bin = bin_and_view
    view.insert_media_at_playhead("cam")
    messages: list[str] = []
    media_bin.message.connect(messages.append)
    media_bin.ask_remove_used = lambda media, clips: False          # the user says no
    right_click(media_bin.viewport(), item_point(media_bin, "cam"))["Remove from Project"].trigger()
    assert "cam" in tl.media and messages[-1] == "cam.mp4 is used by 2 clips: not removed"
    media_bin.ask_remove_used = lambda media, clips: True           # the user agrees
    right_click(media_bin.viewport(), item_point(media_bin, "cam"))["Remove from Project"].trigger()
    tl.check()
    assert tl.media == {} and tl.duration == 0
    edits.stack.undo()                                              # one step brings media and clips back
    tl.check()
    assert "cam" in tl.media and len(list(tl.clips())) == 2


def test_relink_points_the_media_at_the_chosen_file(qtbot, bin_and_view, tmp_path):
    from editor.media import synth

    tl, edits, view, media_bin = bin_and_view
    found = synth.color_clip(tmp_path / "found.mp4", "red", seconds=1)
    media_bin.ask_relink_path = lambda media: str(found)
    right_click(media_bin.viewport(), item_point(media_bin, "cam"))["Relink…"].trigger()
    qtbot.waitUntil(lambda: tl.media["cam"].path == str(found), timeout=10000)
    assert tl.media["cam"].online and edits.stack.undoText() == "Relink media"


def test_reveal_a_bin_item_in_the_file_manager(qtbot, bin_and_view, opened, tmp_path):
    tl, edits, view, media_bin = bin_and_view
    tl.media["cam"] = replace(tl.media["cam"], path=str(tmp_path / "c.mp4"))
    right_click(media_bin.viewport(), item_point(media_bin, "cam"))["Reveal in File Manager"].trigger()
    assert [Path(u.toLocalFile()) for u in opened.urls] == [tmp_path]


def test_a_multi_selection_drag_takes_the_linked_sound_along(window, qtbot, pair):
    from editor.model.commands import Insert

    view = window.timeline_view
    window.edits.do(Insert(pair.video_tracks[1].id, MediaClip("o", 0, 20, media="cam"), at=0))
    picture, sound = picture_and_sound(pair)
    view.select({picture.id, "o"})
    p0 = centre(view, picture.id)
    p1 = p0 + QPoint(round(30 * view.px_per_frame), 0)
    qtbot.mousePress(view, Qt.MouseButton.LeftButton, pos=p0)
    qtbot.mouseMove(view, p0 + QPoint(10, 0))
    qtbot.mouseMove(view, p1)
    view.grab()
    qtbot.mouseRelease(view, Qt.MouseButton.LeftButton, pos=p1)
    pair.check()
    picture, sound = picture_and_sound(pair)
    assert (picture.start, sound.start, pair.find("o")[1].start) == (60, 60, 30)
    assert picture.link == sound.link is not None
    window.edits.stack.undo()
    pair.check()
    assert [c.start for c in picture_and_sound(pair)] == [30, 30]
