"""The Help menu's dialogs: Getting Started, About PromptCut and Report a Problem.

Thin shells: what they show and write comes from ``editor/support`` (tested without Qt). The report is
collected and written on a worker thread (``promptcut doctor`` asks ldd and the sound system, which can take a
moment) and lands back on the GUI thread through a queued signal.
"""

from __future__ import annotations

import contextlib
import threading
from importlib import resources
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal, qVersion
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from editor.model import Timeline
from editor.support.report import (
    ProjectCopy,
    ReportError,
    doctor_text,
    log_files,
    log_folder,
    project_copy,
    write_report,
)
from editor.support.versions import collect_versions, versions_text

GETTING_STARTED = "getting_started.md"


def getting_started_markdown() -> str:
    """The Getting Started page, shipped inside the package (not read from a checkout)."""
    return resources.files("editor.ui").joinpath("help", GETTING_STARTED).read_text(encoding="utf-8")


class GettingStartedDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Getting Started")
        self.resize(720, 640)
        self.browser = QTextBrowser(self)
        self.browser.setOpenExternalLinks(True)
        self.browser.setMarkdown(getting_started_markdown())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser)
        layout.addWidget(buttons)


class AboutDialog(QDialog):
    """PromptCut's version and everything it runs on, with a button that copies them for a bug report."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("About PromptCut")
        self.rows = collect_versions(qVersion())
        table = "".join(f"<tr><td><b>{_html(name)}</b></td><td>&nbsp;&nbsp;{_html(value)}</td></tr>"
                        for name, value in self.rows)
        self.label = QLabel(f"<h3>PromptCut</h3><p>A video editor for recorded and generated shots.</p>"
                            f"<table>{table}</table>", self)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.label.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.copy_button = buttons.addButton("Copy Versions", QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.clicked.connect(self.copy_versions)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.label)
        layout.addWidget(buttons)

    def copy_versions(self) -> None:
        QGuiApplication.clipboard().setText(versions_text(self.rows))


class _Done(QObject):
    finished = Signal(str, bool)   # the line to show, whether it worked


class ReportDialog(QDialog):
    """Report a Problem: says what goes into the zip, lets the user add the project (with its prompts), asks
    where to write it and says in one line how it went."""

    def __init__(self, timeline: Timeline | None, path: Path | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Report a Problem")
        self.timeline, self.path = timeline, path
        self.folder = log_folder()
        intro = QLabel("PromptCut writes one zip to attach to your bug report: the log files, what "
                       "<i>promptcut doctor</i> finds on this machine, the versions in use and your operating "
                       "system. It never holds your media.", self)
        intro.setWordWrap(True)
        self.include_project = QCheckBox("Include the project and its prompts", self)
        self.include_project.setEnabled(timeline is not None)
        self.status = QLabel("", self)
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.save_button = QPushButton("Save Report…", self)
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.choose_and_write)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for widget in (intro, self.include_project, self.status, buttons):
            layout.addWidget(widget)
        self._done = _Done(self)
        self._done.finished.connect(self._finished)
        self.thread: threading.Thread | None = None
        self.last_result: tuple[str, bool] | None = None

    def choose_and_write(self) -> None:
        start = (self.path.parent if self.path else Path.home()) / "promptcut-report.zip"
        chosen, _ = QFileDialog.getSaveFileName(self, "Save problem report", str(start), "Zip archives (*.zip)")
        if chosen:
            self.write_to(Path(chosen))

    def write_to(self, target: Path) -> None:
        """Collect and write the report at ``target`` (``.zip`` added when missing) on a worker thread."""
        if target.suffix.lower() != ".zip":
            target = target.with_name(target.name + ".zip")
        project: ProjectCopy | None = None
        if self.include_project.isChecked() and self.timeline is not None:
            try:   # taken here, on the GUI thread, where the timeline is not being edited under it
                project = project_copy(self.timeline, self.path)
            except ReportError as exc:
                self._finished(str(exc), False)
                return
        rows = collect_versions(qVersion())
        self.save_button.setEnabled(False)
        self.status.setText("Writing the report…")
        self.thread = threading.Thread(target=self._write, args=(target, rows, project), daemon=True,
                                       name="problem-report")
        self.thread.start()

    def _write(self, target: Path, rows: list[tuple[str, str]], project: ProjectCopy | None) -> None:
        try:
            write_report(target, versions=rows, doctor=doctor_text(), logs=log_files(self.folder),
                         project=project)
        except ReportError as exc:
            result = (str(exc), False)
        except Exception as exc:  # noqa: BLE001 - one line in the dialog, never a traceback in the user's face
            result = (f"The report could not be written: {type(exc).__name__}", False)
        else:
            result = (f"Report written: {target}", True)
        # The dialog may have been closed and deleted while the report was written.
        with contextlib.suppress(RuntimeError):
            self._done.finished.emit(*result)

    def _finished(self, line: str, ok: bool) -> None:
        self.save_button.setEnabled(True)
        self.status.setText(line)
        self.last_result = (line, ok)


def show_getting_started(parent: QWidget) -> GettingStartedDialog:
    dialog = GettingStartedDialog(parent)
    dialog.open()
    return dialog


def show_about(parent: QWidget) -> AboutDialog:
    dialog = AboutDialog(parent)
    dialog.open()
    return dialog


def show_report(parent: QWidget, timeline: Timeline | None, path: Path | None) -> ReportDialog:
    dialog = ReportDialog(timeline, path, parent)
    dialog.open()
    return dialog


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
