"""Voices and models as the storyboard offers them, and the per-line voice settings of a card (voice, speed,
pitch, Regenerate line).

``voice_entries()`` lists every voice of every voice model as (key, label): the key is what a speech clip's
spec and the storyboard store ("espeak-ng:en-us"), the label what a person reads ("Basic voice (espeak-ng) —
English (US)"); neural voices whose weights are not here say "needs download". ``video_model_entries()`` lists
the video models that can run here (installed ones, then the test models).
"""

from __future__ import annotations

import contextlib

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QWidget,
)

DEFAULT_VOICE_LABEL = "Board voice"
DEFAULT_MODEL_LABEL = "Default video model"
SPEED_RANGE = (0.25, 4.0)   # what the voice models take (AudioJobSpec), so every line shows as it is
PITCH_RANGE = 24.0          # semitones either way


def voice_entries(*, include_test: bool = False) -> list[tuple[str, str]]:
    """(key, label) for each voice: the basic voice first, then installed neural voices, then the rest."""
    from editor.generate.audio_catalog import voice_choices
    from editor.generate.preferences import load_preferences

    try:   # installed in the models folder the person chose (Models and settings), else the default one
        choices = voice_choices(include_test=include_test, models_root=load_preferences().models_dir)
    except Exception:   # noqa: BLE001 - a damaged models folder: the basic voice is still there
        choices = []
    return [(c.key, f"{c.model.name} — {c.voice.name}" + ("" if c.installed else " (needs download)"))
            for c in choices]


def video_model_entries() -> list[tuple[str, str]]:
    """(model id, label) of the video models a storyboard can use here (installed ones, then the test models)."""
    try:
        from editor.generate.catalog import model_choices, model_rows

        return [(c.model.id, c.label) for c in model_choices(model_rows(sizes=False)) if c.usable]
    except Exception:   # noqa: BLE001 - no generation extras installed: the default model only
        return []


def fill_combo(combo: QComboBox, entries: list[tuple[str, str]], current: str, *, default_label: str) -> None:
    """``combo`` lists ``default_label`` (data "") then ``entries``, with ``current`` selected (added when it is
    not among them, so an unknown value a project names is shown, not lost)."""
    combo.blockSignals(True)
    try:
        combo.clear()
        combo.addItem(default_label, "")
        for key, label in entries:
            combo.addItem(label, key)
        if current and combo.findData(current) < 0:
            combo.addItem(current, current)
        combo.setCurrentIndex(max(0, combo.findData(current)))
    finally:
        combo.blockSignals(False)


class VoiceSettings(QWidget):
    """A narration line's voice, speed and pitch; ``changed(voice, speed, pitch)`` when the person changes one
    (voice "" = the board's voice), ``regenerate()`` for "Regenerate line". ``show_line(...)`` fills it without
    emitting."""

    changed = Signal(str, float, float)
    regenerate = Signal()

    def __init__(self, entries: list[tuple[str, str]] | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("VoiceSettings")
        self._entries = entries if entries is not None else voice_entries()
        self.voice = QComboBox()
        self.voice.setObjectName("LineVoice")
        self.voice.setMinimumContentsLength(12)
        self.voice.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        fill_combo(self.voice, self._entries, "", default_label=DEFAULT_VOICE_LABEL)
        self.speed = QDoubleSpinBox()
        self.speed.setRange(SPEED_RANGE[0], SPEED_RANGE[1])   # the voice models' range (edit_card's too)
        self.speed.setSingleStep(0.05)
        self.speed.setDecimals(2)
        self.speed.setSuffix("×")
        self.speed.setValue(1.0)
        self.pitch = QDoubleSpinBox()
        self.pitch.setRange(-PITCH_RANGE, PITCH_RANGE)
        self.pitch.setSingleStep(0.5)
        self.pitch.setDecimals(1)
        self.pitch.setSuffix(" st")
        self.pitch.setToolTip("Pitch in semitones (0: the voice's own)")
        self.regenerate_button = QPushButton("Regenerate line")
        self.regenerate_button.setToolTip("Speak this line again (a new take)")
        self.regenerate_button.clicked.connect(self.regenerate)
        self.speed.setToolTip("How fast the line is spoken (1.00×: the voice's own pace)")
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.speed, 1)
        row.addWidget(QLabel("Pitch"))
        row.addWidget(self.pitch, 1)
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("Voice", self.voice)
        form.addRow("Speed", row)
        form.addRow("", self.regenerate_button)
        self.voice.activated.connect(self._emit)
        self.speed.editingFinished.connect(self._emit)
        self.pitch.editingFinished.connect(self._emit)
        self._line: tuple[str, float, float] = ("", 1.0, 0.0)   # what the line holds
        self._shown: tuple[str, float, float] = self.values()     # what the boxes showed for it

    def show_line(self, voice: str, speed: float | None, pitch: float | None, *, has_speech: bool) -> None:
        self._line = (voice, 1.0 if speed is None else float(speed), 0.0 if pitch is None else float(pitch))
        fill_combo(self.voice, self._entries, voice, default_label=DEFAULT_VOICE_LABEL)
        for box, value in ((self.speed, self._line[1]), (self.pitch, self._line[2])):
            with _signals_blocked(box):
                box.setValue(value)
        self._shown = self.values()
        self.setEnabled(has_speech)

    def values(self) -> tuple[str, float, float]:
        """What the boxes show (rounded to their decimals)."""
        return str(self.voice.currentData() or ""), round(self.speed.value(), 2), round(self.pitch.value(), 1)

    def line_values(self) -> tuple[str, float, float]:
        """What the line holds (as set, not as rounded for showing)."""
        return self._line

    def _emit(self, *_ignored: object) -> None:
        """Say what changed; a setting the person left as shown keeps the line's own value (a box shows it
        rounded to its decimals, and writing that back would change the line)."""
        shown = self.values()
        if shown == self._shown:
            return
        line = tuple(old if now == was else now for now, was, old in zip(shown, self._shown, self._line, strict=True))
        self._shown, self._line = shown, line   # type: ignore[assignment]
        self.changed.emit(*line)


@contextlib.contextmanager
def _signals_blocked(widget: QWidget):
    old = widget.blockSignals(True)
    try:
        yield
    finally:
        widget.blockSignals(old)
