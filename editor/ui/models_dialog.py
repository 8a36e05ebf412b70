"""The Models dialog: which video and sound models there are, downloading one, and the generation preferences.

The table lists every registry model (``editor.generate.catalog.model_rows``): name, abilities, installed
state, size and VRAM advice; test models say "test model (makes noise)". A model that is not installed has a
Download button: ``download_model`` runs on a plain thread and only emits signals of a QObject living in the
GUI thread (queued), so widgets are touched from the GUI thread only and the dialog stays responsive. A failure
shows the one-line ``ModelError`` in the row and the status line.

Each row also shows the licence and, per speed profile (Draft, Standard, Final), the expected time of a 5 s shot
on the detected GPU (``generation.shot_timing``): measured here plainly, a published figure with "~" and its
source, else "not measured yet". A model whose licence restricts use (a gated community licence) is marked, and
its Download first shows the terms and needs an explicit "I accept" (``confirm_licence``; tests replace it or
click it); declining downloads nothing.

Below the table: the models folder (``ask_folder`` opens the picker; tests replace it), the default model
(installed ones first), device, precision, the memory levers and where shots are made (``generator_settings``:
this computer or a Ray cluster). OK saves them with ``save_preferences``.
A note at the top says what generation needs when there is no NVIDIA GPU or no real model installed.

"Set up generation…" opens the setup wizard (``setup_wizard``) on the dialog's models folder; the list
refreshes as each of its downloads lands.

Two tabs: "Video models" (this module) and "Voices & sound" (``models_dialog_sound``: voices, sound generators,
speech-to-text). Both share the downloads (``model_downloads.Downloads``: a progress bar with a ✕ that cancels,
the licence question, one-line errors, no partial folder left) and the status line. ``show_model(id)`` opens
the tab that lists a model and selects its row (the voice lists use it to offer a voice's download).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from editor.generate.catalog import ModelRow, download_model, model_rows
from editor.generate.preferences import (
    GenerationPreferences,
    load_preferences,
    nvidia_gpu_present,
    save_preferences,
)
from editor.ui import models_dialog_sound as sound
from editor.ui.generator_settings import GeneratorSection
from editor.ui.model_downloads import (
    ACTION_WIDTH,
    RESTRICTED_COLOUR,
    ActionCell,
    Downloads,
    one_line,
    sound_models_notifier,
)
from generation.audio.models import AudioModelInfo
from generation.models import Ability, ModelInfo, list_models
from generation.paths import models_dir as default_models_dir
from generation.shot_timing import ProfileRow, detected_device, profile_rows

TEST_MODEL_LABEL = "test model (makes noise)"

ABILITY_TEXT = {
    Ability.TEXT_TO_VIDEO: "text-to-video",
    Ability.IMAGE_TO_VIDEO: "image-to-video",
    Ability.FIRST_LAST_FRAME: "first+last frame",
    Ability.KEYFRAMES: "keyframes",
    Ability.VIDEO_EXTENSION: "video extension",
    Ability.VIDEO_LEAD_IN: "lead into a clip",
    Ability.REFERENCE_IMAGES: "reference images",
}
MAKES_SOUND = "makes sound"
ANY_LENGTH = "any length"
RESTRICTED_MARK = "⚠ restricted"
ACCEPT_TEXT = "I accept"

DEVICE_LABELS = (("auto", "Automatic (GPU when present)"), ("cuda", "NVIDIA GPU (CUDA)"), ("cpu", "CPU (slow)"))
PRECISION_LABELS = (("auto", "Automatic (bf16 on GPU, fp32 on CPU)"), ("bf16", "bf16"), ("fp16", "fp16"),
                    ("fp32", "fp32 (most memory)"))
OFFLOAD_LABELS = (("auto", "Automatic (from free VRAM)"), ("none", "None (everything on the GPU)"),
                  ("model", "Model offload"), ("group", "Group offload (less VRAM)"),
                  ("sequential", "Sequential offload (least VRAM, slowest)"))
TILING_LABELS = ((None, "Automatic (on with offload)"), (True, "On"), (False, "Off"))

COLUMNS = ("Model", "Abilities", "State", "Size", "VRAM", "Licence", "Time per 5 s shot", "")
COL_NAME, COL_ABILITIES, COL_STATE, COL_SIZE, COL_VRAM, COL_LICENCE, COL_TIME, COL_ACTION = range(len(COLUMNS))


_one_line = one_line
VIDEO_TAB, SOUND_TAB = 0, 1


def title_of(model: ModelInfo | AudioModelInfo) -> str:
    return model.name if isinstance(model, AudioModelInfo) else model.display_name


def abilities_text(model: ModelInfo) -> str:
    words = [ABILITY_TEXT.get(a, a.value.replace("_", " ")) for a, _ in model.pipelines]
    if model.makes_audio:
        words.append(MAKES_SOUND)
    if model.unbounded:
        words.append(ANY_LENGTH)
    return ", ".join(words)


def licence_text(model: ModelInfo) -> str:
    name = model.license or "not stated"
    return f"{name} — {RESTRICTED_MARK}" if model.license_restricted else name


def licence_tooltip(model: ModelInfo) -> str:
    parts = [model.license or "licence not stated"]
    if model.license_terms:
        parts.append(model.license_terms)
    if model.license_url:
        parts.append(model.license_url)
    return "\n".join(parts)


def time_line(row: ProfileRow) -> str:
    """``Draft: 6 s`` (measured here), ``Final: ~1.5 min (published, ...)`` or ``Standard: not measured yet``."""
    return f"{row.label}: {row.estimate.text() if row.estimate is not None else 'not measured yet'}"


def recipe_line(row: ProfileRow) -> str:
    r = row.recipe
    parts = [f"{r.steps} steps", f"CFG {r.guidance:g}"]
    if r.lora is not None:
        parts.append(f"LoRA {r.lora.name}")
    if r.cache:
        parts.append(r.cache.replace("_", " ") + " cache")
    return f"{row.label}: {', '.join(parts)}" + (f" ({r.note})" if r.note else "")


def vram_text(model: ModelInfo) -> str:
    if model.is_test_model:
        return "any (runs on the CPU)"
    if model.vram is None:
        return "unknown"
    return f"{model.vram.minimum_gb:g} GB with offload, {model.vram.comfortable_gb:g} GB comfortable"


def name_text(model: ModelInfo) -> str:
    return f"{model.display_name} — {TEST_MODEL_LABEL}" if model.is_test_model else model.display_name


def needs_note(*, gpu: bool, real_installed: bool) -> str:
    """The plain note shown at the top, or "" when nothing is missing."""
    real = [m for m in list_models(include_test=False) if m.vram is not None]
    smallest = min(real, key=lambda m: m.vram.minimum_gb) if real else None   # type: ignore[union-attr]
    need = (f"Generation needs an NVIDIA GPU (about {smallest.vram.minimum_gb:g} GB of VRAM for the smallest "
            f"model, {smallest.display_name}) and a downloaded model." if smallest and smallest.vram
            else "Generation needs an NVIDIA GPU and a downloaded model.")
    parts: list[str] = []
    if not gpu:
        parts.append("No NVIDIA GPU found: generation runs on the CPU and is very slow; test models only.")
    if not real_installed:
        parts.append("No real video model is installed: download one below or choose a models folder that "
                     "holds one. Until then only test models run, and they make noise.")
    if parts:
        parts.append(need)
    return " ".join(parts)


class ModelsDialog(QDialog):
    """Models and generation preferences. ``preferences_saved(prefs)`` is emitted after OK saved them."""

    preferences_saved = Signal(object)
    download_finished = Signal(str, bool)   # model id, ok

    def __init__(self, parent: QWidget | None = None, *, preferences: GenerationPreferences | None = None,
                 gpu: bool | None = None, device: str | None = None, ray: bool | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ModelsDialog")
        self.setWindowTitle("Models")
        self.resize(1400, 680)
        self._prefs = preferences if preferences is not None else load_preferences()
        self._gpu = nvidia_gpu_present() if gpu is None else gpu
        # Whose shot times to show: naming the GPU loads torch, so only when the driver says there is one.
        self.device = device if device is not None else (detected_device() if self._gpu else "cpu")
        self._accepted_licences: set[str] = set()
        self._models_dir: str | None = self._prefs.models_dir
        self._rows: list[ModelRow] = []
        self._cells: dict[str, ActionCell] = {}
        self.last_error: str | None = None
        self.saved_path: Path | None = None

        self.downloads = Downloads(self)
        self.downloads.progress.connect(self._on_progress)
        self.downloads.finished.connect(self._on_finished)
        self.downloads.failed.connect(self._on_failed)
        self.downloads.cancelled.connect(self._on_cancelled)

        self.note = QLabel("")
        self.note.setObjectName("models-note")
        self.note.setWordWrap(True)
        self.note.setStyleSheet("QLabel { background: #fff4d6; color: #4a3b00; padding: 6px; }")

        self.device_label = QLabel(f"Time per 5 s shot on {self.device}: measured here, or ~published "
                                   "(source named); hover a time for the recipe.")
        self.device_label.setObjectName("models-device")
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("models-table")
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        self.table.setWordWrap(True)
        header.setSectionResizeMode(COL_ABILITIES, QHeaderView.ResizeMode.Stretch)
        for col in (COL_STATE, COL_SIZE, COL_TIME):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COL_ACTION, QHeaderView.ResizeMode.Fixed)   # cell widgets don't size columns
        header.resizeSection(COL_ACTION, ACTION_WIDTH)
        # Long names, VRAM advice and licences wrap in a set width, so abilities and times keep their room.
        for col, width in ((COL_NAME, 250), (COL_VRAM, 160), (COL_LICENCE, 170)):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(col, width)
        header.sectionResized.connect(self._fit_rows_later)   # re-wrap abilities once the columns settle

        # -- preferences ----------------------------------------------------------------------------------------
        self.folder_edit = QLineEdit()
        self.folder_edit.setObjectName("models-folder")
        self.folder_edit.setReadOnly(True)
        self.folder_button = QPushButton("Models folder…")
        self.folder_button.setObjectName("models-folder-button")
        self.folder_button.clicked.connect(self._pick_folder)
        self.folder_reset = QPushButton("Default")
        self.folder_reset.setObjectName("models-folder-reset")
        self.folder_reset.clicked.connect(lambda: self.set_models_dir(None))
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder_edit, 1)
        folder_row.addWidget(self.folder_button)
        folder_row.addWidget(self.folder_reset)

        self.model_combo = QComboBox()
        self.model_combo.setObjectName("default-model")
        self.device_combo = self._combo("device", DEVICE_LABELS, self._prefs.device)
        self.precision_combo = self._combo("precision", PRECISION_LABELS, self._prefs.precision)
        self.offload_combo = self._combo("offload", OFFLOAD_LABELS, self._prefs.offload)
        self.tiling_combo = self._combo("vae-tiling", TILING_LABELS, self._prefs.vae_tiling)

        form = QFormLayout()
        form.addRow("Models folder", folder_row)
        form.addRow("Default model", self.model_combo)
        form.addRow("Device", self.device_combo)
        form.addRow("Precision", self.precision_combo)
        form.addRow("Offload", self.offload_combo)
        form.addRow("VAE tiling", self.tiling_combo)
        self.generator = GeneratorSection(self._prefs, ray=ray)
        form.addRow("Generator", self.generator)

        self.status = QLabel("")
        self.status.setObjectName("models-status")
        self.status.setWordWrap(True)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)

        video = QWidget()
        video_layout = QVBoxLayout(video)
        video_layout.setContentsMargins(0, 4, 0, 0)
        video_layout.addWidget(self.note)
        self.setup_button = QPushButton("Set up generation…")
        self.setup_button.setObjectName("models-setup")
        self.setup_button.setToolTip("Find the GPU, pick the models that fit it, download them and make a test shot")
        self.setup_button.clicked.connect(self.show_setup)
        device_row = QHBoxLayout()
        device_row.addWidget(self.device_label, 1)
        device_row.addWidget(self.setup_button)
        video_layout.addLayout(device_row)
        video_layout.addWidget(self.table, 1)
        self.sound = sound.SoundModelsTab(self.start_download, self.cancel_download)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("models-tabs")
        self.tabs.addTab(video, "Video models")
        self.tabs.addTab(self.sound, "Voices && sound")

        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(form)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)

        if self._prefs.warning:
            self._set_status(self._prefs.warning)
        self.refresh()

    # -- building ---------------------------------------------------------------------------------------------------
    @staticmethod
    def _combo(name: str, choices, current) -> QComboBox:
        combo = QComboBox()
        combo.setObjectName(name)
        for value, label in choices:
            combo.addItem(label, value)
        for i, (value, _label) in enumerate(choices):
            if value == current:
                combo.setCurrentIndex(i)
        return combo

    def _find_rows(self) -> list[ModelRow]:
        if self._models_dir is None:
            return model_rows()
        # A folder picked here is where the worker will look (then the Hugging Face cache), not the old one.
        from generation.locate import find_model

        out: list[ModelRow] = []
        for model in list_models():
            local = find_model(model, models_root=self._models_dir, build_test_models=False)
            out.append(ModelRow(model, local is not None, local.path if local else None,
                                local.size_bytes() if local else None))
        return out

    def refresh(self) -> None:
        """Re-read what is installed and rebuild the tables, the default-model list and the note."""
        self._rows = self._find_rows()
        self.table.setRowCount(len(self._rows))
        self._cells.clear()
        for r, row in enumerate(self._rows):
            model = row.model
            profiles = profile_rows(model, self.device)
            for col, text in ((COL_NAME, name_text(model)), (COL_ABILITIES, abilities_text(model)),
                              (COL_STATE, row.state), (COL_SIZE, row.size_text), (COL_VRAM, vram_text(model)),
                              (COL_LICENCE, licence_text(model)),
                              (COL_TIME, "\n".join(time_line(p) for p in profiles))):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, model.id)
                if col == COL_VRAM and model.vram is not None:
                    item.setToolTip(model.vram.note)
                if col == COL_NAME:
                    item.setToolTip(f"{model.id} ({model.repo})")
                if col == COL_LICENCE:
                    item.setToolTip(licence_tooltip(model))
                    if model.license_restricted:
                        item.setForeground(RESTRICTED_COLOUR)
                if col == COL_TIME:
                    item.setToolTip("\n".join(recipe_line(p) for p in profiles))
                self.table.setItem(r, col, item)
            cell = ActionCell(model.id)
            cell.cancel_button.clicked.connect(lambda _checked=False, mid=model.id: self.cancel_download(mid))
            if self.downloads.is_running(model.id):
                cell.show_progress()
            elif row.installed:
                cell.show_label("ready")
            elif model.is_test_model:
                cell.show_label("built on first use")
            else:
                cell.button.clicked.connect(lambda _checked=False, mid=model.id: self.start_download(mid))
                cell.show_button()
            self._cells[model.id] = cell
            self.table.setCellWidget(r, COL_ACTION, cell)
        self._fit_rows_later()
        self.sound.refresh(self._models_dir, self.downloads.is_running)
        self._fill_model_combo()
        self.folder_edit.setText(self._models_dir or "")
        self.folder_edit.setPlaceholderText(f"default: {default_models_dir()}")
        real_installed = any(row.installed and not row.model.is_test_model for row in self._rows)
        note = needs_note(gpu=self._gpu, real_installed=real_installed)
        self.note.setText(note)
        self.note.setVisible(bool(note))

    def _fit_rows_later(self, *_args) -> None:
        QTimer.singleShot(0, self.table, self.table.resizeRowsToContents)

    def _fill_model_combo(self) -> None:
        current = self.model_combo.currentData() if self.model_combo.count() else self._prefs.default_model
        self.model_combo.clear()
        self.model_combo.addItem("Automatic (the best installed model)", None)
        real = [r for r in self._rows if not r.model.is_test_model]
        ordered = ([r for r in real if r.installed] + [r for r in self._rows if r.model.is_test_model]
                   + [r for r in real if not r.installed])
        for row in ordered:
            model = row.model
            if model.is_test_model:
                label = f"{model.display_name} ({TEST_MODEL_LABEL})"
            elif row.installed:
                label = model.display_name
            else:
                label = f"{model.display_name} (not installed)"
            self.model_combo.addItem(label, model.id)
        index = self.model_combo.findData(current)
        self.model_combo.setCurrentIndex(max(0, index))

    # -- setup wizard -----------------------------------------------------------------------------------------------
    def show_setup(self):
        """Open the generation setup wizard on this dialog's models folder; the list refreshes as models arrive."""
        from editor.ui.setup_wizard import SetupWizard

        wizard = getattr(self, "setup_wizard", None)
        if wizard is None or not wizard.isVisible():
            wizard = self.setup_wizard = SetupWizard(self, models_root=self._models_dir)
            wizard.installed.connect(self._on_setup_installed)
        wizard.show()
        wizard.raise_()
        return wizard

    def _on_setup_installed(self, model_id: str, path: str) -> None:
        self.refresh()
        if self.model_combo.currentData() is None:   # the wizard may have made it the default model
            index = self.model_combo.findData(load_preferences().default_model)
            if index > 0:
                self.model_combo.setCurrentIndex(index)
        self._set_status(f"{model_id} installed in {path}")

    # -- models folder ----------------------------------------------------------------------------------------------
    def ask_folder(self) -> str | None:
        """Ask for a models folder; None when cancelled. Tests replace this."""
        start = self._models_dir or str(default_models_dir())
        chosen = QFileDialog.getExistingDirectory(self, "Models folder", start)
        return chosen or None

    def _pick_folder(self) -> None:
        chosen = self.ask_folder()
        if chosen:
            self.set_models_dir(chosen)

    def set_models_dir(self, folder: str | None) -> None:
        self._models_dir = str(folder) if folder else None
        self.refresh()

    # -- downloads --------------------------------------------------------------------------------------------------
    def confirm_licence(self, model: ModelInfo | AudioModelInfo) -> bool:
        """Show a restricted licence's terms; True only when "I accept" is clicked. Tests replace or click it."""
        name = title_of(model)
        box = QMessageBox(self)
        box.setObjectName("licence-confirm")
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle(f"Licence of {name}")
        box.setText(f"{name} comes under {model.license or 'a licence'} that restricts its use.")
        info = getattr(model, "license_terms", "") or "Read the full terms before downloading."
        if model.license_url:
            info += f"\n\nFull text: {model.license_url}"
        box.setInformativeText(info + "\n\nDownload it only if you accept these terms.")
        accept = box.addButton(ACCEPT_TEXT, QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)   # accepting is never the Enter-key default
        box.exec()
        return box.clickedButton() is accept

    def _model(self, model_id: str) -> ModelInfo | AudioModelInfo | None:
        found = next((row.model for row in self._rows if row.model.id == model_id), None)
        return found if found is not None else self.sound.info(model_id)

    def start_download(self, model_id: str) -> None:
        """Download ``model_id`` (a video or a sound model) on a background thread into the chosen models folder;
        a restricted licence is shown and must be accepted first."""
        if self.downloads.is_running(model_id):
            return
        model = self._model(model_id)
        if model is not None and model.license_restricted and model_id not in self._accepted_licences:
            if not self.confirm_licence(model):
                self._set_status(f"Not downloading {title_of(model)}: its licence was not accepted.")
                return
            self._accepted_licences.add(model_id)
        cell = self._cell(model_id)
        if cell is not None:
            cell.setToolTip("")
            cell.show_progress()
        self._set_row_state(model_id, "downloading…")
        self._set_status(f"Downloading {model_id}…")
        root = self._models_dir
        if isinstance(model, AudioModelInfo):
            fetch = sound.fetcher(model_id, root)
        else:   # looked up when called, so tests can stand in for the hub
            def fetch(report):
                return download_model(model_id, models_root=root, progress=report)
        self.downloads.start(model_id, fetch, sound.target_folder(model_id, root))

    def cancel_download(self, model_id: str) -> None:
        """Stop a download at its next chunk; its folder is removed when it was new."""
        if not self.downloads.is_running(model_id):
            return
        self.downloads.cancel(model_id)
        cell = self._cell(model_id)
        if cell is not None:
            cell.show_cancelling()
        self._set_row_state(model_id, "cancelling…")
        self._set_status(f"Cancelling the download of {model_id}…")

    def downloading(self) -> list[str]:
        return self.downloads.running()

    def show_model(self, model_id: str) -> None:
        """Open the tab that lists ``model_id`` with its row selected."""
        if self.sound.row_of(model_id) >= 0:
            self.tabs.setCurrentIndex(SOUND_TAB)
            self.sound.select(model_id)
            return
        for r, row in enumerate(self._rows):
            if row.model.id == model_id:
                self.tabs.setCurrentIndex(VIDEO_TAB)
                self.table.selectRow(r)
                self.table.scrollToItem(self.table.item(r, COL_NAME))

    def _cell(self, model_id: str) -> ActionCell | None:
        return self._cells.get(model_id) or self.sound.cells.get(model_id)

    def _on_progress(self, model_id: str, done, total) -> None:
        cell = self._cell(model_id)
        if cell is not None and not self.downloads.cancelling(model_id):
            cell.set_progress(done, total)

    def _on_finished(self, model_id: str, path: str) -> None:
        self._set_status(f"{model_id} downloaded to {path}")
        self.refresh()
        if self.sound.row_of(model_id) >= 0:
            sound_models_notifier().changed.emit()   # the window's voice lists drop "(download)"
        self.download_finished.emit(model_id, True)

    def _on_failed(self, model_id: str, message: str) -> None:
        self.last_error = message
        cell = self._cell(model_id)
        if cell is not None:
            cell.show_button("Retry")
            cell.setToolTip(message)
        self._set_row_state(model_id, "download failed")
        self._set_status(message, error=True)
        self.download_finished.emit(model_id, False)

    def _on_cancelled(self, model_id: str) -> None:
        cell = self._cell(model_id)
        if cell is not None:
            cell.show_button()
        self._set_row_state(model_id, "cancelled")
        self._set_status(f"Download of {model_id} cancelled; nothing was kept.")
        self.download_finished.emit(model_id, False)

    def _set_row_state(self, model_id: str, text: str) -> None:
        for r, row in enumerate(self._rows):
            if row.model.id == model_id:
                item = self.table.item(r, COL_STATE)
                if item is not None:
                    item.setText(text)
        self.sound.set_state(model_id, text)

    def _set_status(self, text: str, *, error: bool = False) -> None:
        self.status.setText(text)
        self.status.setStyleSheet("QLabel { color: #b00020; }" if error else "")

    # -- preferences ------------------------------------------------------------------------------------------------
    def preferences(self) -> GenerationPreferences:
        """The preferences as chosen in the dialog now."""
        return GenerationPreferences(
            default_model=self.model_combo.currentData(),
            models_dir=self._models_dir,
            device=self.device_combo.currentData(),
            precision=self.precision_combo.currentData(),
            offload=self.offload_combo.currentData(),
            vae_tiling=self.tiling_combo.currentData(),
            **self.generator.values(),   # type: ignore[arg-type]
        )

    def accept(self) -> None:
        problem = self.generator.problem()
        if problem:   # checked here, so preferences() below cannot raise over a half-typed address
            self.last_error = problem
            self._set_status(problem, error=True)
            self.generator.address_edit.setFocus()
            return
        prefs = self.preferences()
        try:
            self.saved_path = save_preferences(prefs)
        except OSError as exc:
            self.last_error = f"could not save preferences: {_one_line(exc)}"
            self._set_status(self.last_error, error=True)
            return
        self._prefs = prefs
        self.preferences_saved.emit(prefs)
        super().accept()
