"""What probing a media file tells us. Plain data; ``editor.media.probe`` fills it with PyAV."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

HDR_TRANSFERS = frozenset({"smpte2084", "arib-std-b67"})  # PQ and HLG


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

    @property
    def display_width(self) -> int:
        return self.height if self.rotation in (90, 270) else self.width

    @property
    def display_height(self) -> int:
        return self.width if self.rotation in (90, 270) else self.height

    @property
    def is_hdr(self) -> bool:
        return (self.color_transfer or "") in HDR_TRANSFERS


class MediaError(Exception):
    """A media file that cannot be used; the message names the file and says why, in one line."""
