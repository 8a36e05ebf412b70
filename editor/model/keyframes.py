"""Values that change over a clip: a constant, or keyframes with an easing from each key to the next.

Keys sit at clip-relative frames (timeline rate, 0 = the clip's first frame), so a clip keeps its animation
when it moves; a head trim shifts them (``Curve.shifted``). Before the first key the first key's value holds,
after the last the last's. Between two keys the earlier key's ``ease`` shapes the way: Premiere's linear,
ease in, ease out, ease in/out (smoothstep) and hold.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Ease(StrEnum):
    LINEAR = "linear"
    EASE_IN = "ease_in"          # leaves the key slowly
    EASE_OUT = "ease_out"        # arrives at the next key slowly
    EASE_IN_OUT = "ease_in_out"
    HOLD = "hold"                # keeps the value until the next key

    def shape(self, u: float) -> float:
        """Progress 0..1 along the way to the next key, for time progress ``u`` (0..1)."""
        if self is Ease.LINEAR:
            return u
        if self is Ease.EASE_IN:
            return u * u
        if self is Ease.EASE_OUT:
            return 1 - (1 - u) * (1 - u)
        if self is Ease.EASE_IN_OUT:
            return u * u * (3 - 2 * u)
        return 0.0


@dataclass(frozen=True)
class Key:
    frame: int
    value: float
    ease: Ease = Ease.LINEAR


@dataclass(frozen=True)
class Curve:
    """``value`` when there are no keys; with keys, the keyed animation (keys sorted, one per frame)."""

    value: float
    keys: tuple[Key, ...] = ()

    @property
    def animated(self) -> bool:
        return len(self.keys) > 1 or (len(self.keys) == 1 and self.keys[0].value != self.value)

    def at(self, frame: float) -> float:
        """The value at clip-relative ``frame`` (fractional frames are fine: a sped-up or resampled clip)."""
        keys = self.keys
        if not keys:
            return self.value
        if frame <= keys[0].frame:
            return keys[0].value
        if frame >= keys[-1].frame:
            return keys[-1].value
        i = bisect.bisect_right([k.frame for k in keys], frame) - 1
        a, b = keys[i], keys[i + 1]
        u = (frame - a.frame) / (b.frame - a.frame)
        return a.value + (b.value - a.value) * a.ease.shape(u)

    def with_key(self, frame: int, value: float, ease: Ease = Ease.LINEAR) -> Curve:
        """This curve with a key at ``frame`` (replacing one already there)."""
        keys = [k for k in self.keys if k.frame != frame]
        keys.append(Key(frame, float(value), ease))
        return Curve(self.value, tuple(sorted(keys, key=lambda k: k.frame)))

    def without_key(self, frame: int) -> Curve:
        keys = tuple(k for k in self.keys if k.frame != frame)
        # The last key removed: its value stays as the constant, so the picture does not jump.
        value = self.keys[0].value if self.keys and not keys else self.value
        return Curve(value, keys)

    def set_value(self, value: float, frame: int | None = None) -> Curve:
        """Set the value: the constant when there are no keys, else a key at ``frame`` (as Premiere does once
        a property is animated)."""
        if not self.keys or frame is None:
            return Curve(float(value), self.keys) if not self.keys else self.with_key(frame or 0, value)
        return self.with_key(frame, value, self._ease_at(frame))

    def _ease_at(self, frame: int) -> Ease:
        for k in self.keys:
            if k.frame == frame:
                return k.ease
        return Ease.LINEAR

    def shifted(self, by: int) -> Curve:
        """Keys moved by ``by`` frames (a head trim of ``-by``). Keys before frame 0 are kept: trimming the
        head back out brings the animation back exactly."""
        if not self.keys or not by:
            return self
        return Curve(self.value, tuple(Key(k.frame + by, k.value, k.ease) for k in self.keys))

    def scaled(self, factor: float) -> Curve:
        """Key values multiplied (a canvas or unit change)."""
        return Curve(self.value * factor, tuple(Key(k.frame, k.value * factor, k.ease) for k in self.keys))

    def problems(self, what: str, lo: float, hi: float) -> list[str]:
        found = []
        values = [self.value, *(k.value for k in self.keys)]
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) and lo <= v <= hi
                   for v in values):
            found.append(f"{what} has a value outside {lo:g}..{hi:g}")
        frames = [k.frame for k in self.keys]
        if any(isinstance(f, bool) or not isinstance(f, int) for f in frames):
            found.append(f"{what} has a key that is not at a whole frame")
        elif frames != sorted(set(frames)):
            found.append(f"{what} keys are not in order, one per frame")
        if not all(isinstance(k.ease, Ease) for k in self.keys):
            found.append(f"{what} has a key with an unknown easing")
        return found

    # --- project file ----------------------------------------------------------------------------------------

    def to_json(self) -> Any:
        """A bare number when constant (most files), else ``{"value": v, "keys": [[frame, value, ease], ...]}``."""
        if not self.keys:
            return self.value
        return {"value": self.value, "keys": [[k.frame, k.value, k.ease.value] for k in self.keys]}

    @classmethod
    def from_json(cls, data: Any, what: str) -> Curve:
        """Raises ValueError with a one-line reason for anything but what ``to_json`` writes."""
        if _is_number(data):
            return cls(float(data))
        if not isinstance(data, dict) or set(data) - {"value", "keys"}:
            raise ValueError(f"{what}: expected a number or {{value, keys}}, got {type(data).__name__}")
        value = data.get("value", 0.0)
        if not _is_number(value):
            raise ValueError(f"{what}.value: expected a number")
        keys = []
        raw = data.get("keys", [])
        if not isinstance(raw, list) or len(raw) > 100_000:
            raise ValueError(f"{what}.keys: expected a list of keys")
        for i, item in enumerate(raw):
            if not (isinstance(item, list) and len(item) in (2, 3) and isinstance(item[0], int)
                    and not isinstance(item[0], bool) and _is_number(item[1])):
                raise ValueError(f"{what}.keys[{i}]: expected [frame, value, easing]")
            try:
                ease = Ease(item[2]) if len(item) == 3 else Ease.LINEAR
            except ValueError:
                raise ValueError(f"{what}.keys[{i}]: unknown easing {item[2]!r}") from None
            keys.append(Key(item[0], float(item[1]), ease))
        keys.sort(key=lambda k: k.frame)
        if len({k.frame for k in keys}) != len(keys):
            raise ValueError(f"{what}.keys: two keys at one frame")
        return cls(float(value), tuple(keys))


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
