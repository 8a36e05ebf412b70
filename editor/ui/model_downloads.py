"""Downloading models off the GUI thread, for both tabs of the Models dialog (video models; voices & sound).

``Downloads.start(model_id, fetch, target)`` runs ``fetch(report)`` on a plain thread. The thread only emits
signals of a QObject living in the GUI thread (delivered queued), so widgets are touched from the GUI thread
only and the window stays responsive. ``cancel(model_id)`` makes the next progress report raise
``DownloadCancelled`` inside the download (the hub client stops there). A download that fails or is cancelled
removes the model's folder when it did not exist before it started: nothing half-written is left behind.

``sound_models_notifier()`` says "the sound models on this machine changed" to every voice list in the window
(the storyboard's and the script dialog's combos refresh their "(download)" labels).
"""

from __future__ import annotations

import contextlib
import shutil
import threading
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QStackedWidget, QWidget

from editor.generate.catalog import ModelError, _human

Report = Callable[[int, int | None, float | None], None]   # bytes done, bytes total, seconds left


# A red that reads on the light default palette and on the window's dark theme alike.
RESTRICTED_COLOUR = QColor("#d9534f")
ACTION_WIDTH = 200   # the Download / progress column: wide enough for "1.23 / 4.56 GB" and the ✕


class DownloadCancelled(Exception):
    """Raised from a progress report once the person cancelled; ends the download where it stands."""


def one_line(text: object) -> str:
    lines = [" ".join(line.split()) for line in str(text).splitlines() if line.strip()]
    return lines[0] if lines else "failed"


class _Bridge(QObject):
    """Lives in the GUI thread; download threads only emit these (delivered queued)."""

    progress = Signal(str, object, object)   # model id, bytes done, bytes total (or None)
    finished = Signal(str, str)              # model id, path
    failed = Signal(str, str)                # model id, one-line reason
    cancelled = Signal(str)                  # model id


class Downloads(QObject):
    """The downloads under way; its signals arrive in the GUI thread once the work thread is done with them."""

    progress = Signal(str, object, object)
    finished = Signal(str, str)
    failed = Signal(str, str)
    cancelled = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._running: dict[str, tuple[threading.Thread, threading.Event]] = {}
        self._bridge = _Bridge(self)
        queued = Qt.ConnectionType.QueuedConnection
        self._bridge.progress.connect(self.progress, queued)
        self._bridge.finished.connect(lambda mid, path: self._done(mid) or self.finished.emit(mid, path), queued)
        self._bridge.failed.connect(lambda mid, why: self._done(mid) or self.failed.emit(mid, why), queued)
        self._bridge.cancelled.connect(lambda mid: self._done(mid) or self.cancelled.emit(mid), queued)

    def running(self) -> list[str]:
        return list(self._running)

    def is_running(self, model_id: str) -> bool:
        return model_id in self._running

    def cancelling(self, model_id: str) -> bool:
        entry = self._running.get(model_id)
        return entry is not None and entry[1].is_set()

    def cancel(self, model_id: str) -> None:
        entry = self._running.get(model_id)
        if entry is not None:
            entry[1].set()

    def _done(self, model_id: str) -> None:
        self._running.pop(model_id, None)

    def start(self, model_id: str, fetch: Callable[[Report], object], target: Path | None) -> None:
        """Run ``fetch(report)`` on a thread; ``target`` is the folder it fills (removed again on failure when
        it is new)."""
        if model_id in self._running:
            return
        stop = threading.Event()
        bridge = self._bridge
        was_there = target is None or target.exists()

        def emit(signal, *args) -> None:
            with contextlib.suppress(RuntimeError):   # the dialog is gone; nothing to tell
                signal.emit(*args)

        def report(done: int, total: int | None, _left: float | None) -> None:
            if stop.is_set():
                raise DownloadCancelled(model_id)
            emit(bridge.progress, model_id, done, total)

        def clean() -> None:
            if not was_there and target is not None:
                shutil.rmtree(target, ignore_errors=True)

        def work() -> None:
            try:
                path = fetch(report)
            except DownloadCancelled:
                clean()
                emit(bridge.cancelled, model_id)
            except Exception as exc:   # noqa: BLE001 - never a traceback in the GUI: one line says what went wrong
                clean()
                if stop.is_set():   # what broke after a cancel is the cancel's doing (a thread of the hub client)
                    emit(bridge.cancelled, model_id)
                elif isinstance(exc, ModelError):
                    emit(bridge.failed, model_id, one_line(exc))
                else:
                    emit(bridge.failed, model_id,
                         f"cannot download {model_id}: {one_line(exc) or type(exc).__name__}")
            else:
                emit(bridge.finished, model_id, str(path))

        thread = threading.Thread(target=work, name=f"download-{model_id}", daemon=True)
        self._running[model_id] = (thread, stop)
        thread.start()


class ActionCell(QStackedWidget):
    """Per row: a Download button, then a progress bar (with a ✕ that cancels) while it downloads, or a label."""

    def __init__(self, model_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.button = QPushButton("Download")
        self.button.setObjectName(f"download-{model_id}")
        self.bar = QProgressBar()
        self.bar.setObjectName(f"progress-{model_id}")
        self.bar.setTextVisible(True)
        self.bar.setMinimumWidth(160)
        # The cancel button sits inside the bar's right end, so the bar keeps its place in the row.
        self.cancel_button = QPushButton("✕")
        self.cancel_button.setObjectName(f"cancel-{model_id}")
        self.cancel_button.setToolTip("Cancel this download (what was fetched so far is removed)")
        self.cancel_button.setFixedSize(22, 20)
        self.cancel_button.setStyleSheet("QPushButton { padding: 0; margin: 0; }")
        inside = QHBoxLayout(self.bar)
        inside.setContentsMargins(0, 0, 2, 0)
        inside.addStretch(1)
        inside.addWidget(self.cancel_button, 0, Qt.AlignmentFlag.AlignVCenter)
        self.label = QLabel("")
        self.label.setContentsMargins(6, 0, 6, 0)
        self.addWidget(self.button)
        self.addWidget(self.bar)
        self.addWidget(self.label)

    def show_button(self, text: str = "Download") -> None:
        self.button.setText(text)
        self.button.setEnabled(True)
        self.setCurrentWidget(self.button)

    def show_progress(self) -> None:
        self.bar.setRange(0, 0)   # busy until the first byte count arrives
        self.cancel_button.setEnabled(True)
        self.setCurrentWidget(self.bar)

    def show_cancelling(self) -> None:
        self.cancel_button.setEnabled(False)
        self.bar.setFormat("cancelling…")

    def show_label(self, text: str) -> None:
        self.label.setText(text)
        self.setCurrentWidget(self.label)

    def set_progress(self, done: int, total: int | None) -> None:
        if total:
            self.bar.setRange(0, 1000)
            self.bar.setValue(int(1000 * min(1.0, done / total)))
            self.bar.setFormat(f"{_human(done)} / {_human(total)}")


class _SoundModelsNotifier(QObject):
    changed = Signal()


_notifier: _SoundModelsNotifier | None = None


def sound_models_notifier() -> _SoundModelsNotifier:
    """One per application: ``changed`` after a voice, sound or speech-to-text model arrived."""
    global _notifier
    if _notifier is None:
        _notifier = _SoundModelsNotifier()
    return _notifier
