"""Starting the GUI: the QApplication, the theme, the main window (and the welcome dialog when no file)."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from editor.install_places import data_places
from editor.logs import describe_internal_error, logger, setup_logging

# Qt loads lazily, after the platform check below: importing QtWidgets already needs some of the system
# libraries that check looks for.
if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

    from editor.ui.main_window import MainWindow

# The checkout's assets/ first, then where a bundle, a wheel or `pip install --user` puts it (one lookup for the
# theme, icons and fonts: editor.install_places).
STYLE_PLACES = tuple(data_places("style.qss"))


# How long `promptcut open --smoke` lets the window run its event loop before closing it.
SMOKE_MS = 1500


def stylesheet() -> str:
    """The dark theme; an empty string (Qt's Fusion look) if no copy can be read."""
    for place in STYLE_PLACES:
        try:
            return place.read_text(encoding="utf-8")
        except OSError:
            continue
    return ""


def stylesheet_path() -> Path | None:
    """The stylesheet file ``stylesheet()`` reads, or None when there is none."""
    return next((place for place in STYLE_PLACES if place.is_file()), None)


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


def run(path: str | None = None, *, smoke: bool = False) -> int:
    """Open the editor window (with ``path`` if given) and run until it closes.

    ``smoke``: no welcome dialog; the window shows, runs its event loop briefly, closes without saving or
    asking, and the result says which theme, icons and fonts it found (an install's self-check)."""
    # The window re-probes every file of a project it opens: keep those probes on disk, keyed by file
    # identity, so a reopened project does not decode headers again.
    os.environ.setdefault("PROMPTCUT_PROBE_CACHE", "1")
    setup_logging("window")
    app = application()   # first: it checks the platform libraries before anything loads Qt's widgets

    from editor.ui.main_window import MainWindow
    from editor.ui.welcome import WelcomeDialog

    window = MainWindow()
    install_exception_reporting(window.show_message)
    logger.info("editor window opened")
    window.show()
    if path and not window.open_path(path):
        return 1
    if smoke:
        return _smoke_run(app, window)
    if not path:
        dialog = WelcomeDialog(window)
        if dialog.exec():
            window.apply_welcome(dialog)
    return app.exec()


def _smoke_run(app: QApplication, window: MainWindow) -> int:
    """Run the shown window's event loop for SMOKE_MS, close it, and print one line naming the theme, icon and
    font folders in use; 1 with a line on stderr when one of them is missing (a broken install)."""
    from PySide6.QtCore import QTimer

    from editor.render.text import font_dir
    from editor.ui.icons import icons_folder

    # A smoke check never writes the user's file nor waits on a question nobody is there to answer.
    window.ask_save_changes = lambda: "discard"
    QTimer.singleShot(SMOKE_MS, window.close)
    QTimer.singleShot(4 * SMOKE_MS, app.quit)   # should the window refuse to close, the check still ends
    app.setQuitOnLastWindowClosed(True)
    app.exec()
    try:
        fonts: Path | None = font_dir()
    except FileNotFoundError:
        fonts = None
    found = {"theme": stylesheet_path(), "icons": icons_folder(), "fonts": fonts}
    missing = [name for name, place in found.items() if place is None]
    if missing:
        # Naming the folders searched tells a packager which data-files rule did not land.
        kinds = {"theme": "style.qss", "icons": "icons", "fonts": "fonts"}
        looked = dict.fromkeys(str(place.parent) for name in missing for place in data_places(kinds[name]))
        print(f"promptcut: the window opened, but this install lacks its {' and '.join(missing)} "
              f"(looked in {', '.join(looked)})", file=sys.stderr)
        return 1
    print("the window opened and closed; " + ", ".join(f"{name} {place}" for name, place in found.items()))
    return 0


def install_exception_reporting(show: Callable[[str], None]) -> ExceptionReporter:
    """Route the window's unexpected exceptions (a slot or event handler raising on the GUI thread, any other
    thread's uncaught exception) to the log with their traceback, and show the user one line naming the log."""
    reporter = ExceptionReporter(show)
    sys.excepthook = reporter.excepthook
    threading.excepthook = reporter.threading_excepthook
    return reporter


class ExceptionReporter:
    """Logs each unexpected exception in full and shows ``show`` one line on the GUI thread."""

    def __init__(self, show: Callable[[str], None]) -> None:
        from PySide6.QtCore import QObject, Qt, Signal

        class _Relay(QObject):
            # A queued signal carries a worker thread's line to the GUI thread, where widgets may be touched.
            line = Signal(str)

        self._relay = _Relay()
        self._relay.line.connect(show, Qt.ConnectionType.QueuedConnection)
        self.lines: list[str] = []   # what the user was shown, newest last (the tests read it)

    def excepthook(self, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        self._report(exc, tb, "the editor window")

    def threading_excepthook(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_type is SystemExit or args.exc_value is None:
            return
        name = args.thread.name if args.thread is not None else "a background thread"
        self._report(args.exc_value, args.exc_traceback, f"thread {name}")

    def _report(self, exc: BaseException, tb: TracebackType | None, where: str) -> None:
        try:
            line = describe_internal_error(exc, tb, where=where)
        except Exception:  # noqa: BLE001 - the hook itself must never raise: fall back to the terminal
            sys.__excepthook__(type(exc), exc, tb)
            return
        if os.environ.get("PROMPTCUT_DEBUG"):
            sys.__excepthook__(type(exc), exc, tb)
        message = f"Something went wrong — {line}"
        self.lines.append(message)
        print(f"promptcut: {line}", file=sys.stderr)
        self._relay.line.emit(message)
