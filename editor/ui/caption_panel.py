"""The Captions dock: the caption tracks' cues (start, end, text), edited in place, each edit one undo step;
clicking a cue moves the playhead to it; add and delete cues; export the cues as a .srt file."""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from editor.interchange.caption_tracks import caption_cues, caption_tracks, timeline_cues
from editor.interchange.captions import CaptionError, write_srt
from editor.model.commands import Delete, SetClipProperties
from editor.model.commands.captions import AddCue, ImportCaptions, SetCueTiming
from editor.model.time import seconds_to_frames, timecode

NEW_CUE_SECONDS = 2
COLUMNS = ("Start", "End", "Text")


def parse_time(text: str, fps: Fraction) -> int:
    """Frames of "HH:MM:SS:FF" (a timecode, as shown), "HH:MM:SS,mmm" / "MM:SS.mmm" or plain seconds.
    Raises ValueError with a one-line reason."""
    raw = text.strip()
    parts = raw.replace(",", ".").split(":")
    try:
        if len(parts) == 4:
            h, m, s, f = (int(p) for p in parts)
            return (h * 3600 + m * 60 + s) * max(1, round(fps)) + f
        if 1 <= len(parts) <= 3:
            seconds = Fraction(0)
            for p in parts:
                seconds = seconds * 60 + Fraction(p)
            return seconds_to_frames(seconds, fps)
    except (ValueError, ZeroDivisionError):
        pass
    raise ValueError(f"{raw[:30]!r} is not a time: write HH:MM:SS:FF or seconds")


class CaptionPanel(QWidget):
    """``seek(frame)``: a cue was clicked; ``message(text)``: a one-line note for the status bar. The window
    calls ``refresh()`` when the timeline changes and sets ``playhead`` (a callable giving the frame)."""

    seek = Signal(int)
    message = Signal(str)

    def __init__(self, edits, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("CaptionPanel")
        self.edits = edits
        self.playhead: Callable[[], int] = lambda: 0
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                   | QAbstractItemView.EditTrigger.EditKeyPressed)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.cellClicked.connect(self._clicked)
        self.table.itemChanged.connect(self._edited)
        self.add_button = QPushButton("Add cue")
        self.add_button.setToolTip("A new caption at the playhead")
        self.add_button.clicked.connect(self.add_cue)
        self.delete_button = QPushButton("Delete cue")
        self.delete_button.clicked.connect(self.delete_cue)
        self.export_button = QPushButton("Export .srt…")
        self.export_button.setToolTip("Export captions as .srt…")
        self.export_button.clicked.connect(self.export_dialog)
        buttons = QHBoxLayout()
        for b in (self.add_button, self.delete_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self._filling = False
        self.refresh()

    @property
    def timeline(self):
        return self.edits.timeline

    def cue_ids(self) -> list[str]:
        return [self.table.item(r, 0).data(Qt.ItemDataRole.UserRole) for r in range(self.table.rowCount())]

    def refresh(self) -> None:
        cues = timeline_cues(self.timeline)
        fps = self.timeline.fps
        current = self.table.currentRow()
        self._filling = True
        try:
            self.table.setRowCount(len(cues))
            for row, cue in enumerate(cues):
                for col, value in enumerate((timecode(cue.start, fps), timecode(cue.end, fps), cue.text)):
                    item = QTableWidgetItem(value)
                    item.setData(Qt.ItemDataRole.UserRole, cue.clip_id)
                    item.setToolTip(value)
                    self.table.setItem(row, col, item)
            if 0 <= current < len(cues):
                self.table.setCurrentCell(current, self.table.currentColumn())
        finally:
            self._filling = False
        self.delete_button.setEnabled(bool(cues))
        self.export_button.setEnabled(bool(cues))

    def _clicked(self, row: int, _col: int) -> None:
        clip_id = self.cue_ids()[row]
        cue = next((c for c in timeline_cues(self.timeline) if c.clip_id == clip_id), None)
        if cue is not None:
            self.seek.emit(cue.start)

    def _edited(self, item: QTableWidgetItem) -> None:
        if self._filling:
            return
        clip_id = item.data(Qt.ItemDataRole.UserRole)
        cue = next((c for c in timeline_cues(self.timeline) if c.clip_id == clip_id), None)
        if cue is None:
            return
        col = item.column()
        done = False
        if col == 2:
            # The table's editor is one line: "\n" typed as backslash-n makes a line break in the caption.
            text = item.text().replace("\\n", "\n")
            done = text != cue.text and self.edits.do(SetClipProperties(clip_id, text=text,
                                                                        label="Edit caption text"))
        else:
            try:
                frame = parse_time(item.text(), self.timeline.fps)
            except ValueError as exc:
                self.message.emit(str(exc))
                frame = None
            if frame is not None:
                start, end = (frame, cue.end) if col == 0 else (cue.start, frame)
                done = (start, end) != (cue.start, cue.end) and self.edits.do(SetCueTiming(clip_id, start, end))
        if not done:
            self.refresh()    # a refused or unchanged edit shows the cue as it is

    def add_cue(self) -> bool:
        tl = self.timeline
        fps = tl.fps
        start = self.playhead()
        for cue in timeline_cues(tl):
            if cue.start <= start < cue.end:
                start = cue.end
        end = start + max(1, round(NEW_CUE_SECONDS * fps))
        nxt = [c.start for c in timeline_cues(tl) if c.start >= start]
        if nxt:
            end = min(end, nxt[0])
        if end <= start:
            self.message.emit("no room for a caption here: move the playhead to a free moment")
            return False
        tracks = [t for t in caption_tracks(tl) if not t.locked]
        if tracks:
            return self.edits.do(AddCue(tracks[-1].id, start, end, "New caption"))
        return self.edits.do(ImportCaptions([(start, end, "New caption")]))

    def delete_cue(self) -> bool:
        row = self.table.currentRow()
        ids = self.cue_ids()
        if not 0 <= row < len(ids):
            return False
        return self.edits.do(Delete(ids[row]))

    def export_srt(self, path: str | Path) -> bool:
        try:
            write_srt(caption_cues(self.timeline), path)
        except CaptionError as exc:
            QMessageBox.warning(self, "Export captions", str(exc).splitlines()[0])
            return False
        self.message.emit(f"Captions written to {path}")
        return True

    def export_dialog(self) -> bool:
        path, _ = QFileDialog.getSaveFileName(self, "Export captions as .srt", "captions.srt", "SubRip (*.srt)",
                                              options=QFileDialog.Option.DontUseNativeDialog)
        if not path:
            return False
        if not path.lower().endswith(".srt"):
            path += ".srt"
        return self.export_srt(path)
