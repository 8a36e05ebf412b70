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
