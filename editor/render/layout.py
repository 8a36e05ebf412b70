"""Where a clip's picture lands on the canvas: one pure rule for the exporter and the viewer's compositor.

The source size is its *display* size (after rotation and pixel aspect). The picture is scaled to
``scaled_w x scaled_h``, the part ``crop_*`` of that scaled picture is kept, and that part is placed with its
top-left corner at ``(x, y)`` on the canvas. Whatever the placed part does not cover shows the layer below
(black on the bottom layer). ``Fit.BLUR`` places the picture as ``Fit.FIT`` does, over a backdrop (see
``editor.render.looks``).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from editor.model import Fit


@dataclass(frozen=True)
class Placement:
    scaled_w: int
    scaled_h: int
    crop_x: int
    crop_y: int
    crop_w: int
    crop_h: int
    x: int
    y: int

    def covers(self, canvas_w: int, canvas_h: int) -> bool:
        """True when the placed picture fills the whole canvas (nothing of the layer below shows)."""
        return self.x <= 0 and self.y <= 0 and self.crop_w >= canvas_w and self.crop_h >= canvas_h

    def source_window(self, src_w: int, src_h: int) -> tuple[Fraction, Fraction, Fraction, Fraction]:
        """The visible part of the source, in source pixels (x, y, w, h), exact: cropping this from the source
        and scaling it to ``crop_w x crop_h`` is the same picture as scaling first and cropping after."""
        fx, fy = Fraction(src_w, self.scaled_w), Fraction(src_h, self.scaled_h)
        return self.crop_x * fx, self.crop_y * fy, self.crop_w * fx, self.crop_h * fy

    @property
    def needs_crop(self) -> bool:
        return (self.crop_x, self.crop_y, self.crop_w, self.crop_h) != (0, 0, self.scaled_w, self.scaled_h)


def _round(value: Fraction) -> int:
    """Round half up, exactly (no float)."""
    return int((value * 2 + 1) // 2)


def place(src_w: int, src_h: int, canvas_w: int, canvas_h: int, fit: Fit | str = Fit.FILL) -> Placement:
    """The placement of a ``src_w x src_h`` picture on a ``canvas_w x canvas_h`` canvas under ``fit``."""
    if min(src_w, src_h, canvas_w, canvas_h) <= 0:
        raise ValueError(f"sizes must be positive: source {src_w}x{src_h}, canvas {canvas_w}x{canvas_h}")
    fit = Fit(fit)
    if fit is Fit.STRETCH:
        return Placement(canvas_w, canvas_h, 0, 0, canvas_w, canvas_h, 0, 0)
    if fit is Fit.CROP:
        sw, sh = src_w, src_h
    else:
        sx, sy = Fraction(canvas_w, src_w), Fraction(canvas_h, src_h)
        scale = max(sx, sy) if fit is Fit.FILL else min(sx, sy)   # FIT and BLUR (fitted over its backdrop)
        sw, sh = max(1, _round(src_w * scale)), max(1, _round(src_h * scale))
        if fit is Fit.FILL:   # cover: never a pixel short of the canvas
            sw, sh = max(sw, canvas_w), max(sh, canvas_h)
        else:                 # contain: never a pixel over
            sw, sh = min(sw, canvas_w), min(sh, canvas_h)
    crop_w, crop_h = min(sw, canvas_w), min(sh, canvas_h)
    crop_x, crop_y = (sw - crop_w) // 2, (sh - crop_h) // 2
    x, y = (canvas_w - crop_w) // 2, (canvas_h - crop_h) // 2
    return Placement(sw, sh, crop_x, crop_y, crop_w, crop_h, x, y)
