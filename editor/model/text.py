"""The look of a text clip (titles, captions) as plain data, its presets, and the short-video safe zone.

Every length is relative, so one style looks the same at any output size:

- ``size`` is the font's em size as a fraction of the canvas *height* (0.045 on a 1080x1920 canvas is 86 px);
- ``outline_width``, ``shadow_offset``, ``shadow_blur``, ``box_padding`` and ``box_radius`` are fractions of
  that em size, so they grow and shrink with the text;
- ``x``, ``y`` place the centre of the text block as fractions of the canvas width and height (0..1);
- ``max_width`` is the wrapping width as a fraction of the canvas width.

Colours are ``#RRGGBBAA`` (``#RRGGBB`` is accepted and means opaque). Alpha 0 turns a part off: a transparent
``box_color`` draws no box, a transparent ``outline_color`` no outline.

Pure Python (stdlib only): the renderer lives in ``editor.render.text``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, fields
from typing import Any

# The families shipped in assets/fonts (editor.render.text maps them to files). Only Inter has true italics;
# Noto Sans is the wide-coverage family and the first fallback for glyphs another family lacks.
FONT_FAMILIES: tuple[str, ...] = ("Inter", "Noto Sans")
ALIGNMENTS: tuple[str, ...] = ("left", "center", "right")

_COLOR = re.compile(r"#(?:[0-9A-Fa-f]{6}|[0-9A-Fa-f]{8})")

# Inclusive ranges for every number, wide enough for any real design and narrow enough that a hostile file
# cannot ask the renderer for a 100 000 px font or a blur that takes minutes.
_RANGES: dict[str, tuple[float, float]] = {
    "size": (0.005, 0.5),
    "outline_width": (0.0, 0.5),
    "shadow_blur": (0.0, 1.0),
    "box_padding": (0.0, 2.0),
    "box_radius": (0.0, 2.0),
    "line_spacing": (0.5, 3.0),
    "x": (0.0, 1.0),
    "y": (0.0, 1.0),
    "max_width": (0.05, 1.0),
}
_SHADOW_OFFSET_RANGE = (-1.0, 1.0)
_COLOR_FIELDS = ("color", "outline_color", "shadow_color", "box_color")
_BOOL_FIELDS = ("bold", "italic")


def _number(name: str, value: Any, low: float, high: float) -> float:
    # bool is an int in Python; a style file saying "size": true is a mistake, not 1.0.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"text style: {name} must be a number, not {type(value).__name__}")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"text style: {name} must be finite, not {value!r}")
    if not low <= number <= high:
        raise ValueError(f"text style: {name} {number:g} is outside {low:g}..{high:g}")
    return number


def _color(name: str, value: Any) -> str:
    if not isinstance(value, str) or not _COLOR.fullmatch(value):
        shown = repr(value) if len(repr(value)) <= 40 else repr(value)[:37] + "..."
        raise ValueError(f"text style: {name} must be a colour '#RRGGBBAA', not {shown}")
    return (value + "FF" if len(value) == 7 else value).upper()


def parse_color(value: str) -> tuple[int, int, int, int]:
    """``"#RRGGBBAA"`` (or ``"#RRGGBB"``) as an (r, g, b, a) tuple of 0..255."""
    text = _color("colour", value)
    return int(text[1:3], 16), int(text[3:5], 16), int(text[5:7], 16), int(text[7:9], 16)


@dataclass(frozen=True)
class TextStyle:
    """How a text clip looks and where it sits. Hashable and validated on construction (also by
    ``dataclasses.replace``), so a TextStyle that exists is one the renderer can draw."""

    font: str = "Inter"
    size: float = 0.045
    color: str = "#FFFFFFFF"
    bold: bool = False
    italic: bool = False
    outline_color: str = "#000000FF"
    outline_width: float = 0.0
    shadow_color: str = "#00000000"
    shadow_offset: tuple[float, float] = (0.0, 0.0)
    shadow_blur: float = 0.0
    box_color: str = "#00000000"
    box_padding: float = 0.3
    box_radius: float = 0.0
    align: str = "center"
    line_spacing: float = 1.0
    x: float = 0.5
    y: float = 0.5
    max_width: float = 0.8

    def __post_init__(self) -> None:
        if not isinstance(self.font, str) or self.font not in FONT_FAMILIES:
            shown = repr(self.font)[:40]
            raise ValueError(f"text style: font {shown} is not one of {', '.join(FONT_FAMILIES)}")
        if not isinstance(self.align, str) or self.align not in ALIGNMENTS:
            raise ValueError(f"text style: align {repr(self.align)[:40]} is not one of {', '.join(ALIGNMENTS)}")
        for name in _BOOL_FIELDS:
            if not isinstance(getattr(self, name), bool):
                raise ValueError(f"text style: {name} must be true or false")
        for name in _COLOR_FIELDS:
            object.__setattr__(self, name, _color(name, getattr(self, name)))
        for name, (low, high) in _RANGES.items():
            object.__setattr__(self, name, _number(name, getattr(self, name), low, high))
        offset = self.shadow_offset
        if not isinstance(offset, tuple | list) or len(offset) != 2:
            raise ValueError("text style: shadow_offset must be a pair of numbers [x, y]")
        object.__setattr__(self, "shadow_offset", tuple(
            _number(f"shadow_offset[{i}]", v, *_SHADOW_OFFSET_RANGE) for i, v in enumerate(offset)))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (the shadow offset becomes a list)."""
        out: dict[str, Any] = {f.name: getattr(self, f.name) for f in fields(self)}
        out["shadow_offset"] = list(self.shadow_offset)
        return out

    @classmethod
    def from_dict(cls, data: Any) -> TextStyle:
        """The style a dict (from a project file) describes; missing keys take the defaults.

        Raises ValueError with a one-line reason for anything else: not a dict, unknown keys, wrong types,
        NaN or infinite numbers, absurd sizes, malformed colours, unknown fonts or alignments.
        """
        if not isinstance(data, dict):
            raise ValueError(f"text style must be a mapping, not {type(data).__name__}")
        known = {f.name for f in fields(cls)}
        unknown = sorted(str(key)[:30] for key in data if key not in known)
        if unknown:
            raise ValueError(f"text style: unknown field(s) {', '.join(unknown[:5])}")
        return cls(**data)

    @property
    def has_outline(self) -> bool:
        return self.outline_width > 0 and parse_color(self.outline_color)[3] > 0

    @property
    def has_shadow(self) -> bool:
        return parse_color(self.shadow_color)[3] > 0 and (self.shadow_blur > 0 or any(self.shadow_offset))

    @property
    def has_box(self) -> bool:
        return parse_color(self.box_color)[3] > 0


# The short-video safe zone (left, top, right, bottom as canvas fractions): TikTok, Reels and Shorts put the
# account name, description and captions over the bottom third and the like/comment/share buttons down the
# right edge; the top holds the tabs and the search bar.
SAFE_ZONE: tuple[float, float, float, float] = (0.06, 0.14, 0.86, 0.65)


def outside_safe_zone(box: tuple[float, float, float, float] | None, width: int, height: int) -> str | None:
    """A one-line warning when the pixel box (x0, y0, x1, y1) on a width x height canvas leaves the safe
    zone, else None (also for None: nothing is drawn)."""
    if box is None:
        return None
    x0, y0, x1, y1 = box
    left, top, right, bottom = SAFE_ZONE
    sides = []
    if x0 < left * width:
        sides.append("left")
    if y0 < top * height:
        sides.append("top")
    if x1 > right * width:
        sides.append("right")
    if y1 > bottom * height:
        sides.append("bottom")
    if not sides:
        return None
    return (f"Text reaches past the safe zone's {' and '.join(sides)} edge: TikTok, Reels and Shorts cover "
            f"the top {top:.0%}, the right {1 - right:.0%} and the bottom {1 - bottom:.0%} with their buttons "
            f"and captions")


# Title presets. All sit inside SAFE_ZONE on a 9:16 canvas (tests check it); horizontally they centre on the
# safe zone (x = 0.46), not on the canvas, because the right edge is the covered one.
PRESETS: dict[str, TextStyle] = {
    "Centred title": TextStyle(
        font="Inter", size=0.06, bold=True, color="#FFFFFFFF",
        shadow_color="#00000099", shadow_offset=(0.03, 0.05), shadow_blur=0.12,
        align="center", line_spacing=1.05, x=0.46, y=0.38, max_width=0.72),
    "Lower third": TextStyle(
        font="Inter", size=0.032, bold=True, color="#FFFFFFFF",
        box_color="#101418D9", box_padding=0.45, box_radius=0.25,
        align="left", line_spacing=1.1, x=0.34, y=0.58, max_width=0.5),
    "Caption": TextStyle(
        font="Inter", size=0.042, bold=True, color="#FFFFFFFF",
        outline_color="#000000FF", outline_width=0.12,
        shadow_color="#00000080", shadow_offset=(0.0, 0.06), shadow_blur=0.08,
        align="center", line_spacing=1.05, x=0.46, y=0.56, max_width=0.7),
    "Headline": TextStyle(
        font="Noto Sans", size=0.05, bold=True, color="#111111FF",
        box_color="#FFE14DFF", box_padding=0.35, box_radius=0.3,
        align="center", line_spacing=1.05, x=0.46, y=0.26, max_width=0.72),
}

DEFAULT_CAPTION_STYLE: TextStyle = PRESETS["Caption"]
