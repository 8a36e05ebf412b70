"""What a clip does to its picture and sound beyond placing it: transform, transitions, speed limits.

All plain frozen data; the render plan (``editor.render.plan``) turns them into per-layer instructions that
the preview compositor and the exporter both execute.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from enum import StrEnum
from fractions import Fraction
from typing import Any

from editor.model.keyframes import Curve

MIN_SPEED = Fraction(1, 10)
MAX_SPEED = Fraction(10)


@dataclass(frozen=True)
class Transform:
    """Motion and look of a picture, on top of its fit (``Fit``) on the canvas.

    ``x``/``y`` move the picture's centre by fractions of the canvas (0 = centred, 0.5 = half the canvas to
    the right / down); ``scale`` multiplies the fitted size; ``rotation`` is degrees clockwise about the
    picture's centre; ``opacity`` 0..1 blends it over the layers below; ``crop_*`` cut fractions of the
    source picture off each side (the rest stays where it was, as Premiere's Crop effect).
    """

    x: Curve = Curve(0.0)
    y: Curve = Curve(0.0)
    scale: Curve = Curve(1.0)
    rotation: Curve = Curve(0.0)
    opacity: Curve = Curve(1.0)
    crop_left: Curve = Curve(0.0)
    crop_top: Curve = Curve(0.0)
    crop_right: Curve = Curve(0.0)
    crop_bottom: Curve = Curve(0.0)

    # (name, lowest, highest) of each property, for checks and the inspector.
    RANGES = {"x": (-10.0, 10.0), "y": (-10.0, 10.0), "scale": (0.0, 20.0), "rotation": (-36000.0, 36000.0),
              "opacity": (0.0, 1.0), "crop_left": (0.0, 1.0), "crop_top": (0.0, 1.0), "crop_right": (0.0, 1.0),
              "crop_bottom": (0.0, 1.0)}

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))

    def curve(self, name: str) -> Curve:
        return getattr(self, name)

    def with_curve(self, name: str, curve: Curve) -> Transform:
        if name not in self.names():
            raise KeyError(name)
        return replace(self, **{name: curve})

    @property
    def identity(self) -> bool:
        return self == IDENTITY

    @property
    def moves(self) -> bool:
        """Anything but opacity differs from the identity (the picture is not where its fit puts it)."""
        return any(self.curve(n) != IDENTITY.curve(n) for n in self.names() if n != "opacity")

    def shifted(self, by: int) -> Transform:
        return Transform(**{n: self.curve(n).shifted(by) for n in self.names()})

    def problems(self, what: str) -> list[str]:
        found: list[str] = []
        for name in self.names():
            lo, hi = self.RANGES[name]
            found += self.curve(name).problems(f"{what} {name}", lo, hi)
        for a, b in (("crop_left", "crop_right"), ("crop_top", "crop_bottom")):
            ka = {k.frame for k in self.curve(a).keys} | {k.frame for k in self.curve(b).keys} | {0}
            if any(self.curve(a).at(f) + self.curve(b).at(f) >= 1 for f in ka):
                found.append(f"{what} crops away the whole picture ({a} + {b} >= 1)")
        return found

    def to_json(self) -> dict[str, Any]:
        """Only what differs from the identity."""
        return {n: self.curve(n).to_json() for n in self.names() if self.curve(n) != IDENTITY.curve(n)}

    @classmethod
    def from_json(cls, data: Any, what: str) -> Transform:
        if not isinstance(data, dict):
            raise ValueError(f"{what}: expected an object of transform properties")
        unknown = set(data) - set(cls.names())
        if unknown:
            raise ValueError(f"{what}: unknown transform property {sorted(unknown)[0]!r}")
        return cls(**{n: Curve.from_json(v, f"{what}.{n}") for n, v in data.items()})


IDENTITY = Transform()


class TransitionKind(StrEnum):
    DISSOLVE = "dissolve"       # cross-dissolve (on an audio track: a crossfade)
    DIP_BLACK = "dip_black"     # out to black, in from black
    DIP_WHITE = "dip_white"


@dataclass(frozen=True)
class Transition:
    """A transition at the head of a clip, from the clip that ends where it starts (same track).

    ``before`` frames of it lie before the cut, ``after`` after it (OpenTimelineIO's in/out offsets):
    centred, starting at the cut (``before`` 0) or ending at it (``after`` 0), or anything between, as
    Premiere's alignment. The outgoing clip plays on past the cut for ``after`` frames and the incoming one
    starts ``before`` frames early, from their media beyond their edit points (their handles); where a media
    file has no handle left, its first or last frame is held, as Premiere does.
    """

    kind: TransitionKind = TransitionKind.DISSOLVE
    before: int = 15
    after: int = 15

    @property
    def duration(self) -> int:
        return self.before + self.after

    @classmethod
    def aligned(cls, kind: TransitionKind, duration: int, align: str = "centre") -> Transition:
        """``align``: "centre", "start" (starts at the cut) or "end" (ends at the cut)."""
        if align == "start":
            return cls(kind, 0, duration)
        if align == "end":
            return cls(kind, duration, 0)
        if align != "centre":
            raise ValueError(f"unknown transition alignment {align!r}: use centre, start or end")
        return cls(kind, duration // 2, duration - duration // 2)

    def problems(self, what: str) -> list[str]:
        found = []
        if not isinstance(self.kind, TransitionKind):
            found.append(f"{what} has unknown kind {self.kind!r}")
        for name in ("before", "after"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or v < 0:
                found.append(f"{what} has {name} {v!r}: a whole number of frames, 0 or more")
        if not found and self.duration <= 0:
            found.append(f"{what} has no length")
        return found

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind.value, "before": self.before, "after": self.after}

    @classmethod
    def from_json(cls, data: Any, what: str) -> Transition:
        if not isinstance(data, dict) or set(data) - {"kind", "before", "after"}:
            raise ValueError(f"{what}: expected {{kind, before, after}}")
        try:
            kind = TransitionKind(data.get("kind", "dissolve"))
        except ValueError:
            raise ValueError(f"{what}.kind: unknown transition {data.get('kind')!r}") from None
        t = cls(kind, data.get("before", 0), data.get("after", 0))
        problems = t.problems(what)
        if problems:
            raise ValueError(problems[0])
        return t


def speed_problem(speed: Any) -> str | None:
    """Why ``speed`` is not a clip speed (0 = freeze frame, else 0.1x..10x), or None."""
    if not isinstance(speed, Fraction):
        return f"speed must be an exact fraction, got {speed!r}"
    if speed != 0 and not MIN_SPEED <= speed <= MAX_SPEED:
        return f"speed {float(speed):g}x is outside {float(MIN_SPEED):g}x..{float(MAX_SPEED):g}x"
    return None


def parse_speed(value: Any) -> Fraction:
    """A speed from text or a number ("2", "0.5", "50%", "1/3"), limited to exact-enough fractions.
    Raises ValueError with a one-line reason."""
    try:
        if isinstance(value, str):
            text = value.strip().lower().removesuffix("x")
            speed = Fraction(text[:-1]) / 100 if text.endswith("%") else Fraction(text)
        elif isinstance(value, bool):
            raise ValueError
        else:
            speed = Fraction(value).limit_denominator(1000)
    except (ValueError, ZeroDivisionError, TypeError):
        raise ValueError(f"{value!r} is not a speed: use a number such as 2, 0.5 or 50%") from None
    problem = speed_problem(speed)
    if problem:
        raise ValueError(problem)
    return speed
