"""Helpers for the window's tests (imported by plain name: this folder's conftest puts it on sys.path)."""

from __future__ import annotations

from editor.ui.main_window import MainWindow


def shown(qtbot, w: MainWindow, size: tuple[int, int] = (1400, 800)) -> MainWindow:
    """``w`` shown at ``size``, closed by qtbot, never asking to save."""
    w.ask_save_changes = lambda: "discard"
    qtbot.addWidget(w)
    w.resize(*size)
    w.show()
    qtbot.waitExposed(w)
    return w
