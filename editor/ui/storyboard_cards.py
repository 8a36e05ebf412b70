"""The storyboard's cards as painted rows: a thumbnail (the shot's take, else a placeholder with its number),
the number, the length (a lock when fixed), the state, the narration, what the shot shows, cast chips and the
card's notes. ``CardView`` is what one row shows (made by the panel from ``editor.storyboard.cards``);
``CardDelegate`` paints it in the panel's list, whose rows drag to reorder."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QImage, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

CARD_H = 104
THUMB_H = CARD_H - 16
MARGIN = 4

# The theme's colours (assets/style.qss): panels, text, the accent; one colour per state.
BG = QColor("#23252c")
BG_HOVER = QColor("#2b2e36")
BG_SELECTED = QColor("#27344f")
ACCENT = QColor("#3a66d6")
INK = QColor("#eceef2")
DIM = QColor("#9aa0ab")
NOTE = QColor("#f2c14e")
STATE_COLOURS = {
    "draft": QColor("#5d616b"), "queued": QColor("#3a66d6"), "generating": QColor("#d68a2e"),
    "ready": QColor("#2f9e62"), "failed": QColor("#c8453b"), "stale": QColor("#8a6d2e"),
    "cancelled": QColor("#5d616b"),
}


@dataclass(frozen=True)
class CardView:
    """One card as painted: plain values, no model objects."""

    shot_id: str
    clip_id: str
    index: int
    seconds: float
    fixed: bool
    narration: str
    picture: str
    cast: tuple[str, ...] = ()
    state: str = "draft"
    state_text: str = "Draft"
    fraction: float | None = None
    notes: tuple[str, ...] = ()
    start: int = 0
    aspect: float = 9 / 16            # the project's picture (width / height)
    thumbnail: QImage | None = field(default=None, compare=False)

    @property
    def length_text(self) -> str:
        return f"{self.seconds:.1f} s"

    @property
    def tooltip(self) -> str:
        lines = [f"Shot {self.index + 1} · {self.length_text}" + (" (fixed)" if self.fixed else ""),
                 f"Narration: {self.narration or '—'}", f"Shows: {self.picture or '—'}", self.state_text]
        if self.cast:
            lines.append("Cast: " + ", ".join(self.cast))
        lines += self.notes
        return "\n".join(lines)


def short_state(state: str, text: str, fraction: float | None) -> str:
    """The state pill's words: "Draft", "Queued", "42%", "Ready", "Failed"."""
    if state == "generating" and fraction is not None:
        return f"{round(fraction * 100)}%"
    if state == "stale":
        return "Changed"
    return state.title() if state else (text or "Draft")


class CardDelegate(QStyledItemDelegate):
    """Paints the ``CardView`` of the shot whose id is the item's ``UserRole`` as a card. The view is looked up,
    not stored in the item: a dragged item's data is serialised, and a view holds a QImage."""

    def __init__(self, parent, lookup: Callable[[str], CardView | None]) -> None:
        super().__init__(parent)
        self.lookup = lookup

    def sizeHint(self, option: QStyleOptionViewItem, index) -> QSize:  # noqa: N802
        return QSize(max(1, option.rect.width()), CARD_H)

    def paint(self, p: QPainter, option: QStyleOptionViewItem, index) -> None:
        shot_id = index.data(Qt.ItemDataRole.UserRole)
        view = self.lookup(shot_id) if isinstance(shot_id, str) else None
        if view is None:
            return super().paint(p, option, index)
        p.save()
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRectF(option.rect).adjusted(MARGIN, MARGIN, -MARGIN, -MARGIN)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        hover = bool(option.state & QStyle.StateFlag.State_MouseOver)
        path = QPainterPath()
        path.addRoundedRect(rect, 7, 7)
        p.fillPath(path, BG_SELECTED if selected else BG_HOVER if hover else BG)
        if selected:
            p.setPen(QPen(ACCENT, 1.5))
            p.drawPath(path)
        thumb = self._thumb_rect(rect, view.aspect)
        self._paint_thumb(p, thumb, view)
        text = QRectF(thumb.right() + 10, rect.top() + 6, rect.right() - thumb.right() - 18, rect.height() - 12)
        self._paint_text(p, text, view, option.font)
        p.restore()

    @staticmethod
    def _thumb_rect(rect: QRectF, aspect: float) -> QRectF:
        h = rect.height() - 12
        w = max(44.0, min(150.0, h * aspect))
        return QRectF(rect.left() + 6, rect.top() + 6, w, h)

    @staticmethod
    def _paint_thumb(p: QPainter, r: QRectF, view: CardView) -> None:
        clip = QPainterPath()
        clip.addRoundedRect(r, 5, 5)
        p.save()
        p.setClipPath(clip)
        p.fillRect(r, QColor("#101114"))
        image = view.thumbnail
        if image is not None and not image.isNull():
            # Cover the box (crop the overflow), centred.
            scale = max(r.width() / image.width(), r.height() / image.height())
            w, h = image.width() * scale, image.height() * scale
            p.drawImage(QRectF(r.center().x() - w / 2, r.center().y() - h / 2, w, h), image)
        else:
            p.setPen(QColor("#3a3d46"))
            big = QFont(p.font())
            big.setPointSizeF(18)
            big.setBold(True)
            p.setFont(big)
            p.drawText(r, Qt.AlignmentFlag.AlignCenter, str(view.index + 1))
        if view.state == "generating" and view.fraction is not None:
            bar = QRectF(r.left(), r.bottom() - 4, r.width() * max(0.0, min(1.0, view.fraction)), 4)
            p.fillRect(QRectF(r.left(), r.bottom() - 4, r.width(), 4), QColor(0, 0, 0, 140))
            p.fillRect(bar, STATE_COLOURS["generating"])
        p.restore()
        # The number, on a dark tab in the corner (readable over any picture).
        small = QFont(p.font())
        small.setPointSizeF(8)
        small.setBold(True)
        p.setFont(small)
        label = str(view.index + 1)
        tab = QRectF(r.left(), r.top(), QFontMetrics(small).horizontalAdvance(label) + 10, 16)
        tab_path = QPainterPath()
        tab_path.addRoundedRect(tab, 4, 4)
        p.fillPath(tab_path, QColor(0, 0, 0, 170))
        p.setPen(INK)
        p.drawText(tab, Qt.AlignmentFlag.AlignCenter, label)

    def _paint_text(self, p: QPainter, r: QRectF, view: CardView, base: QFont) -> None:
        bold = QFont(base)
        bold.setBold(True)
        normal = QFont(base)
        small = QFont(base)
        small.setPointSizeF(max(7.0, base.pointSizeF() - 1.5))
        line_h = QFontMetrics(normal).height()
        y = r.top()
        # First line: "Shot 3  4.0 s [lock]" on the left, the state pill on the right.
        p.setFont(bold)
        p.setPen(INK)
        title = f"Shot {view.index + 1}"
        fm = QFontMetrics(bold)
        p.drawText(QPointF(r.left(), y + fm.ascent()), title)
        x = r.left() + fm.horizontalAdvance(title) + 10
        p.setFont(normal)
        p.setPen(DIM)
        p.drawText(QPointF(x, y + fm.ascent()), view.length_text)
        x += QFontMetrics(normal).horizontalAdvance(view.length_text) + 6
        if view.fixed:
            _paint_lock(p, QRectF(x, y + 2, 10, line_h - 4))
        pill_text = short_state(view.state, view.state_text, view.fraction)
        p.setFont(small)
        sfm = QFontMetrics(small)
        pill = QRectF(r.right() - sfm.horizontalAdvance(pill_text) - 14, y + 1, sfm.horizontalAdvance(pill_text) + 14,
                      sfm.height() + 4)
        pill_path = QPainterPath()
        pill_path.addRoundedRect(pill, pill.height() / 2, pill.height() / 2)
        p.fillPath(pill_path, STATE_COLOURS.get(view.state, STATE_COLOURS["draft"]))
        p.setPen(QColor("white"))
        p.drawText(pill, Qt.AlignmentFlag.AlignCenter, pill_text)
        y += line_h + 4
        # The narration (quoted), then what the shot shows (dim) when it differs.
        p.setFont(normal)
        p.setPen(INK)
        nfm = QFontMetrics(normal)
        words = f"“{view.narration}”" if view.narration else "(no narration)"
        # Two lines of narration when what it shows is the narration itself (no second line needed for it).
        lines = _wrapped(nfm, words, int(r.width()), 2 if view.picture == view.narration else 1)
        for line in lines:
            p.drawText(QPointF(r.left(), y + nfm.ascent()), line)
            y += line_h
        y += 1
        if view.picture and view.picture != view.narration:
            p.setFont(small)
            p.setPen(DIM)
            p.drawText(QPointF(r.left(), y + sfm.ascent()),
                       sfm.elidedText(view.picture, Qt.TextElideMode.ElideRight, int(r.width())))
            y += sfm.height() + 2
        # Cast chips, then the first note (warm: something the person should know).
        p.setFont(small)
        x = r.left()
        chip_h = sfm.height() + 2
        if view.cast and y + chip_h <= r.bottom():
            for name in view.cast:
                w = sfm.horizontalAdvance(name) + 12
                if x + w > r.right():
                    break
                chip = QPainterPath()
                chip.addRoundedRect(QRectF(x, y + 1, w, chip_h), chip_h / 2, chip_h / 2)
                p.fillPath(chip, QColor("#35405a"))
                p.setPen(QColor("#c9d6f5"))
                p.drawText(QRectF(x, y + 1, w, chip_h), Qt.AlignmentFlag.AlignCenter, name)
                x += w + 4
            y += chip_h + 3
        if view.notes and y + sfm.height() <= r.bottom() + 2:
            p.setPen(NOTE)
            note = "⚠ " + view.notes[0] + (f" (+{len(view.notes) - 1})" if len(view.notes) > 1 else "")
            p.drawText(QPointF(r.left(), y + sfm.ascent()),
                       sfm.elidedText(note, Qt.TextElideMode.ElideRight, int(r.width())))


def _wrapped(fm: QFontMetrics, text: str, width: int, max_lines: int) -> list[str]:
    """``text`` in at most ``max_lines`` lines of ``width`` pixels, broken at spaces, the last one elided."""
    lines: list[str] = []
    words = text.split()
    while words and len(lines) < max_lines - 1:
        line = words[0]
        i = 1
        while i < len(words) and fm.horizontalAdvance(f"{line} {words[i]}") <= width:
            line = f"{line} {words[i]}"
            i += 1
        if fm.horizontalAdvance(line) > width:
            break   # one word longer than the line: elide it below
        lines.append(line)
        words = words[i:]
    if words:
        lines.append(fm.elidedText(" ".join(words), Qt.TextElideMode.ElideRight, width))
    return lines


def _paint_lock(p: QPainter, r: QRectF) -> None:
    """A small padlock (fixed length), drawn rather than a glyph that a font may lack."""
    p.save()
    p.setPen(QPen(DIM, 1.3))
    body = QRectF(r.left(), r.center().y() - 1, r.width(), r.height() / 2 + 1)
    shackle = QRectF(r.left() + 2, r.top() + 1, r.width() - 4, r.height() / 2 + 2)
    p.drawArc(shackle, 0, 180 * 16)
    p.drawLine(QPointF(shackle.left(), shackle.center().y()), QPointF(shackle.left(), body.top()))
    p.drawLine(QPointF(shackle.right(), shackle.center().y()), QPointF(shackle.right(), body.top()))
    p.fillRect(body, DIM)
    p.restore()
