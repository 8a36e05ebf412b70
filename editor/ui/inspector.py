"""The inspector: properties of the selected clip. Position, duration and source in are typed (a timecode
HH:MM:SS:FF or a frame number) and applied as Move, TrimTail and Slip; the rest go through SetClipProperties.

It lives in a scroll area beside the viewer, so two things matter for its chrome: the wheel scrolls the panel
rather than changing whichever field passes under the pointer (``guard_wheel``), and every row fits in
``Inspector.PANEL_MIN_WIDTH`` (long values wrap or elide with the whole text in their tooltip) so nothing is cut off.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from fractions import Fraction

import shiboken6
from PySide6.QtCore import QEvent, QObject, QSize, Qt
from PySide6.QtGui import QIcon, QPainter, QPaintEvent, QPixmap
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
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
    QSizePolicy,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from editor.generate.shot_status import STALE_NEIGHBOURS, profile_label
from editor.model import Clip, Fit, GeneratedClip, MediaSource, TextClip, Track, TrackKind
from editor.model.commands import Command, Move, SetClipProperties, Slip, TrimTail
from editor.model.time import timecode
from editor.ui.edits import Edits
from editor.ui.inspector_effects import EffectsPanel
from editor.ui.inspector_text import TextPanel

_TIMECODE = re.compile(r"^\d+([:;]\d+){0,3}$")
TIME_TIP = "A timecode HH:MM:SS:FF (or MM:SS:FF, SS:FF) or a frame number; Return applies"



# The Fit menu in the words of CapCut and Premiere, with what each does.
FIT_CHOICES = (
    (Fit.FILL, "Fill", "Cover the canvas; the overflow is cropped (a 16:9 clip on 9:16 keeps its centre)"),
    (Fit.FIT, "Fit", "The whole picture inside the canvas, black bars around it"),
    (Fit.BLUR, "Fit over blur", "The whole picture over a blurred, darkened copy of itself filling the canvas"),
    (Fit.CROP, "Native size", "At its own pixel size, centred; the canvas crops what is larger"),
    (Fit.STRETCH, "Stretch", "Stretched to the canvas, the picture's shape changed"),
)

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


# Fields that change their value under the wheel.
WHEEL_FIELDS = (QComboBox, QAbstractSpinBox, QSlider)


class WheelGuard(QObject):
    """Only a focused field takes the wheel: scrolling a panel past a combo box or spin box must not change it
    (a user scrolling the inspector turned Fit from fill to stretch without noticing)."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.Wheel and isinstance(watched, WHEEL_FIELDS) and not watched.hasFocus():
            event.ignore()   # an ignored wheel event goes on to the parents: the scroll area scrolls
            return True
        return False


def guard_wheel(root: QWidget) -> WheelGuard:
    """Guard every wheel field under ``root`` as it is now (call it once the fields exist). The fields take focus
    by click or Tab only: with Qt's default (WheelFocus) the wheel itself would focus them and get through."""
    guard = WheelGuard(root)
    for child in root.findChildren(QWidget):
        if isinstance(child, WHEEL_FIELDS):
            child.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            child.installEventFilter(guard)
    return guard


def shows_picture(track: Track, clip: Clip, media: MediaSource | None) -> bool:
    """Whether Fit means anything for the clip: it puts a picture on screen (a video or a still on a video track;
    a generated shot, even before its take exists)."""
    if track.kind is not TrackKind.VIDEO:
        return False
    return media.has_video if media is not None else isinstance(clip, GeneratedClip)


def has_sound(media: MediaSource | None) -> bool:
    """Whether Volume means anything for the clip: what it plays has sound (a pending shot has nothing yet)."""
    return media is not None and media.has_audio


def display_name(clip: Clip, media: MediaSource | None) -> str:
    """What the Name field shows when the clip has no name of its own: a generated shot's prompt (its take's
    file is named by a hash), else the media file's name."""
    if clip.name:
        return clip.name
    if isinstance(clip, GeneratedClip):
        return " ".join(clip.spec.prompt.split()) or "Generated shot"
    return media.name if media is not None else ""


class ElidedLabel(QLabel):
    """One line of text shortened in the middle ("…") to the width the layout gives it, rather than widening
    the panel or being cut off; the whole text is in the tooltip."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

    def setText(self, text: str) -> None:  # noqa: N802 - Qt's name
        super().setText(text)
        self.setToolTip(text)

    def set_text(self, text: str, tip: str) -> None:
        """The text, with a tooltip that says more (a file's full path)."""
        self.setText(text)
        self.setToolTip(tip)

    def shown_text(self) -> str:
        return self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideMiddle, self.contentsRect().width())

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(0, super().minimumSizeHint().height())

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        painter = QPainter(self)
        self.style().drawItemText(painter, self.contentsRect(), int(self.alignment() | Qt.AlignmentFlag.AlignVCenter),
                                  self.palette(), self.isEnabled(), self.shown_text(), self.foregroundRole())
        painter.end()


def _take_label(number: int, seed: int | None, playing: bool) -> str:
    """Two short lines, so the take list fits the panel beside its thumbnails."""
    first = f"Take {number}" + ("  ▶ playing" if playing else "")
    return first + (f"\nseed {seed}" if seed is not None else "")


class Inspector(QWidget):
    # Its scroll area is never narrower than this (main_window sets it): every row fits in it, the generated
    # shot's buttons and takes included (tests/editor/ui/test_first_hour_chrome.py checks it at 1600 px with the
    # generator queue docked).
    PANEL_MIN_WIDTH = 300

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
        for fit, label, tip in FIT_CHOICES:
            self.fit.addItem(label, fit.value)
            self.fit.setItemData(self.fit.count() - 1, tip, Qt.ItemDataRole.ToolTipRole)
        self.fit.activated.connect(self._fit_edited)
        self.volume = QDoubleSpinBox(self)
        self.volume.setRange(0.0, 4.0)
        self.volume.setSingleStep(0.1)
        self.volume.editingFinished.connect(self._volume_edited)
        self.facts: dict[str, QLabel] = {}
        self.position_edit = self._time_edit("PositionEdit", self._position_edited)
        self.duration_edit = self._time_edit("DurationEdit", self._duration_edited)
        self.source_in_edit = self._time_edit("SourceInEdit", self._source_in_edited)
        self.form = form = QFormLayout()
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("Name", self.name)
        self.facts["Track"] = ElidedLabel(self)
        form.addRow("Track", self.facts["Track"])
        form.addRow("Position", self.position_edit)
        form.addRow("Duration", self.duration_edit)
        form.addRow("Source in", self.source_in_edit)
        self.facts["Source out"] = QLabel("", self)
        self.facts["Source out"].setWordWrap(True)   # "00:00:01:15  (source frame 45)" wraps at the gap
        self.facts["Media"] = ElidedLabel(self)   # a file name has no spaces to wrap at
        for key in ("Source out", "Media"):
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
        for key in ("Seed", "Model", "Quality", "State"):
            # A model id ("org/Model-Name-1.3B") has no spaces to wrap at; the state is words.
            label = ElidedLabel(self) if key == "Model" else QLabel("", self)
            label.setWordWrap(key != "Model")
            self.facts[key] = label
            gen.addRow(key, label)
        self.match_colors = QCheckBox("Match colours", self)
        self.match_colors.setToolTip("Bring the shot's colours to the previous clip's (else the next clip's); "
                                     "applies to the next take")
        self.match_colors.toggled.connect(self._match_colors_toggled)
        gen.addRow("", self.match_colors)
        self.takes = QListWidget(self)
        self.takes.setObjectName("Takes")
        self.takes.setIconSize(QSize(48, 48))
        self.takes.setFixedHeight(120)
        self.takes.setWordWrap(True)
        self.takes.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.takes.itemClicked.connect(self._take_clicked)
        gen.addRow("Takes", self.takes)
        # Regenerate on a row of its own ("Regenerate (prompt changed)" is long); the others share one, and
        # Retry and Cancel are seldom shown together.
        buttons = QVBoxLayout()
        self.regenerate_button = QPushButton("Regenerate", self)
        self.regenerate_button.setToolTip("A new take with a new seed")
        self.variations_button = QPushButton("Variations ×4", self)
        self.retry_button = QPushButton("Retry", self)
        self.cancel_button = QPushButton("Cancel", self)
        self.promote_button = QPushButton("Promote to Final", self)
        self.promote_button.setToolTip("The draft take again with the final recipe: same seed, prompt and frames")
        self.promote_button.clicked.connect(lambda: self._shots_call("promote"))
        buttons.addWidget(self.regenerate_button)
        buttons.addWidget(self.promote_button)
        row = QHBoxLayout()
        for b in (self.variations_button, self.retry_button, self.cancel_button):
            row.addWidget(b)
        buttons.addLayout(row)
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
        self.text_panel = TextPanel(self, self)
        self.effects = EffectsPanel(self, self)
        layout.addWidget(self.text_panel)
        layout.addWidget(self.effects)
        layout.addStretch(1)
        # The timeline view whose playhead keyframes are set at (the window may set it; else it is looked up).
        self.playhead_view = None
        self._followed_view = None
        self.wheel_guard = guard_wheel(self)
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
            self.text_panel.show_clip(None)
            self.effects.show_clip(None, None, False)
            return
        track, clip = found
        media = tl.media.get(clip.media_id() or "")
        self.title.setText("Title" if isinstance(clip, TextClip) else "Clip")
        self._shown_name = display_name(clip, media)
        self.name.setText(self._shown_name)
        self.name.setCursorPosition(0)   # a long prompt shows its beginning
        self._show_timing(track, clip, force=True)
        media_fact = self.facts["Media"]
        assert isinstance(media_fact, ElidedLabel)
        if media is None:
            media_fact.setText("—")
        else:
            # A take's file is named by a hash, which says nothing; the Name above already shows the prompt.
            shown = (f"generated take {(clip.active_take or 0) + 1}" if isinstance(clip, GeneratedClip)
                     else media.name)
            media_fact.set_text(shown + ("" if media.online else " (offline)"), media.path)
        for row in (self.source_in_edit, self.facts["Source out"], self.facts["Media"]):
            self.form.setRowVisible(row, not isinstance(clip, TextClip))   # a title has no source
        self.form.setRowVisible(self.fit, shows_picture(track, clip, media))
        # A picture whose sound plays from its linked audio clip has no volume of its own.
        self.form.setRowVisible(self.volume, has_sound(media) and not clip.sound_detached)
        self.fit.setCurrentIndex(self.fit.findData(Fit(clip.fit).value))
        self.volume.setValue(clip.volume)
        self._follow_playhead()
        self._show_effects(track, clip, media)
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
        self._show_effects(track, clip, self.edits.timeline.media.get(clip.media_id() or ""))

    # --- effects and titles: the panels' host --------------------------------------------------------

    def _show_effects(self, track: Track, clip: Clip, media: MediaSource | None) -> None:
        self.text_panel.show_clip(clip)
        sound = (has_sound(media) and not clip.sound_detached) or track.kind is TrackKind.AUDIO
        self.effects.show_clip(clip, track.kind, sound and not isinstance(clip, TextClip))

    def refresh(self) -> None:
        """Show the selected clip as the model has it (after a refused edit, or the playhead moved)."""
        found = self._found()
        if found is not None:
            track, clip = found
            self._show_effects(track, clip, self.edits.timeline.media.get(clip.media_id() or ""))

    def current(self) -> Clip | None:
        return self._current()

    def _view(self):
        """The timeline view (its playhead): set by the window as ``playhead_view``, else the one found when a
        clip was last shown. A view being destroyed is never touched."""
        view = self.playhead_view if self.playhead_view is not None else self._followed_view
        return view if view is not None and shiboken6.isValid(view) else None

    def _follow_playhead(self) -> None:
        """Find the window's timeline view once (on a selection, while the window is whole) and follow its
        playhead, so the keyframe diamonds and values show the playhead's frame."""
        if self._view() is not None:
            return
        window = self.window()
        view = window.findChild(QWidget, "TimelineView") if window is not None and window is not self else None
        if view is not None and hasattr(view, "playhead_changed"):
            view.playhead_changed.connect(self._playhead_moved)
            self._followed_view = view

    def _playhead_moved(self, _frame: int) -> None:
        if self.clip_id is not None and self.isVisible():
            self.refresh()

    def playhead(self) -> int:
        """The timeline's playhead (0 with no timeline view)."""
        view = self._view()
        return int(getattr(view, "playhead", 0)) if view is not None else 0

    def seek(self, frame: int) -> None:
        view = self._view()
        if view is not None and hasattr(view, "set_playhead"):
            view.set_playhead(frame)

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
        # The playing take's profile; before a take, the one the shot will be made with.
        playing = status.profile if status is not None else ""
        self.facts["Quality"].setText(f"{profile_label(playing)} take" if playing else profile_label(spec.profile))
        self.match_colors.blockSignals(True)
        self.match_colors.setChecked(spec.match_colors)
        self.match_colors.blockSignals(False)
        self.promote_button.setVisible(status is not None and status.can_promote)
        text = ("pending (no take yet)" if clip.pending else "ready") if status is None else status.text()
        if not clip.pending:
            text += f" · take {(clip.active_take or 0) + 1} of {len(clip.takes)}"
        self.facts["State"].setText(text)
        self.retry_button.setVisible(status is not None and status.can_retry)
        self.retry_button.setText("Generate" if status is not None and status.state == "draft" else "Retry")
        self.cancel_button.setVisible(status is not None and status.live)
        stale = status is not None and status.state == "stale"
        self.regenerate_button.setDefault(stale)
        why = "new neighbours" if stale and status.message == STALE_NEIGHBOURS else "prompt changed"
        self.regenerate_button.setText(f"Regenerate ({why})" if stale else "Regenerate")
        self._fill_takes(clip)

    def _fill_takes(self, clip: GeneratedClip) -> None:
        specs = self.shots.queue.take_specs(clip) if self.shots is not None else [None] * len(clip.takes)
        art = getattr(self.shots.window.timeline_view, "art", None) if self.shots is not None else None
        wanted = []
        for i, take in enumerate(clip.takes):
            spec = specs[i]
            seed = spec.seed if spec is not None else None
            wanted.append((_take_label(i + 1, seed, i == clip.active_take), take.media_id))
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
        elif what == "promote":
            self.shots.promote(clip.id)
        else:
            self.shots.cancel(clip.id)

    def _match_colors_toggled(self, on: bool) -> None:
        clip = self._current()
        if isinstance(clip, GeneratedClip) and clip.spec.match_colors != on:
            self._set(spec=replace(clip.spec, match_colors=on), label="Match colours" if on else "Keep own colours")

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
        if clip is not None and self.fit.currentData() != clip.fit.value:
            self._set(fit=self.fit.currentData(), label="Set fit")

    def _volume_edited(self) -> None:
        clip = self._current()
        if clip is not None and abs(self.volume.value() - clip.volume) > 1e-9:
            self._set(volume=self.volume.value(), label="Set volume")
