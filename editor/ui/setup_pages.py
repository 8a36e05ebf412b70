"""The setup wizard's first two pages: "Your GPU" and "Models" (the index read beside the GUI thread, the
recommended models ticked, restricted licences to accept, or what to do without a network)."""

from __future__ import annotations

import html
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from editor.generate.catalog import _human
from editor.gpus import Gpu
from editor.setup.index import IndexEntry, ModelIndex, NoNetwork
from editor.setup.recommend import Recommendation
from editor.ui.model_downloads import RESTRICTED_COLOUR, one_line
from editor.ui.setup_tasks import free_bytes

NO_GPU_TEXT = "No NVIDIA GPU: generation would run on the CPU (test models only)."
DIM = "#9aa0ab"
WARN = RESTRICTED_COLOUR.name()
GOOD = "#6cc56c"


def title(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("PanelTitle")
    return label


def wrapped(text: str = "", *, name: str = "", dim: bool = False) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                  | Qt.TextInteractionFlag.LinksAccessibleByMouse)
    label.setOpenExternalLinks(True)
    if name:
        label.setObjectName(name)
    if dim:
        label.setStyleSheet(f"QLabel {{ color: {DIM}; }}")
    return label


def open_folder(folder: Path) -> bool:
    """Show ``folder`` in the desktop's file manager (made first, so there is something to open)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))


def profile_text(profile: str) -> str:
    return profile.capitalize()


class GpuPage(QWidget):
    """What ``detect_gpus`` found and where the models will go, with the free space there."""

    def __init__(self, models_root: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.models_root = models_root
        self.gpus: list[Gpu] | None = None
        self.gpu_label = wrapped("Looking for an NVIDIA GPU…", name="setup-gpu")
        self.gpu_label.setStyleSheet("QLabel { font-size: 12pt; }")
        self.advice = wrapped("", name="setup-gpu-advice", dim=True)
        self.folder_label = wrapped("", name="setup-folder")
        self.open_button = QPushButton("Open models folder")
        self.open_button.setObjectName("setup-open-folder")
        self.open_button.clicked.connect(lambda: open_folder(self.models_root))
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder_label, 1)
        folder_row.addWidget(self.open_button, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addWidget(title("Your GPU"))
        layout.addWidget(self.gpu_label)
        layout.addWidget(self.advice)
        layout.addSpacing(16)
        layout.addWidget(title("Models folder"))
        layout.addLayout(folder_row)
        layout.addWidget(wrapped("Another folder can be chosen in Generate > Models.", dim=True))
        layout.addStretch(1)
        self.show_folder()

    def set_gpus(self, gpus: Sequence[Gpu]) -> None:
        self.gpus = list(gpus)
        if not self.gpus:
            self.gpu_label.setText(NO_GPU_TEXT)
            self.advice.setText("Real video models need an NVIDIA GPU with 8 GB of memory or more. On this "
                                "machine the test models show that everything is wired up; they make noise.")
            return
        lines = [f"<b>{html.escape(g.name)}</b> — {g.memory_bytes / 2**30:.0f} GiB of memory"
                 + (f" <span style='color:{DIM}'>(driver {html.escape(g.driver)})</span>" if g.driver else "")
                 for g in self.gpus]
        self.gpu_label.setText("<br>".join(lines))
        biggest = max(self.gpus, key=lambda g: g.memory_bytes)
        self.advice.setText(f"Models are suggested for {biggest.name}'s {biggest.memory_bytes / 2**30:.0f} GiB; "
                            "the next page lists what fits.")

    def show_folder(self) -> None:
        free = free_bytes(self.models_root)
        space = f"{_human(free)} free there" if free is not None else "free space unknown"
        self.folder_label.setText(f"<b>{html.escape(str(self.models_root))}</b><br>"
                                  f"<span style='color:{DIM}'>{space}</span>")


class ModelChoice(QFrame):
    """One recommended model: a tick, its size, licence, why it fits and the profile it will use."""

    changed = Signal()

    def __init__(self, rec: Recommendation, installed: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rec = rec
        self.installed = installed
        model = rec.entry.model
        self.setObjectName("setup-choice")
        self.setStyleSheet("QFrame#setup-choice { background: #1f2127; border: 1px solid #2c2f37; "
                           "border-radius: 6px; } QFrame#setup-choice QLabel { background: transparent; }")
        name = model.display_name + (" — test model (makes noise)" if model.is_test_model else "")
        self.tick = QCheckBox(name)
        self.tick.setObjectName(f"choose-{model.id}")
        self.tick.setStyleSheet("QCheckBox { font-weight: bold; font-size: 11pt; }")
        self.tick.setChecked(rec.recommended and rec.fits and not installed)
        self.tick.setEnabled(not installed)
        self.tick.toggled.connect(lambda _on: self.changed.emit())
        size = "installed" if installed else f"{_human(rec.download_bytes)} download"
        facts = [size, f"profile: {profile_text(rec.profile)}"]
        if rec.recommended:
            facts.insert(0, "recommended")
        self.facts = wrapped(" · ".join(facts), name=f"facts-{model.id}")
        self.reason = wrapped(rec.reason, name=f"reason-{model.id}")
        self.reason.setStyleSheet(f"QLabel {{ color: {GOOD if rec.fits else WARN}; }}")
        self.licence = wrapped("", name=f"licence-{model.id}")
        self.accept: QCheckBox | None = None
        licence = html.escape(model.license or "licence not stated")
        if model.license_restricted:
            link = (f" <a style='color:#7aa0f5' href='{html.escape(model.license_url)}'>Full terms</a>"
                    if model.license_url else "")
            self.licence.setText(f"<span style='color:{WARN}'>⚠ {licence} — restricted use.</span> "
                                 f"{html.escape(model.license_terms)}{link}")
            self.accept = QCheckBox(f"I accept the {model.license or 'licence'}")
            self.accept.setObjectName(f"accept-{model.id}")
            self.accept.toggled.connect(lambda _on: self.changed.emit())
            self.accept.setVisible(not installed)
        else:
            self.licence.setText(f"Licence: {licence}")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.setSpacing(3)
        layout.addWidget(self.tick)
        for label in (self.facts, self.reason, self.licence):
            label.setContentsMargins(24, 0, 0, 0)
            layout.addWidget(label)
        if self.accept is not None:
            row = QHBoxLayout()
            row.setContentsMargins(24, 0, 0, 0)
            row.addWidget(self.accept)
            row.addStretch(1)
            layout.addLayout(row)

    @property
    def model_id(self) -> str:
        return self.rec.entry.model.id

    @property
    def wanted(self) -> bool:
        return self.tick.isChecked() and not self.installed

    @property
    def blocked(self) -> bool:
        """Ticked, but its restricted licence is not accepted yet."""
        return self.wanted and self.accept is not None and not self.accept.isChecked()


class ModelsPage(QWidget):
    """Reading the index (a busy bar), then either the list of models or the no-network page."""

    changed = Signal()
    check_again = Signal()

    def __init__(self, models_root: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.models_root = models_root
        self.index: ModelIndex | None = None
        self.choices: list[ModelChoice] = []
        self.offline = False
        self.stack = QStackedWidget()

        loading = QWidget()
        busy = QProgressBar()
        busy.setObjectName("setup-index-busy")
        busy.setRange(0, 0)
        busy.setTextVisible(False)
        busy.setMaximumHeight(8)
        self.loading_label = wrapped("Reading the model list…", name="setup-index-loading")
        loading_layout = QVBoxLayout(loading)
        loading_layout.setContentsMargins(0, 8, 0, 0)
        loading_layout.addWidget(title("Models"))
        loading_layout.addWidget(self.loading_label)
        loading_layout.addWidget(busy)
        loading_layout.addStretch(1)

        self.list_page = QWidget()
        self.rows = QVBoxLayout()
        self.rows.setSpacing(8)
        holder = QWidget()
        holder_layout = QVBoxLayout(holder)
        holder_layout.setContentsMargins(0, 0, 6, 0)
        holder_layout.addLayout(self.rows)
        holder_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setObjectName("setup-models-scroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(holder)
        self.intro = wrapped("Ticked models will be downloaded. The recommended ones fit this machine best.",
                             dim=True)
        self.summary = wrapped("", name="setup-models-summary")
        list_layout = QVBoxLayout(self.list_page)
        list_layout.setContentsMargins(0, 8, 0, 8)
        list_layout.addWidget(title("Models"))
        list_layout.addWidget(self.intro)
        list_layout.addWidget(scroll, 1)
        list_layout.addWidget(self.summary)

        self.offline_page = QWidget()
        self.offline_title = title("No network")
        self.offline_text = wrapped("", name="setup-offline")
        self.instructions = wrapped("", name="setup-copy-in")
        self.instructions.setStyleSheet("QLabel { background: #101114; border: 1px solid #30333b; "
                                        "border-radius: 5px; padding: 8px; font-family: monospace; }")
        self.open_button = QPushButton("Open models folder")
        self.open_button.setObjectName("setup-offline-open")
        self.open_button.clicked.connect(lambda: open_folder(self.models_root))
        self.again_button = QPushButton("Check again")
        self.again_button.setObjectName("setup-check-again")
        self.again_button.clicked.connect(self.check_again)
        offline_buttons = QHBoxLayout()
        offline_buttons.addWidget(self.open_button)
        offline_buttons.addWidget(self.again_button)
        offline_buttons.addStretch(1)
        offline_layout = QVBoxLayout(self.offline_page)
        offline_layout.setContentsMargins(0, 8, 0, 0)
        offline_layout.addWidget(self.offline_title)
        offline_layout.addWidget(self.offline_text)
        offline_layout.addWidget(self.instructions)
        offline_layout.addLayout(offline_buttons)
        offline_layout.addStretch(1)

        for page in (loading, self.list_page, self.offline_page):
            self.stack.addWidget(page)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)

    def show_loading(self, source: str) -> None:
        where = "the Hugging Face hub" if source == "hub" else source
        self.loading_label.setText(f"Reading the model list from {where}…")
        self.stack.setCurrentIndex(0)

    def show_models(self, index: ModelIndex, recs: Sequence[Recommendation], installed: set[str]) -> None:
        self.index, self.offline = index, False
        while self.rows.count():
            item = self.rows.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        self.choices = []
        for rec in recs:
            choice = ModelChoice(rec, rec.entry.model.id in installed)
            choice.changed.connect(self._changed)
            self.rows.addWidget(choice)
            self.choices.append(choice)
        if not recs:
            self.rows.addWidget(wrapped(f"The model list at {index.source} names no model PromptCut knows.",
                                        name="setup-models-empty"))
        if index.skipped:
            self.rows.addWidget(wrapped("Left out of the list: " + "; ".join(index.skipped), dim=True))
        self.stack.setCurrentWidget(self.list_page)
        self._changed()

    def show_offline(self, error: Exception, instructions: str) -> None:
        """No network (or the index could not be read): say so, and how to copy a model folder in."""
        self.offline, self.index, self.choices = True, None, []
        if isinstance(error, NoNetwork):
            self.offline_title.setText("No network")
            why = one_line(error)
            self.offline_text.setText(f"{why[:1].upper()}{why[1:]}. Without a network, copy a model folder in "
                                      "from another machine or a disk:")
        else:
            self.offline_title.setText("The model list cannot be read")
            self.offline_text.setText(f"{one_line(error)}. A model folder can still be copied in:")
        self.instructions.setText(instructions)
        self.stack.setCurrentWidget(self.offline_page)
        self._changed()

    def wanted(self) -> list[IndexEntry]:
        return [c.rec.entry for c in self.choices if c.wanted]

    def blocked(self) -> list[str]:
        return [c.rec.entry.model.display_name for c in self.choices if c.blocked]

    def _changed(self) -> None:
        wanted = self.wanted()
        total = sum(e.size_bytes for e in wanted)
        free = free_bytes(self.models_root)
        if not wanted:
            text = "Nothing ticked: nothing will be downloaded."
        else:
            text = (f"{len(wanted)} model{'s' if len(wanted) > 1 else ''} ticked, {_human(total)} in all"
                    + (f"; {_human(free)} free in the models folder." if free is not None else "."))
        if free is not None and total > free:
            text += " Not enough space: untick a model or free some space."
            self.summary.setStyleSheet(f"QLabel {{ color: {WARN}; }}")
        elif self.blocked():
            text += f" Tick “I accept” under {', '.join(self.blocked())} to download it, or untick it."
            self.summary.setStyleSheet(f"QLabel {{ color: {WARN}; }}")
        else:
            self.summary.setStyleSheet("")
        self.summary.setText(text)
        self.changed.emit()

    def ready(self) -> bool:
        """Whether Next may go on to the downloads."""
        if self.offline or self.index is None:
            return False
        free = free_bytes(self.models_root)
        total = sum(e.size_bytes for e in self.wanted())
        return not self.blocked() and (free is None or total <= free)
