"""What probing a media file tells us. Plain data; ``editor.media.probe`` fills it with PyAV."""

from __future__ import annotations

from dataclasses import dataclass, fields
from fractions import Fraction
from typing import Any

HDR_TRANSFERS = frozenset({"smpte2084", "arib-std-b67"})  # PQ and HLG

_FRACTION_FIELDS = frozenset({"duration", "fps", "start_time", "sample_aspect_ratio"})


@dataclass(frozen=True)
class MediaInfo:
    path: str
    duration: Fraction | None          # seconds; None for a still image
    has_video: bool
    has_audio: bool
    is_image: bool = False
    width: int = 0                      # coded size, before rotation
    height: int = 0
    rotation: int = 0                   # clockwise degrees to turn the coded picture upright: 0/90/180/270
    fps: Fraction | None = None         # average rate (exact rational from the container)
    variable_frame_rate: bool = False
    frame_count: int | None = None
    video_codec: str | None = None
    pixel_format: str | None = None
    color_transfer: str | None = None
    color_primaries: str | None = None
    color_space: str | None = None
    audio_codec: str | None = None
    sample_rate: int | None = None
    channels: int | None = None
    # Added with the PyAV prober; all optional so older callers and cached records keep working.
    format_name: str | None = None      # the demuxer ffmpeg chose, e.g. "mov,mp4,m4a,3gp,3g2,mj2"
    size: int = 0                       # file size in bytes when probed
    start_time: Fraction | None = None  # seconds of the first timestamp of the main stream (often 0)
    sample_aspect_ratio: Fraction | None = None  # pixel shape; None or 1 for square pixels
    bit_rate: int | None = None         # overall bits per second, when the container says

    @property
    def display_width(self) -> int:
        return self.height if self.rotation in (90, 270) else self.width

    @property
    def display_height(self) -> int:
        return self.width if self.rotation in (90, 270) else self.height

    @property
    def is_hdr(self) -> bool:
        return (self.color_transfer or "") in HDR_TRANSFERS

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: Fractions become 'num/den' strings (exact), everything else stays as is."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name in _FRACTION_FIELDS and value is not None:
                value = f"{value.numerator}/{value.denominator}"
            out[f.name] = value
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> MediaInfo:
        """The inverse of ``to_dict``; unknown keys are ignored. Raises ValueError/TypeError on bad data."""
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        for name in _FRACTION_FIELDS & values.keys():
            if values[name] is not None:
                values[name] = Fraction(values[name])
        return cls(**values)


class MediaError(Exception):
    """A media file that cannot be used; the message names the file and says why, in one line.

    ``path`` and ``reason`` hold the two halves when the prober raised it.
    """

    def __init__(self, message: str, *, path: str | None = None, reason: str | None = None) -> None:
        super().__init__(message)
        self.path = path
        self.reason = reason
