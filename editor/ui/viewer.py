"""The viewer: the composited frame at the playhead (rendered on a worker thread), timecode, transport."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QRectF, QRunnable, QSize, Qt, QThreadPool, Signal
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPaintEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton, QVBoxLayout, QWidget

from editor.model import GeneratedClip, Timeline
from editor.model.time import timecode


class _Signals(QObject):
    done = Signal(int, object)   # request number, QImage or None


class _Render(QRunnable):
    """Renders one frame of a timeline snapshot with the viewer's compositor (its decoders stay warm)."""

    def __init__(self, number: int, compositor, timeline: Timeline, frame: int, size: QSize,
                 signals: _Signals, cards: dict | None = None) -> None:
        super().__init__()
        self.number, self.compositor, self.timeline, self.frame = number, compositor, timeline, frame
        self.size, self.signals, self.cards = size, signals, cards or {}

    def run(self) -> None:
        image = None
        try:
            self.compositor.timeline = self.timeline
            self.compositor.cards = self.cards
            rgb = self.compositor.frame(self.frame, self.size.width(), self.size.height())
            h, w = rgb.shape[:2]
            image = QImage(rgb.tobytes(), w, h, 3 * w, QImage.Format.Format_RGB888).copy()
        except Exception:  # noqa: BLE001 - a frame that fails to render shows the slate instead
            image = None
        self.signals.done.emit(self.number, image)


class Screen(QWidget):
    """Draws the frame letterboxed at the canvas aspect; a slate naming the clips when there is no frame."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ViewerScreen")
        self.image: QImage | None = None
        self.canvas = QSize(1080, 1920)
        self.slate = ""
        self.setMinimumSize(160, 160)

    def canvas_rect(self) -> QRectF:
        w, h = self.width() - 16, self.height() - 16
        scale = min(w / self.canvas.width(), h / self.canvas.height())
        cw, ch = self.canvas.width() * scale, self.canvas.height() * scale
        return QRectF((self.width() - cw) / 2, (self.height() - ch) / 2, cw, ch)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        p = QPainter(self)
        p.fillRect(self.rect(), QColor("#0d0e11"))
        rect = self.canvas_rect()
        p.fillRect(rect, QColor("#000000"))
        if self.image is not None:
            p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            p.drawImage(rect, self.image)
        elif self.slate:
            p.setPen(QColor("#8a8f99"))
            f = QFont(self.font())
            f.setPointSizeF(10)
            p.setFont(f)
            p.drawText(rect.adjusted(10, 10, -10, -10), Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                       self.slate)
        p.end()


class Viewer(QWidget):
    """``show_frame(timeline, frame)`` asks for a render; transport buttons emit ``transport(action)``."""

    transport = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Viewer")
        self.screen_ = Screen(self)
        self.timecode = QLabel("00:00:00:00", self)
        self.timecode.setObjectName("Timecode")
        self.duration = QLabel("/ 00:00:00:00", self)
        self.duration.setObjectName("Duration")
        bar = QHBoxLayout()
        bar.setContentsMargins(10, 4, 10, 6)
        bar.addWidget(self.timecode)
        bar.addWidget(self.duration)
        bar.addStretch(1)
        self.buttons: dict[str, QToolButton] = {}
        for action, text, tip in (("start", "|◀◀", "Go to start (Home)"), ("back", "◀|", "Back one frame (Left)"),
                                  ("play", "▶", "Play / pause (Space)"), ("forward", "|▶", "Forward one frame (Right)"),
                                  ("end", "▶▶|", "Go to end (End)")):
            b = QToolButton(self)
            b.setText(text)
            b.setToolTip(tip)
            b.setObjectName("Transport")
            b.clicked.connect(lambda _=False, a=action: self.transport.emit(a))
            bar.addWidget(b)
            self.buttons[action] = b
        bar.addStretch(1)
        self.canvas_label = QLabel("", self)
        self.canvas_label.setObjectName("Dim")
        bar.addWidget(self.canvas_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.screen_, 1)
        layout.addLayout(bar)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        self._signals = _Signals(self)
        self._signals.done.connect(self._rendered)
        self._number = 0
        self._busy = False
        self._wanted: tuple[Timeline, int, dict] | None = None
        # clip -> (title, progress) for a pending generated segment's card; the window sets this
        self.card_for: Callable[[GeneratedClip], tuple[str, float | None]] | None = None
        self._compositor = None   # made on first use: importing the decoders costs start-up time

    def set_playing(self, playing: bool) -> None:
        self.buttons["play"].setText("⏸" if playing else "▶")

    def show_frame(self, timeline: Timeline, frame: int) -> None:
        fps = timeline.fps
        self.timecode.setText(timecode(frame, fps))
        self.duration.setText(f"/ {timecode(timeline.duration, fps)}")
        s = timeline.settings
        self.canvas_label.setText(f"{s.width}×{s.height} · {float(fps):g} fps")
        self.screen_.canvas = QSize(s.width, s.height)
        self.screen_.slate = _slate(timeline, frame)
        cards = {}
        if self.card_for is not None:
            for track in timeline.video_tracks:
                clip = track.clip_at(frame)
                if isinstance(clip, GeneratedClip) and clip.pending:
                    cards[clip.id] = self.card_for(clip)
        # The worker thread renders a snapshot, never the timeline the GUI is editing.
        self._wanted = (timeline.copy(), frame, cards)
        self._next()

    def _next(self) -> None:
        if self._busy or self._wanted is None:
            return
        timeline, frame, cards = self._wanted
        self._wanted = None
        self._busy = True
        self._number += 1
        s = timeline.settings
        scale = min(1.0, 640 / max(s.width, s.height))
        size = QSize(max(2, int(s.width * scale) // 2 * 2), max(2, int(s.height * scale) // 2 * 2))
        if self._compositor is None:
            from editor.render.compositor import Compositor

            self._compositor = Compositor(timeline)
        self.pool.start(_Render(self._number, self._compositor, timeline, frame, size, self._signals, cards))

    def _rendered(self, number: int, image) -> None:
        self._busy = False
        if number == self._number:
            self.screen_.image = image
            self.screen_.update()
        self._next()


def _slate(timeline: Timeline, frame: int) -> str:
    for track in reversed(timeline.video_tracks):
        if track.hidden:
            continue
        clip = track.clip_at(frame)
        if clip is None:
            continue
        if isinstance(clip, GeneratedClip):
            return f"Generated shot{' (pending)' if clip.pending else ''}\n“{clip.spec.prompt}”"
        media = timeline.media.get(clip.media_id() or "")
        return clip.name or (media.name if media else clip.id)
    return ""
