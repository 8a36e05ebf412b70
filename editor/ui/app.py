"""Starting the GUI: the QApplication, the theme, the main window (and the welcome dialog when no file)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication

# The checkout's assets/ first (editable installs, development), then where a wheel install puts it.
STYLE_PLACES = (Path(__file__).resolve().parents[2] / "assets" / "style.qss",
                Path(sys.prefix) / "share" / "promptcut" / "style.qss")


def stylesheet() -> str:
    """The dark theme; an empty string (Qt's Fusion look) if no copy can be read."""
    for place in STYLE_PLACES:
        try:
            return place.read_text(encoding="utf-8")
        except OSError:
            continue
    return ""


def application() -> QApplication:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("PromptCut")
    app.setOrganizationName("PromptCut")
    app.setStyle("Fusion")
    app.setStyleSheet(stylesheet())
    return app


def run(path: str | None = None) -> int:
    """Open the editor window (with ``path`` if given) and run until it closes."""
    from editor.ui.main_window import MainWindow
    from editor.ui.welcome import WelcomeDialog

    # The window re-probes every file of a project it opens: keep those probes on disk, keyed by file
    # identity, so a reopened project does not decode headers again.
    os.environ.setdefault("PROMPTCUT_PROBE_CACHE", "1")
    app = application()
    window = MainWindow()
    window.show()
    if path:
        if not window.open_path(path):
            return 1
    else:
        dialog = WelcomeDialog(window)
        if dialog.exec():
            window.apply_welcome(dialog)
    return app.exec()
