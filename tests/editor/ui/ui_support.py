"""Helpers for the window's tests (imported by plain name: this folder's conftest puts it on sys.path)."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, QUrl, Slot

from editor.model import GeneratedClip
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


def generated(w: MainWindow) -> list[GeneratedClip]:
    return [c for _, c in w.timeline.clips() if isinstance(c, GeneratedClip)]


def submit_prompt(qtbot, w: MainWindow, prompt: str, *, steps: int = 0) -> GeneratedClip:
    """In the open prompt box: pick the tiny test model, type ``prompt``, press Enter; the new shot."""
    box = w.shots.prompt_box
    assert box is not None and box.isVisible()
    box.model.setCurrentIndex(box.model.findData("tiny-wan"))
    if steps:
        box.steps.setValue(steps)
    before = {c.id for c in generated(w)}
    qtbot.keyClicks(box.prompt, prompt)
    qtbot.keyClick(box.prompt, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: w.shots.prompt_box is None or bool(box.error.text()), timeout=60000)
    assert w.shots.prompt_box is None, box.error.text()
    (shot,) = [c for c in generated(w) if c.id not in before]
    return shot
