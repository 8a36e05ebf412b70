"""New from script: paste a script or open a .txt, see the shots it makes as you type (count, lengths, cast,
errors with their line numbers), pick the model, voice, style and captions, and Create storyboard puts the
shots, their narration and captions on the timeline in one undo step (``editor.storyboard.build``)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from editor.ui.model_downloads import sound_models_notifier
from editor.ui.voice_download import VoiceDownloadOffer
from editor.ui.voice_settings import DEFAULT_MODEL_LABEL, fill_combo, video_model_entries, voice_entries

SCRIPT_FILTER = "Scripts (*.txt *.md *.fountain);;All files (*)"
PREVIEW_DELAY_MS = 150
VOICE_DEFAULT = "Basic voice (espeak-ng) — default"
HELP = ("One shot per line (or prose: sentences become shots).  [4s] fixes a shot's length.  "
        "Narration | Visual separates the words spoken from what is shown.  "
        "@Name: picture.png | description declares a cast member.  # starts a comment.")
EXAMPLE = """@Ana: | a woman in her thirties with short red hair and a yellow raincoat
# One shot per line.
The storm had been building all afternoon. | dark clouds rolling over a grey sea, wide shot
Ana climbed the lighthouse stairs two at a time. [4s]
At the top, the lamp was dark.
She struck a match. | close-up of a match flaring in the dark
The beam swept out across the water.
Somewhere out there, a boat turned for home. | a small fishing boat turning toward a distant light
"""


def _seconds_text(seconds) -> str:
    return f"{float(seconds):.1f} s"


class ScriptDialog(QDialog):
    """``created`` after the storyboard landed on the timeline (one undo step)."""

    created = Signal()

    def __init__(self, edits, parent: QWidget | None = None, *, at: int | None = None,
                 base_dir: Path | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("New storyboard from a script")
        self.setObjectName("ScriptDialog")
        self.edits = edits
        self.at = at
        self.base_dir = base_dir
        self.script = None   # the last parse that succeeded (editor.storyboard.script.Script)
        self.text = QPlainTextEdit()
        self.text.setObjectName("ScriptText")
        self.text.setPlaceholderText(EXAMPLE)
        self.text.textChanged.connect(self._typed)
        open_button = QPushButton("Open .txt…")
        open_button.clicked.connect(self.open_dialog)
        example_button = QPushButton("Example")
        example_button.setToolTip("Put an example script here")
        example_button.clicked.connect(lambda: self.text.setPlainText(EXAMPLE))
        help_label = QLabel(HELP)
        help_label.setObjectName("Dim")
        help_label.setWordWrap(True)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 10, 0)
        top = QHBoxLayout()
        title = QLabel("Script")
        title.setObjectName("PanelTitle")
        title.setMinimumWidth(90)   # its size hint predates the theme's larger bold font
        top.addWidget(title)
        top.addStretch(1)
        top.addWidget(example_button)
        top.addWidget(open_button)
        left_layout.addLayout(top)
        left_layout.addWidget(self.text, 1)
        left_layout.addWidget(help_label)

        self.summary = QLabel("Type or paste a script")
        self.summary.setObjectName("ScriptSummary")
        self.summary.setWordWrap(True)
        self.preview = QTreeWidget()
        self.preview.setObjectName("ScriptPreview")
        self.preview.setHeaderLabels(["#", "Length", "Narration", "Shows"])
        self.preview.setRootIsDecorated(False)
        self.preview.setAlternatingRowColors(True)
        self.preview.setUniformRowHeights(True)
        header = self.preview.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.error = QLabel("")
        self.error.setObjectName("ScriptError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #e06c6c;")
        self.error.hide()

        # Adding to a storyboard starts from its own options (build_storyboard keeps its seed and chain).
        board = edits.timeline.story.storyboard
        self.model = QComboBox()
        fill_combo(self.model, video_model_entries(), board.model if board else "", default_label=DEFAULT_MODEL_LABEL)
        self.voice = QComboBox()
        fill_combo(self.voice, voice_entries(), board.voice if board else "", default_label=VOICE_DEFAULT)
        # A voice still to download is offered for download, not chosen; it is chosen once it is here.
        self._voice_kept = board.voice if board else ""
        self.voice_downloads = VoiceDownloadOffer(self)
        self.voice_downloads.ready.connect(self._voice_downloaded)
        self.voice.activated.connect(self._voice_chosen)
        sound_models_notifier().changed.connect(self._refresh_voices)   # a bound method: dropped with the dialog
        for combo in (self.model, self.voice):
            combo.setMinimumContentsLength(24)
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.style_edit = QLineEdit(board.style if board else "")
        self.style_edit.setPlaceholderText("Added to every shot: “cinematic, 35 mm film, warm light”")
        self.captions = QCheckBox("Captions from the narration")
        self.captions.setChecked(True)
        options = QFormLayout()
        options.addRow("Video model", self.model)
        options.addRow("Voice", self.voice)
        options.addRow("Style", self.style_edit)
        options.addRow("", self.captions)

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(10, 0, 0, 0)
        shots_title = QLabel("Shots")
        shots_title.setObjectName("PanelTitle")
        shots_title.setMinimumHeight(title.sizeHint().height())
        right_layout.addWidget(shots_title)
        right_layout.addWidget(self.summary)
        right_layout.addWidget(self.error)
        right_layout.addWidget(self.preview, 1)
        right_layout.addLayout(options)

        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(right)
        split.setSizes([460, 560])
        split.setChildrenCollapsible(False)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.create_button = self.buttons.addButton("Create storyboard", QDialogButtonBox.ButtonRole.AcceptRole)
        self.create_button.setObjectName("Primary")
        self.create_button.setEnabled(False)
        self.buttons.accepted.connect(self.create)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(split, 1)
        layout.addWidget(self.buttons)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(PREVIEW_DELAY_MS)
        self.timer.timeout.connect(self.update_preview)
        self.resize(1080, 640)

    # --- the voice -----------------------------------------------------------------------------------

    def _fill_voices(self, current: str) -> None:
        fill_combo(self.voice, voice_entries(), current, default_label=VOICE_DEFAULT)

    def _refresh_voices(self) -> None:
        self._fill_voices(str(self.voice.currentData() or ""))

    def _voice_chosen(self, _index: int) -> None:
        key = str(self.voice.currentData() or "")
        if self.voice_downloads.check(key):
            self._voice_kept = key
        else:
            self._fill_voices(self._voice_kept)

    def _voice_downloaded(self, key: str) -> None:
        self._voice_kept = key
        self._fill_voices(key)

    # --- the script ----------------------------------------------------------------------------------

    def open_dialog(self) -> bool:
        from editor.ui.file_dialogs import choose_files

        paths = choose_files(self, "Open a script", SCRIPT_FILTER, key="script")
        return bool(paths) and self.open_file(paths[0])

    def open_file(self, path: str | Path) -> bool:
        """Read a script file (cast pictures are then found beside it)."""
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            self._show_error(f"cannot read {path.name}: {exc.__class__.__name__}")
            return False
        self.base_dir = path.parent
        self.text.setPlainText(text)
        self.update_preview()
        return True

    def _typed(self) -> None:
        self.create_button.setEnabled(False)   # until the preview has caught up with the words
        self.timer.start()

    def update_preview(self) -> None:
        """Parse what is typed and show its shots, or the first error (with its line number)."""
        from editor.storyboard.build import estimate_seconds
        from editor.storyboard.script import ScriptError, parse_script

        self.timer.stop()
        self.preview.clear()
        text = self.text.toPlainText()
        if not text.strip():
            self.script = None
            self.summary.setText("Type or paste a script")
            self._show_error("")
            self.create_button.setEnabled(False)
            return
        try:
            script = parse_script(text, base_dir=self.base_dir)
        except ScriptError as exc:
            self.script = None
            self.summary.setText("")
            self._show_error(str(exc).splitlines()[0])
            self.create_button.setEnabled(False)
            return
        self.script = script
        self._show_error("")
        total = 0.0
        for i, line in enumerate(script.lines):
            seconds = line.seconds if line.seconds is not None else estimate_seconds(line.narration)
            total += float(seconds)
            length = _seconds_text(seconds) + (" fixed" if line.seconds is not None else "")
            item = QTreeWidgetItem([str(i + 1), length, line.narration, line.visual or line.narration])
            item.setToolTip(2, line.narration)
            item.setToolTip(3, line.visual or line.narration)
            item.setTextAlignment(0, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.preview.addTopLevelItem(item)
        n, c = len(script.lines), len(script.cast)
        parts = [f"{n} shot{'s' * (n != 1)}", f"about {total:.1f} s"]
        if c:
            parts.append(f"{c} cast member{'s' * (c != 1)}: " + ", ".join(m.name for m in script.cast))
        missing = [m.name for m in script.cast if m.image and not Path(m.image).is_file()]
        if missing:
            parts.append("no picture found for " + ", ".join(missing))
        self.summary.setText("  ·  ".join(parts))
        self.create_button.setEnabled(n > 0)

    def _show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))

    # --- create --------------------------------------------------------------------------------------

    def create(self) -> bool:
        """Build the storyboard on the timeline (one undo step); False, with the reason shown, when it cannot."""
        from editor.model import EditError
        from editor.storyboard.build import build_storyboard

        if self.timer.isActive() or self.script is None:
            self.update_preview()
        if self.script is None or not self.script.lines:
            return False
        tl = self.edits.timeline
        at = self.at if self.at is not None else _story_end(tl)
        try:
            command = build_storyboard(tl, self.script, style=self.style_edit.text().strip(),
                                       model=str(self.model.currentData() or ""),
                                       voice=str(self.voice.currentData() or ""),
                                       seed=None, chain=None,   # the board's as they are
                                       captions=self.captions.isChecked(), at=at)
        except (EditError, ValueError, KeyError) as exc:
            self._show_error((str(exc) or type(exc).__name__).splitlines()[0])
            return False
        if not self.edits.do(command):
            self._show_error("the timeline refused the storyboard (see the status bar)")
            return False
        self.created.emit()
        self.accept()
        return True


def _story_end(tl) -> int:
    """Where new shots go: after the storyboard's own track's last clip, else at the start (an empty
    timeline) or after everything."""
    board = tl.story.storyboard
    if board is not None and board.track:
        track = next((t for t in tl.video_tracks if t.id == board.track), None)
        if track is not None:
            return track.clips[-1].end if track.clips else 0
    return 0 if not any(t.clips for t in tl.tracks) else tl.duration
