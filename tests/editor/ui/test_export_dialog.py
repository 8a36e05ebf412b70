"""The export dialog in the real window: real widgets, real ffmpeg, a small 180x320 project."""

from __future__ import annotations

import time
from fractions import Fraction
from pathlib import Path

import av
import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QDesktopServices
from ui_support import OpenedUrls, shown

from editor.media import synth
from editor.media.probe import media_source_from_info, probe
from editor.model import Settings, Timeline
from editor.model.testing import clip
from editor.ui.export_dialog import ExportDialog
from editor.ui.main_window import MainWindow


@pytest.fixture(scope="module")
def media_files(tmp_path_factory) -> list[Path]:
    folder = tmp_path_factory.mktemp("export_media")
    return [synth.color_clip(folder / "red.mp4", "red", seconds=1, size=(180, 320)),
            synth.color_clip(folder / "blue.mp4", "blue", seconds=1, size=(180, 320))]


def _timeline(media_files: list[Path], repeats: int = 1) -> Timeline:
    """Red and blue (1 s each) alternating ``repeats`` times on V1 of a 180x320, 30 fps project."""
    tl = Timeline.empty(Settings(width=180, height=320, fps=Fraction(30)), video_tracks=1, audio_tracks=1)
    ids = []
    for i, path in enumerate(media_files):
        source = media_source_from_info(probe(str(path)), f"m{i}", str(path))
        tl.media[source.id] = source
        ids.append(source.id)
    start = 0
    for _ in range(repeats):
        for media_id in ids:
            tl.video_tracks[0].clips.append(clip(media_id, start, 30))
            start += 30
    tl.check()
    return tl


def _window(qtbot, tl: Timeline, path: Path | None = None) -> MainWindow:
    return shown(qtbot, MainWindow(tl, path), (1200, 700))


def _open(window: MainWindow, qtbot) -> ExportDialog:
    action = window.actions_by_name["export"]
    assert action.isEnabled()
    assert action.shortcut().toString() == "Ctrl+M"
    action.trigger()
    dialog = window._export_dialog
    qtbot.waitExposed(dialog)
    return dialog


def _frames(path: Path) -> tuple[int, int, int]:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        n = sum(1 for _ in container.decode(stream))
        return n, stream.codec_context.width, stream.codec_context.height


def test_export_from_the_dialog_makes_a_decodable_file(qtbot, media_files, tmp_path) -> None:
    window = _window(qtbot, _timeline(media_files), tmp_path / "My Project.promptcut")
    dialog = _open(window, qtbot)
    assert dialog.dest_edit.text() == str(tmp_path / "My Project.mp4")   # next to the project
    assert dialog.preset_box.currentText() == "Project settings"
    assert dialog.size_edit.text() == "180x320"
    assert dialog.encoder_box.currentData() == "libx264"
    out = tmp_path / "out.mp4"
    dialog.dest_edit.setText(str(out))
    with qtbot.waitSignal(dialog.export_finished, timeout=60000) as blocker:
        qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    assert blocker.args == [True], dialog.status_label.text()
    assert dialog.status_label.text() == f"Exported to {out}"
    assert dialog.progress_bar.value() == 1000
    assert _frames(out) == (60, 180, 320)


def _buttons(dialog: ExportDialog) -> list[str]:
    return [b.text() for b in (dialog.open_folder_button, dialog.play_button, dialog.export_button,
                               dialog.cancel_button) if b.isVisible()]


def test_a_finished_export_offers_open_folder_play_and_close(qtbot, media_files, tmp_path) -> None:
    window = _window(qtbot, _timeline(media_files))
    dialog = _open(window, qtbot)
    assert _buttons(dialog) == ["Export", "Cancel"]
    out = tmp_path / "done.mp4"
    dialog.dest_edit.setText(str(out))
    with qtbot.waitSignal(dialog.export_finished, timeout=60000) as blocker:
        qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    assert blocker.args == [True], dialog.status_label.text()
    assert _buttons(dialog) == ["Open folder", "Play", "Close"]
    opened = OpenedUrls()
    QDesktopServices.setUrlHandler("file", opened, "open")
    try:
        qtbot.mouseClick(dialog.play_button, Qt.MouseButton.LeftButton)
        qtbot.mouseClick(dialog.open_folder_button, Qt.MouseButton.LeftButton)
    finally:
        QDesktopServices.unsetUrlHandler("file")
    assert [Path(url.toLocalFile()) for url in opened.urls] == [out, tmp_path]
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    # opened again, it is ready for the next export
    assert window.export_dialog() is dialog
    assert _buttons(dialog) == ["Export", "Cancel"]
    assert dialog.status_label.text() == "Ready" and dialog.progress_bar.value() == 0


def test_a_failed_export_shows_the_reason_and_close(qtbot, media_files, tmp_path) -> None:
    window = _window(qtbot, _timeline(media_files))
    dialog = _open(window, qtbot)
    dialog.dest_edit.setText(str(tmp_path / "missing folder" / "out.mp4"))
    with qtbot.waitSignal(dialog.export_finished, timeout=30000) as blocker:
        qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    assert blocker.args == [False]
    assert dialog.status_label.text() == dialog.last_error and "\n" not in dialog.last_error
    assert _buttons(dialog) == ["Export", "Close"]   # Export again once the destination is put right
    dialog.dest_edit.clear()
    qtbot.keyClicks(dialog.dest_edit, str(tmp_path / "out.mp4"))
    assert _buttons(dialog) == ["Export", "Cancel"] and dialog.status_label.text() == "Ready"
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()


def test_edits_during_export_do_not_reach_the_file(qtbot, media_files, tmp_path) -> None:
    window = _window(qtbot, _timeline(media_files))
    dialog = _open(window, qtbot)
    out = tmp_path / "snap.mp4"
    dialog.dest_edit.setText(str(out))
    with qtbot.waitSignal(dialog.export_finished, timeout=60000) as blocker:
        qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
        window.timeline.video_tracks[0].clips.pop()   # the snapshot was taken at the click
    assert blocker.args == [True], dialog.status_label.text()
    assert _frames(out)[0] == 60


def test_cancel_leaves_nothing_at_the_destination(qtbot, media_files, tmp_path) -> None:
    window = _window(qtbot, _timeline(media_files, repeats=30))   # 60 s
    dialog = _open(window, qtbot)
    folder = tmp_path / "cancel"
    folder.mkdir()
    out = folder / "long.mp4"
    dialog.dest_edit.setText(str(out))
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.status_label.text().startswith("Rendering"), timeout=30000)
    assert dialog.running
    with qtbot.waitSignal(dialog.export_finished, timeout=30000) as blocker:
        qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert blocker.args == [False]
    assert dialog.status_label.text() == "Export cancelled"
    assert not dialog.running
    assert not out.exists()
    assert list(folder.iterdir()) == []   # no temporary files either
    assert dialog.export_button.isEnabled()


def test_unwritable_destination_shows_a_one_line_error(qtbot, media_files, tmp_path) -> None:
    window = _window(qtbot, _timeline(media_files))
    dialog = _open(window, qtbot)
    out = tmp_path / "no such folder" / "out.mp4"
    dialog.dest_edit.setText(str(out))
    with qtbot.waitSignal(dialog.export_finished, timeout=30000) as blocker:
        qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    assert blocker.args == [False]
    message = dialog.status_label.text()
    assert message.startswith("cannot write to") and "no such folder" in message
    assert "\n" not in message and message == dialog.last_error
    assert not out.exists() and not out.parent.exists()


def test_window_stays_responsive_during_export(qtbot, media_files, tmp_path) -> None:
    window = _window(qtbot, _timeline(media_files, repeats=20))   # 40 s
    dialog = _open(window, qtbot)
    out = tmp_path / "responsive.mp4"
    dialog.dest_edit.setText(str(out))
    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    timer.start()
    qtbot.wait(50)
    with qtbot.waitSignal(dialog.export_finished, timeout=120000) as blocker:
        qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
        started = time.perf_counter()
    ended = time.perf_counter()
    timer.stop()
    assert blocker.args == [True], dialog.status_label.text()
    during = [t for t in ticks if t >= started - 0.05] + [ended]
    gaps = [b - a for a, b in zip(during, during[1:], strict=False)]
    stall = max(gaps)
    print(f"\nexport took {ended - started:.2f} s; {len(gaps)} timer ticks; max GUI stall {stall * 1000:.1f} ms")
    assert ended - started > 0.2   # the export really ran while we measured
    assert stall < 0.5
    assert _frames(out)[0] == 1200


def test_closing_the_window_during_export_asks_then_cancels_it_cleanly(qtbot, media_files, tmp_path) -> None:
    window = _window(qtbot, _timeline(media_files, repeats=30))   # 60 s
    dialog = _open(window, qtbot)
    out = tmp_path / "closing" / "long.mp4"
    out.parent.mkdir()
    dialog.dest_edit.setText(str(out))
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.status_label.text().startswith("Rendering"), timeout=30000)
    asked: list[bool] = []
    window.ask_stop_export = lambda: asked.append(False) or False   # "No": keep working
    assert not window.close()
    assert asked == [False] and dialog.running and window.isVisible()
    window.ask_stop_export = lambda: asked.append(True) or True
    assert window.close()
    assert asked == [False, True]
    assert not dialog.running
    assert list(out.parent.iterdir()) == []   # neither the file nor its hidden partial
