"""Headless Qt for the window's tests, and the window most of them drive."""

import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture
def window(qtbot):
    """A shown 1400x800 main window on an empty timeline (two video tracks, one audio track) that never asks
    to save."""
    from editor.model import Timeline
    from editor.ui.main_window import MainWindow

    w = MainWindow(Timeline.empty(video_tracks=2, audio_tracks=1))
    w.ask_save_changes = lambda: "discard"
    qtbot.addWidget(w)
    w.resize(1400, 800)
    w.show()
    qtbot.waitExposed(w)
    return w
