"""The inspector's effects of a media or generated clip: speed (reverse, freeze frame, slow-motion
interpolation), transform with keyframes at the playhead, fades, volume in dB (the gain rubber band) and the
transition at the clip's head. Every change is one command on the window's undo stack.

The panel reads the clip and the playhead through its host (the ``Inspector``): ``edits``, ``current()`` and
``playhead()`` / ``seek(frame)``.
"""

from __future__ import annotations

from fractions import Fraction

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from editor.model import Clip, TextClip, TrackKind
from editor.model.commands import AddTransition, SetClipProperties, SetSpeed
from editor.model.effects import MAX_SPEED, MIN_SPEED, Transition, TransitionKind, parse_speed
from editor.model.keyframe_edit import (
    GAIN_MAX_DB,
    GAIN_MIN_DB,
    TRANSITION_NAMES,
    clip_frame,
    key_at,
    key_frames,
    set_at,
    set_ease,
    toggle_key,
    transition_alignment,
)
from editor.model.keyframes import Curve, Ease
from editor.ui.keyframe_field import KeyedField

INTERPOLATIONS = (("Frame repeat", ""), ("Frame blending", "blend"), ("Optical flow", "flow"))
EASES = (("Linear", Ease.LINEAR), ("Ease in", Ease.EASE_IN), ("Ease out", Ease.EASE_OUT),
         ("Ease in/out", Ease.EASE_IN_OUT), ("Hold", Ease.HOLD))
ALIGNS = (("Centre on cut", "centre"), ("Start at cut", "start"), ("End at cut", "end"))

# Transform rows: (property, label, model->display factor or "w"/"h" for canvas pixels, lo, hi, decimals, suffix)
TRANSFORM_ROWS = (
    ("x", "Position X", "w", -10000.0, 10000.0, 0, " px"),
    ("y", "Position Y", "h", -10000.0, 10000.0, 0, " px"),
    ("scale", "Scale", 100.0, 0.0, 2000.0, 1, " %"),
    ("rotation", "Rotation", 1.0, -36000.0, 36000.0, 1, " °"),
    ("opacity", "Opacity", 100.0, 0.0, 100.0, 1, " %"),
    ("crop_left", "Crop left", 100.0, 0.0, 99.0, 1, " %"),
    ("crop_top", "Crop top", 100.0, 0.0, 99.0, 1, " %"),
    ("crop_right", "Crop right", 100.0, 0.0, 99.0, 1, " %"),
    ("crop_bottom", "Crop bottom", 100.0, 0.0, 99.0, 1, " %"),
)


def section_form(title: str, parent: QWidget) -> tuple[QWidget, QFormLayout]:
    """A titled inspector section: its widget and its form, rows wrapping (the panel is narrow)."""
    box = QWidget(parent)
    form = QFormLayout(box)
    form.setContentsMargins(0, 0, 0, 0)
    form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
    label = QLabel(title, box)
    label.setObjectName("PanelTitle")
    form.addRow(label)
    return box, form


class EffectsPanel(QWidget):
    """Speed, Transform, Fades, Volume (dB) and Transition sections for the host's selected clip."""

    def __init__(self, host, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("EffectsPanel")
        self.host = host
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        # --- speed
        self.speed_box, speed_form = section_form("Speed", self)
        self.speed = QDoubleSpinBox(self)
        self.speed.setObjectName("SpeedEdit")
        self.speed.setRange(float(MIN_SPEED), float(MAX_SPEED))
        self.speed.setDecimals(2)
        self.speed.setSingleStep(0.25)
        self.speed.setSuffix(" x")
        self.speed.setKeyboardTracking(False)
        self.speed.editingFinished.connect(self._speed_edited)
        self.reverse = QCheckBox("Reverse", self)
        self.reverse.clicked.connect(self._reverse_clicked)
        self.freeze = QPushButton("Freeze frame", self)
        self.freeze.setToolTip("Hold the clip's first frame for its whole length (again: play it at 1x)")
        self.freeze.clicked.connect(self._freeze_clicked)
        row = QHBoxLayout()
        row.addWidget(self.reverse)
        row.addWidget(self.freeze)
        self.interpolation = QComboBox(self)
        for text, value in INTERPOLATIONS:
            self.interpolation.addItem(text, value)
        self.interpolation.setToolTip("How slow motion makes the frames between source frames")
        self.interpolation.activated.connect(self._interpolation_edited)
        speed_form.addRow("Speed", self.speed)
        speed_form.addRow(row)
        speed_form.addRow("Slow motion", self.interpolation)
        layout.addWidget(self.speed_box)
        # --- transform
        self.transform_box, tf = section_form("Transform", self)
        self.fields: dict[str, KeyedField] = {}
        for name, label, _factor, lo, hi, decimals, suffix in TRANSFORM_ROWS:
            field = KeyedField(lo, hi, decimals, suffix, step=1.0, parent=self)
            field.setObjectName(f"Transform_{name}")
            field.entered.connect(lambda v, n=name: self._transform_entered(n, v))
            field.toggled.connect(lambda n=name: self._transform_toggled(n))
            self.fields[name] = field
            tf.addRow(label, field)
        keys_row = QHBoxLayout()
        self.prev_key = QToolButton(self)
        self.prev_key.setText("◀◆")
        self.prev_key.setToolTip("Playhead to the previous keyframe")
        self.prev_key.clicked.connect(lambda: self._jump(-1))
        self.next_key = QToolButton(self)
        self.next_key.setText("◆▶")
        self.next_key.setToolTip("Playhead to the next keyframe")
        self.next_key.clicked.connect(lambda: self._jump(1))
        self.ease = QComboBox(self)
        for text, value in EASES:
            self.ease.addItem(text, value.value)   # Qt keeps a StrEnum as plain text
        self.ease.setToolTip("Easing from the keyframe at the playhead to the next")
        self.ease.activated.connect(self._ease_edited)
        keys_row.addWidget(self.prev_key)
        keys_row.addWidget(self.next_key)
        keys_row.addWidget(self.ease, 1)
        tf.addRow("Keyframe", keys_row)
        layout.addWidget(self.transform_box)
        # --- fades
        self.fade_box, ff = section_form("Fades", self)
        self.fade_in = self._seconds_spin("FadeIn", lambda: self._fade_edited("fade_in", self.fade_in))
        self.fade_out = self._seconds_spin("FadeOut", lambda: self._fade_edited("fade_out", self.fade_out))
        ff.addRow("Fade in", self.fade_in)
        ff.addRow("Fade out", self.fade_out)
        layout.addWidget(self.fade_box)
        # --- volume (gain, dB)
        self.gain_box, gf = section_form("Audio", self)
        self.gain = KeyedField(GAIN_MIN_DB, GAIN_MAX_DB, 1, " dB", step=1.0, parent=self)
        self.gain.setObjectName("GainField")
        self.gain.setToolTip("Level in dB at the playhead (0 dB: as recorded); the diamond keys the rubber band")
        self.gain.entered.connect(self._gain_entered)
        self.gain.toggled.connect(self._gain_toggled)
        gf.addRow("Volume", self.gain)
        layout.addWidget(self.gain_box)
        # --- transition at the head
        self.transition_box, tr = section_form("Transition", self)
        self.transition_kind = QComboBox(self)
        for kind, text in TRANSITION_NAMES.items():
            self.transition_kind.addItem(text, kind.value)
        self.transition_kind.activated.connect(lambda _i: self._transition_edited())
        self.transition_duration = self._seconds_spin("TransitionDuration", self._transition_edited)
        self.transition_duration.setMinimum(0.01)
        self.transition_align = QComboBox(self)
        for text, value in ALIGNS:
            self.transition_align.addItem(text, value)
        self.transition_align.activated.connect(lambda _i: self._transition_edited())
        self.remove_transition = QPushButton("Remove transition", self)
        self.remove_transition.clicked.connect(self._transition_removed)
        tr.addRow("Kind", self.transition_kind)
        tr.addRow("Duration", self.transition_duration)
        tr.addRow("Alignment", self.transition_align)
        tr.addRow("", self.remove_transition)
        layout.addWidget(self.transition_box)

    def _seconds_spin(self, name: str, slot) -> QDoubleSpinBox:
        spin = QDoubleSpinBox(self)
        spin.setObjectName(name)
        spin.setRange(0.0, 3600.0)
        spin.setDecimals(2)
        spin.setSingleStep(0.25)
        spin.setSuffix(" s")
        spin.setKeyboardTracking(False)
        spin.editingFinished.connect(slot)
        return spin

    # --- reading the model ---------------------------------------------------------------------------

    @property
    def fps(self) -> Fraction:
        return self.host.edits.timeline.fps

    def _frame(self, clip: Clip) -> int:
        return clip_frame(clip, self.host.playhead())

    def _factor(self, factor) -> float:
        settings = self.host.edits.timeline.settings
        return float(settings.width if factor == "w" else settings.height if factor == "h" else factor)

    def show_clip(self, clip: Clip | None, track_kind: TrackKind | None, has_sound: bool) -> None:
        """Show the sections that mean something for ``clip`` (None: hide all) with its values."""
        self.setVisible(clip is not None)
        if clip is None:
            return
        video = track_kind is TrackKind.VIDEO
        tl = self.host.edits.timeline
        retimable = not isinstance(clip, TextClip) and clip.media_id() is not None and not tl.is_still(clip)
        self.speed_box.setVisible(retimable)
        self.transform_box.setVisible(video)
        self.gain_box.setVisible(has_sound)
        self.transition_box.setVisible(clip.transition is not None)
        frame = self._frame(clip)
        if retimable:
            self._set_quiet(self.speed, float(clip.speed) if clip.speed else 1.0)
            self.speed.setEnabled(clip.speed != 0)
            self.reverse.setChecked(clip.reverse)
            self.freeze.setText("Unfreeze" if clip.speed == 0 else "Freeze frame")
            self.interpolation.setCurrentIndex(self.interpolation.findData(clip.interpolation))
        for name, _label, factor, *_rest in TRANSFORM_ROWS:
            curve = clip.transform.curve(name)
            self.fields[name].show_value(curve.at(frame) * self._factor(factor), key_at(curve, frame) is not None,
                                         bool(curve.keys))
        keyed = [clip.transform.curve(n) for n in clip.transform.names() if key_at(clip.transform.curve(n), frame)]
        self.ease.setEnabled(bool(keyed))
        if keyed:
            self.ease.setCurrentIndex(self.ease.findData(key_at(keyed[0], frame).ease.value))
        frames = key_frames(clip)
        self.prev_key.setEnabled(any(f < frame for f in frames))
        self.next_key.setEnabled(any(f > frame for f in frames))
        fps = float(self.fps)
        self._set_quiet(self.fade_in, clip.fade_in / fps)
        self._set_quiet(self.fade_out, clip.fade_out / fps)
        self.gain.show_value(clip.gain.at(frame), key_at(clip.gain, frame) is not None, bool(clip.gain.keys))
        t = clip.transition
        if t is not None:
            self.transition_kind.setCurrentIndex(self.transition_kind.findData(t.kind.value))
            self._set_quiet(self.transition_duration, t.duration / fps)
            self.transition_align.setCurrentIndex(self.transition_align.findData(transition_alignment(t)))

    @staticmethod
    def _set_quiet(spin: QDoubleSpinBox, value: float) -> None:
        if spin.hasFocus() and spin.lineEdit().isModified():
            return
        spin.blockSignals(True)
        spin.setValue(value)
        spin.blockSignals(False)

    # --- edits -----------------------------------------------------------------------------------------

    def _do(self, command) -> bool:
        return self.host.edits.do(command)

    def _speed_edited(self) -> None:
        clip = self.host.current()
        if clip is None or clip.speed == 0:
            return
        try:
            speed = parse_speed(f"{self.speed.value():.2f}")
        except ValueError as exc:
            self.host.edits.refused.emit(str(exc))
            return
        if speed != clip.speed:
            self._do(SetSpeed(clip.id, speed))

    def _reverse_clicked(self, checked: bool) -> None:
        clip = self.host.current()
        if clip is not None and checked != clip.reverse:
            command = SetSpeed(clip.id, clip.speed, reverse=checked)
            command.label = "Reverse clip" if checked else "Play forwards"
            if not self._do(command):
                self.reverse.setChecked(clip.reverse)

    def _freeze_clicked(self) -> None:
        clip = self.host.current()
        if clip is not None:
            command = SetSpeed(clip.id, Fraction(1) if clip.speed == 0 else Fraction(0))
            command.label = "Unfreeze clip" if clip.speed == 0 else "Freeze frame"
            self._do(command)

    def _interpolation_edited(self, _index: int) -> None:
        clip = self.host.current()
        value = self.interpolation.currentData()
        if clip is not None and value != clip.interpolation:
            self._do(SetClipProperties(clip.id, interpolation=value, label="Set slow motion"))

    def _transform_entered(self, name: str, shown: float) -> None:
        clip = self.host.current()
        if clip is None:
            return
        factor = next(r[2] for r in TRANSFORM_ROWS if r[0] == name)
        curve = set_at(clip.transform.curve(name), shown / self._factor(factor), self._frame(clip))
        self._set_curve(clip, name, curve, f"Set {name.replace('_', ' ')}")

    def _transform_toggled(self, name: str) -> None:
        clip = self.host.current()
        if clip is None:
            return
        frame = self._frame(clip)
        had = key_at(clip.transform.curve(name), frame) is not None
        curve = toggle_key(clip.transform.curve(name), frame)
        self._set_curve(clip, name, curve, f"{'Remove' if had else 'Add'} {name.replace('_', ' ')} keyframe")

    def _set_curve(self, clip: Clip, name: str, curve: Curve, label: str) -> None:
        if curve != clip.transform.curve(name) and not self._do(
                SetClipProperties(clip.id, transform=clip.transform.with_curve(name, curve), label=label)):
            self.host.refresh()

    def _ease_edited(self, _index: int) -> None:
        clip = self.host.current()
        if clip is None:
            return
        frame = self._frame(clip)
        ease = Ease(self.ease.currentData())
        transform = clip.transform
        for name in transform.names():
            transform = transform.with_curve(name, set_ease(transform.curve(name), frame, ease))
        if transform != clip.transform:
            self._do(SetClipProperties(clip.id, transform=transform, label="Set keyframe easing"))

    def _jump(self, direction: int) -> None:
        clip = self.host.current()
        if clip is None:
            return
        frame = self._frame(clip)
        frames = key_frames(clip)
        targets = [f for f in frames if (f > frame if direction > 0 else f < frame)]
        if targets:
            self.host.seek(clip.start + (targets[0] if direction > 0 else targets[-1]))

    def _fade_edited(self, name: str, spin: QDoubleSpinBox) -> None:
        clip = self.host.current()
        if clip is None:
            return
        frames = round(spin.value() * float(self.fps))
        if frames != getattr(clip, name) and not self._do(
                SetClipProperties(clip.id, label="Set " + name.replace("_", " "), **{name: frames})):
            self.host.refresh()

    def _gain_entered(self, db: float) -> None:
        clip = self.host.current()
        if clip is not None:
            curve = set_at(clip.gain, db, self._frame(clip))
            if curve != clip.gain:
                self._do(SetClipProperties(clip.id, gain=curve, label="Set volume"))

    def _gain_toggled(self) -> None:
        clip = self.host.current()
        if clip is not None:
            frame = self._frame(clip)
            had = key_at(clip.gain, frame) is not None
            self._do(SetClipProperties(clip.id, gain=toggle_key(clip.gain, frame),
                                       label="Remove volume keyframe" if had else "Add volume keyframe"))

    def _transition_edited(self) -> None:
        clip = self.host.current()
        if clip is None or clip.transition is None:
            return
        frames = max(1, round(self.transition_duration.value() * float(self.fps)))
        kind = TransitionKind(self.transition_kind.currentData())
        t = Transition.aligned(kind, frames, self.transition_align.currentData())
        if t != clip.transition and not self._do(AddTransition(clip.id, t)):
            self.host.refresh()

    def _transition_removed(self) -> None:
        clip = self.host.current()
        if clip is not None and clip.transition is not None:
            self._do(AddTransition(clip.id, None))

