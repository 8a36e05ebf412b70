"""Peak level meters, one bar a channel, in dBFS (-60 to 0) with a falling peak hold."""

from __future__ import annotations

import math
import time

from PySide6.QtCore import QRectF, QSize
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QWidget

FLOOR_DB = -60.0


def level_db(peak: float) -> float:
    return FLOOR_DB if peak <= 10 ** (FLOOR_DB / 20) else max(FLOOR_DB, 20 * math.log10(peak))


class LevelMeter(QWidget):
    """``set_levels(left, right)`` with linear peaks (1.0 is full scale); clipping shows red at the top."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("LevelMeter")
        self.levels = (0.0, 0.0)
        self._hold = [FLOOR_DB, FLOOR_DB]
        self._hold_at = [0.0, 0.0]
        self.setFixedWidth(22)
        self.setToolTip("Peak level, left and right (dBFS)")

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(22, 200)

    def set_levels(self, left: float, right: float) -> None:
        self.levels = (left, right)
        now = time.monotonic()
        for i, peak in enumerate(self.levels):
            db = level_db(peak)
            if db >= self._hold[i] or now - self._hold_at[i] > 1.5:
                self._hold[i], self._hold_at[i] = db, now
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        p = QPainter(self)
        p.fillRect(self.rect(), QColor("#0d0e11"))
        h = self.height() - 8
        bar_w = (self.width() - 6) / 2
        for i, peak in enumerate(self.levels):
            x = 2 + i * (bar_w + 2)
            frac = (level_db(peak) - FLOOR_DB) / -FLOOR_DB
            top = 4 + h * (1 - frac)
            p.fillRect(QRectF(x, 4, bar_w, h), QColor("#1b1d23"))
            colour = "#e05252" if peak >= 1.0 else "#f2c14e" if frac > 0.85 else "#4fbf6a"
            p.fillRect(QRectF(x, top, bar_w, 4 + h - top), QColor(colour))
            hold = 4 + h * (1 - (self._hold[i] - FLOOR_DB) / -FLOOR_DB)
            if self._hold[i] > FLOOR_DB:
                p.fillRect(QRectF(x, hold, bar_w, 2), QColor("#e6e8ec"))
        p.end()
