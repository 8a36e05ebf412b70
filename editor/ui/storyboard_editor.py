"""The storyboard panel's forms: the selected card's editor (narration, what it shows, length, cast, the
line's voice, and its buttons) and the board's options (style, seed, chaining, model, voice). They show values
and say what the person changed; the panel turns that into edits (``editor.storyboard.edits``). A voice whose
model is not downloaded is offered for download (``editor.ui.voice_download``), not set; it is set once it is
here."""

from __future__ import annotations

from fractions import Fraction

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from editor.ui.model_downloads import sound_models_notifier
from editor.ui.voice_download import VoiceDownloadOffer
from editor.ui.voice_settings import DEFAULT_MODEL_LABEL, VoiceSettings, fill_combo, voice_entries

MAX_SEED = 2**31 - 1
BOARD_VOICE_DEFAULT = "Basic voice (espeak-ng) — default"


class TextBox(QPlainTextEdit):
    """A few lines of text that say ``committed`` when the person is done: focus leaves, or Ctrl+Enter."""

    committed = Signal()

    def __init__(self, lines: int = 3, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTabChangesFocus(True)
        self.setFixedHeight(self.fontMetrics().lineSpacing() * lines + 14)

    def focusOutEvent(self, event) -> None:  # noqa: N802
        super().focusOutEvent(event)
        self.committed.emit()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and \
                event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.committed.emit()
            return
        super().keyPressEvent(event)

    def set_text(self, text: str) -> None:
        """Show ``text`` unless the person is typing here (their words are not overwritten by a refresh)."""
        if not self.hasFocus() and self.toPlainText() != text:
            self.setPlainText(text)


class CardEditor(QWidget):
    """The selected card. ``edited(dict)`` carries ``edit_card``'s keyword arguments for what changed;
    ``action(str)``: "generate", "split", "merge", "remove", "regenerate_line"."""

    edited = Signal(dict)
    action = Signal(str)

    def __init__(self, voices: list[tuple[str, str]] | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("CardEditor")
        self.shot_id: str | None = None
        self._shown: dict = {}
        self.title = QLabel("")
        self.title.setObjectName("PanelTitle")
        self.state = QLabel("")
        self.state.setObjectName("Dim")
        self.state.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.state.setWordWrap(True)
        self.narration = TextBox(3)
        self.narration.setObjectName("CardNarration")
        self.narration.setPlaceholderText("The words spoken over this shot (and its caption)")
        self.visual = TextBox(2)
        self.visual.setObjectName("CardVisual")
        self.visual.setPlaceholderText("What the shot shows (empty: the narration)")
        self.seconds = QDoubleSpinBox()
        self.seconds.setRange(0.5, 60.0)
        self.seconds.setDecimals(1)
        self.seconds.setSingleStep(0.5)
        self.seconds.setSuffix(" s")
        self.fixed = QCheckBox("Fixed")
        self.fixed.setToolTip("Fixed: the shot keeps this length. Otherwise it follows its narration.")
        length = QHBoxLayout()
        length.setContentsMargins(0, 0, 0, 0)
        length.addWidget(self.seconds)
        length.addWidget(self.fixed)
        length.addStretch(1)
        self.cast_row = QHBoxLayout()
        self.cast_row.setContentsMargins(0, 0, 0, 0)
        self.cast_row.setSpacing(4)
        self.cast_box = QWidget()
        self.cast_box.setLayout(self.cast_row)
        self.cast_buttons: dict[str, QPushButton] = {}
        self._cast_ids: list[str] | None = None   # the members the chips were made for
        # Our own list, shared with VoiceSettings and refreshed in place when a voice model arrives.
        self._voices = list(voices) if voices is not None else voice_entries()
        self.voice = VoiceSettings(self._voices)
        self._line_voice = ""          # the voice the shown line has (a voice still to download is never set)
        self._has_speech = False
        self._waiting_voice: tuple[str | None, str] = (None, "")   # (shot id, voice) while its model downloads
        self.voice_downloads = VoiceDownloadOffer(self)
        self.voice_downloads.ready.connect(self._voice_downloaded)
        sound_models_notifier().changed.connect(self._refresh_voices)
        self.notes = QLabel("")
        self.notes.setObjectName("CardNotes")
        self.notes.setWordWrap(True)
        self.notes.setStyleSheet("color: #f2c14e;")
        form = QFormLayout()
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("Narration", self.narration)
        form.addRow("Shows", self.visual)
        form.addRow("Length", length)
        form.addRow("Cast", self.cast_box)
        self.generate_button = QPushButton("Generate")
        self.generate_button.setObjectName("Primary")
        self.split_button = QPushButton("Split")
        self.split_button.setToolTip("Split this card in two (at a sentence, else in half)")
        self.merge_button = QPushButton("Merge ↓")
        self.merge_button.setToolTip("Merge this card with the next one")
        self.remove_button = QPushButton("Remove")
        buttons = QHBoxLayout()
        buttons.setSpacing(4)
        for b, name in ((self.generate_button, "generate"), (self.split_button, "split"),
                        (self.merge_button, "merge"), (self.remove_button, "remove")):
            b.clicked.connect(lambda _=False, n=name: self.action.emit(n))
            b.setStyleSheet("padding: 5px 9px;")   # four across a narrow dock
            buttons.addWidget(b)
        buttons.addStretch(1)
        head = QHBoxLayout()
        head.addWidget(self.title)
        head.addStretch(1)
        head.addWidget(self.state)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 8)
        layout.addLayout(head)
        layout.addLayout(buttons)     # the card's actions first: the form below may need scrolling
        layout.addLayout(form)
        voice_title = QLabel("NARRATION VOICE")
        voice_title.setObjectName("PanelHeader")
        layout.addWidget(voice_title)
        layout.addWidget(self.voice)
        layout.addWidget(self.notes)
        layout.addStretch(1)
        self.narration.committed.connect(self._commit_text)
        self.visual.committed.connect(self._commit_text)
        self.seconds.editingFinished.connect(self._commit_length)
        self.fixed.toggled.connect(self._commit_length)
        self.voice.changed.connect(self._voice_changed)
        self.voice.regenerate.connect(lambda: self.action.emit("regenerate_line"))
        self.show_card(None)

    def show_card(self, card, *, cast=(), state_text: str = "", can_generate: bool = True,
                  last: bool = False) -> None:
        """Show ``card`` (an ``editor.storyboard.cards.Card``; None: nothing selected); ``cast`` is the whole
        cast list (chips to switch on and off)."""
        self.shot_id = card.shot.id if card is not None else None
        self.setEnabled(card is not None)
        if card is None:
            self.title.setText("No card selected")
            self.state.setText("")
            for box in (self.narration, self.visual):
                box.setPlainText("")
            self.notes.setText("")
            return
        shot = card.shot
        self._shown = {"narration": shot.narration, "visual": shot.visual, "seconds": shot.seconds,
                       "cast": tuple(shot.cast)}
        self.title.setText(f"Shot {card.index + 1}")
        self.state.setText(state_text)
        self.narration.set_text(shot.narration)
        self.visual.set_text(shot.visual)
        self.visual.setPlaceholderText(shot.narration or "What the shot shows")
        self.fixed.blockSignals(True)
        self.seconds.blockSignals(True)
        self.fixed.setChecked(shot.seconds is not None)
        if not self.seconds.hasFocus():
            self.seconds.setValue(float(shot.seconds if shot.seconds is not None else card.seconds))
        self.seconds.setEnabled(shot.seconds is not None)
        self.fixed.blockSignals(False)
        self.seconds.blockSignals(False)
        self._show_cast(cast, set(shot.cast))
        speech = card.speech
        spec = speech.spec if speech is not None else None
        self._line_voice, self._has_speech = (spec.voice if spec else ""), speech is not None
        self.voice.show_line(spec.voice if spec else "", spec.voice_speed if spec else None,
                             spec.pitch if spec else None, has_speech=speech is not None)
        self.notes.setText("\n".join(f"⚠ {n}" for n in card.notes))
        self.notes.setVisible(bool(card.notes))
        self.generate_button.setText("Generate" if can_generate else "Regenerate")
        self.merge_button.setEnabled(not last)

    def _voice_changed(self, voice: str, speed: float, pitch: float) -> None:
        if voice != self._line_voice and not self.voice_downloads.check(voice):
            self.voice.show_line(self._line_voice, speed, pitch, has_speech=self._has_speech)
            self._waiting_voice = (self.shot_id, voice)
            return
        self._line_voice = voice
        self._emit({"voice": voice, "voice_speed": speed, "pitch": pitch})

    def _voice_downloaded(self, key: str) -> None:
        """The voice asked for is here now: set it on the line it was chosen for, if that is still shown."""
        shot_id, voice = self._waiting_voice
        if voice == key and shot_id is not None and shot_id == self.shot_id:
            _old, speed, pitch = self.voice.line_values()
            self.voice.show_line(key, speed, pitch, has_speech=self._has_speech)
            self._line_voice = key
            self._emit({"voice": key, "voice_speed": speed, "pitch": pitch})
        self._waiting_voice = (None, "")

    def _refresh_voices(self) -> None:
        self._voices[:] = voice_entries()
        voice, speed, pitch = self.voice.line_values()
        self.voice.show_line(voice, speed, pitch, has_speech=self._has_speech)

    def _show_cast(self, cast, chosen: set[str]) -> None:
        ids = [m.id for m in cast]
        if self._cast_ids != ids:
            self._cast_ids = ids
            self.cast_buttons.clear()
            while self.cast_row.count():
                item = self.cast_row.takeAt(0)
                if item.widget() is not None:
                    item.widget().deleteLater()
            for m in cast:
                b = QPushButton(m.name)
                b.setObjectName("CastChip")
                b.setCheckable(True)
                b.setToolTip(m.description or m.name)
                b.toggled.connect(self._commit_cast)
                self.cast_buttons[m.id] = b
                self.cast_row.addWidget(b)
            if not cast:
                hint = QLabel("No cast yet")
                hint.setObjectName("Dim")
                hint.setToolTip("The Cast tab adds the people and places that recur across shots")
                self.cast_row.addWidget(hint)
            self.cast_row.addStretch(1)
        for member_id, b in self.cast_buttons.items():
            b.blockSignals(True)
            b.setChecked(member_id in chosen)
            b.blockSignals(False)

    def _emit(self, changes: dict) -> None:
        if self.shot_id is not None and changes:
            self.edited.emit(changes)

    def _commit_text(self) -> None:
        changes = {}
        for name, box in (("narration", self.narration), ("visual", self.visual)):
            text = box.toPlainText().strip()
            if text != self._shown.get(name, ""):
                changes[name] = text
                self._shown[name] = text
        self._emit(changes)

    def _commit_length(self, *_ignored: object) -> None:
        self.seconds.setEnabled(self.fixed.isChecked())
        seconds = Fraction(round(self.seconds.value() * 10), 10) if self.fixed.isChecked() else None
        if seconds != self._shown.get("seconds"):
            self._shown["seconds"] = seconds
            self._emit({"seconds": seconds})

    def _commit_cast(self, *_ignored: object) -> None:
        cast = tuple(m for m, b in self.cast_buttons.items() if b.isChecked())
        if cast != self._shown.get("cast"):
            self._shown["cast"] = cast
            self._emit({"cast": cast})


class BoardOptions(QWidget):
    """The rules every card shares; ``changed(dict)`` carries ``set_board``'s keyword arguments."""

    changed = Signal(dict)

    def __init__(self, models: list[tuple[str, str]], voices: list[tuple[str, str]] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("BoardOptions")
        self._models = models
        self._voices = list(voices) if voices is not None else voice_entries()
        self._shown: dict = {}
        self._waiting_voice = ""   # a voice chosen while its model downloads
        self.voice_downloads = VoiceDownloadOffer(self)
        self.voice_downloads.ready.connect(self._voice_downloaded)
        sound_models_notifier().changed.connect(self._refresh_voices)
        self.style_edit = QLineEdit()
        self.style_edit.setPlaceholderText("Added to every shot: “cinematic, 35 mm, warm light”")
        self.same_seed = QCheckBox("Same seed for every shot")
        self.same_seed.setToolTip("One seed for every shot (a consistent look); off: each shot its own seed")
        self.seed = QSpinBox()
        self.seed.setRange(0, MAX_SEED)
        self.seed.setFixedWidth(130)
        self.chain = QCheckBox("Continue from the previous shot")
        self.chain.setToolTip("Each shot starts from the last frame of the shot before it")
        self.model = QComboBox()
        self.voice = QComboBox()
        for combo in (self.model, self.voice):
            combo.setMinimumContentsLength(16)
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        hint = QLabel("Changing these re-prompts every card; shots already made keep their takes until "
                      "regenerated.")
        hint.setObjectName("Dim")
        hint.setWordWrap(True)
        form = QFormLayout(self)
        form.setContentsMargins(8, 8, 8, 8)
        form.addRow("Style", self.style_edit)
        form.addRow("Seed", self.same_seed)
        form.addRow("", self.seed)
        form.addRow("", self.chain)
        form.addRow("Video model", self.model)
        form.addRow("Voice", self.voice)
        form.addRow(hint)
        self.style_edit.editingFinished.connect(self._commit)
        self.same_seed.toggled.connect(self._commit)
        self.seed.editingFinished.connect(self._commit)
        self.chain.toggled.connect(self._commit)
        self.model.activated.connect(self._commit)
        self.voice.activated.connect(self._commit)
        self.show_board(None)

    def show_board(self, board) -> None:
        self.setEnabled(board is not None)
        values = {"style": board.style if board else "", "seed": board.seed if board else None,
                  "chain": bool(board and board.chain), "model": board.model if board else "",
                  "voice": board.voice if board else ""}
        self._shown = values
        for w in (self.same_seed, self.seed, self.chain):
            w.blockSignals(True)
        if not self.style_edit.hasFocus():
            self.style_edit.setText(values["style"])
        self.same_seed.setChecked(values["seed"] is not None)
        self.seed.setEnabled(values["seed"] is not None)
        if values["seed"] is not None and not self.seed.hasFocus():
            self.seed.setValue(values["seed"])
        self.chain.setChecked(values["chain"])
        for w in (self.same_seed, self.seed, self.chain):
            w.blockSignals(False)
        fill_combo(self.model, self._models, values["model"], default_label=DEFAULT_MODEL_LABEL)
        fill_combo(self.voice, self._voices, values["voice"], default_label=BOARD_VOICE_DEFAULT)

    def values(self) -> dict:
        return {"style": self.style_edit.text().strip(),
                "seed": self.seed.value() if self.same_seed.isChecked() else None,
                "chain": self.chain.isChecked(), "model": str(self.model.currentData() or ""),
                "voice": str(self.voice.currentData() or "")}

    def _commit(self, *_ignored: object) -> None:
        self.seed.setEnabled(self.same_seed.isChecked())
        values = self.values()
        shown_voice = self._shown.get("voice", "")
        if values["voice"] != shown_voice and not self.voice_downloads.check(values["voice"]):
            self._waiting_voice = values["voice"]
            fill_combo(self.voice, self._voices, shown_voice, default_label=BOARD_VOICE_DEFAULT)
            values["voice"] = shown_voice
        changes = {k: v for k, v in values.items() if v != self._shown.get(k)}
        if changes:
            self._shown = values
            self.changed.emit(changes)

    def _voice_downloaded(self, key: str) -> None:
        if key == self._waiting_voice and self.isEnabled():   # still a board to set it on
            fill_combo(self.voice, self._voices, key, default_label=BOARD_VOICE_DEFAULT)
            self._commit()
        self._waiting_voice = ""

    def _refresh_voices(self) -> None:
        self._voices[:] = voice_entries()
        fill_combo(self.voice, self._voices, str(self.voice.currentData() or ""), default_label=BOARD_VOICE_DEFAULT)
