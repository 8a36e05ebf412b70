"""Time-stretching a sound without changing its pitch, with ffmpeg's own ``atempo`` (WSOLA).

The exporter's graph and the preview mix use the same filter with the same factors (``tempo_factors``), the
preview through PyAV's filter graph (``abuffer -> atempo... -> abuffersink``); fed the same samples from
the same first sample, both give the same output.
"""

from __future__ import annotations

from fractions import Fraction

import av
import av.filter
import numpy as np

# atempo's best range: outside it, several are chained (4x = 2x then 2x; 0.1x = 0.5x three times, then 0.8x).
LOW, HIGH = Fraction(1, 2), Fraction(2)


def tempo_factors(speed: Fraction) -> list[float]:
    """atempo factors whose product is ``|speed|`` (none for 1), each within 0.5..2."""
    s = abs(Fraction(speed))
    if s <= 0:
        raise ValueError("a frozen sound has no tempo")
    out: list[float] = []
    while s > HIGH:
        out.append(float(HIGH))
        s /= HIGH
    while s < LOW:
        out.append(float(LOW))
        s /= LOW
    if s != 1:
        out.append(float(s))
    return out


def tempo_chain(speed: Fraction) -> str:
    """The exporter's filters for ``tempo_factors`` (empty for speed 1)."""
    return ",".join(f"atempo={f:.17g}" for f in tempo_factors(speed))


# Source read past the range's end before flushing, as the exporter reads past it (its READ_MARGIN).
MARGIN = Fraction(1, 5)


def source_range(start: Fraction, frames: int, speed: Fraction, fps: Fraction, rate: int) -> tuple[int, int]:
    """(first source sample, count) a layer plays: forward from ``start``; reversed down from ``start`` to
    where its span began (never before the file's start). Forward sounds count what they need, plus a margin."""
    span = Fraction(frames) * abs(speed) / fps
    if speed >= 0:
        return round(start * rate), round((span + MARGIN) * rate)
    lo = max(Fraction(0), start - span)
    return round(lo * rate), round(start * rate) - round(lo * rate)


class Stretcher:
    """Push stereo float32 blocks (n, 2) in, get the stretched samples out; ``push(None)`` flushes."""

    def __init__(self, speed: Fraction, rate: int) -> None:
        self.rate = rate
        self._pts = 0
        self.graph = av.filter.Graph()
        node = self.graph.add_abuffer(format="flt", sample_rate=rate, layout="stereo", time_base=Fraction(1, rate))
        for f in tempo_factors(speed):
            nxt = self.graph.add("atempo", f"{f:.17g}")
            node.link_to(nxt)
            node = nxt
        sink = self.graph.add("abuffersink")
        node.link_to(sink)
        self.graph.configure()
        self.ended = False

    def push(self, block: np.ndarray | None) -> np.ndarray:
        """Stretched samples made available by ``block`` (None: the end, everything left comes out)."""
        if block is None:
            self.graph.push(None)
            self.ended = True
        elif len(block):
            data = np.ascontiguousarray(block, np.float32).reshape(1, -1)
            frame = av.AudioFrame.from_ndarray(data, format="flt", layout="stereo")
            frame.sample_rate = self.rate
            frame.time_base = Fraction(1, self.rate)
            frame.pts = self._pts
            self._pts += len(block)
            self.graph.push(frame)
        parts = []
        while True:
            try:
                out = self.graph.pull()
            except (av.BlockingIOError, av.EOFError):
                break
            arr = out.to_ndarray()
            parts.append(arr.T if out.format.is_planar else arr.reshape(-1, 2))
        if not parts:
            return np.zeros((0, 2), np.float32)
        return np.concatenate(parts).astype(np.float32, copy=False)
