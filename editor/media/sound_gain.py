"""A sound's gain over time, two ways from one definition: numbers for the preview mix (numpy, per sample) and
an ffmpeg expression for the exporter (``aeval``, per sample too), so the two agree to float precision.

A sound layer's linear gain at clip frame ``f`` is ``gain * 10^(levels(f) / 20) * envelope(f)``: ``levels``
the clip's keyframed gain in dB (the rubber band), ``envelope`` the fades and crossfades (linear). Curves are
read as ``editor.model.keyframes.Curve.at`` reads them: the first key's value before it, the last's after it,
the earlier key's easing between two keys.
"""

from __future__ import annotations

import numpy as np

from editor.media.expressions import curve_expr, number
from editor.model.keyframes import Curve


def curve_values(curve: Curve, frames: np.ndarray) -> np.ndarray:
    """``curve.at`` for every frame of ``frames`` (float64), vectorised."""
    frames = np.asarray(frames, np.float64)
    keys = curve.keys
    if not keys:
        return np.full(frames.shape, curve.value, np.float64)
    out = np.full(frames.shape, keys[0].value, np.float64)
    for a, b in zip(keys, keys[1:], strict=False):
        inside = (frames >= a.frame) & (frames < b.frame)
        u = (frames[inside] - a.frame) / (b.frame - a.frame)
        out[inside] = a.value + (b.value - a.value) * a.ease.shape(u)   # the model's easing, on arrays
    out[frames >= keys[-1].frame] = keys[-1].value
    return out


def gain_values(gain: float, levels: Curve, envelope: Curve, frames: np.ndarray) -> np.ndarray:
    """Linear gain at each clip frame of ``frames`` (fractional)."""
    return gain * np.power(10.0, curve_values(levels, frames) / 20) * curve_values(envelope, frames)


def gain_expr(gain: float, levels: Curve, envelope: Curve, frame: str) -> str:
    """An ffmpeg expression for the linear gain at the clip frame given by the expression ``frame``."""
    parts = [number(gain)]
    if levels.keys or levels.value != 0:
        parts.append(f"pow(10,{curve_expr(levels, frame)}/20)")
    if envelope.keys or envelope.value != 1:
        parts.append(curve_expr(envelope, frame))
    return "*".join(parts)


def animated(levels: Curve, envelope: Curve) -> bool:
    """True when the gain changes over the sound (else one constant multiplies it)."""
    return bool(levels.keys or envelope.keys)
