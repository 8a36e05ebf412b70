"""Keyframed curves as ffmpeg expressions: one definition for the exporter's picture (``ffeffects``) and sound
(``ffsound``) filters, the same easing as ``editor.model.keyframes``."""

from __future__ import annotations

from editor.model.keyframes import Curve, Ease


def number(x: float) -> str:
    return f"({float(x):.17g})"


def curve_expr(curve: Curve, frame: str) -> str:
    """An ffmpeg expression for ``curve`` at the frame given by the expression ``frame`` (read once into
    variable 0; variable 1 holds the way along a stretch between keys).

    The stretches are found by halving (a balanced tree of ``if``s): ffmpeg's parser refuses expressions
    nested about a hundred deep, and a sample then costs a few comparisons however many keys there are."""
    keys = curve.keys
    if len(keys) < 2:
        return number(keys[0].value if keys else curve.value)

    def stretch(i: int) -> str:
        a, b = keys[i], keys[i + 1]
        u = f"(ld(0)-{number(a.frame)})/{number(b.frame - a.frame)}"
        shaped = {
            Ease.LINEAR: "ld(1)",
            Ease.EASE_IN: "ld(1)*ld(1)",
            Ease.EASE_OUT: "(1-(1-ld(1))*(1-ld(1)))",
            Ease.EASE_IN_OUT: "ld(1)*ld(1)*(3-2*ld(1))",
            Ease.HOLD: "0",
        }[a.ease]
        return f"(st(1,{u});{number(a.value)}+{number(b.value - a.value)}*{shaped})"

    def tree(i: int, j: int) -> str:     # stretches i..j-1
        if j - i == 1:
            return stretch(i)
        m = (i + j) // 2
        return f"if(lt(ld(0),{number(keys[m].frame)}),{tree(i, m)},{tree(m, j)})"

    body = tree(0, len(keys) - 1)
    return (f"(st(0,{frame});if(lte(ld(0),{number(keys[0].frame)}),{number(keys[0].value)},"
            f"if(gte(ld(0),{number(keys[-1].frame)}),{number(keys[-1].value)},{body})))")


