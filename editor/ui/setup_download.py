"""The setup wizard's "Download" page: one row per ticked model with its progress bar, bytes and time left,
Pause / Resume, Cancel, and Retry after a failure (a checksum that does not match, the network gone).

One model downloads at a time, in the order ticked; a paused one lets the next go first. ``fetch_model`` runs
in a ``Task`` (a plain thread): Pause sets its ``stop`` event and it ends with ``FetchPaused``, keeping what
arrived, so Resume calls ``fetch_model`` again and it carries on from there. Cancel forgets the partial files.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

from editor.generate.catalog import _human
from editor.setup.fetch import (
    ChecksumMismatch,
    FetchPaused,
    FetchProgress,
    discard_partial,
    fetch_model,
    partial_bytes,
)
from editor.setup.index import IndexEntry, NoNetwork
from editor.ui.model_downloads import one_line
from editor.ui.setup_pages import DIM, GOOD, WARN, title, wrapped
from editor.ui.setup_tasks import Task, duration_text

# A row's states: waiting -> downloading -> installed, or paused / failed / cancelled on the way.
WAITING, DOWNLOADING, PAUSING, PAUSED, CANCELLING, CANCELLED, FAILED, INSTALLED = (
    "waiting", "downloading", "pausing", "paused", "cancelling", "cancelled", "failed", "installed")


class FetchRow(QFrame):
    """One model's download: name, bar, a line of text, and the buttons that fit its state."""

    def __init__(self, entry: IndexEntry, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        model = entry.model
        self.entry = entry
        self.state = WAITING
        self.stop = threading.Event()
        self.task: Task | None = None
        self.path: Path | None = None
        self.error = ""
        self.setObjectName("setup-fetch")
        self.setStyleSheet("QFrame#setup-fetch { background: #1f2127; border: 1px solid #2c2f37; "
                           "border-radius: 6px; } QFrame#setup-fetch QLabel { background: transparent; }")
        self.name = QLabel(f"<b>{model.display_name}</b>")
        self.bar = QProgressBar()
        self.bar.setObjectName(f"fetch-bar-{model.id}")
        self.bar.setRange(0, 1000)
        self.bar.setTextVisible(True)
        self.line = wrapped("", name=f"fetch-line-{model.id}")
        self.pause_button = self._button("Pause", f"pause-{model.id}")
        self.resume_button = self._button("Resume", f"resume-{model.id}")
        self.retry_button = self._button("Retry", f"retry-{model.id}")
        self.cancel_button = self._button("Cancel", f"cancel-{model.id}")
        buttons = QHBoxLayout()
        buttons.setSpacing(6)
        for b in (self.pause_button, self.resume_button, self.retry_button, self.cancel_button):
            buttons.addWidget(b)
        grid = QGridLayout(self)
        grid.setContentsMargins(10, 8, 10, 8)
        grid.addWidget(self.name, 0, 0)
        grid.addLayout(buttons, 0, 1, Qt.AlignmentFlag.AlignRight)
        grid.addWidget(self.bar, 1, 0, 1, 2)
        grid.addWidget(self.line, 2, 0, 1, 2)
        grid.setColumnStretch(0, 1)

    @staticmethod
    def _button(text: str, name: str) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.setStyleSheet("QPushButton { padding: 3px 10px; }")
        return button

    @property
    def model_id(self) -> str:
        return self.entry.model.id

    def set_progress(self, done: int, total: int, left: float | None = None) -> None:
        if total > 0:
            self.bar.setValue(int(1000 * min(1.0, done / total)))
            self.bar.setFormat(f"{_human(done)} / {_human(total)}")

    def show_state(self, state: str, text: str = "", *, colour: str = "") -> None:
        self.state = state
        self.pause_button.setVisible(state == DOWNLOADING)
        self.resume_button.setVisible(state == PAUSED)
        self.retry_button.setVisible(state in (FAILED, CANCELLED))
        self.retry_button.setText("Download" if state == CANCELLED else "Retry")
        self.cancel_button.setVisible(state in (WAITING, DOWNLOADING, PAUSED, FAILED))
        for b in (self.pause_button, self.cancel_button):
            b.setEnabled(state not in (PAUSING, CANCELLING))
        self.line.setText(text)
        self.line.setStyleSheet(f"QLabel {{ color: {colour}; }}" if colour else "")


class DownloadPage(QWidget):
    """``installed(model_id, path)`` as each model lands; ``changed`` whenever a row's state does."""

    installed = Signal(str, str)
    changed = Signal()

    def __init__(self, models_root: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.models_root = models_root
        self.rows: list[FetchRow] = []
        self.summary = wrapped("", name="setup-download-summary", dim=True)
        self.rows_layout = QVBoxLayout()
        self.rows_layout.setSpacing(8)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addWidget(title("Download"))
        layout.addWidget(self.summary)
        layout.addLayout(self.rows_layout)
        layout.addStretch(1)

    # -- the queue ----------------------------------------------------------------------------------------------
    def set_entries(self, entries: Sequence[IndexEntry]) -> None:
        """Queue ``entries`` (rows already there for the same models keep their state)."""
        keep = {r.model_id: r for r in self.rows}
        wanted = {e.model.id for e in entries}
        # A row whose thread still runs stays (its download is paused or cancelled from its own buttons).
        running = [r for r in self.rows if r.model_id not in wanted and r.task is not None and r.task.running]
        for row in self.rows:
            if row.model_id not in wanted and row not in running:
                self.rows_layout.removeWidget(row)
                row.deleteLater()
        self.rows = list(running)
        for entry in entries:
            row = keep.get(entry.model.id) or self._make_row(entry)
            self.rows.append(row)
            self.rows_layout.addWidget(row)
        self._start_next()

    def _make_row(self, entry: IndexEntry) -> FetchRow:
        row = FetchRow(entry)
        row.pause_button.clicked.connect(lambda: self.pause(row.model_id))
        row.resume_button.clicked.connect(lambda: self.resume(row.model_id))
        row.retry_button.clicked.connect(lambda: self.resume(row.model_id))
        row.cancel_button.clicked.connect(lambda: self.cancel(row.model_id))
        already = partial_bytes(entry, self.models_root)
        row.set_progress(already, entry.size_bytes)
        if not already:
            row.bar.setFormat(f"0 B / {_human(entry.size_bytes)}")
        row.show_state(WAITING, "waiting" + (f" (resumes from {_human(already)})" if already else ""),
                       colour=DIM)
        return row

    def row(self, model_id: str) -> FetchRow | None:
        return next((r for r in self.rows if r.model_id == model_id), None)

    def busy(self) -> bool:
        return any(r.task is not None and r.task.running for r in self.rows)

    def done(self) -> bool:
        """Nothing left to download or waiting (installed, failed, paused or cancelled rows may remain)."""
        return not self.busy() and not any(r.state == WAITING for r in self.rows)

    def installed_ids(self) -> list[str]:
        return [r.model_id for r in self.rows if r.state == INSTALLED]

    def _start_next(self) -> None:
        if not any(r.state in (DOWNLOADING, PAUSING, CANCELLING) for r in self.rows):
            row = next((r for r in self.rows if r.state == WAITING), None)
            if row is not None:
                self._fetch(row)
        self._summarise()

    def _fetch(self, row: FetchRow) -> None:
        row.stop = threading.Event()
        entry, root, stop = row.entry, self.models_root, row.stop

        def work(report):
            return fetch_model(entry, root, progress=report, stop=stop)

        task = row.task = Task(row.model_id, work, self)
        task.progress.connect(lambda p, r=row: self._on_progress(r, p))
        task.finished.connect(lambda path, r=row: self._on_finished(r, path))
        task.failed.connect(lambda exc, r=row: self._on_failed(r, exc))
        row.show_state(DOWNLOADING, "starting…")
        task.start()

    # -- the buttons ---------------------------------------------------------------------------------------------
    def pause(self, model_id: str) -> None:
        row = self.row(model_id)
        if row is not None and row.state == DOWNLOADING:
            row.stop.set()
            row.show_state(PAUSING, "pausing…", colour=DIM)

    def resume(self, model_id: str) -> None:
        """Resume a paused download or retry a failed one (it carries on from the files that were checked)."""
        row = self.row(model_id)
        if row is None or row.state not in (PAUSED, FAILED, CANCELLED):
            return
        row.show_state(WAITING, "waiting", colour=DIM)
        self._start_next()

    def cancel(self, model_id: str) -> None:
        """Stop and forget a download: what arrived is removed."""
        row = self.row(model_id)
        if row is None:
            return
        if row.state == DOWNLOADING:
            row.stop.set()
            row.show_state(CANCELLING, "cancelling…", colour=DIM)
            return
        if row.state in (WAITING, PAUSED, FAILED):
            self._discard(row)

    def stop_all(self) -> None:
        """Pause every download (the wizard is closing): what arrived is kept for the next time."""
        for row in self.rows:
            if row.state == DOWNLOADING:
                row.stop.set()
                row.state = PAUSING

    def _discard(self, row: FetchRow) -> None:
        entry, root = row.entry, self.models_root
        task = row.task = Task(f"discard-{row.model_id}", lambda _report: discard_partial(entry, root), self)
        task.finished.connect(lambda _none, r=row: self._discarded(r))
        task.failed.connect(lambda exc, r=row: self._discarded(r, exc))
        row.show_state(CANCELLING, "removing what was downloaded…", colour=DIM)
        task.start()

    def _discarded(self, row: FetchRow, exc: Exception | None = None) -> None:
        row.set_progress(0, row.entry.size_bytes)
        row.bar.setFormat(f"0 B / {_human(row.entry.size_bytes)}")
        if exc is None:
            row.show_state(CANCELLED, "cancelled; nothing was kept", colour=DIM)
        else:
            row.show_state(CANCELLED, f"cancelled, but the partial files stay: {one_line(exc)}", colour=WARN)
        self._start_next()

    # -- what the thread tells -----------------------------------------------------------------------------------
    def _on_progress(self, row: FetchRow, p: FetchProgress) -> None:
        row.set_progress(p.done_bytes, p.total_bytes, p.seconds_left)
        if row.state == DOWNLOADING:
            left = duration_text(p.seconds_left)
            row.line.setText(f"{p.current_file}" + (f" — {left}" if left else ""))

    def _on_finished(self, row: FetchRow, path) -> None:
        row.path = Path(path)
        row.set_progress(row.entry.size_bytes, row.entry.size_bytes)
        row.show_state(INSTALLED, f"installed in {row.path}", colour=GOOD)
        self.installed.emit(row.model_id, str(row.path))
        self._start_next()

    def _on_failed(self, row: FetchRow, exc: Exception) -> None:
        if isinstance(exc, FetchPaused):
            if row.state == CANCELLING:
                self._discard(row)
                return
            done = partial_bytes(row.entry, self.models_root)
            row.set_progress(done, row.entry.size_bytes)
            row.show_state(PAUSED, f"paused at {_human(done)}; Resume carries on from there", colour=DIM)
        else:
            if isinstance(exc, ChecksumMismatch):
                why = one_line(exc)
            elif isinstance(exc, NoNetwork):
                why = f"no network: {one_line(exc)}"
            else:
                why = one_line(exc) or type(exc).__name__
            row.error = why
            row.show_state(FAILED, why, colour=WARN)
        self._start_next()

    def _summarise(self) -> None:
        total = len(self.rows)
        ready = len(self.installed_ids())
        if not total:
            text = "Nothing to download."
        elif ready == total:
            text = f"All {total} downloaded and checked." if total > 1 else "Downloaded and checked."
        else:
            text = (f"{ready} of {total} installed. Every file's checksum is verified before a model counts as "
                    "installed; a paused download resumes where it stopped, even after PromptCut closes.")
        self.summary.setText(text)
        self.changed.emit()

    def join(self, timeout: float = 30.0) -> None:
        for row in self.rows:
            if row.task is not None:
                row.task.join(timeout)
