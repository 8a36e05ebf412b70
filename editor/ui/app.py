"""Starting the GUI: the QApplication, the theme, the main window (and the welcome dialog when no file)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

# Qt loads lazily, after the platform check below: importing QtWidgets already needs some of the system
# libraries that check looks for.
if TYPE_CHECKING:
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


def refuse_missing_platform_libraries() -> None:
    """Exit with one or two lines naming the missing system packages where Qt's X11 plugin cannot load.

    Left alone, Qt aborts there with a message that names ``libxcb-cursor0`` whatever is actually missing
    (usually ``libxcb-icccm4`` and ``libxcb-keysyms1`` on a bare Debian or Ubuntu).
    """
    from editor.doctor import startup_problem

    problem = startup_problem(os.environ)
    if problem:
        print("\n".join(problem), file=sys.stderr)
        raise SystemExit(1)


def application() -> QApplication:
    loaded = sys.modules.get("PySide6.QtWidgets")
    if loaded is None or loaded.QApplication.instance() is None:
        refuse_missing_platform_libraries()
    try:
        from PySide6.QtWidgets import QApplication
    except ImportError as exc:   # no PySide6, or a Qt library the platform check does not cover (offscreen)
        print(f"promptcut: error: the editor window needs PySide6 ({exc}); `promptcut doctor` tells what is "
              "missing", file=sys.stderr)
        raise SystemExit(1) from None

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("PromptCut")
    app.setOrganizationName("PromptCut")
    app.setStyle("Fusion")
    app.setStyleSheet(stylesheet())
    return app


def run(path: str | None = None) -> int:
    """Open the editor window (with ``path`` if given) and run until it closes."""
    # The window re-probes every file of a project it opens: keep those probes on disk, keyed by file
    # identity, so a reopened project does not decode headers again.
    os.environ.setdefault("PROMPTCUT_PROBE_CACHE", "1")
    app = application()   # first: it checks the platform libraries before anything loads Qt's widgets

    from editor.ui.main_window import MainWindow
    from editor.ui.welcome import WelcomeDialog

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
