"""The setup wizard's last page: one short test shot with an installed model through a ``GeneratorClient`` and
its worker process (``setup_tasks.run_test_generation``), cancellable; its first frame, or one line saying why
not."""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

from editor.generate.preferences import load_preferences, worker_env
from editor.ui.model_downloads import one_line
from editor.ui.setup_pages import GOOD, WARN, title, wrapped
from editor.ui.setup_tasks import Task, TestShot, duration_text, run_test_generation
from generation.models import Ability, get_model

logger = logging.getLogger(__name__)

PREVIEW_SIZE = (360, 220)


class TestPage(QWidget):
    """One short test shot with an installed model, cancellable; its first frame, or one line saying why not."""

    def __init__(self, models_root: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.models_root = models_root
        self.model_id: str | None = None
        self.task: Task | None = None
        self.cancel_event = threading.Event()
        self.result: TestShot | None = None
        self.error = ""
        self.places = None   # tests may point the job store elsewhere; None: the user cache, as `generate` uses
        self.line = wrapped("", name="setup-test-line")
        self.bar = QProgressBar()
        self.bar.setObjectName("setup-test-bar")
        self.bar.setRange(0, 1000)
        self.bar.setTextVisible(False)
        self.bar.setMaximumHeight(10)
        self.status = wrapped("", name="setup-test-status", dim=True)
        self.preview = QLabel()
        self.preview.setObjectName("setup-test-frame")
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setMinimumHeight(PREVIEW_SIZE[1])
        self.preview.setStyleSheet("QLabel { background: #0d0e11; border-radius: 6px; }")
        self.preview.hide()   # until there is a frame to show
        self.run_button = QPushButton("Run the test")
        self.run_button.setObjectName("setup-test-run")
        self.run_button.clicked.connect(lambda: self.start(self.model_id))
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("setup-test-cancel")
        self.cancel_button.clicked.connect(self.cancel)
        buttons = QHBoxLayout()
        buttons.addWidget(self.run_button)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addWidget(title("Test"))
        layout.addWidget(self.line)
        layout.addWidget(self.bar)
        layout.addWidget(self.status)
        layout.addWidget(self.preview, 1)
        layout.addLayout(buttons)
        layout.addStretch(1)
        self._show_idle()

    @property
    def running(self) -> bool:
        return self.task is not None and self.task.running

    def choose(self, candidates: Sequence[str]) -> None:
        """Test the first of ``candidates`` that makes video from a prompt alone."""
        usable = [m for m in candidates if get_model(m).can(Ability.TEXT_TO_VIDEO)]
        if not self.running:
            self.model_id = usable[0] if usable else None
        self._show_idle()

    def _show_idle(self) -> None:
        if self.running:
            return
        self.cancel_button.setEnabled(False)
        self.run_button.setEnabled(self.model_id is not None)
        if self.result is not None or self.error:
            return
        if self.model_id is None:
            self.line.setText("No model that makes video from a prompt is installed yet, so there is nothing to "
                              "test. Finish now and download one later in Generate > Models.")
        else:
            self.line.setText(f"A short, small test shot with {get_model(self.model_id).display_name} shows "
                              "that the model loads and generates on this machine.")

    def start(self, model_id: str | None) -> None:
        if model_id is None or self.running:
            return
        self.model_id, self.result, self.error = model_id, None, ""
        self.cancel_event = threading.Event()
        cancel, root, places = self.cancel_event, self.models_root, self.places
        env = worker_env(load_preferences())

        def work(report):
            return run_test_generation(model_id, root, cancel=cancel, report=report, env=env, places=places)

        self.task = Task(f"test-{model_id}", work, self)
        self.task.progress.connect(self._on_progress)
        self.task.finished.connect(self._on_finished)
        self.task.failed.connect(self._on_failed)
        model = get_model(model_id)
        self.line.setText(f"Making a test shot with {model.display_name}… The first run loads the model, which "
                          "can take a while.")
        self.line.setStyleSheet("")
        self.status.setText("starting the generator…")
        self.bar.setRange(0, 0)
        self.preview.clear()
        self.preview.hide()
        self.run_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.task.start()

    def cancel(self) -> None:
        if self.running:
            self.cancel_event.set()
            self.cancel_button.setEnabled(False)
            self.status.setText("cancelling…")

    def _on_progress(self, p) -> None:
        if p.fraction > 0:
            self.bar.setRange(0, 1000)
            self.bar.setValue(int(1000 * p.fraction))
        left = duration_text(p.eta_s) if p.fraction < 1 else ""
        self.status.setText(", ".join(t for t in (p.message, left) if t) or "generating…")

    def _on_finished(self, shot: TestShot) -> None:
        self.result = shot
        self.bar.setRange(0, 1000)
        self.bar.setValue(1000)
        rgb = shot.first_frame
        height, width = rgb.shape[:2]
        image = QImage(rgb.tobytes(), width, height, 3 * width, QImage.Format.Format_RGB888).copy()
        self.preview.show()
        self.preview.setPixmap(QPixmap.fromImage(image).scaled(
            *PREVIEW_SIZE, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation))
        model = get_model(shot.model_id)
        noise = " (a test model: noise is what it makes)" if model.is_test_model else ""
        self.line.setText(f"It works: {model.display_name} made a {shot.width}×{shot.height} shot of {shot.frames} "
                          f"frames in {shot.seconds:.0f} s{noise}. Its first frame:")
        self.line.setStyleSheet(f"QLabel {{ color: {GOOD}; }}")
        self.status.setText(f"{shot.steps} steps; saved as {shot.video}")
        self._show_idle()
        self.run_button.setText("Run again")

    def _on_failed(self, exc: Exception) -> None:
        from editor.generate.runner import GenerationCancelled

        self.bar.setRange(0, 1000)
        self.bar.setValue(0)
        if isinstance(exc, GenerationCancelled):
            self.error = "cancelled"
            self.line.setText("The test was cancelled.")
            self.line.setStyleSheet("")
        else:
            self.error = one_line(exc) or type(exc).__name__
            logger.warning("setup test generation failed", exc_info=exc)
            self.line.setText(f"The test failed: {self.error}")
            self.line.setStyleSheet(f"QLabel {{ color: {WARN}; }}")
        self.status.setText("")
        self._show_idle()
        self.run_button.setText("Try again")
