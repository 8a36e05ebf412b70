"""File choosers that show whole file names and open where the user last was.

Qt's own (non-native) file dialog opens small, in a list or with a Name column about a hundred pixels wide, so
camera and generator file names ("C0042_2026-06-01_beach_sunset_take3.mp4") end in "…" and look alike.
``files_dialog`` builds one in Detail view at a useful size whose Name column is fitted to the longest name
shown (the other columns to their contents) each time a folder finishes loading or the view is resized; the
column stays draggable. ``choose_files`` runs it and remembers the folder per purpose in QSettings.

The Qt dialog rather than the platform's: the same widgets everywhere (and under Xvfb in tests); the rest of the
window's file dialogs make the same choice.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QSettings, QSize
from PySide6.QtWidgets import QApplication, QFileDialog, QFileSystemModel, QTreeView, QWidget

DIALOG_SIZE = QSize(1000, 640)   # wanted; never more than most of the screen
SCREEN_SHARE = 0.85
MIN_NAME_WIDTH = 260


def _settings() -> QSettings:
    # The same store as the recent projects (tests move it with QSettings.setPath).
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, "PromptCut", "PromptCut")


def _folder_key(key: str) -> str:
    return f"dialogs/{key}/last_folder"


def last_folder(key: str) -> str:
    """The folder the ``key`` dialog was last accepted in, while it exists; else the home folder."""
    folder = _settings().value(_folder_key(key), "", str)
    return folder if folder and Path(folder).is_dir() else str(Path.home())


def remember_folder(key: str, folder: str | Path) -> None:
    settings = _settings()
    settings.setValue(_folder_key(key), str(folder))
    settings.sync()


class _NameColumnFitter(QObject):
    """Keeps the Name column at least as wide as its longest shown name, and wide enough to take the room the
    other columns (fitted to their contents) leave."""

    def __init__(self, view: QTreeView) -> None:
        super().__init__(view)
        self.view = view
        view.header().setStretchLastSection(False)
        view.viewport().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.Resize:
            self.fit()
        return False

    def fit(self, *_ignored: object) -> None:
        view, header = self.view, self.view.header()
        if header.count() == 0:
            return
        others = 0
        for column in range(1, header.count()):
            if not header.isSectionHidden(column):
                view.resizeColumnToContents(column)
                others += header.sectionSize(column)
        room = view.viewport().width() - others
        header.resizeSection(0, max(view.sizeHintForColumn(0), room, MIN_NAME_WIDTH))


def files_dialog(parent: QWidget | None, caption: str, name_filter: str, *, key: str) -> QFileDialog:
    """An Open dialog for several existing files, in Detail view, starting in ``last_folder(key)``."""
    dialog = QFileDialog(parent, caption, last_folder(key), name_filter)
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptOpen)
    dialog.setFileMode(QFileDialog.FileMode.ExistingFiles)
    dialog.setViewMode(QFileDialog.ViewMode.Detail)
    screen = (parent.screen() if parent is not None else None) or QApplication.primaryScreen()
    size = DIALOG_SIZE
    if screen is not None:
        room = screen.availableGeometry().size()
        size = QSize(min(size.width(), int(room.width() * SCREEN_SHARE)),
                     min(size.height(), int(room.height() * SCREEN_SHARE)))
    dialog.resize(size)
    view = dialog.findChild(QTreeView, "treeView")
    model = dialog.findChild(QFileSystemModel)
    if view is not None:
        fitter = _NameColumnFitter(view)
        dialog.name_column_fitter = fitter   # for tests and for later calls to fit()
        if model is not None:
            # Folders load in the background: fit when the names are there.
            model.directoryLoaded.connect(fitter.fit)
    return dialog


def choose_files(parent: QWidget | None, caption: str, name_filter: str, *, key: str) -> list[str]:
    """Run ``files_dialog``; the chosen paths (none if cancelled). The folder is remembered for next time."""
    dialog = files_dialog(parent, caption, name_filter, key=key)
    try:
        if dialog.exec() != QFileDialog.DialogCode.Accepted:
            return []
        paths = dialog.selectedFiles()
        if paths:
            remember_folder(key, Path(paths[0]).parent)
        return paths
    finally:
        dialog.deleteLater()
