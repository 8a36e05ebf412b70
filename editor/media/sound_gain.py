"""A sound's gain over time, two ways from one definition: numbers for the preview mix (numpy, per sample) and
an ffmpeg expression for the exporter (``aeval``, per sample too), so the two agree to float precision.

A sound layer's linear gain at clip frame ``f`` is ``gain * 10^(levels(f) / 20) * envelope(f)``: ``levels``
the clip's keyframed gain in dB (the rubber band), ``envelope`` the fades and crossfades (linear). Curves are
read as ``editor.model.keyframes.Curve.at`` reads them: the first key's value before it, the last's after it,
the earlier key's easing between two keys.
"""

from __future__ import annotations

import numpy as np

from editor.model.keyframes import Curve, Ease


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
        out[inside] = a.value + (b.value - a.value) * _shape(a.ease, u)
    out[frames >= keys[-1].frame] = keys[-1].value
    return out


def _shape(ease: Ease, u: np.ndarray) -> np.ndarray:
    if ease is Ease.LINEAR:
        return u
    if ease is Ease.EASE_IN:
        return u * u
    if ease is Ease.EASE_OUT:
        return 1 - (1 - u) * (1 - u)
    if ease is Ease.EASE_IN_OUT:
        return u * u * (3 - 2 * u)
    return np.zeros_like(u)


def gain_values(gain: float, levels: Curve, envelope: Curve, frames: np.ndarray) -> np.ndarray:
    """Linear gain at each clip frame of ``frames`` (fractional)."""
    return gain * np.power(10.0, curve_values(levels, frames) / 20) * curve_values(envelope, frames)


def _num(x: float) -> str:
    return f"({float(x):.17g})"


def curve_expr(curve: Curve, frame: str) -> str:
    """An ffmpeg expression for ``curve`` at the frame given by the expression ``frame`` (read once into
    variable 0; variable 1 holds the way along a stretch between keys).

    The stretches are found by halving (a balanced tree of ``if``s): ffmpeg's parser refuses expressions
    nested about a hundred deep, and a sample then costs a few comparisons however many keys there are."""
    keys = curve.keys
    if len(keys) < 2:
        return _num(keys[0].value if keys else curve.value)

    def stretch(i: int) -> str:
        a, b = keys[i], keys[i + 1]
        u = f"(ld(0)-{_num(a.frame)})/{_num(b.frame - a.frame)}"
        shaped = {
            Ease.LINEAR: "ld(1)",
            Ease.EASE_IN: "ld(1)*ld(1)",
            Ease.EASE_OUT: "(1-(1-ld(1))*(1-ld(1)))",
            Ease.EASE_IN_OUT: "ld(1)*ld(1)*(3-2*ld(1))",
            Ease.HOLD: "0",
        }[a.ease]
        return f"(st(1,{u});{_num(a.value)}+{_num(b.value - a.value)}*{shaped})"

    def tree(i: int, j: int) -> str:     # stretches i..j-1
        if j - i == 1:
            return stretch(i)
        m = (i + j) // 2
        return f"if(lt(ld(0),{_num(keys[m].frame)}),{tree(i, m)},{tree(m, j)})"

    body = tree(0, len(keys) - 1)
    return (f"(st(0,{frame});if(lte(ld(0),{_num(keys[0].frame)}),{_num(keys[0].value)},"
            f"if(gte(ld(0),{_num(keys[-1].frame)}),{_num(keys[-1].value)},{body})))")


def gain_expr(gain: float, levels: Curve, envelope: Curve, frame: str) -> str:
    """An ffmpeg expression for the linear gain at the clip frame given by the expression ``frame``."""
    parts = [_num(gain)]
    if levels.keys or levels.value != 0:
        parts.append(f"pow(10,{curve_expr(levels, frame)}/20)")
    if envelope.keys or envelope.value != 1:
        parts.append(curve_expr(envelope, frame))
    return "*".join(parts)


def animated(levels: Curve, envelope: Curve) -> bool:
    """True when the gain changes over the sound (else one constant multiplies it)."""
    return bool(levels.keys or envelope.keys)
