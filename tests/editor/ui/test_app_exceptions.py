"""The window's unexpected exceptions: the full traceback goes to the log file, the user sees one line naming it
(offscreen Qt, a real log file)."""

from __future__ import annotations

import sys
import threading

import pytest

from editor import logs
from editor.ui.app import install_exception_reporting


@pytest.fixture
def reporting(window, tmp_path, monkeypatch):
    """The window's exception reporting installed as ``run()`` installs it, with this test's log folder."""
    monkeypatch.setenv(logs.LOG_DIR_ENV, str(tmp_path / "logs"))
    monkeypatch.delenv("PROMPTCUT_DEBUG", raising=False)
    logs.setup_logging("window")
    # Restored in the test body's order (pytest-qt puts its own hook back when the call ends).
    before = sys.excepthook, threading.excepthook
    reporter = install_exception_reporting(window.show_message)
    try:
        yield reporter
    finally:
        sys.excepthook, threading.excepthook = before
        logs.stop_logging()


def test_an_exception_in_a_slot_is_logged_in_full_and_shown_as_one_line(window, reporting, qtbot, capsys):
    from PySide6.QtCore import QTimer

    def zoom_handler_with_a_bug():
        raise ZeroDivisionError("zoom level 0")

    QTimer.singleShot(0, zoom_handler_with_a_bug)
    log = logs.log_path()
    qtbot.waitUntil(lambda: "zoom level 0" in window.statusBar().currentMessage(), timeout=5000)

    shown = window.statusBar().currentMessage()
    assert "\n" not in shown
    assert "internal error: ZeroDivisionError: zoom level 0" in shown and str(log) in shown
    text = log.read_text(encoding="utf-8")
    assert "window ERROR promptcut: internal error in the editor window: ZeroDivisionError: zoom level 0" in text
    assert "Traceback (most recent call last):" in text and "in zoom_handler_with_a_bug" in text
    assert "Traceback" not in capsys.readouterr().err


def test_a_background_threads_exception_reaches_the_window_as_one_line(window, reporting, qtbot):
    def export_thread_with_a_bug():
        raise KeyError("missing stream")

    thread = threading.Thread(target=export_thread_with_a_bug, name="export")
    thread.start()
    thread.join()
    qtbot.waitUntil(lambda: "missing stream" in window.statusBar().currentMessage(), timeout=5000)

    assert reporting.lines == [window.statusBar().currentMessage()]
    text = logs.log_path().read_text(encoding="utf-8")
    assert "internal error in thread export: KeyError: 'missing stream'" in text
    assert "in export_thread_with_a_bug" in text
