"""The inspector's section for a text clip (a title or a caption): its text, font, size, colours, outline,
shadow, box, alignment, line spacing and position, title presets, and a warning when the text leaves the
short-video safe zone. Each change is one ``SetClipProperties(text=...)`` or ``(style=...)`` on the undo stack.

Sizes are shown in units a user can judge: the font size in pixels of the project's canvas, the outline, shadow
and box in percent of the font size, the position in percent of the canvas.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QFocusEvent, QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QColorDialog,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from editor.model import TextClip
from editor.model.commands import SetClipProperties
from editor.model.text import ALIGNMENTS, FONT_FAMILIES, PRESETS, outside_safe_zone
from editor.render.text import text_box

# The safe-zone check renders the block on a small canvas of the project's shape (every length in a style is
# relative, so the box scales); a full 1080x1920 render on every keystroke would stall the panel.
_CHECK_WIDTH = 270
COLOR_FIELDS = (("color", "Text"), ("outline_color", "Outline"), ("shadow_color", "Shadow"), ("box_color", "Box"))


class TextEdit(QPlainTextEdit):
    """A multi-line text box that applies on focus out or Ctrl+Enter (``applied``), one undo step each."""

    applied = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and \
                event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.applied.emit()
            return
        super().keyPressEvent(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:  # noqa: N802 - Qt's name
        super().focusOutEvent(event)
        self.applied.emit()


def _swatch(colour: str) -> str:
    """A button's look for ``#RRGGBBAA``: the colour over a checker-free dark ground, alpha shown in the text."""
    rgb, alpha = colour[:7], int(colour[7:9], 16)
    text = "#ffffff" if QColor(rgb).lightness() < 128 else "#000000"
    return f"QPushButton {{ background: {rgb}; color: {text}; }}" if alpha else ""


class TextPanel(QWidget):
    """Everything about a text clip. ``ask_color(current, title)`` asks for a colour (tests replace it)."""

    def __init__(self, host, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("TextPanel")
        self.host = host
        form = QFormLayout()
        form.setContentsMargins(0, 0, 0, 0)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)   # the panel is narrow
        title = QLabel("Text", self)
        title.setObjectName("PanelTitle")
        form.addRow(title)
        self.text = TextEdit(self)
        self.text.setObjectName("TitleText")
        self.text.setFixedHeight(72)
        self.text.setToolTip("Applies when you leave the box or press Ctrl+Enter")
        self.text.applied.connect(self._text_applied)
        form.addRow("Text", self.text)
        self.preset = QComboBox(self)
        self.preset.setObjectName("TextPreset")
        self.preset.addItem("Apply a preset…", "")
        for name in PRESETS:
            self.preset.addItem(name, name)
        self.preset.activated.connect(self._preset_chosen)
        form.addRow("Preset", self.preset)
        self.font = QComboBox(self)
        self.font.addItems(list(FONT_FAMILIES))
        self.font.activated.connect(lambda _i: self._style(font=self.font.currentText()))
        form.addRow("Font", self.font)
        self.size = self._spin(4, 960, 0, " px", lambda v: self._style(size=v / self._height()))
        self.bold = QCheckBox("Bold", self)
        self.italic = QCheckBox("Italic", self)
        self.bold.clicked.connect(lambda on: self._style(bold=on))
        self.italic.clicked.connect(lambda on: self._style(italic=on))
        size_row = QHBoxLayout()
        size_row.addWidget(self.size, 1)
        size_row.addWidget(self.bold)
        size_row.addWidget(self.italic)
        form.addRow("Size", size_row)
        self.colors: dict[str, QPushButton] = {}
        colour_row = QGridLayout()
        for i, (name, label) in enumerate(COLOR_FIELDS):
            button = QPushButton(label, self)
            button.setObjectName(f"Colour_{name}")
            button.clicked.connect(lambda _=False, n=name, t=label: self._pick(n, t))
            self.colors[name] = button
            colour_row.addWidget(button, i // 2, i % 2)   # two by two: four in a row do not fit
        form.addRow("Colours", colour_row)
        self.outline = self._spin(0, 50, 0, " %", lambda v: self._style(outline_width=v / 100))
        form.addRow("Outline", self.outline)
        self.shadow_x = self._spin(-100, 100, 0, " %", lambda v: self._shadow(x=v / 100))
        self.shadow_y = self._spin(-100, 100, 0, " %", lambda v: self._shadow(y=v / 100))
        self.shadow_blur = self._spin(0, 100, 0, " %", lambda v: self._style(shadow_blur=v / 100))
        shadow_row = QHBoxLayout()
        for w in (self.shadow_x, self.shadow_y, self.shadow_blur):
            shadow_row.addWidget(w)
        self.shadow_x.setToolTip("Shadow offset right, % of the font size")
        self.shadow_y.setToolTip("Shadow offset down, % of the font size")
        self.shadow_blur.setToolTip("Shadow blur, % of the font size")
        form.addRow("Shadow x/y/blur", shadow_row)
        self.box_padding = self._spin(0, 200, 0, " %", lambda v: self._style(box_padding=v / 100))
        self.box_radius = self._spin(0, 200, 0, " %", lambda v: self._style(box_radius=v / 100))
        box_row = QHBoxLayout()
        box_row.addWidget(self.box_padding)
        box_row.addWidget(self.box_radius)
        self.box_padding.setToolTip("Box padding, % of the font size")
        self.box_radius.setToolTip("Box corner radius, % of the font size")
        form.addRow("Box pad/radius", box_row)
        self.align = QComboBox(self)
        self.align.addItems(list(ALIGNMENTS))
        self.align.activated.connect(lambda _i: self._style(align=self.align.currentText()))
        form.addRow("Alignment", self.align)
        self.line_spacing = self._spin(0.5, 3.0, 2, " ×", lambda v: self._style(line_spacing=v), step=0.05)
        form.addRow("Line spacing", self.line_spacing)
        self.pos_x = self._spin(0, 100, 1, " %", lambda v: self._style(x=v / 100))
        self.pos_y = self._spin(0, 100, 1, " %", lambda v: self._style(y=v / 100))
        pos_row = QHBoxLayout()
        pos_row.addWidget(self.pos_x)
        pos_row.addWidget(self.pos_y)
        self.pos_x.setToolTip("Centre of the text, % of the canvas width from the left")
        self.pos_y.setToolTip("Centre of the text, % of the canvas height from the top")
        form.addRow("Position x/y", pos_row)
        self.warning = QLabel("", self)
        self.warning.setObjectName("SafeZoneWarning")
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet("color: #ffb25e;")
        v = QVBoxLayout(self)
        v.setContentsMargins(0, 8, 0, 0)
        v.addLayout(form)
        v.addWidget(self.warning)
        self._spins: list[QDoubleSpinBox] = [self.size, self.outline, self.shadow_x, self.shadow_y, self.shadow_blur,
                                             self.box_padding, self.box_radius, self.line_spacing, self.pos_x,
                                             self.pos_y]

    def _spin(self, lo: float, hi: float, decimals: int, suffix: str, apply, step: float = 1.0) -> QDoubleSpinBox:
        spin = QDoubleSpinBox(self)
        spin.setRange(lo, hi)
        spin.setDecimals(decimals)
        spin.setSingleStep(step)
        spin.setSuffix(suffix)
        spin.setKeyboardTracking(False)
        # editingFinished also fires on focus out with nothing typed: only a changed value is an edit.
        spin.editingFinished.connect(lambda s=spin, f=apply: f(s.value()) if s.property("shown") != s.value()
                                     else None)
        return spin

    def _height(self) -> int:
        return self.host.edits.timeline.settings.height

    def _clip(self) -> TextClip | None:
        clip = self.host.current()
        return clip if isinstance(clip, TextClip) else None

    # --- showing ---------------------------------------------------------------------------------------

    def show_clip(self, clip) -> None:
        self.setVisible(isinstance(clip, TextClip))
        if not isinstance(clip, TextClip):
            return
        if not self.text.hasFocus() and self.text.toPlainText() != clip.text:
            self.text.setPlainText(clip.text)
        s = clip.style
        self.font.setCurrentText(s.font)
        self.bold.setChecked(s.bold)
        self.italic.setChecked(s.italic)
        self.align.setCurrentText(s.align)
        values = {self.size: s.size * self._height(), self.outline: s.outline_width * 100,
                  self.shadow_x: s.shadow_offset[0] * 100, self.shadow_y: s.shadow_offset[1] * 100,
                  self.shadow_blur: s.shadow_blur * 100, self.box_padding: s.box_padding * 100,
                  self.box_radius: s.box_radius * 100, self.line_spacing: s.line_spacing, self.pos_x: s.x * 100,
                  self.pos_y: s.y * 100}
        for spin, value in values.items():
            if spin.hasFocus() and spin.lineEdit().isModified():
                continue
            spin.blockSignals(True)
            spin.setValue(value)
            spin.blockSignals(False)
            spin.setProperty("shown", spin.value())
        for name, button in self.colors.items():
            colour = getattr(s, name)
            button.setStyleSheet(_swatch(colour))
            button.setToolTip(f"{button.text()} colour {colour} (click to choose)")
        self.warning.setText(self.safe_zone_warning(clip) or "")
        self.warning.setVisible(bool(self.warning.text()))

    def safe_zone_warning(self, clip: TextClip) -> str | None:
        settings = self.host.edits.timeline.settings
        w = _CHECK_WIDTH
        h = max(1, round(w * settings.height / settings.width))
        try:
            box = text_box(clip.text, clip.style, w, h)
        except (OSError, ValueError):
            return None
        return outside_safe_zone(box, w, h)

    # --- edits -----------------------------------------------------------------------------------------

    def _set(self, label: str, **changes) -> bool:
        clip = self._clip()
        if clip is None:
            return False
        ok = self.host.edits.do(SetClipProperties(clip.id, label=label, **changes))
        if not ok:
            self.host.refresh()
        return ok

    def _text_applied(self) -> None:
        clip = self._clip()
        if clip is not None and self.text.toPlainText() != clip.text:
            self._set("Edit text", text=self.text.toPlainText())

    def _style(self, **changes) -> bool:
        clip = self._clip()
        if clip is None:
            return False
        try:
            style = replace(clip.style, **changes)
        except ValueError as exc:
            self.host.edits.refused.emit(str(exc))
            self.host.refresh()
            return False
        if style == clip.style:
            return False
        return self._set("Set text style", style=style)

    def _shadow(self, x: float | None = None, y: float | None = None) -> bool:
        clip = self._clip()
        if clip is None:
            return False
        ox, oy = clip.style.shadow_offset
        return self._style(shadow_offset=(ox if x is None else x, oy if y is None else y))

    def _preset_chosen(self, index: int) -> None:
        name = self.preset.itemData(index)
        self.preset.setCurrentIndex(0)
        if name:
            self.apply_preset(name)

    def apply_preset(self, name: str) -> bool:
        """The preset's whole look (the text stays)."""
        clip = self._clip()
        if clip is None or PRESETS[name] == clip.style:
            return False
        return self._set(f"Apply {name} preset", style=PRESETS[name])

    def ask_color(self, current: str, title: str) -> str | None:
        """``#RRGGBBAA`` from the colour dialog, or None when cancelled."""
        r, g, b, a = (int(current[i:i + 2], 16) for i in (1, 3, 5, 7))
        chosen = QColorDialog.getColor(QColor(r, g, b, a), self, f"{title} colour",
                                       QColorDialog.ColorDialogOption.ShowAlphaChannel)
        if not chosen.isValid():
            return None
        return f"#{chosen.red():02X}{chosen.green():02X}{chosen.blue():02X}{chosen.alpha():02X}"

    def _pick(self, name: str, title: str) -> None:
        clip = self._clip()
        if clip is None:
            return
        chosen = self.ask_color(getattr(clip.style, name), title)
        if chosen is not None:
            changes: dict = {name: chosen}
            # Choosing an outline colour with no width would show nothing: give it a visible width.
            if name == "outline_color" and clip.style.outline_width == 0:
                changes["outline_width"] = 0.08
            self._style(**changes)

