"""The inspector: properties of the selected clip; changes go through SetClipProperties."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
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
        self.shots = None   # the window's ShotsUi: live states, takes, regenerate
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
        self.prompt_edit = QPlainTextEdit(self)
        self.prompt_edit.setObjectName("PromptEdit")
        self.prompt_edit.setFixedHeight(64)
        self.apply_prompt = QPushButton("Apply prompt", self)
        self.apply_prompt.clicked.connect(self._prompt_edited)
        gen.addRow("Prompt", self.prompt_edit)
        gen.addRow("", self.apply_prompt)
        for key in ("Seed", "Model", "State"):
            label = QLabel("", self)
            label.setWordWrap(True)
            self.facts[key] = label
            gen.addRow(key, label)
        self.takes = QListWidget(self)
        self.takes.setObjectName("Takes")
        self.takes.setIconSize(QSize(48, 48))
        self.takes.setFixedHeight(120)
        self.takes.itemClicked.connect(self._take_clicked)
        gen.addRow("Takes", self.takes)
        buttons = QHBoxLayout()
        self.regenerate_button = QPushButton("Regenerate", self)
        self.regenerate_button.setToolTip("A new take with a new seed")
        self.variations_button = QPushButton("Variations ×4", self)
        self.retry_button = QPushButton("Retry", self)
        self.cancel_button = QPushButton("Cancel", self)
        for b in (self.regenerate_button, self.variations_button, self.retry_button, self.cancel_button):
            buttons.addWidget(b)
        self.regenerate_button.clicked.connect(lambda: self._shots_call("regenerate"))
        self.variations_button.clicked.connect(lambda: self._shots_call("variations"))
        self.retry_button.clicked.connect(lambda: self._shots_call("retry"))
        self.cancel_button.clicked.connect(lambda: self._shots_call("cancel"))
        gen.addRow(buttons)
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
            if self.prompt_edit.toPlainText() != clip.spec.prompt and not self.prompt_edit.hasFocus():
                self.prompt_edit.setPlainText(clip.spec.prompt)
            self.refresh_generated()

    def refresh_generated(self) -> None:
        """The generated shot's live part: seed, model, state, takes, which buttons apply."""
        clip = self._current()
        if not isinstance(clip, GeneratedClip):
            return
        spec = clip.spec
        self.facts["Seed"].setText("random" if spec.seed is None else str(spec.seed))
        self.facts["Model"].setText(spec.model or "default")
        status = self.shots.status(clip) if self.shots is not None else None
        text = ("pending (no take yet)" if clip.pending else "ready") if status is None else status.text()
        if not clip.pending:
            text += f" · take {(clip.active_take or 0) + 1} of {len(clip.takes)}"
        self.facts["State"].setText(text)
        self.retry_button.setVisible(status is not None and status.can_retry)
        self.cancel_button.setVisible(status is not None and status.live)
        stale = status is not None and status.state == "stale"
        self.regenerate_button.setDefault(stale)
        self.regenerate_button.setText("Regenerate (prompt changed)" if stale else "Regenerate")
        self._fill_takes(clip)

    def _fill_takes(self, clip: GeneratedClip) -> None:
        specs = self.shots.queue.take_specs(clip) if self.shots is not None else [None] * len(clip.takes)
        art = getattr(self.shots.window.timeline_view, "art", None) if self.shots is not None else None
        wanted = []
        for i, take in enumerate(clip.takes):
            spec = specs[i]
            label = f"Take {i + 1}" + (f" · seed {spec.seed}" if spec is not None and spec.seed is not None else "")
            if i == clip.active_take:
                label += "  ▶ playing"
            wanted.append((label, take.media_id))
        if [(self.takes.item(i).text(), self.takes.item(i).data(Qt.ItemDataRole.UserRole))
                for i in range(self.takes.count())] == wanted and all(
                not self.takes.item(i).icon().isNull() for i in range(self.takes.count())):
            return
        self.takes.clear()
        tl = self.edits.timeline
        for i, (label, media_id) in enumerate(wanted):
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, media_id)
            item.setData(Qt.ItemDataRole.UserRole + 1, i)
            media = tl.media.get(media_id)
            if art is not None and media is not None and media.online:
                image = art.thumb(media.path, 0.1, 48)
                if image is not None:
                    item.setIcon(QIcon(QPixmap.fromImage(image)))
            self.takes.addItem(item)
            if i == clip.active_take:
                self.takes.setCurrentItem(item)

    def _take_clicked(self, item: QListWidgetItem) -> None:
        clip = self._current()
        if self.shots is None or not isinstance(clip, GeneratedClip):
            return
        index = int(item.data(Qt.ItemDataRole.UserRole + 1))
        if index != clip.active_take:
            self.shots.switch_take(clip.id, index)

    def _prompt_edited(self) -> None:
        clip = self._current()
        text = self.prompt_edit.toPlainText().strip()
        if isinstance(clip, GeneratedClip) and text and text != clip.spec.prompt:
            self._set(spec=replace(clip.spec, prompt=text), label="Edit prompt")

    def _shots_call(self, what: str) -> None:
        clip = self._current()
        if self.shots is None or not isinstance(clip, GeneratedClip):
            return
        if what == "regenerate":
            self.shots.regenerate(clip.id)
        elif what == "variations":
            self.shots.regenerate(clip.id, 4)
        elif what == "retry":
            self.shots.retry(clip.id)
        else:
            self.shots.cancel(clip.id)

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
