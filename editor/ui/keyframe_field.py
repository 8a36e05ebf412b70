"""A number field with a keyframe diamond, as Premiere's Effect Controls and CapCut's keyframe button: the
field shows the property at the playhead; the diamond is filled when a key sits there, hollow when the
property is animated but not keyed at the playhead, and dim when the property is a constant."""

from __future__ import annotations

from PySide6.QtCore import QPointF, Signal
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPaintEvent, QPen, QPolygonF
from PySide6.QtWidgets import QDoubleSpinBox, QHBoxLayout, QToolButton, QWidget

KEY_ON = "◆"
KEY_OFF = "◇"


class DiamondButton(QToolButton):
    """Adds or removes a key at the playhead (clicked); ``show_state`` paints what is there."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("KeyframeButton")
        self.setAutoRaise(True)
        self.setFixedSize(24, 24)
        self.keyed_here = self.animated = False
        self.show_state(False, False)

    def show_state(self, keyed_here: bool, animated: bool) -> None:
        self.keyed_here = keyed_here
        self.animated = animated
        self.setText(KEY_ON if keyed_here else KEY_OFF)   # for accessibility and tests; painted below
        self.update()
        self.setToolTip("Remove the keyframe at the playhead" if keyed_here else
                        "Add a keyframe at the playhead" + ("" if animated else " (animates this property)"))

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        # Drawn, not a font glyph: the theme's button padding and font squeezed "◆" into a bar.
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        c = QPointF(self.width() / 2, self.height() / 2)
        r = min(6.0, min(self.width(), self.height()) / 2 - 2)
        path = QPainterPath()
        path.addPolygon(QPolygonF([QPointF(c.x(), c.y() - r), QPointF(c.x() + r, c.y()), QPointF(c.x(), c.y() + r),
                                   QPointF(c.x() - r, c.y())]))
        path.closeSubpath()
        colour = QColor("#f2c14e") if self.keyed_here else QColor("#d8dbe2" if self.animated else "#7c818c")
        if self.underMouse():
            colour = colour.lighter(130)
        if self.keyed_here:
            p.fillPath(path, colour)
        p.strokePath(path, QPen(colour, 1.5))
        p.end()


class KeyedField(QWidget):
    """A spin box (the value at the playhead, in display units) and its diamond. ``entered(value)`` when the user
    finishes typing a changed value (Return or focus out: one undo step); ``toggled()`` from the diamond."""

    entered = Signal(float)
    toggled = Signal()

    def __init__(self, lo: float, hi: float, decimals: int = 1, suffix: str = "", step: float = 1.0,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.spin = QDoubleSpinBox(self)
        self.spin.setRange(lo, hi)
        self.spin.setDecimals(decimals)
        self.spin.setSingleStep(step)
        if suffix:
            self.spin.setSuffix(suffix)
        self.spin.setKeyboardTracking(False)
        self.diamond = DiamondButton(self)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(2)
        row.addWidget(self.spin, 1)
        row.addWidget(self.diamond)
        self._shown = 0.0
        self.spin.editingFinished.connect(self._finished)
        self.diamond.clicked.connect(self.toggled.emit)

    def show_value(self, value: float, keyed_here: bool, animated: bool) -> None:
        """What the model holds; leaves a field being typed into alone."""
        self._shown = round(value, self.spin.decimals())
        if not (self.spin.hasFocus() and self.spin.lineEdit().isModified()):
            self.spin.blockSignals(True)
            self.spin.setValue(self._shown)
            self.spin.blockSignals(False)
        self.diamond.show_state(keyed_here, animated)

    def _finished(self) -> None:
        if abs(self.spin.value() - self._shown) > 10 ** -(self.spin.decimals() + 1):
            self._shown = self.spin.value()
            self.entered.emit(self.spin.value())
