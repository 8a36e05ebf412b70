"""The window's icons, drawn from small SVGs in assets/icons/ in the theme's colours.

Text glyphs such as 🎲 or ⏮ show as empty boxes where the user's fonts lack them; an SVG draws the same on
every machine. ``icon("play")`` gives a QIcon (a dimmer copy for the disabled state comes with it); a name
without an SVG on disk falls back to Qt's own standard icon, so a broken install still shows something.

The SVGs use ``currentColor`` for their ink, replaced here by the wanted colour before rendering (Qt's SVG
renderer would otherwise paint it black on the dark theme). The folder is also registered as the ``icons:``
search path, so the stylesheet can say ``image: url(icons:check.svg)``.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from PySide6.QtCore import QByteArray, QDir, QRectF, Qt
from PySide6.QtGui import QIcon, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QApplication, QStyle

from editor.install_places import data_places

# The same places, in the same order, as the stylesheet's and the fonts' (editor.install_places).
ICON_PLACES = tuple(data_places("icons"))

INK = "#d4d7de"        # the theme's text colour (assets/style.qss)
DISABLED_INK = "#5d616b"
SIZES = (16, 20, 24, 32, 40, 48, 64)   # rendered ahead; Qt scales the nearest for any other size

_SP = QStyle.StandardPixmap
# Every icon there is, with the standard icon that stands in when its SVG cannot be read.
FALLBACKS: dict[str, QStyle.StandardPixmap] = {
    "play": _SP.SP_MediaPlay,
    "pause": _SP.SP_MediaPause,
    "to_start": _SP.SP_MediaSkipBackward,
    "to_end": _SP.SP_MediaSkipForward,
    "step_back": _SP.SP_MediaSeekBackward,
    "step_forward": _SP.SP_MediaSeekForward,
    "loop": _SP.SP_BrowserReload,
    "dice": _SP.SP_BrowserReload,
    "speaker": _SP.SP_MediaVolume,
    "mute": _SP.SP_MediaVolumeMuted,
    "check": _SP.SP_DialogApplyButton,
}


def icons_folder() -> Path | None:
    """The first folder of ICON_PLACES that exists, or None."""
    return next((place for place in ICON_PLACES if place.is_dir()), None)


def icon_path(name: str) -> Path | None:
    folder = icons_folder()
    path = folder / f"{name}.svg" if folder is not None else None
    return path if path is not None and path.is_file() else None


def _render(svg: bytes, size: int) -> QPixmap:
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    QSvgRenderer(QByteArray(svg)).render(painter, QRectF(0, 0, size, size))
    painter.end()
    return pixmap


@cache
def icon(name: str, color: str = INK) -> QIcon:
    """The icon ``name`` (one of FALLBACKS) drawn in ``color``; KeyError for a name that is not there."""
    if name not in FALLBACKS:
        raise KeyError(f"no icon named {name!r} (there are: {', '.join(sorted(FALLBACKS))})")
    path = icon_path(name)
    text = None
    if path is not None:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError:
            text = None
    if text is None or not QSvgRenderer(QByteArray(text.encode())).isValid():
        return QApplication.style().standardIcon(FALLBACKS[name])
    result = QIcon()
    for ink, mode in ((color, QIcon.Mode.Normal), (DISABLED_INK, QIcon.Mode.Disabled)):
        svg = text.replace("currentColor", ink).encode()
        for size in SIZES:
            result.addPixmap(_render(svg, size), mode)
    return result


def register_search_path() -> None:
    """Let the stylesheet name icons as ``url(icons:NAME.svg)``."""
    folder = icons_folder()
    if folder is not None and str(folder) not in QDir.searchPaths("icons"):
        QDir.addSearchPath("icons", str(folder))


register_search_path()
