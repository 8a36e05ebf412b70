"""Live preview pictures of a shot while it generates: loaded from the worker's JPEG (cached by path and
modification time, small: at most 256 px), drawn into a clip on the timeline and over the viewer's card."""

from __future__ import annotations

import os
from collections import OrderedDict

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter

from editor.ui.timeline_style import C_PROGRESS

_CACHE: OrderedDict[tuple[str, int, int], QImage] = OrderedDict()
_LAST: dict[str, QImage] = {}  # path -> its last good picture, shown while the worker replaces the file
_CACHE_SIZE = 8


def load_preview(path: str | None) -> QImage | None:
    """The picture at ``path`` (None when there is none yet). A file being replaced, or gone because the job
    just ended, gives its last good picture rather than a flicker to the placeholder."""
    if not path:
        return None
    try:
        st = os.stat(path)
    except OSError:
        return _LAST.get(path)
    key = (path, st.st_mtime_ns, st.st_size)
    hit = _CACHE.get(key)
    if hit is not None:
        _CACHE.move_to_end(key)
        return hit
    image = QImage(path)
    if image.isNull():
        return _LAST.get(path)
    image = image.convertToFormat(QImage.Format.Format_RGB32)
    _CACHE[key] = image
    _LAST[path] = image
    while len(_CACHE) > _CACHE_SIZE:
        old, _ = _CACHE.popitem(last=False)
        if _LAST.get(old[0]) is not None and not any(k[0] == old[0] for k in _CACHE):
            _LAST.pop(old[0], None)
    return image


def paint_clip_preview(p: QPainter, area: QRectF, image: QImage, x_from: float | None = None) -> None:
    """The preview as the clip's thumbnails: scaled to the area's height, repeated along it (the caller clips
    to the clip's shape). ``x_from``: the first visible x, to skip pictures left of the view."""
    if area.width() <= 0 or area.height() <= 0 or image.isNull():
        return
    tw = max(4.0, area.height() * image.width() / max(1, image.height()))
    x = area.left()
    if x_from is not None and x_from > x:
        x += int((x_from - x) // tw) * tw
    p.save()
    p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    p.setClipRect(area, Qt.ClipOperation.IntersectClip)
    while x < area.right():
        p.drawImage(QRectF(x, area.top(), tw, area.height()), image)
        x += tw
    p.restore()


def fit_rect(outer: QRectF, width: int, height: int) -> QRectF:
    """``width`` x ``height`` scaled to fit ``outer``, centred."""
    scale = min(outer.width() / max(1, width), outer.height() / max(1, height))
    w, h = width * scale, height * scale
    return QRectF(outer.left() + (outer.width() - w) / 2, outer.top() + (outer.height() - h) / 2, w, h)


def paint_card_preview(p: QPainter, rect: QRectF, image: QImage, title: str, progress: float | None) -> None:
    """The viewer's card for a generating shot, with the shot so far: the picture over the canvas, the card's
    words on a band at the top and the progress along the bottom."""
    p.save()
    p.setClipRect(rect)
    p.fillRect(rect, QColor("#121317"))
    p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    p.drawImage(fit_rect(rect, image.width(), image.height()), image)
    font = QFont(p.font())
    font.setPointSizeF(max(7.0, min(14.0, rect.height() / 28)))
    p.setFont(font)
    band = QRectF(rect.left(), rect.top(), rect.width(), p.fontMetrics().height() + 10)
    p.fillRect(band, QColor(0, 0, 0, 150))
    p.setPen(QColor("#f4f5f7"))
    shown = p.fontMetrics().elidedText(title, Qt.TextElideMode.ElideRight, int(band.width()) - 16)
    p.drawText(band.adjusted(8, 0, -8, 0), Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, shown)
    if progress is not None:
        bar = QRectF(rect.left(), rect.bottom() - 5, rect.width(), 5)
        p.fillRect(bar, QColor(0, 0, 0, 140))
        p.fillRect(QRectF(bar.left(), bar.top(), bar.width() * max(0.0, min(1.0, progress)), bar.height()), C_PROGRESS)
    p.restore()
