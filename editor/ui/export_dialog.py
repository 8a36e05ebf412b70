"""The export dialog: presets, size, encoder, destination; the export runs on a worker thread.

The exporter (``editor.render.export``) works on a snapshot of the timeline (``Timeline.copy()``) taken when
Export is clicked, so edits made while it renders never reach the file. Its progress callback runs on the
worker thread; it only emits a signal of a QObject living in the GUI thread (a queued connection), so every
widget is touched from the GUI thread and the window stays responsive. Cancel sets the exporter's
``threading.Event``: ffmpeg is stopped and nothing is left at the destination.

The buttons follow the run: Export and Cancel before it, Cancel while it renders, then Open folder, Play and
Close once the file is there (Close and the one-line reason after a failure, with Export to try again). Shown
again, or with a setting changed, the dialog is ready for another export.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QUrl, Signal
from PySide6.QtGui import QCloseEvent, QDesktopServices, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from editor.model import Timeline
from editor.render.encoders import SOFTWARE, available_encoders
from editor.render.export import ExportCancelled, ExportError, ExportResult, Progress, export, resolve_settings
from editor.render.loudness import MAX_TARGET, MIN_TARGET, SHORT_VIDEO_TARGET
from editor.render.presets import PRESETS
from editor.ui.inspector import guard_wheel

PROJECT_SETTINGS = "Project settings"


def _one_line(text: str) -> str:
    lines = [line.strip() for line in str(text).splitlines() if line.strip()]
    return lines[0] if lines else "export failed"


def _clock(seconds: float) -> str:
    s = max(0, int(round(seconds)))
    return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"


class _Bridge(QObject):
    """Lives in the GUI thread; the worker only emits these (delivered queued, in the GUI thread)."""

    progress = Signal(object)    # Progress
    finished = Signal(object)    # ExportResult
    failed = Signal(str)         # one-line message
    cancelled = Signal()


class _EncoderScan(QObject):
    """The encoder scan's messenger: one for the whole application, never destroyed. The scan's thread may
    finish after its dialog was closed and deleted; emitting on that dialog's child from the thread then
    crashed the process (a signal on a QObject being destroyed in the GUI thread). Dialogs connect to this
    one, and Qt drops a dead dialog's connection."""

    found = Signal(list)


_scan: _EncoderScan | None = None


def _encoder_scan() -> _EncoderScan:
    global _scan
    if _scan is None:
        _scan = _EncoderScan()       # made by the first dialog: in the GUI thread
    return _scan


def _find_encoders(scan: _EncoderScan) -> None:
    try:
        found = available_encoders()
    except Exception:   # noqa: BLE001 - the software encoders stay listed
        return
    scan.found.emit(found)


class ExportDialog(QDialog):
    """Export the window's timeline. ``export_finished(ok)`` is emitted when a run ends either way."""

    export_finished = Signal(bool)

    def __init__(self, timeline_source, project_path: str | Path | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ExportDialog")
        self.setWindowTitle("Export")
        # A callable giving the current timeline, or a Timeline: the snapshot is taken when Export is clicked.
        self._timeline_source = timeline_source
        self.project_path = Path(project_path) if project_path else None
        self._thread: threading.Thread | None = None
        self._cancel: threading.Event | None = None
        self.result: ExportResult | None = None
        self.last_error: str | None = None
        self.stage = "ready"   # then running, and done or ended: which buttons show (_show_buttons)

        self._bridge = _Bridge(self)
        queued = Qt.ConnectionType.QueuedConnection
        self._bridge.progress.connect(self._on_progress, queued)
        self._bridge.finished.connect(self._on_finished, queued)
        self._bridge.failed.connect(self._on_failed, queued)
        self._bridge.cancelled.connect(self._on_cancelled, queued)
        scan = _encoder_scan()
        scan.found.connect(self._add_encoders, queued)

        self.preset_box = QComboBox()
        self.preset_box.addItem(PROJECT_SETTINGS, None)
        for name, preset in PRESETS.items():
            self.preset_box.addItem(preset.description, name)
        self.size_edit = QLineEdit()
        self.size_edit.setPlaceholderText("width x height, e.g. 1080x1920")
        self.fps_label = QLabel()
        self.encoder_box = QComboBox()
        for enc in SOFTWARE:
            self.encoder_box.addItem(enc, enc)
        self.encoder_box.setCurrentIndex(0)   # libx264
        self.encoder_note = QLabel("")
        self.encoder_note.setWordWrap(True)
        self.crf_spin = QSpinBox()
        self.crf_spin.setRange(0, 51)
        self.loudness_check = QCheckBox("Normalize loudness")
        self.loudness_check.setToolTip("Bring the sound to a set integrated loudness (EBU R128), true peak at most "
                                       "-1 dBTP; the short-video platforms play at about -14 LUFS")
        self.loudness_spin = QDoubleSpinBox()
        self.loudness_spin.setRange(MIN_TARGET, MAX_TARGET)
        self.loudness_spin.setDecimals(1)
        self.loudness_spin.setSingleStep(0.5)
        self.loudness_spin.setSuffix(" LUFS")
        self.loudness_check.toggled.connect(self.loudness_spin.setEnabled)
        self.dest_edit = QLineEdit(str(self.default_destination()))
        self.browse_button = QPushButton("Browse…")
        self.browse_button.clicked.connect(self.browse)

        dest_row = QHBoxLayout()
        dest_row.addWidget(self.dest_edit, 1)
        dest_row.addWidget(self.browse_button)
        form = QFormLayout()
        form.addRow("Preset", self.preset_box)
        form.addRow("Size", self.size_edit)
        form.addRow("Frame rate", self.fps_label)
        form.addRow("Encoder", self.encoder_box)
        form.addRow("", self.encoder_note)
        form.addRow("Quality (CRF)", self.crf_spin)
        loudness_row = QHBoxLayout()
        loudness_row.addWidget(self.loudness_check)
        loudness_row.addWidget(self.loudness_spin, 1)
        form.addRow("Loudness", loudness_row)
        form.addRow("Destination", dest_row)

        self.progress_bar = QProgressBar()
        self.progress_bar.setRange(0, 1000)
        self.progress_bar.setValue(0)
        self.progress_bar.setFormat("%p%")
        self.eta_label = QLabel("")
        self.status_label = QLabel("Ready")
        self.status_label.setObjectName("ExportStatus")
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.export_button = QPushButton("Export")
        self.export_button.setDefault(True)
        # Asked before an export starts (the window's platform checks): False leaves the dialog as it is.
        self.before_export: Callable[[], bool] | None = None
        self.export_button.clicked.connect(self._export_clicked)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel_or_close)
        self.open_folder_button = QPushButton("Open folder")
        self.open_folder_button.setToolTip("Show the exported file's folder")
        self.open_folder_button.clicked.connect(self.open_folder)
        self.play_button = QPushButton("Play")
        self.play_button.setToolTip("Open the exported file in your video player")
        self.play_button.clicked.connect(self.play_result)

        bar_row = QHBoxLayout()
        bar_row.addWidget(self.progress_bar, 1)
        bar_row.addWidget(self.eta_label)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for button in (self.open_folder_button, self.play_button, self.export_button, self.cancel_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(bar_row)
        layout.addWidget(self.status_label)
        layout.addLayout(buttons)
        self.resize(560, 0)

        self.preset_box.currentIndexChanged.connect(self._preset_changed)
        self.encoder_box.currentIndexChanged.connect(self._encoder_changed)
        self._preset_changed()
        # A changed setting means another export: the last one's buttons and status make way for it.
        for edit in (self.size_edit, self.dest_edit):
            edit.textEdited.connect(self._ready_again)
        for box in (self.preset_box, self.encoder_box):
            box.activated.connect(self._ready_again)
        self.crf_spin.valueChanged.connect(self._ready_again)
        self.loudness_check.toggled.connect(self._ready_again)
        self.loudness_spin.valueChanged.connect(self._ready_again)
        self._show_buttons("ready")
        self.wheel_guard = guard_wheel(self)
        # Hardware encoders are found by test encodes: off the GUI thread.
        threading.Thread(target=_find_encoders, args=(scan,), name="export-encoders", daemon=True).start()

    # --- settings ------------------------------------------------------------------------------------

    def timeline(self) -> Timeline:
        source = self._timeline_source
        return source if isinstance(source, Timeline) else source()

    def default_destination(self) -> Path:
        if self.project_path is not None:
            return self.project_path.with_suffix(".mp4")
        return Path.home() / "Untitled.mp4"

    def preset_name(self) -> str | None:
        return self.preset_box.currentData()

    def loudness(self) -> float | None:
        """The loudness target the export will ask for (None: the mix as it is)."""
        return self.loudness_spin.value() if self.loudness_check.isChecked() else None

    def _preset_changed(self, *_ignored: object) -> None:
        name = self.preset_name()
        if name is None:
            s = self.timeline().settings
            width, height, fps, crf = s.width, s.height, s.fps, PRESETS["tiktok"].crf
        else:
            p = PRESETS[name]
            width, height, fps, crf = p.width, p.height, p.fps, p.crf
        target = PRESETS[name].loudness if name is not None else None
        self.size_edit.setText(f"{width}x{height}")
        self.loudness_check.setChecked(target is not None)
        self.loudness_spin.setValue(SHORT_VIDEO_TARGET if target is None else target)
        self.loudness_spin.setEnabled(target is not None)
        self.fps_label.setText(f"{float(fps):g} fps" if fps.denominator != 1 else f"{fps.numerator} fps")
        self.crf_spin.setValue(crf)

    def _add_encoders(self, found: list) -> None:
        for enc in found:
            if self.encoder_box.findData(enc) < 0:
                self.encoder_box.addItem(enc, enc)

    def _encoder_changed(self, *_ignored: object) -> None:
        self.encoder_note.setText("")

    def browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export to", self.dest_edit.text(), "MP4 video (*.mp4)",
                                              options=QFileDialog.Option.DontUseNativeDialog)
        if path:
            if not Path(path).suffix:
                path += ".mp4"
            self.dest_edit.setText(path)

    # --- running ---------------------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _export_clicked(self) -> None:
        if self.before_export is None or self.before_export():
            self.start_export()

    def start_export(self) -> None:
        if self.running:
            return
        dest = self.dest_edit.text().strip()
        if not dest:
            self._set_status("Choose a destination file", error=True)
            return
        size = self.size_edit.text().strip() or None
        args = dict(preset=self.preset_name(), size=size, crf=self.crf_spin.value(),
                    encoder=self.encoder_box.currentData(), loudness=self.loudness())
        snapshot = self.timeline().copy()
        self.result, self.last_error = None, None
        self._cancel = threading.Event()
        self.progress_bar.setValue(0)
        self.eta_label.setText("")
        self._set_status("Starting…")
        self._set_running(True)
        self._thread = threading.Thread(target=self._work, args=(snapshot, Path(dest), args, self._cancel),
                                        name="export", daemon=True)
        self._thread.start()

    def _work(self, snapshot: Timeline, dest: Path, args: dict, cancel: threading.Event) -> None:
        bridge = self._bridge
        try:
            settings = resolve_settings(snapshot, args["preset"], size=args["size"], crf=args["crf"],
                                        encoder=args["encoder"], loudness=args["loudness"])
            if settings.notes:
                bridge.progress.emit(" · ".join(settings.notes))
            result = export(snapshot, dest, settings, progress=bridge.progress.emit, cancel=cancel)
        except ExportCancelled:
            bridge.cancelled.emit()
        except (ExportError, ValueError) as exc:
            bridge.failed.emit(_one_line(str(exc)))
        except Exception as exc:   # noqa: BLE001 - shown, never lost on the worker thread
            bridge.failed.emit(_one_line(f"export failed: {exc}"))
        else:
            bridge.finished.emit(result)

    def cancel_export(self) -> None:
        if self.running and self._cancel is not None:
            self._cancel.set()
            self._set_status("Cancelling…")
            self.cancel_button.setEnabled(False)

    def cancel_or_close(self) -> None:
        if self.running:
            self.cancel_export()
        else:
            self.reject()

    def open_folder(self) -> None:
        if self.result is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(Path(self.result.path).parent)))

    def play_result(self) -> None:
        if self.result is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.result.path)))

    def wait(self, timeout: float | None = None) -> bool:
        """Join the worker (tests, closing); True when it has ended."""
        if self._thread is not None:
            self._thread.join(timeout)
        return not self.running

    def _on_progress(self, p: object) -> None:
        if isinstance(p, str):   # the settings' notes (an encoder fallback, a rounded size)
            self.encoder_note.setText(p)
            return
        assert isinstance(p, Progress)
        if self._cancel is not None and self._cancel.is_set():
            return
        self.progress_bar.setValue(round(p.fraction * 1000))
        self.eta_label.setText(f"ETA {_clock(p.eta_s)}" if p.eta_s is not None and p.stage == "rendering" else "")
        self._set_status({"checking": "Checking media…", "joining": "Finishing…", "done": "Finishing…"}.get(
            p.stage, f"Rendering frame {p.done_frames} of {p.total_frames}"))

    def _on_finished(self, result: object) -> None:
        assert isinstance(result, ExportResult)
        self.result = result
        self.progress_bar.setValue(1000)
        self.eta_label.setText("")
        self._set_status("\n".join([f"Exported to {result.path}", *result.summary()]))
        self._ended(True)

    def _on_failed(self, message: str) -> None:
        self.last_error = message
        self._set_status(message, error=True)
        self._ended(False)

    def _on_cancelled(self) -> None:
        self.progress_bar.setValue(0)
        self.eta_label.setText("")
        self._set_status("Export cancelled")
        self._ended(False)

    def _ended(self, ok: bool) -> None:
        if self._thread is not None:
            self._thread.join(5)
        self._set_running(False)
        self._show_buttons("done" if ok else "ended")
        self.export_finished.emit(ok)

    def _set_running(self, running: bool) -> None:
        for w in (self.preset_box, self.size_edit, self.encoder_box, self.crf_spin, self.loudness_check,
                  self.dest_edit, self.browse_button, self.export_button):
            w.setEnabled(not running)
        self.loudness_spin.setEnabled(not running and self.loudness_check.isChecked())
        self.cancel_button.setEnabled(True)
        if running:
            self._show_buttons("running")

    def _show_buttons(self, stage: str) -> None:
        """``ready``: Export, Cancel. ``running``: Cancel. ``done``: Open folder, Play, Close. ``ended`` (failed
        or cancelled): Export, Close."""
        self.stage = stage
        done = stage == "done"
        self.open_folder_button.setVisible(done)
        self.play_button.setVisible(done)
        self.export_button.setVisible(stage in ("ready", "ended"))
        self.export_button.setDefault(not done)
        self.cancel_button.setText("Close" if stage in ("done", "ended") else "Cancel")
        self.cancel_button.setDefault(done)

    def _ready_again(self, *_ignored: object) -> None:
        if self.stage in ("ready", "running"):
            return
        self.result, self.last_error = None, None
        self.progress_bar.setValue(0)
        self.eta_label.setText("")
        self._set_status("Ready")
        self._show_buttons("ready")

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        # The window shows the same dialog again for the next export.
        self._ready_again()
        super().showEvent(event)

    def _set_status(self, text: str, error: bool = False) -> None:
        self.status_label.setText(_one_line(text) if error else text)
        self.status_label.setStyleSheet("color: #ff6b6b;" if error else "")

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        if self.running:
            self.cancel_export()
            self.wait(10)
        super().closeEvent(event)

    def reject(self) -> None:
        if self.running:
            self.cancel_export()
            return
        super().reject()
