"""The preview's effect drawing: numpy and OpenCV on (h, w, 3|4) uint8 pictures, no I/O and no state.

The rules are the render plan's (``editor.render.plan.VideoLayer``), drawn the way the exporter's filters draw
them (``editor.render.ffgraph``), at whatever size the viewer asks for:

- transform: the fitted picture (``layout.place``'s ``scaled_w x scaled_h``, centred as the fit puts it) has
  ``crop_*`` fractions of its source cut off each side (the rest stays where it was), is scaled by ``scale``
  and rotated ``rotation`` degrees clockwise about its own centre, then moved by ``x``/``y`` canvas widths and
  heights. One affine warp (bilinear) from a picture already scaled close to its final size (bicubic);
- opacity (keyframes x fades x dissolves) blends the layer over what is below;
- a dip mixes the layer's pixels toward the tint colour by the tint amount;
- fit-over-blur: the picture filling the canvas, blurred and darkened by ``editor.render.looks``' numbers
  (the exporter's recipe), under the fitted picture.

Titles come from ``editor.render.text.render_text`` (the one text engine), scaled with premultiplied alpha.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import av
import cv2
import numpy as np

from editor.render.looks import BLUR_DIM, blur_shrink, blur_sigma

__all__ = ["Geometry", "affine", "as_exported", "blend_over", "blurred_backdrop", "keyed_warp", "premultiplied_resize",
           "tint", "warp"]

cv2.setNumThreads(1)   # the viewer's worker is one thread among the decoders; OpenCV's pool only contends


@dataclass(frozen=True)
class Geometry:
    """A layer's transform values at one frame (floats, as ``Transform`` curves give them)."""

    x: float = 0.0
    y: float = 0.0
    scale: float = 1.0
    rotation: float = 0.0
    crop_left: float = 0.0
    crop_top: float = 0.0
    crop_right: float = 0.0
    crop_bottom: float = 0.0

    @classmethod
    def of(cls, transform, frame: float) -> Geometry:
        return cls(*(float(transform.curve(n).at(frame)) for n in
                     ("x", "y", "scale", "rotation", "crop_left", "crop_top", "crop_right", "crop_bottom")))

    @property
    def identity(self) -> bool:
        return self == Geometry()

    @property
    def cropped(self) -> bool:
        return any((self.crop_left, self.crop_top, self.crop_right, self.crop_bottom))


def affine(g: Geometry, box: tuple[float, float, float, float], canvas: tuple[int, int]) -> np.ndarray:
    """The 2x3 matrix taking continuous coordinates of the fitted picture (0..1 across its width and height,
    before cropping) to canvas pixel coordinates (edges, not centres). ``box`` = the fitted picture's (left,
    top, width, height) on the canvas."""
    left, top, w, h = box
    cw, ch = canvas
    cx, cy = left + w / 2, top + h / 2
    a = math.radians(g.rotation)
    cos, sin = math.cos(a) * g.scale, math.sin(a) * g.scale
    # canvas = centre + move + R * s * (fitted - centre), with fitted = (left + u * w, top + v * h)
    m = np.array([[cos * w, -sin * h, 0.0], [sin * w, cos * h, 0.0]])
    m[:, 2] = [cx + g.x * cw - cos * w / 2 + sin * h / 2, cy + g.y * ch - sin * w / 2 - cos * h / 2]
    return m


def as_exported(g: Geometry, box: tuple[float, float, float, float], canvas: tuple[int, int], keyed: bool
                ) -> Geometry:
    """``g`` with the exporter's whole-pixel rounding (``editor.render.ffeffects.transform_steps``): its scaled
    picture has whole-pixel sides and lands at a whole-pixel corner. A constant transform is scaled to
    ``round(side * scale)`` and its (rotated) box placed at ``round(corner)``; a keyframed one is scaled to
    ``floor(side * scale + 0.5)`` and rotated in a square of even side placed at ``floor(corner + 0.5)``. Followed
    here so a moving picture's sub-pixel position is the export's, not a half pixel beside it."""
    _, _, sw, sh = box
    cw, ch = canvas
    fw, fh = 1 - g.crop_left - g.crop_right, 1 - g.crop_top - g.crop_bottom
    if fw <= 0 or fh <= 0 or g.scale <= 0:
        return g
    a = math.radians(g.rotation)
    if not keyed:
        kw, kh = max(1, _half_up(fw * sw * g.scale)), max(1, _half_up(fh * sh * g.scale))
        scale = (kw / (fw * sw) + kh / (fh * sh)) / 2
        rotated = g.rotation % 360 != 0
        d = math.ceil(math.hypot(kw, kh)) + 2
        d += d % 2
        ow, oh = (d, d) if rotated else (kw, kh)
    else:
        kw, kh = max(1, _half_up(fw * sw)), max(1, _half_up(fh * sh))
        w, h = max(1, _half_up(kw * g.scale)), max(1, _half_up(kh * g.scale))
        scale = (w / (fw * sw) + h / (fh * sh)) / 2
        # Rotated in a square of even side centred on the picture: its corner lands on a whole pixel, so the
        # picture's centre does.
        ow = oh = 0
    # The centre the exporter computes, then the centre of the box it actually places.
    dx, dy = (g.crop_left - g.crop_right) * sw * g.scale / 2, (g.crop_top - g.crop_bottom) * sh * g.scale / 2
    cx = g.x * cw + dx * math.cos(a) - dy * math.sin(a)
    cy = g.y * ch + dx * math.sin(a) + dy * math.cos(a)
    left, top, _, _ = box
    ox, oy = left + sw / 2, top + sh / 2
    px = math.floor(ox + cx - ow / 2 + 0.5) + ow / 2 - ox
    py = math.floor(oy + cy - oh / 2 + 0.5) + oh / 2 - oy
    # ``affine`` moves the uncropped centre; the crop shift above is added back by the crop itself.
    return Geometry(g.x + (px - cx) / cw, g.y + (py - cy) / ch, scale, g.rotation, g.crop_left, g.crop_top,
                    g.crop_right, g.crop_bottom)


def keyed_warp(pic: np.ndarray, g: Geometry, box: tuple[float, float, float, float], canvas: tuple[int, int],
               square_of: Callable[[int], int]) -> tuple[np.ndarray, np.ndarray, int, int] | None:
    """A keyframed transform drawn in the exporter's order (``ffeffects.transform_steps``): the fitted picture
    (``pic``, at the fitted size) cropped, rotated about its centre into an even square, that square scaled
    (bicubic) to ``floor(side * scale + 0.5)`` and placed at ``floor(corner + 0.5)``. Two resamplings, as the
    export makes them, so a turning, growing picture's edges fall where the export's do."""
    left, top, sw, sh = box
    cw, ch = canvas
    ph, pw = pic.shape[:2]
    fw, fh = 1 - g.crop_left - g.crop_right, 1 - g.crop_top - g.crop_bottom
    if fw <= 0 or fh <= 0 or g.scale <= 0:
        return None
    x0, y0 = _half_up(pw * g.crop_left), _half_up(ph * g.crop_top)
    part = pic[y0:y0 + max(1, _half_up(ph * fh)), x0:x0 + max(1, _half_up(pw * fw))]
    kw, kh = max(1, _half_up(fw * sw)), max(1, _half_up(fh * sh))
    if part.shape[2] == 3:
        part = np.dstack([part, np.full(part.shape[:2], 255, np.uint8)])
    pre = _premultiply(part)
    if pre.shape[1] != kw or pre.shape[0] != kh:
        pre = cv2.resize(pre, (kw, kh), interpolation=cv2.INTER_CUBIC)
    d = math.ceil(math.hypot(kw, kh)) + 2
    d += d % 2
    a = math.radians(g.rotation)
    cos, sin = math.cos(a), math.sin(a)
    # Edge coordinates: square centre + R (p - picture centre); then as pixel centres for OpenCV.
    m = np.array([[cos, -sin, d / 2 - cos * kw / 2 + sin * kh / 2],
                  [sin, cos, d / 2 - sin * kw / 2 - cos * kh / 2], [0, 0, 1]])
    square = cv2.warpAffine(pre, _centres(m)[:2], (d, d), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT,
                            borderValue=(0, 0, 0, 0))
    side = max(1, math.floor(d * g.scale + 0.5))
    if side != d:
        # swscale's bicubic, as the exporter's scale filter: it widens its kernel when shrinking, OpenCV's
        # cubic does not (a turned test pattern at 0.8x came out 3 dB further from the export).
        frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(square), format="rgba")
        square = frame.reformat(width=side, height=side, interpolation="BICUBIC").to_ndarray()
    dx, dy = (g.crop_left - g.crop_right) * sw / 2, (g.crop_top - g.crop_bottom) * sh / 2
    cx = left + sw / 2 + g.x * cw + (dx * cos - dy * sin) * g.scale
    cy = top + sh / 2 + g.y * ch + (dx * sin + dy * cos) * g.scale
    # Padded into the exporter's square (``square_of(d)``), which is what lands on a whole pixel.
    big = square_of(d)
    x = math.floor(cx - big / 2 + 0.5) + (big - side) // 2
    y = math.floor(cy - big / 2 + 0.5) + (big - side) // 2
    bx0, by0, bx1, by1 = max(0, x), max(0, y), min(cw, x + side), min(ch, y + side)
    if bx1 <= bx0 or by1 <= by0:
        return None
    rgb, alpha = _unpremultiply(np.ascontiguousarray(square[by0 - y:by1 - y, bx0 - x:bx1 - x]))
    return rgb, alpha, bx0, by0


def _half_up(v: float) -> int:
    return math.floor(v + 0.5)


def warp(pic: np.ndarray, g: Geometry, box: tuple[float, float, float, float], canvas: tuple[int, int]
         ) -> tuple[np.ndarray, np.ndarray, int, int] | None:
    """``pic`` (the whole fitted picture, at any resolution) cropped and transformed onto the canvas: (rgb,
    alpha 0..255, x, y) of the part inside the canvas, or None when nothing of it is."""
    ph, pw = pic.shape[:2]
    x0, x1 = round(g.crop_left * pw), pw - round(g.crop_right * pw)
    y0, y1 = round(g.crop_top * ph), ph - round(g.crop_bottom * ph)
    if x1 <= x0 or y1 <= y0 or g.scale <= 0:
        return None
    part = pic[y0:y1, x0:x1]
    if part.shape[2] == 3:
        part = np.dstack([part, np.full(part.shape[:2], 255, np.uint8)])
    # Pixels of ``part`` to fitted-picture fractions, then to the canvas; cv2 wants pixel centres.
    to_unit = np.array([[1 / pw, 0, x0 / pw], [0, 1 / ph, y0 / ph], [0, 0, 1]])
    m = np.vstack([affine(g, box, canvas), [0, 0, 1]]) @ to_unit
    m = _centres(m)
    # Only the canvas rectangle the picture lands in is warped.
    hh, ww = part.shape[:2]
    corners = m[:2] @ np.array([[-0.5, ww - 0.5, -0.5, ww - 0.5], [-0.5, -0.5, hh - 0.5, hh - 0.5], [1, 1, 1, 1]])
    cw, ch = canvas
    bx0, by0 = max(0, math.floor(corners[0].min())), max(0, math.floor(corners[1].min()))
    bx1, by1 = min(cw, math.ceil(corners[0].max()) + 1), min(ch, math.ceil(corners[1].max()) + 1)
    if bx1 <= bx0 or by1 <= by0:
        return None
    m[0, 2] -= bx0
    m[1, 2] -= by0
    # Premultiplied, so the transparent border does not bleed black into the picture's edge.
    pre = _premultiply(part)
    out = cv2.warpAffine(pre, m[:2], (bx1 - bx0, by1 - by0), flags=cv2.INTER_LINEAR,
                         borderMode=cv2.BORDER_CONSTANT, borderValue=(0, 0, 0, 0))
    rgb, alpha = _unpremultiply(out)
    return rgb, alpha, bx0, by0


def _centres(m: np.ndarray) -> np.ndarray:
    """An edge-coordinate affine as a pixel-centre one (OpenCV's convention)."""
    shift = np.array([[1, 0, 0.5], [0, 1, 0.5], [0, 0, 1]])
    back = np.array([[1, 0, -0.5], [0, 1, -0.5], [0, 0, 1]])
    return back @ m @ shift


def _premultiply(rgba: np.ndarray) -> np.ndarray:
    if bool((rgba[:, :, 3] == 255).all()):
        return rgba
    out = rgba.copy()
    a = rgba[:, :, 3:4].astype(np.uint16)
    out[:, :, :3] = ((rgba[:, :, :3].astype(np.uint16) * a + 127) // 255).astype(np.uint8)
    return out


def _unpremultiply(pre: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Premultiplied RGBA as (straight rgb, alpha)."""
    alpha = pre[:, :, 3]
    rgb = pre[:, :, :3]
    if bool((alpha == 255).all()):
        return rgb, alpha
    a = np.maximum(alpha, 1).astype(np.float32)[:, :, None]
    straight = np.clip(rgb.astype(np.float32) * (255.0 / a) + 0.5, 0, 255).astype(np.uint8)
    return straight, alpha


def premultiplied_resize(rgba: np.ndarray, w: int, h: int) -> np.ndarray:
    """A straight RGBA picture resized (area averaging down, bicubic up) without dark fringes; straight out."""
    if rgba.shape[1] == w and rgba.shape[0] == h:
        return rgba
    down = w < rgba.shape[1] or h < rgba.shape[0]
    out = cv2.resize(_premultiply(rgba), (w, h), interpolation=cv2.INTER_AREA if down else cv2.INTER_CUBIC)
    rgb, alpha = _unpremultiply(out)
    return np.dstack([rgb, alpha])


def tint(rgb: np.ndarray, colour: str, amount: float) -> np.ndarray:
    """``rgb`` mixed toward ``colour`` ("#rrggbb") by ``amount`` (0: as it is, 1: all colour)."""
    amount = max(0.0, min(1.0, amount))
    if amount <= 0 or not colour:
        return rgb
    target = np.array([int(colour[i:i + 2], 16) for i in (1, 3, 5)], np.float32)
    mixed = rgb.astype(np.float32) * (1 - amount) + target * amount
    return np.clip(mixed + 0.5, 0, 255).astype(np.uint8)


def blend_over(canvas: np.ndarray, rgb: np.ndarray, alpha: np.ndarray | None, x: int, y: int,
               opacity: float = 1.0) -> None:
    """Draw ``rgb`` (straight, with ``alpha`` 0..255 or opaque) at (x, y) over ``canvas`` in place, at
    ``opacity``; whatever falls outside the canvas is dropped."""
    ch, cw = canvas.shape[:2]
    h, w = rgb.shape[:2]
    x0, y0, x1, y1 = max(0, x), max(0, y), min(cw, x + w), min(ch, y + h)
    if x1 <= x0 or y1 <= y0 or opacity <= 0:
        return
    src = rgb[y0 - y:y1 - y, x0 - x:x1 - x]
    region = canvas[y0:y1, x0:x1]
    if alpha is None and opacity >= 1:
        region[:] = src
        return
    if alpha is None:
        region[:] = cv2.addWeighted(src, opacity, region, 1.0 - opacity, 0)
        return
    a = alpha[y0 - y:y1 - y, x0 - x:x1 - x].astype(np.float32) * (opacity / 255.0)
    a = a[:, :, None]
    out = src.astype(np.float32) * a + region.astype(np.float32) * (1.0 - a)
    region[:] = np.clip(out + 0.5, 0, 255).astype(np.uint8)


def blurred_backdrop(fill: np.ndarray, sigma: float | None = None, dim: float = BLUR_DIM) -> np.ndarray:
    """The fit-over-blur backdrop from the picture already scaled to fill the canvas, by ``editor.render.looks``'
    recipe: shrunk, blurred (Gaussian, ``sigma`` canvas pixels, default the look's), scaled back bilinearly
    and darkened. Under 2 ms at 540x960."""
    h, w = fill.shape[:2]
    s = blur_sigma(h) if sigma is None else max(1.0, sigma)
    k = blur_shrink(h) if sigma is None else max(1, min(4, int(s // 2)))
    small = cv2.resize(fill, (max(1, w // k), max(1, h // k)), interpolation=cv2.INTER_AREA) if k > 1 else fill
    blurred = cv2.GaussianBlur(small, (0, 0), sigmaX=s / k, sigmaY=s / k, borderType=cv2.BORDER_REFLECT)
    if k > 1:
        blurred = cv2.resize(blurred, (w, h), interpolation=cv2.INTER_LINEAR)
    return cv2.convertScaleAbs(blurred, alpha=dim)
