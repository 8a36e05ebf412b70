"""Fill gaps: one prompt per gap of a track (or of the picture), plus a style shared by every shot."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from editor.generate.pending import find_pending
from editor.model import Timeline
from editor.model.time import timecode


class FillGapsDialog(QDialog):
    """``gaps``: (track id, start, end) each with its prompt field; ``requests()`` after OK: (track id, start,
    end, prompt) for every gap with a prompt or, when a style is given, every gap."""

    def __init__(self, timeline: Timeline, track_ids: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Fill gaps")
        self.setObjectName("FillGapsDialog")
        found = find_pending(timeline, include_gaps=True, gap_tracks=track_ids)
        self.gaps = [(s.track_id, s.clip.start, s.clip.end) for s in found if s.is_gap]
        names = {t.id: t.name or t.id for t in timeline.tracks}
        fps = timeline.fps
        self.prompts: list[QLineEdit] = []
        form = QFormLayout()
        for track_id, start, end in self.gaps:
            edit = QLineEdit(self)
            edit.setPlaceholderText("What happens here…")
            self.prompts.append(edit)
            form.addRow(f"{names[track_id]}  {timecode(start, fps)} – {timecode(end, fps)}", edit)
        holder = QWidget(self)
        holder.setLayout(form)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(holder)
        self.style_edit = QLineEdit(self)
        self.style_edit.setPlaceholderText("Style for every shot, e.g. “35 mm film, warm evening light”")
        self.note = QLabel(f"{len(self.gaps)} gap{'s' * (len(self.gaps) != 1)} to fill" if self.gaps
                           else "No gaps to fill here", self)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel,
                                        self)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Generate")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.note)
        layout.addWidget(scroll, 1)
        layout.addWidget(QLabel("Shared style", self))
        layout.addWidget(self.style_edit)
        layout.addWidget(self.buttons)
        self.resize(560, min(640, 180 + 34 * len(self.gaps)))

    def requests(self) -> list[tuple[str, int, int, str]]:
        style = self.style_edit.text().strip()
        out = []
        for (track_id, start, end), edit in zip(self.gaps, self.prompts, strict=True):
            prompt = ", ".join(p for p in (edit.text().strip(), style) if p)
            if prompt:
                out.append((track_id, start, end, prompt))
        return out
