"""The inspector: properties of the selected clip. Position, duration and source in are typed (a timecode
HH:MM:SS:FF or a frame number) and applied as Move, TrimTail and Slip; the rest go through SetClipProperties."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from fractions import Fraction

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
from editor.model.commands import Command, Move, SetClipProperties, Slip, TrimTail
from editor.model.time import timecode
from editor.ui.edits import Edits

_TIMECODE = re.compile(r"^\d+([:;]\d+){0,3}$")
TIME_TIP = "A timecode HH:MM:SS:FF (or MM:SS:FF, SS:FF) or a frame number; Return applies"


def parse_time(text: str, rate: Fraction) -> int:
    """Frames from what a user typed: a frame number ("90") or a non-drop-frame timecode at the nominal rate
    ("00:00:03:00", "3:00", "1:02:03:04"), as ``timecode`` writes it. ValueError (one line) if it is neither."""
    text = text.strip()
    if not _TIMECODE.match(text):
        raise ValueError(f"“{text}” is not a timecode (HH:MM:SS:FF) or a frame number")
    parts = [int(x) for x in re.split(r"[:;]", text)]
    if len(parts) == 1:
        return parts[0]
    nominal = max(1, round(rate))
    *clock, ff = parts
    if ff >= nominal:
        raise ValueError(f"“{text}”: the frames part must be below {nominal} at {nominal} fps")
    if any(x >= 60 for x in clock[1:]) or (len(clock) < 3 and clock[0] >= 60):
        raise ValueError(f"“{text}”: minutes and seconds must be below 60")
    seconds = 0
    for x in clock:
        seconds = seconds * 60 + x
    return seconds * nominal + ff


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
        self.position_edit = self._time_edit("PositionEdit", self._position_edited)
        self.duration_edit = self._time_edit("DurationEdit", self._duration_edited)
        self.source_in_edit = self._time_edit("SourceInEdit", self._source_in_edited)
        form = QFormLayout()
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("Name", self.name)
        self.facts["Track"] = QLabel("", self)
        form.addRow("Track", self.facts["Track"])
        form.addRow("Position", self.position_edit)
        form.addRow("Duration", self.duration_edit)
        form.addRow("Source in", self.source_in_edit)
        for key in ("Source out", "Media"):
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
        # After any edit, undo or redo: the timing fields show the clip as it now is.
        self.edits.stack.indexChanged.connect(self._history_moved)
        self.show_clip(None)

    def _time_edit(self, name: str, slot) -> QLineEdit:
        edit = QLineEdit(self)
        edit.setObjectName(name)
        edit.setToolTip(TIME_TIP)
        edit.editingFinished.connect(slot)
        return edit

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
        media = tl.media.get(clip.media_id() or "")
        self.title.setText("Clip")
        self._shown_name = clip.name or (media.name if media else "")
        self.name.setText(self._shown_name)
        self._show_timing(track, clip, force=True)
        self.facts["Media"].setText("—" if media is None else media.name + ("" if media.online else " (offline)"))
        self.fit.setCurrentText(clip.fit.value)
        self.volume.setValue(clip.volume)
        if isinstance(clip, GeneratedClip):
            if self.prompt_edit.toPlainText() != clip.spec.prompt and not self.prompt_edit.hasFocus():
                self.prompt_edit.setPlainText(clip.spec.prompt)
            self.refresh_generated()

    def _show_timing(self, track: Track, clip: Clip, *, force: bool = False) -> None:
        """Track, position, duration, source in/out. Unless ``force``, a field being typed into is left alone."""
        fps = self.edits.timeline.fps
        self.facts["Track"].setText(track.name or track.id)
        for edit, frames, tip in ((self.position_edit, clip.start, f"frame {clip.start}"),
                                  (self.duration_edit, clip.duration, f"{clip.duration} frames"),
                                  (self.source_in_edit, clip.source_in, f"source frame {clip.source_in}")):
            if force or not (edit.hasFocus() and edit.isModified()):
                edit.setText(timecode(frames, fps))
                edit.setModified(False)
            edit.setToolTip(f"{tip}\n{TIME_TIP}")
        out = clip.source_in + clip.duration
        self.facts["Source out"].setText(f"{timecode(out, fps)}  (source frame {out})")

    def _history_moved(self, *_ignored: object) -> None:
        if self.clip_id is None:
            return
        try:
            track, clip = self.edits.timeline.find(self.clip_id)
        except KeyError:
            self.show_clip(None)
            return
        self._show_timing(track, clip)

    def _time_typed(self, edit: QLineEdit, current: Callable[[Clip], int],
                    make: Callable[[Clip, int], Command]) -> None:
        """Apply a typed time as one command (one undo step); a bad entry or a refused edit changes nothing,
        its reason goes out through ``edits.refused`` and the field shows the clip's real value again."""
        found = self._found()
        if found is None or not edit.isModified():
            return
        _track, clip = found
        text = edit.text().strip()
        if text:
            try:
                frames = parse_time(text, self.edits.timeline.fps)
            except ValueError as exc:
                self.edits.refused.emit(str(exc))
            else:
                if frames != current(clip):
                    self.edits.do(make(clip, frames))
        found = self._found()
        if found is not None:
            self._show_timing(*found, force=True)

    def _position_edited(self) -> None:
        self._time_typed(self.position_edit, lambda c: c.start, lambda c, f: Move(c.id, None, f))

    def _duration_edited(self) -> None:
        self._time_typed(self.duration_edit, lambda c: c.duration, lambda c, f: TrimTail(c.id, c.start + f))

    def _source_in_edited(self) -> None:
        self._time_typed(self.source_in_edit, lambda c: c.source_in, lambda c, f: Slip(c.id, f))

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
        self.retry_button.setText("Generate" if status is not None and status.state == "draft" else "Retry")
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

    def _found(self) -> tuple[Track, Clip] | None:
        try:
            return self.edits.timeline.find(self.clip_id) if self.clip_id else None
        except KeyError:
            return None

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
