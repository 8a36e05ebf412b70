"""The media bin's thumbnail grid (loaded off the GUI thread, cached on disk) and the welcome dialog's recent
projects list."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtWidgets import QListView

from editor.media import synth
from editor.media.probe import media_source_from_info, probe
from editor.model import Timeline
from editor.ui.clip_art import ClipArt
from editor.ui.edits import Edits
from editor.ui.media_bin import MediaBin, thumb_time
from editor.ui.timeline_view import MEDIA_MIME
from editor.ui.welcome import WelcomeDialog, stored_recent_projects


@pytest.fixture(scope="module")
def media_files(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("bin-media")
    return {"video": synth.color_clip(d / "red.mp4", "red", seconds=2.0),
            "still": synth.still(d / "yellow.png"),
            "audio": synth.tone(d / "beep.wav", seconds=1.0)}


def _bin(qtbot, tmp_path, media_files, offline: bool = False) -> tuple[MediaBin, Timeline]:
    from editor.media.thumbnails import ThumbnailCache
    from editor.media.waveforms import WaveformCache

    tl = Timeline.empty()
    for key, path in media_files.items():
        tl.media[key] = media_source_from_info(probe(path), key, str(path))
    if offline:
        from dataclasses import replace

        tl.media["gone"] = replace(tl.media["video"], id="gone", path=str(tmp_path / "gone.mp4"), online=False)
    art = ClipArt(thumbs=ThumbnailCache(tmp_path / "thumbs"), waves=WaveformCache(tmp_path / "waves"))
    widget = MediaBin(Edits(tl), art=art)
    qtbot.addWidget(widget)
    widget.resize(600, 400)
    widget.show()
    return widget, tl


def _icon_colour(widget: MediaBin, media_id: str) -> tuple[int, int, int]:
    image = widget.item_for(media_id).icon().pixmap(widget.iconSize()).toImage()
    c = image.pixelColor(image.width() // 2, image.height() // 2)
    return c.red(), c.green(), c.blue()


def test_bin_is_a_thumbnail_grid_loaded_in_the_background(qtbot, tmp_path, media_files) -> None:
    widget, tl = _bin(qtbot, tmp_path, media_files, offline=True)
    assert widget.viewMode() == QListView.ViewMode.IconMode
    assert widget.count() == 4
    # placeholders right away (nothing decoded on the GUI thread), real pictures when the pool is done
    assert not any(widget.has_thumbnail(m) for m in ("video", "still", "audio"))
    qtbot.waitUntil(lambda: all(widget.has_thumbnail(m) for m in ("video", "still", "audio")), timeout=20000)
    r, g, b = _icon_colour(widget, "video")
    assert r > 200 and g < 60 and b < 60           # the red clip's frame
    r, g, b = _icon_colour(widget, "still")
    assert r > 200 and g > 200 and b < 60          # the yellow still
    # the name and length stay under the picture; offline media keep a placeholder and the OFFLINE mark
    texts = {widget.item(i).data(Qt.ItemDataRole.UserRole): widget.item(i).text() for i in range(widget.count())}
    assert texts["video"].split("\n")[0] == "red.mp4" and "00:00:02" in texts["video"].replace(";", ":")
    assert "still" in texts["still"]
    assert "OFFLINE" in texts["gone"] and not widget.has_thumbnail("gone")
    assert not widget.art.busy()
    # on disk: a second bin on the same cache folder reads the PNG instead of decoding
    from editor.media import thumbnails

    assert any((tmp_path / "thumbs").glob("*.png"))
    before = thumbnails.decode_count
    again = MediaBin(Edits(tl), art=ClipArt(thumbs=widget.art.thumbs, waves=widget.art.waves))
    qtbot.addWidget(again)
    qtbot.waitUntil(lambda: again.has_thumbnail("video") and again.has_thumbnail("still"), timeout=20000)
    assert thumbnails.decode_count == before
    assert thumb_time(tl.media["video"]) == pytest.approx(0.2)
    widget.shutdown()
    again.shutdown()


def test_refresh_keeps_loaded_icons_and_the_drag_payload(qtbot, tmp_path, media_files) -> None:
    widget, tl = _bin(qtbot, tmp_path, media_files)
    qtbot.waitUntil(lambda: widget.has_thumbnail("video"), timeout=20000)
    widget.refresh()
    assert widget.has_thumbnail("video")
    mime = widget.mimeData([widget.item_for("video")])
    assert bytes(mime.data(MEDIA_MIME)).decode() == "video"
    assert widget.dragEnabled() and widget.acceptDrops() and widget.viewport().acceptDrops()
    widget.shutdown()


def test_an_import_through_the_bin_records_the_content_hash(qtbot, tmp_path, media_files) -> None:
    from editor.media.probe import content_hash

    widget, tl = _bin(qtbot, tmp_path, media_files)
    clip = synth.color_clip(tmp_path / "blue.mp4", "blue", seconds=1.0)
    with qtbot.waitSignal(widget.imported, timeout=20000) as imported:
        widget.import_paths([str(clip)])      # probed and hashed on the bin's thread pool
    media = tl.media[imported.args[0]]
    assert media.path == str(clip) and media.content_hash == content_hash(clip)
    widget.shutdown()


# --- welcome: recent projects ---------------------------------------------------------------------------


@pytest.fixture
def settings_folder(tmp_path):
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "settings"))
    s = QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, "PromptCut", "PromptCut")
    s.clear()
    yield s
    s.clear()


def test_recent_projects_listed_missing_greyed(qtbot, tmp_path, settings_folder) -> None:
    here = tmp_path / "here.promptcut"
    here.write_text("{}")
    gone = tmp_path / "gone.promptcut"
    settings_folder.setValue("recent/projects", [str(here), str(gone)])
    settings_folder.sync()
    assert stored_recent_projects() == [str(here), str(gone)]
    dialog = WelcomeDialog()
    qtbot.addWidget(dialog)
    assert dialog.recent_paths() == [str(here), str(gone)]
    texts = [dialog.recent_list.item(i).text() for i in range(2)]
    assert texts == ["here.promptcut", "gone.promptcut  (missing)"]
    missing = dialog.recent_list.item(1)
    assert not missing.flags() & Qt.ItemFlag.ItemIsEnabled
    dialog.open_recent_item(missing)
    assert dialog.choice == "" and dialog.result() == 0
    dialog.recent_list.setCurrentRow(0)
    assert dialog.open_recent_button.isEnabled()
    qtbot.mouseClick(dialog.open_recent_button, Qt.MouseButton.LeftButton)
    assert dialog.choice == "recent" and dialog.recent_path == str(here)
    assert dialog.result() == 1


def test_recent_double_click_chooses_it(qtbot, tmp_path, settings_folder) -> None:
    here = tmp_path / "a.promptcut"
    here.write_text("{}")
    dialog = WelcomeDialog(recents=[str(here)])
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    view = dialog.recent_list
    rect = view.visualItemRect(view.item(0))
    # a real double click: a press/release, then the double-click event (QTest's DClick alone is not one)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(rect.center()))
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(rect.center()))
    assert dialog.choice == "recent" and dialog.recent_path == str(here)


def test_no_recents_hides_the_list(qtbot, settings_folder) -> None:
    dialog = WelcomeDialog()
    qtbot.addWidget(dialog)
    assert dialog.recent_paths() == []
    assert dialog.recent_list.isHidden() and dialog.open_recent_button.isHidden()
    dialog.choose("new")
    assert dialog.choice == "new" and dialog.settings().width == 1080
