"""Loudness normalisation for export: EBU R128, two passes, with ffmpeg.

Pass 1 measures the whole mixed sound with ``ebur128=peak=true`` (integrated loudness, range, gate threshold,
true peak). It runs while the video renders, fed the same PCM the exporter already makes, and costs little:
20 s of stereo took 0.07 s here, against 0.46 s for a ``loudnorm`` measuring pass (which resamples to
192 kHz to find the peak). Pass 2 is ``loudnorm`` given those figures with ``linear=true``: a plain gain
whenever that keeps the true peak under the ceiling (the sound is not compressed), otherwise loudnorm's
dynamic mode with its true-peak limiter. loudnorm always works (and outputs) at 192 kHz, so the graph
resamples back to the export's rate after it. Pass 2 replaces the plain AAC encode, and cost about the same
here (0.31 s against 0.29 s for 20 s). The figures reported for the output are measured again on the encoded
AAC, since that is what a listener's meter (or a platform's) will read.

This module holds the pure parts: targets, the filter, and reading ffmpeg's reports. ``editor.render.export``
runs the processes.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

MIN_TARGET = -70.0            # loudnorm's own range for I
MAX_TARGET = -5.0
SHORT_VIDEO_TARGET = -14.0    # TikTok, Reels, Shorts (and YouTube) play back around -14 LUFS
TRUE_PEAK = -1.0              # dBTP ceiling: headroom for the platforms' own lossy re-encode
SILENCE = -70.0               # ebur128's absolute gate: an integrated loudness here means nothing to measure
_MAX_LRA = 50.0               # loudnorm's largest LRA target

OFF_WORDS = ("off", "none", "no")


def check_target(value: object) -> float | None:
    """A loudness target in LUFS (a number or numeric text), or None for off ("off", "none", "no").
    Raises ValueError with a one-line reason."""
    if value is None:
        return None
    if isinstance(value, str):
        text = value.strip().lower()
        if text in OFF_WORDS:
            return None
        text = text.removesuffix("lufs").strip()
        try:
            number = float(text)
        except ValueError:
            raise ValueError(f"loudness must be a target in LUFS from {MIN_TARGET:g} to {MAX_TARGET:g}, "
                             f"or off; got {value!r}") from None
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        number = float(value)
    else:
        raise ValueError(f"loudness must be a target in LUFS or off, got {value!r}")
    if not math.isfinite(number) or not MIN_TARGET <= number <= MAX_TARGET:
        raise ValueError(f"loudness target {number:g} LUFS out of range ({MIN_TARGET:g} to {MAX_TARGET:g} LUFS)")
    return number


@dataclass(frozen=True)
class Measurement:
    """What ``ebur128=peak=true`` reports for a whole stream."""

    integrated: float      # LUFS; SILENCE (-70) when everything is below the absolute gate
    threshold: float       # LUFS, the relative gate of the integrated measurement
    lra: float             # LU
    true_peak: float       # dBTP; -inf for digital silence

    @property
    def silent(self) -> bool:
        return not math.isfinite(self.true_peak) or self.integrated <= SILENCE + 0.05


_FIELD = re.compile(r"^\s*(I|Threshold|LRA|Peak):\s*(-?inf|[-+]?\d+(?:\.\d+)?)\s*(LUFS|LU|dBFS)\s*$")


def strip_level(line: str) -> str:
    """A stderr line of ``-loglevel level+info`` without its ``[context @ 0x..] [level]`` prefixes."""
    return re.sub(r"^(?:\[[^\]]*\]\s*)+", "", line)


def error_lines(lines: Iterable[str]) -> list[str]:
    """The lines ffmpeg logged as errors (``-loglevel level+...`` tags each line with its level)."""
    return [strip_level(x).strip() for x in lines if "[error]" in x or "[fatal]" in x or "[panic]" in x]


def parse_ebur128(lines: Iterable[str]) -> Measurement:
    """Read the summary ebur128 logs at the end of the stream. Raises ValueError when there is none."""
    lines = list(lines)
    starts = [i for i, x in enumerate(lines) if strip_level(x).strip() == "Summary:"]
    if not starts:
        raise ValueError("ffmpeg printed no loudness summary")
    found: dict[str, float] = {}
    for line in lines[starts[-1] + 1:]:
        m = _FIELD.match(strip_level(line))
        if m and m.group(1) not in found:   # the first Threshold is the integrated one, the second LRA's
            found[m.group(1)] = float(m.group(2))
    try:
        return Measurement(found["I"], found["Threshold"], found["LRA"], found["Peak"])
    except KeyError as exc:
        raise ValueError(f"ffmpeg's loudness summary has no {exc.args[0]}") from None


def measure_filter() -> str:
    return "ebur128=peak=true"


def normalize_filter(target: float, m: Measurement, sample_rate: int, samples: int) -> str:
    """loudnorm told the pass-1 figures, then back to ``sample_rate`` with exactly ``samples`` samples.

    The LRA target is raised to the measured range (within loudnorm's 50 LU), so a mix with a wide range is
    turned up or down rather than compressed; only the true-peak ceiling makes loudnorm go dynamic.
    ebur128 rounds to 0.1, and loudnorm takes a measured range of 0 as "not measured" (dynamic mode), so
    the measured range is at least 0.1 LU.
    """
    lra = min(_MAX_LRA, max(0.1, m.lra))
    target_lra = min(_MAX_LRA, max(7.0, lra))
    clamp = lambda v: min(0.0, max(-99.0, v))  # noqa: E731 - loudnorm's ranges for the measured figures
    loudnorm = (f"loudnorm=I={target:.2f}:TP={TRUE_PEAK:.2f}:LRA={target_lra:.2f}"
                f":measured_I={clamp(m.integrated):.2f}:measured_TP={min(99.0, max(-99.0, m.true_peak)):.2f}"
                f":measured_LRA={lra:.2f}:measured_thresh={clamp(m.threshold):.2f}:linear=true:print_format=json")
    # The resampler and loudnorm's look-ahead may move the end by a few samples: the sound must stay exactly
    # as long as the picture, so it is padded or cut to the planned count.
    return f"{loudnorm},aresample={sample_rate},apad=whole_len={samples},atrim=end_sample={samples}"


def parse_loudnorm(lines: Iterable[str]) -> dict[str, str]:
    """The JSON block loudnorm prints with ``print_format=json`` (empty when there is none)."""
    text = "\n".join(strip_level(x) for x in lines)
    start, end = text.rfind("{"), text.rfind("}")
    if start < 0 or end < start:
        return {}
    try:
        data = json.loads(text[start:end + 1])
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


@dataclass(frozen=True)
class Loudness:
    """What normalisation did to an export's sound. Input figures are None when the timeline is silent."""

    target: float                       # LUFS asked for
    input_lufs: float | None = None     # integrated loudness of the mix
    input_true_peak: float | None = None
    output_lufs: float | None = None    # measured on the encoded file
    output_true_peak: float | None = None
    mode: str = "silent"                # "linear" (a gain), "dynamic" (loudnorm's limiter), "silent"

    @property
    def normalized(self) -> bool:
        return self.mode != "silent"

    def shortfall(self) -> str | None:
        """A note when the output missed the target by more than 1 LU: loudnorm's dynamic mode keeps the true
        peak under the ceiling before it reaches the loudness, so a mix whose peaks stand far above its body
        (a quiet voice with loud clicks) comes out quieter than asked."""
        if self.output_lufs is None or abs(self.output_lufs - self.target) <= 1.0:
            return None
        return (f"loudness reached {self.output_lufs:.1f} LUFS, not the {self.target:g} LUFS asked: "
                f"the {TRUE_PEAK:g} dBTP true-peak ceiling held it back")

    def describe(self) -> str:
        """One line for the export's summary."""
        if not self.normalized or self.input_lufs is None or self.output_lufs is None:
            return "Loudness: the sound is silent, nothing to normalise"
        peak = self.output_true_peak
        tp = f"{peak:.1f} dBTP" if peak is not None and math.isfinite(peak) else "none"
        return f"Loudness: {self.input_lufs:.1f} LUFS in, {self.output_lufs:.1f} LUFS out, true peak {tp}"
