"""Headless Qt for the window's tests, and the window most of them drive."""

import os
import sys
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).parent))   # ui_support, imported by plain name (--import-mode=importlib)


@pytest.fixture
def window(qtbot):
    """A shown 1400x800 main window on an empty timeline (two video tracks, one audio track) that never asks
    to save."""
    from ui_support import shown

    from editor.model import Timeline
    from editor.ui.main_window import MainWindow

    return shown(qtbot, MainWindow(Timeline.empty(video_tracks=2, audio_tracks=1)))


@pytest.fixture
def own_settings(tmp_path, monkeypatch):
    """Recovery copies and the recent-projects list in this test's own folder, emptied before and after."""
    from PySide6.QtCore import QSettings

    from editor.ui import main_window

    monkeypatch.setenv("PROMPTCUT_RECOVERY", str(tmp_path / "recovery"))
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "settings"))
    main_window._recent_settings().clear()
    yield
    main_window._recent_settings().clear()
