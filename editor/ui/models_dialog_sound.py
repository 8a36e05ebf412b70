"""The Models dialog's "Voices & sound" tab: voices (text to speech), sound generators and speech-to-text models.

Each row says the model's name, kind (voice, sound or speech-to-text), installed state, size, licence (a
restricted one is marked and must be accepted before its download, as for video models) and what it is for. The
basic voice is built in and needs nothing; test models are not listed. Downloads run in the dialog's shared
``Downloads`` (progress, cancel, one-line errors); this module only says what a row shows and how to fetch a
model (``fetcher``).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from editor.generate.audio_catalog import download_audio_model
from editor.generate.catalog import _human
from editor.ui.model_downloads import ACTION_WIDTH, RESTRICTED_COLOUR, ActionCell, Report
from generation.audio.locate import find_audio_model
from generation.audio.models import AudioModelInfo, audio_models
from generation.locate import folder_size
from generation.paths import models_dir

KIND_TEXT = {"speech": "voice", "sound": "sound", "transcript": "speech-to-text"}
BUILT_IN = "built in"
RESTRICTED_MARK = "⚠ restricted"
INTRO = ("Voices speak the storyboard's narration, sound models make effects and ambience, speech-to-text "
         "models turn speech into captions. The basic voice is built in; the others are downloaded once.")

SOUND_COLUMNS = ("Model", "Kind", "State", "Size", "Licence", "What it is for", "")
(S_NAME, S_KIND, S_STATE, S_SIZE, S_LICENCE, S_ABOUT, S_ACTION) = range(len(SOUND_COLUMNS))


@dataclass(frozen=True)
class SoundRow:
    model: AudioModelInfo
    installed: bool
    size_bytes: int | None   # on disk, when installed in a folder

    @property
    def state(self) -> str:
        if self.model.builtin:
            return BUILT_IN
        return "installed" if self.installed else "not installed"

    @property
    def size_text(self) -> str:
        if self.model.builtin:
            return "none (built in)"
        if self.installed and self.size_bytes is not None:
            return f"{_human(self.size_bytes)} on disk"
        return f"~{self.model.size_gb:g} GB download" if self.model.size_gb else "size unknown"


def sound_rows(models_root: str | os.PathLike[str] | None = None) -> list[SoundRow]:
    """Every sound model a person can use (test models left out), with where it stands on this machine."""
    rows: list[SoundRow] = []
    for info in audio_models(include_test=False):
        local = find_audio_model(info, models_root=models_root, build_test_models=False)
        size = folder_size(local.path) if local is not None and not info.builtin else None
        rows.append(SoundRow(info, local is not None, size))
    # voices first (what a storyboard needs), then sound, then speech-to-text, each in registry order
    order = {"speech": 0, "sound": 1, "transcript": 2}
    return sorted(rows, key=lambda r: order.get(r.model.kind, 3))


def licence_text(info: AudioModelInfo) -> str:
    name = info.license or "not stated"
    return f"{name} — {RESTRICTED_MARK}" if info.license_restricted else name


def licence_tooltip(info: AudioModelInfo) -> str:
    return "\n".join(p for p in (info.license or "licence not stated", info.license_url) if p)


def about_text(info: AudioModelInfo) -> str:
    text = info.summary
    if info.voices:
        n = len(info.voices)
        text += f" {n} voice{'s' * (n != 1)}."
    return text.strip()


def target_folder(model_id: str, models_root: str | None) -> Path:
    """The folder a download fills (``download_audio_model`` writes ``<models folder>/<model id>``)."""
    return (Path(models_root) if models_root else models_dir()) / model_id


def fetcher(model_id: str, models_root: str | None) -> Callable[[Report], object]:
    """What a download thread runs for a sound model (looked up when called, so tests can stand in for the hub)."""
    return lambda report: download_audio_model(model_id, models_root=models_root, progress=report)


class SoundModelsTab(QWidget):
    """The table of sound models. ``start(model_id)`` is called when a row's Download is clicked; the dialog
    says which downloads are under way when it asks for a ``refresh``."""

    def __init__(self, start: Callable[[str], None], cancel: Callable[[str], None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sound-models")
        self._start = start
        self._cancel = cancel
        self.rows: list[SoundRow] = []
        self.cells: dict[str, ActionCell] = {}
        intro = QLabel(INTRO)
        intro.setObjectName("sound-intro")
        intro.setWordWrap(True)
        self.table = QTableWidget(0, len(SOUND_COLUMNS))
        self.table.setObjectName("sound-models-table")
        self.table.setHorizontalHeaderLabels(list(SOUND_COLUMNS))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(S_ABOUT, QHeaderView.ResizeMode.Stretch)
        for col in (S_KIND, S_STATE, S_SIZE):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(S_ACTION, QHeaderView.ResizeMode.Fixed)   # cell widgets don't size columns
        header.resizeSection(S_ACTION, ACTION_WIDTH)
        for col, width in ((S_NAME, 210), (S_LICENCE, 230)):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(col, width)
        header.sectionResized.connect(self._fit_rows_later)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)

    def refresh(self, models_root: str | None, downloading: Callable[[str], bool]) -> None:
        self.rows = sound_rows(models_root)
        self.table.setRowCount(len(self.rows))
        self.cells.clear()
        for r, row in enumerate(self.rows):
            info = row.model
            for col, text in ((S_NAME, info.name), (S_KIND, KIND_TEXT.get(info.kind, info.kind)),
                              (S_STATE, row.state), (S_SIZE, row.size_text), (S_LICENCE, licence_text(info)),
                              (S_ABOUT, about_text(info))):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, info.id)
                if col == S_NAME:
                    item.setToolTip(f"{info.id} ({info.repo})" if info.repo else info.id)
                if col == S_LICENCE:
                    item.setToolTip(licence_tooltip(info))
                    if info.license_restricted:
                        item.setForeground(RESTRICTED_COLOUR)
                if col == S_ABOUT and info.voices:
                    item.setToolTip("\n".join(v.name for v in info.voices))
                self.table.setItem(r, col, item)
            cell = ActionCell(info.id)
            cell.cancel_button.clicked.connect(lambda _checked=False, mid=info.id: self._cancel(mid))
            if downloading(info.id):
                cell.show_progress()
            elif info.builtin:
                cell.show_label(BUILT_IN)
            elif row.installed:
                cell.show_label("ready")
            else:
                cell.button.clicked.connect(lambda _checked=False, mid=info.id: self._start(mid))
                cell.show_button()
            self.cells[info.id] = cell
            self.table.setCellWidget(r, S_ACTION, cell)
        self._fit_rows_later()

    def row_of(self, model_id: str) -> int:
        return next((r for r, row in enumerate(self.rows) if row.model.id == model_id), -1)

    def info(self, model_id: str) -> AudioModelInfo | None:
        return next((row.model for row in self.rows if row.model.id == model_id), None)

    def set_state(self, model_id: str, text: str) -> None:
        r = self.row_of(model_id)
        item = self.table.item(r, S_STATE) if r >= 0 else None
        if item is not None:
            item.setText(text)

    def select(self, model_id: str) -> None:
        r = self.row_of(model_id)
        if r >= 0:
            self.table.selectRow(r)
            self.table.scrollToItem(self.table.item(r, S_NAME))

    def _fit_rows_later(self, *_args) -> None:
        QTimer.singleShot(0, self.table, self.table.resizeRowsToContents)
