"""Helpers for the window's tests (imported by plain name: this folder's conftest puts it on sys.path)."""

from __future__ import annotations

from PySide6.QtCore import QObject, QUrl, Slot

from editor.ui.main_window import MainWindow


def shown(qtbot, w: MainWindow, size: tuple[int, int] = (1400, 800)) -> MainWindow:
    """``w`` shown at ``size``, closed by qtbot, never asking to save."""
    w.ask_save_changes = lambda: "discard"
    qtbot.addWidget(w)
    w.resize(*size)
    w.show()
    qtbot.waitExposed(w)
    return w


class OpenedUrls(QObject):
    """Stands in as the desktop's handler of file: URLs (Qt's own hook, QDesktopServices.setUrlHandler), so
    opening a file or folder starts no real program; ``urls`` are what would have been opened."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[QUrl] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.urls.append(url)
