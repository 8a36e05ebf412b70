"""Numbers of the looks both executors draw (the exporter's ffmpeg graph and the preview's compositor), so that
preview and export agree.

Fit-over-blur: the picture scaled to fill the canvas, shrunk by ``blur_shrink`` (a Gaussian that wide keeps
nothing a smaller picture could not hold), blurred with a Gaussian of sigma ``BLUR_SIGMA`` x canvas height
(divided by the shrink), scaled back bilinearly and darkened: every R'G'B' value times ``BLUR_DIM`` (in
limited-range Y'CbCr: Y' -> 16 + (Y' - 16) x dim, Cb/Cr -> 128 + (C - 128) x dim, the same mix toward black).
The fitted picture (``Fit.FIT``) is drawn over it.
"""

from __future__ import annotations

BLUR_SIGMA = 0.025    # Gaussian sigma as a fraction of the canvas height
BLUR_DIM = 0.6        # the blurred copy's brightness multiplier


def blur_sigma(canvas_h: int) -> float:
    """The backdrop's Gaussian sigma in canvas pixels (at least one pixel)."""
    return max(1.0, BLUR_SIGMA * canvas_h)


def blur_shrink(canvas_h: int) -> int:
    """How many times smaller the backdrop is blurred (1 to 4)."""
    return max(1, min(4, int(blur_sigma(canvas_h) // 2)))
