"""Setting up generation, step by step: the GPU, the models that fit it, downloading them, and a test shot.

The welcome screen offers it on the first run (``editor.setup.first_run``), Generate > Models at any time.
Every slow step runs beside the GUI thread (``setup_tasks.Task``): finding the GPU, reading the model index,
each download (``setup_download``) and the test generation, which goes through a ``GeneratorClient`` and its
worker process as ``promptcut generate`` does. Finish records "done", Skip (or closing the window) records
"skipped" unless setup was done before; a download still running is paused, keeping what arrived.

The GPU list and the index source can be given (tests); by default they are ``detect_gpus()`` and
``index_source()``. The models go to ``models_root`` (default: the preferences' models folder, else
``generation.paths.models_dir()``); after a real model arrives it becomes the default model when none is set.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QStackedWidget, QVBoxLayout, QWidget

from editor.generate.preferences import load_preferences, save_preferences
from editor.gpus import Gpu, detect_gpus
from editor.setup import first_run
from editor.setup.index import IndexEntry, copy_in_instructions, index_source, load_index
from editor.setup.recommend import recommend
from editor.ui.model_downloads import one_line
from editor.ui.setup_download import DownloadPage
from editor.ui.setup_pages import DIM, GOOD, GpuPage, ModelsPage
from editor.ui.setup_tasks import Task
from editor.ui.setup_test import TestPage
from generation.models import DEFAULT_MODEL_ID, get_model, list_models
from generation.paths import models_dir as default_models_dir

logger = logging.getLogger(__name__)

STEPS = ("Your GPU", "Models", "Download", "Test")
GPU_PAGE, MODELS_PAGE, DOWNLOAD_PAGE, TEST_PAGE = range(len(STEPS))


def installed_models(root: Path | None = None) -> list[str]:
    """Registry video models complete in ``root`` (real ones first); test models only once built there. The
    default models folder (None, or that folder named) also counts the older folders the catalog searches, as
    a download into it does (editor.setup.fetch.installed_model)."""
    from editor.setup.fetch import installed_model

    found = [m for m in list_models() if installed_model(m, root) is not None]
    found.sort(key=lambda m: m.is_test_model)
    return [m.id for m in found]


class SetupWizard(QDialog):
    """``installed(model_id, path)`` as each model arrives (the Models dialog refreshes its list on it)."""

    installed = Signal(str, str)

    def __init__(self, parent: QWidget | None = None, *, gpus: Sequence[Gpu] | None = None,
                 source: str | None = None, models_root: str | Path | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("SetupWizard")
        self.setWindowTitle("Set up generation")
        # The theme styles no disabled button: here Next and Back are often disabled, and must look it.
        self.setStyleSheet("QPushButton:disabled { color: #5d616b; background: #1d1f24; border-color: #2a2d35; }"
                           " QPushButton#Primary:disabled { background: #27344f; border-color: #27344f; "
                           "color: #7c818c; }")
        self.resize(780, 600)
        prefs = load_preferences()
        chosen = models_root if models_root is not None else prefs.models_dir
        self.models_root = Path(chosen).expanduser() if chosen else default_models_dir()
        self.source = source if source is not None else index_source()
        self.gpus: list[Gpu] | None = list(gpus) if gpus is not None else None
        self.index_task: Task | None = None
        self.gpu_task: Task | None = None
        self.downloaded: list[str] = []
        self.outcome = ""   # "done" or "skipped" once closed

        self.steps = QLabel()
        self.steps.setObjectName("setup-steps")
        self.steps.setTextFormat(Qt.TextFormat.RichText)
        self.gpu_page = GpuPage(self.models_root)
        self.models_page = ModelsPage(self.models_root)
        self.models_page.changed.connect(self._update_buttons)
        self.models_page.check_again.connect(self.load_models)
        self.download_page = DownloadPage(self.models_root)
        self.download_page.changed.connect(self._update_buttons)
        self.download_page.installed.connect(self._on_installed)
        self.test_page = TestPage(self.models_root)
        self.stack = QStackedWidget()
        for page in (self.gpu_page, self.models_page, self.download_page, self.test_page):
            self.stack.addWidget(page)

        self.skip_button = QPushButton("Skip setup")
        self.skip_button.setObjectName("setup-skip")
        self.skip_button.setToolTip("Set up generation later in Generate > Models")
        self.skip_button.clicked.connect(self.reject)
        self.back_button = QPushButton("Back")
        self.back_button.setObjectName("setup-back")
        self.back_button.clicked.connect(self.back)
        self.next_button = QPushButton("Next")
        self.next_button.setObjectName("Primary")
        self.next_button.setDefault(True)
        self.next_button.clicked.connect(self.next)
        footer = QHBoxLayout()
        footer.addWidget(self.skip_button)
        footer.addStretch(1)
        footer.addWidget(self.back_button)
        footer.addWidget(self.next_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.addWidget(self.steps)
        layout.addWidget(self.stack, 1)
        layout.addLayout(footer)

        if self.gpus is None:
            self.gpu_task = Task("gpu", lambda _report: detect_gpus(), self)
            self.gpu_task.finished.connect(self._on_gpus)
            self.gpu_task.failed.connect(lambda _exc: self._on_gpus([]))
            self.gpu_task.start()
        else:
            self.gpu_page.set_gpus(self.gpus)
        self.go(GPU_PAGE)

    # -- navigation ----------------------------------------------------------------------------------------------
    @property
    def page(self) -> int:
        return self.stack.currentIndex()

    def go(self, page: int) -> None:
        self.stack.setCurrentIndex(page)
        if page == MODELS_PAGE and self.models_page.index is None and not self.models_page.offline \
                and not (self.index_task is not None and self.index_task.running):
            self.load_models()
        if page == TEST_PAGE:
            self.test_page.choose(self.downloaded + [m for m in installed_models(self.models_root)
                                                     if m not in self.downloaded])
            if self.test_page.result is None and not self.test_page.error:
                self.test_page.start(self.test_page.model_id)
        marks = []
        for i, name in enumerate(STEPS):
            style = ("color:#ffffff; font-weight:bold" if i == page
                     else f"color:{GOOD}" if i < page else f"color:{DIM}")
            marks.append(f"<span style='{style}'>{i + 1}&nbsp;&nbsp;{name}</span>")
        self.steps.setText(f"<span style='color:{DIM}'>&nbsp;&nbsp;›&nbsp;&nbsp;</span>".join(marks))
        self._update_buttons()

    def next(self) -> None:
        if self.page == GPU_PAGE:
            self.go(MODELS_PAGE)
        elif self.page == MODELS_PAGE:
            wanted = self.models_page.wanted()
            if wanted or self.download_page.rows:
                self.download_page.set_entries(wanted)
                self.go(DOWNLOAD_PAGE)
            else:
                self.go(TEST_PAGE)
        elif self.page == DOWNLOAD_PAGE:
            self.go(TEST_PAGE)
        else:
            self.accept()

    def back(self) -> None:
        if self.page > GPU_PAGE:
            self.go(MODELS_PAGE if self.page == TEST_PAGE and not self.download_page.rows else self.page - 1)

    def _update_buttons(self) -> None:
        page = self.page
        self.back_button.setEnabled(page > GPU_PAGE and not self.test_page.running)
        self.next_button.setText("Finish" if page == TEST_PAGE else "Next")
        if page == GPU_PAGE:
            ok = self.gpus is not None
        elif page == MODELS_PAGE:
            ok = self.models_page.ready() or self.models_page.offline
            self.next_button.setText("Download" if self.models_page.wanted() and ok else "Next")
        elif page == DOWNLOAD_PAGE:
            ok = self.download_page.done()
        else:
            ok = True
        self.next_button.setEnabled(ok)

    # -- the steps' work -----------------------------------------------------------------------------------------
    def _on_gpus(self, gpus) -> None:
        self.gpus = list(gpus)
        self.gpu_page.set_gpus(self.gpus)
        self._update_buttons()

    def load_models(self) -> None:
        """Read the index beside the GUI thread; then the list, or the no-network page."""
        if self.index_task is not None and self.index_task.running:
            return
        self.models_page.offline = False
        self.models_page.show_loading(self.source)
        source = self.source
        self.index_task = Task("index", lambda _report: load_index(source), self)
        self.index_task.finished.connect(self._on_index)
        self.index_task.failed.connect(self._on_index_failed)
        self.index_task.start()
        self._update_buttons()

    def _on_index(self, index) -> None:
        recs = recommend(index.entries, self.gpus or [])
        self.models_page.show_models(index, recs, set(installed_models(self.models_root)))

    def _on_index_failed(self, exc: Exception) -> None:
        logger.info("model index %s not read: %s", self.source, one_line(exc))
        self.models_page.show_offline(exc, self.copy_in_text())

    def copy_in_text(self) -> str:
        """How to copy in the model this GPU would be recommended, read from the registry alone."""
        entries = [IndexEntry(m, ()) for m in list_models(include_test=False)]
        try:
            recs = recommend(entries, self.gpus or [])
        except Exception:  # noqa: BLE001 - advice only: fall back to the default model
            recs = []
        pick = next((r.entry.model for r in recs if r.recommended), None) or get_model(DEFAULT_MODEL_ID)
        try:
            return copy_in_instructions(pick, self.models_root)
        except Exception as exc:  # noqa: BLE001 - the page still says where the folder goes
            logger.warning("copy-in instructions failed", exc_info=exc)
            return f"Copy the diffusers folder of {pick.repo} to {self.models_root / pick.id}"

    def _on_installed(self, model_id: str, path: str) -> None:
        if model_id not in self.downloaded:
            self.downloaded.append(model_id)
        prefs = load_preferences()
        # A test model makes noise: it never becomes the default; a preference that could not be read is not
        # overwritten with defaults.
        if prefs.default_model is None and prefs.warning is None and not get_model(model_id).is_test_model:
            try:
                save_preferences(prefs.with_(default_model=model_id))
            except OSError as exc:
                logger.warning("could not save the default model %s: %s", model_id, one_line(exc))
        self.installed.emit(model_id, path)   # after the preference, so a listener reads the new default

    # -- closing -------------------------------------------------------------------------------------------------
    def _record(self, state: str) -> None:
        self.outcome = state
        try:
            if state == "skipped" and first_run.setup_state() == "done":
                return   # skipping a second visit keeps the first one's "done"
            first_run.record_setup(state)   # type: ignore[arg-type]
        except Exception as exc:  # noqa: BLE001 - closing the wizard must not fail over bookkeeping
            logger.warning("could not record the setup state: %s", one_line(exc), exc_info=exc)

    def _stop_work(self) -> None:
        self.download_page.stop_all()
        self.test_page.cancel()

    def accept(self) -> None:
        self._stop_work()
        self._record("done")
        super().accept()

    def reject(self) -> None:
        self._stop_work()
        self._record("skipped")
        super().reject()

    def join(self, timeout: float = 60.0) -> None:
        """Wait for every thread the wizard started (tests)."""
        for task in (self.gpu_task, self.index_task, self.test_page.task):
            if task is not None:
                task.join(timeout)
        self.download_page.join(timeout)
