"""The inline prompt box: opens on a track over a gap (or at the playhead); Enter queues a generated shot.

Type the prompt and press Enter; the options under it (model, seed, length, steps, negative prompt, and
whether to continue from the previous clip / land on the next one, the speed profile, colour match) start
from sensible values: the default model, a random seed that is shown (so a good shot can be made again), the
gap's length, the profile last used (else the model's default: Draft where a fast one exists). Conditioning a
model cannot do is greyed out with the reason as its tooltip.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QToolButton,
    QWidget,
)

from editor.generate.shot_status import profile_for
from editor.generate.shots import Conditioning, ShotOptions
from editor.ui.icons import icon
from editor.ui.inspector import guard_wheel
from generation.profiles import PROFILE_LABELS, PROFILES

MAX_SEED = 2**31 - 1


class PromptBox(QFrame):
    """``submitted(options, seconds)`` on Enter (never with an empty prompt); ``closed()`` on Esc."""

    submitted = Signal(object, float)
    closed = Signal()

    def __init__(self, parent: QWidget, *, models: list[tuple[str, str]], model: str | None,
                 conditioning_for: Callable[[str], Conditioning], seconds: float, max_seconds: float | None,
                 seed_source: Callable[[], int], title: str = "Generate shot", prompt: str = "",
                 note: str = "", profile: str = "", match_colors: bool = False) -> None:
        super().__init__(parent)
        self.setObjectName("PromptBox")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self._conditioning_for = conditioning_for
        self._seed_source = seed_source
        self.title = QLabel(title, self)
        self.title.setObjectName("PanelTitle")
        self.prompt = QLineEdit(self)
        self.prompt.setPlaceholderText("Describe the shot… (Enter to generate, Esc to close)")
        self.prompt.setText(prompt)
        self.prompt.returnPressed.connect(self.submit)
        self.go = QPushButton("Generate", self)
        self.go.setDefault(True)
        self.go.clicked.connect(self.submit)
        self.model = QComboBox(self)
        for model_id, label in models:
            self.model.addItem(label, model_id)
        if model is not None and self.model.findData(model) >= 0:
            self.model.setCurrentIndex(self.model.findData(model))
        self.model.currentIndexChanged.connect(self._model_changed)
        self.seed = QSpinBox(self)
        self.seed.setRange(0, MAX_SEED)
        self.seed.setValue(self._new_seed())
        self.dice = QToolButton(self)
        # An icon, not the 🎲 glyph: many fonts lack it and the button showed an empty box.
        self.dice.setIcon(icon("dice"))
        self.dice.setAccessibleName("New seed")
        self.dice.setToolTip("A new random seed")
        self.dice.clicked.connect(lambda: self.seed.setValue(self._new_seed()))
        self.seconds = QDoubleSpinBox(self)
        self.seconds.setDecimals(2)
        self.seconds.setSuffix(" s")
        self.seconds.setRange(0.1, max_seconds if max_seconds else 60.0)
        self.seconds.setValue(min(seconds, self.seconds.maximum()))
        self.steps = QSpinBox(self)
        self.steps.setRange(0, 200)
        self.steps.setSpecialValueText("model default")
        self.negative = QLineEdit(self)
        self.negative.setPlaceholderText("Negative prompt (optional)")
        self.continue_previous = QCheckBox("Continue from the previous clip", self)
        self.land_on_next = QCheckBox("Land on the next clip", self)
        self.continue_previous.setChecked(True)
        self.land_on_next.setChecked(True)
        self.profile = QComboBox(self)
        for name in PROFILES:
            self.profile.addItem(PROFILE_LABELS[name], name)
        self.profile.setToolTip("Draft: seconds, a few steps (Promote to Final later, same seed). "
                                "Standard: the full recipe with caching where it pays. Final: the full recipe.")
        self.asked_profile = profile   # "" until the user or the caller picks one: the model's default then
        self.profile.activated.connect(lambda _i: setattr(self, "asked_profile", self.profile_name()))
        self.match_colors = QCheckBox("Match colours", self)
        self.match_colors.setToolTip("Bring the shot's colours to the previous clip's (else the next clip's)")
        self.match_colors.setChecked(match_colors)
        self.note = QLabel(note, self)
        self.note.setObjectName("Dim")
        self.note.setWordWrap(True)
        self.note.setVisible(bool(note))
        self.error = QLabel("", self)
        self.error.setObjectName("Error")
        self.error.setStyleSheet("color: #ff6b6b;")

        top = QHBoxLayout()
        top.addWidget(self.prompt, 1)
        top.addWidget(self.go)
        grid = QGridLayout(self)
        grid.setContentsMargins(10, 8, 10, 8)
        grid.setHorizontalSpacing(8)
        grid.addWidget(self.title, 0, 0, 1, 6)
        grid.addLayout(top, 1, 0, 1, 6)
        grid.addWidget(QLabel("Model", self), 2, 0)
        grid.addWidget(self.model, 2, 1)
        grid.addWidget(QLabel("Seed", self), 2, 2)
        seed_row = QHBoxLayout()
        seed_row.addWidget(self.seed, 1)
        seed_row.addWidget(self.dice)
        grid.addLayout(seed_row, 2, 3)
        grid.addWidget(QLabel("Length", self), 2, 4)
        grid.addWidget(self.seconds, 2, 5)
        grid.addWidget(QLabel("Steps", self), 3, 0)
        grid.addWidget(self.steps, 3, 1)
        grid.addWidget(self.negative, 3, 2, 1, 4)
        grid.addWidget(self.continue_previous, 4, 0, 1, 3)
        grid.addWidget(self.land_on_next, 4, 3, 1, 3)
        grid.addWidget(QLabel("Quality", self), 5, 0)
        grid.addWidget(self.profile, 5, 1)
        grid.addWidget(self.match_colors, 5, 2, 1, 4)
        grid.addWidget(self.note, 6, 0, 1, 6)
        grid.addWidget(self.error, 7, 0, 1, 6)
        self.error.hide()
        self.wheel_guard = guard_wheel(self)
        self._model_changed()

    def _new_seed(self) -> int:
        return self._seed_source() & MAX_SEED   # the spin box holds 31 bits; the generator takes any of them

    def model_id(self) -> str | None:
        data = self.model.currentData()
        return str(data) if data else None

    def _model_changed(self, *_ignored: object) -> None:
        model_id = self.model_id()
        cond = self._conditioning_for(model_id) if model_id else Conditioning(False, False, "no model", "no model")
        for box, ok, why in ((self.continue_previous, cond.continue_ok, cond.continue_reason),
                             (self.land_on_next, cond.land_ok, cond.land_reason)):
            box.setEnabled(ok)
            box.setToolTip("" if ok else why)
            if not ok:
                box.setChecked(False)
        profile = profile_for(model_id, self.asked_profile) if model_id else (self.asked_profile or "final")
        self.profile.setCurrentIndex(max(0, self.profile.findData(profile)))

    def profile_name(self) -> str:
        return str(self.profile.currentData() or "final")

    def options(self) -> ShotOptions:
        return ShotOptions(
            prompt=self.prompt.text().strip(),
            model=self.model_id(),
            seed=self.seed.value(),
            steps=self.steps.value() or None,
            negative_prompt=self.negative.text().strip(),
            continue_previous=self.continue_previous.isEnabled() and self.continue_previous.isChecked(),
            land_on_next=self.land_on_next.isEnabled() and self.land_on_next.isChecked(),
            profile=self.profile_name(),
            match_colors=self.match_colors.isChecked(),
        )

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))
        self.adjustSize()

    def submit(self) -> None:
        if not self.prompt.text().strip():
            self.show_error("Type what the shot should show first")
            self.prompt.setFocus()
            return
        self.submitted.emit(self.options(), self.seconds.value())

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() == Qt.Key.Key_Escape:
            self.closed.emit()
            event.accept()
            return
        super().keyPressEvent(event)
