"""Fill gaps: one prompt per gap of a track (or of the picture), a style shared by every shot, and the model.

What was typed comes back when the dialog is opened again (a :class:`~editor.generate.gaps.FillMemory` kept by
the caller while the project is open). Rows left empty are skipped unless the user asks the style to fill
them; the dialog says how many will be.
"""

from __future__ import annotations

from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from editor.generate.catalog import ModelChoice, preferred_choice
from editor.generate.gaps import FillMemory, FillPlan, GapRow, fill_requests
from editor.generate.pending import find_pending
from editor.model import Timeline
from editor.model.time import timecode
from generation.models import ModelInfo


class FillGapsDialog(QDialog):
    """``gaps``: (track id, start, end) each with its prompt field in ``prompts``. After OK, ``plan()`` holds
    the shots to queue and ``chosen_model()`` the model to make them with."""

    def __init__(self, timeline: Timeline, track_ids: list[str], choices: list[ModelChoice], *,
                 preferred: str | None = None, memory: FillMemory | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Fill gaps")
        self.setObjectName("FillGapsDialog")
        self.memory = memory if memory is not None else FillMemory.empty()
        found = find_pending(timeline, include_gaps=True, gap_tracks=track_ids)
        self.gaps = [(s.track_id, s.clip.start, s.clip.end) for s in found if s.is_gap]
        names = {t.id: t.name or t.id for t in timeline.tracks}
        fps = timeline.fps

        self.model = QComboBox(self)
        self.model.setObjectName("FillModel")
        self._choices = choices
        for choice in choices:
            self.model.addItem(choice.label, choice.model.id)
            if not choice.usable:   # listed so the user sees what exists, but it cannot run here
                item = self.model.model()
                if isinstance(item, QStandardItemModel):
                    item.item(self.model.count() - 1).setEnabled(False)
        default, missing = preferred_choice(choices, preferred)
        remembered = self.memory.model
        if remembered is not None and any(c.usable and c.model.id == remembered.id for c in choices):
            default, missing = next(c for c in choices if c.model.id == remembered.id), ""
        if default is not None:
            self.model.setCurrentIndex(self.model.findData(default.model.id))
        self.model_note = QLabel(missing, self)
        self.model_note.setObjectName("Dim")
        self.model_note.setWordWrap(True)
        self.model_note.setVisible(bool(missing))
        model_row = QHBoxLayout()
        model_row.addWidget(QLabel("Model", self))
        model_row.addWidget(self.model, 1)

        self.prompts: list[QLineEdit] = []
        form = QFormLayout()
        for track_id, start, end in self.gaps:
            edit = QLineEdit(self)
            edit.setPlaceholderText("What happens here… (left empty: skipped)")
            edit.setText(self.memory.prompts.get((track_id, start, end), ""))
            edit.textChanged.connect(self._update_note)
            self.prompts.append(edit)
            form.addRow(f"{names[track_id]}  {timecode(start, fps)} – {timecode(end, fps)}", edit)
        holder = QWidget(self)
        holder.setLayout(form)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(holder)
        self.style_edit = QLineEdit(self)
        self.style_edit.setPlaceholderText("Style for every shot, e.g. “35 mm film, warm evening light”")
        self.style_edit.setText(self.memory.style)
        self.style_edit.textChanged.connect(self._update_note)
        self.style_fills_empty = QCheckBox("Fill the gaps left empty too, with the style alone", self)
        self.style_fills_empty.setChecked(self.memory.style_fills_empty)
        self.style_fills_empty.toggled.connect(self._update_note)
        self.note = QLabel(self)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel,
                                        self)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Generate")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        # Whatever way it closes, keep what was typed for the next time (while the project is open).
        self.finished.connect(lambda _result: self._remember())
        layout = QVBoxLayout(self)
        layout.addLayout(model_row)
        layout.addWidget(self.model_note)
        layout.addWidget(self.note)
        layout.addWidget(scroll, 1)
        layout.addWidget(QLabel("Shared style", self))
        layout.addWidget(self.style_edit)
        layout.addWidget(self.style_fills_empty)
        layout.addWidget(self.buttons)
        self._update_note()
        self.resize(560, min(680, 240 + 34 * len(self.gaps)))

    def rows(self) -> list[GapRow]:
        return [GapRow(track_id, start, end, edit.text())
                for (track_id, start, end), edit in zip(self.gaps, self.prompts, strict=True)]

    def plan(self) -> FillPlan:
        return fill_requests(self.rows(), self.style_edit.text(), style_fills_empty=self.style_fills_empty.isChecked())

    def chosen_model(self) -> ModelInfo | None:
        choice = next((c for c in self._choices if c.model.id == self.model.currentData()), None)
        return choice.model if choice is not None and choice.usable else None

    def _update_note(self, *_ignored: object) -> None:
        n = len(self.gaps)
        if not n:
            self.note.setText("No gaps to fill here")
            return
        plan = self.plan()
        text = f"{n} gap{'s' * (n != 1)} to fill"
        if plan.skipped:
            text += f" · {plan.skipped} left empty will be skipped"
        self.note.setText(text)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(bool(plan.requests))

    def _remember(self) -> None:
        self.memory.remember(self.rows(), self.style_edit.text(), self.style_fills_empty.isChecked(),
                             self.chosen_model())

