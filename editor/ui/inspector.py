"""The inspector: properties of the selected clip; changes go through SetClipProperties."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from editor.model import Clip, Fit, GeneratedClip, Track
from editor.model.commands import SetClipProperties
from editor.model.time import timecode
from editor.ui.edits import Edits


class Inspector(QWidget):
    def __init__(self, edits: Edits, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Inspector")
        self.edits = edits
        self.clip_id: str | None = None
        self._shown_name = ""
        self.title = QLabel("Nothing selected", self)
        self.title.setObjectName("PanelTitle")
        self.name = QLineEdit(self)
        self.name.editingFinished.connect(self._name_edited)
        self.fit = QComboBox(self)
        self.fit.addItems([f.value for f in Fit])
        self.fit.activated.connect(self._fit_edited)
        self.volume = QDoubleSpinBox(self)
        self.volume.setRange(0.0, 4.0)
        self.volume.setSingleStep(0.1)
        self.volume.editingFinished.connect(self._volume_edited)
        self.facts: dict[str, QLabel] = {}
        form = QFormLayout()
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("Name", self.name)
        for key in ("Track", "Position", "Duration", "Source in", "Source out", "Media"):
            self.facts[key] = QLabel("", self)
            form.addRow(key, self.facts[key])
        form.addRow("Fit", self.fit)
        form.addRow("Volume", self.volume)
        self.gen_title = QLabel("Generated shot", self)
        self.gen_title.setObjectName("PanelTitle")
        gen = QFormLayout()
        gen.setContentsMargins(0, 0, 0, 0)
        for key in ("Prompt", "Seed", "Model", "State"):
            label = QLabel("", self)
            label.setWordWrap(True)
            self.facts[key] = label
            gen.addRow(key, label)
        self.form_box = QWidget(self)
        self.form_box.setLayout(form)
        self.gen_box = QWidget(self)
        v = QVBoxLayout(self.gen_box)
        v.setContentsMargins(0, 8, 0, 0)
        v.addWidget(self.gen_title)
        v.addLayout(gen)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 10)
        layout.addWidget(self.title)
        layout.addWidget(self.form_box)
        layout.addWidget(self.gen_box)
        layout.addStretch(1)
        self.show_clip(None)

    def show_clip(self, clip_id: str | None) -> None:
        tl = self.edits.timeline
        found: tuple[Track, Clip] | None = None
        if clip_id is not None:
            try:
                found = tl.find(clip_id)
            except KeyError:
                found = None
        self.clip_id = found[1].id if found else None
        self.form_box.setVisible(found is not None)
        self.gen_box.setVisible(found is not None and isinstance(found[1], GeneratedClip))
        if found is None:
            self.title.setText("Nothing selected" if clip_id is None else "")
            return
        track, clip = found
        fps = tl.fps
        media = tl.media.get(clip.media_id() or "")
        self.title.setText("Clip")
        self._shown_name = clip.name or (media.name if media else "")
        self.name.setText(self._shown_name)
        self.facts["Track"].setText(track.name or track.id)
        self.facts["Position"].setText(f"{timecode(clip.start, fps)}  (frame {clip.start})")
        self.facts["Duration"].setText(f"{timecode(clip.duration, fps)}  ({clip.duration} frames)")
        self.facts["Source in"].setText(timecode(clip.source_in, fps))
        self.facts["Source out"].setText(timecode(clip.source_in + clip.duration, fps))
        self.facts["Media"].setText("—" if media is None else media.name + ("" if media.online else " (offline)"))
        self.fit.setCurrentText(clip.fit.value)
        self.volume.setValue(clip.volume)
        if isinstance(clip, GeneratedClip):
            spec = clip.spec
            self.facts["Prompt"].setText(spec.prompt or "—")
            self.facts["Seed"].setText("random" if spec.seed is None else str(spec.seed))
            self.facts["Model"].setText(spec.model or "default")
            self.facts["State"].setText("pending (no take yet)" if clip.pending else
                                        f"ready: take {(clip.active_take or 0) + 1} of {len(clip.takes)}")

    def _set(self, **changes) -> None:
        if self.clip_id is not None:
            self.edits.do(SetClipProperties(self.clip_id, **changes))

    def _current(self) -> Clip | None:
        try:
            return self.edits.timeline.find(self.clip_id)[1] if self.clip_id else None
        except KeyError:
            return None

    def _name_edited(self) -> None:
        clip = self._current()
        if clip is not None and self.name.text() not in (clip.name, self._shown_name):
            self._set(name=self.name.text(), label="Rename clip")

    def _fit_edited(self) -> None:
        clip = self._current()
        if clip is not None and self.fit.currentText() != clip.fit.value:
            self._set(fit=self.fit.currentText(), label="Set fit")

    def _volume_edited(self) -> None:
        clip = self._current()
        if clip is not None and abs(self.volume.value() - clip.volume) > 1e-9:
            self._set(volume=self.volume.value(), label="Set volume")
