"""Exact time: edit points are integer frames at the timeline rate, rates are Fractions.

Floats appear only at the edges (decoders, ffmpeg arguments), converted here and nowhere else.
"""

from __future__ import annotations

import math
from fractions import Fraction

Rate = Fraction

# Broadcast rates that people type as decimals; 29.97 means 30000/1001, never the float.
_NTSC = {
    "23.976": Fraction(24000, 1001),
    "23.98": Fraction(24000, 1001),
    "29.97": Fraction(30000, 1001),
    "47.952": Fraction(48000, 1001),
    "59.94": Fraction(60000, 1001),
    "119.88": Fraction(120000, 1001),
}


def parse_rate(text: str | int | Fraction) -> Fraction:
    """Parse '30', '30000/1001', '29.97' or a number into an exact positive rate."""
    if isinstance(text, Fraction):
        rate = text
    elif isinstance(text, int):
        rate = Fraction(text)
    else:
        s = str(text).strip()
        rate = _NTSC.get(s) if s in _NTSC else None
        if rate is None:
            # "30", "29.97", "30000/1001" only: Fraction("1e100000000") builds a 10**8-digit integer, never returns.
            if len(s) > 40 or "e" in s.lower():
                raise ValueError(f"not a frame rate: {text!r:.40}")
            try:
                rate = Fraction(s)
            except (ValueError, ZeroDivisionError):
                raise ValueError(f"not a frame rate: {text!r}") from None
    if rate <= 0 or rate > 1000:
        raise ValueError(f"frame rate out of range: {text!r}")
    return rate


def format_rate(rate: Fraction) -> str:
    """'30' for whole rates, '30000/1001' otherwise: the form ffmpeg and our files accept."""
    return str(rate.numerator) if rate.denominator == 1 else f"{rate.numerator}/{rate.denominator}"


def frames_to_seconds(frames: int, rate: Fraction) -> Fraction:
    return Fraction(frames) / rate


def seconds_to_frames(seconds: Fraction | float | int, rate: Fraction) -> int:
    """Whole frames that fit entirely inside ``seconds`` (floor), tolerant of float noise at the edges."""
    value = Fraction(seconds) * rate if not isinstance(seconds, float) else Fraction(repr(seconds)) * rate
    nearest = round(value)
    if abs(value - nearest) < Fraction(1, 1000):
        return int(nearest)
    return math.floor(value)


def seconds_arg(seconds: Fraction | int) -> str:
    """A seconds value for an ffmpeg argument: microsecond precision, no exponent."""
    return f"{float(seconds):.6f}"


def timecode(frames: int, rate: Fraction) -> str:
    """HH:MM:SS:FF using the nominal (rounded) rate, as editors display it (non-drop-frame)."""
    nominal = max(1, round(rate))
    sign = "-" if frames < 0 else ""
    frames = abs(frames)
    ff = frames % nominal
    total_seconds = frames // nominal
    return f"{sign}{total_seconds // 3600:02d}:{total_seconds // 60 % 60:02d}:{total_seconds % 60:02d}:{ff:02d}"
