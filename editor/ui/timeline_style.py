"""The timeline's sizes, colours and drawing helpers, shared by its painting and interaction modules."""

from __future__ import annotations

from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPolygonF

MEDIA_MIME = "application/x-promptcut-media"

RULER_H = 30
HEADER_W = 168
VIDEO_H = 64
AUDIO_H = 48
EDGE_PX = 7
SNAP_PX = 9
SCROLLBAR_H = 12
WAVE_STRIP = 16         # the sound strip at the bottom of a video clip that has audio
WAVE_PER_S = 100        # waveform buckets per second of media

C_BG = QColor("#16171b")
C_TRACK = QColor("#1e2026")
C_TRACK_ALT = QColor("#1b1d22")
C_HEADER = QColor("#23252c")
C_RULER = QColor("#202228")
C_TEXT = QColor("#c9ccd3")
C_DIM = QColor("#7c818c")
C_VIDEO = QColor("#2f6f9f")
C_STILL = QColor("#6c4f9e")
C_AUDIO = QColor("#2f8a5f")
C_GEN = QColor("#b86b2a")
C_GEN_PENDING = QColor("#6b4a2f")
C_OFFLINE = QColor("#a33a3a")
C_SELECT = QColor("#f2c14e")
C_PLAYHEAD = QColor("#ff4d5e")
C_SNAP = QColor("#7fd1ff")
C_PROGRESS = QColor("#ffb25e")
C_STALE = QColor("#ffd24e")
C_TITLE = QColor("#9c4f8f")          # text clips (titles, captions)
C_TRANSITION = QColor("#5a6fd6")
C_FADE = QColor(0, 0, 0, 110)
C_KEYFRAME = QColor("#f2c14e")
C_RUBBER_BAND = QColor("#ffe27a")


def fill_polygon(p: QPainter, points: list[QPointF], colour: QColor) -> None:
    path = QPainterPath()
    path.addPolygon(QPolygonF(points))
    path.closeSubpath()
    p.fillPath(path, colour)
