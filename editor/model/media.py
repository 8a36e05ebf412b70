"""Media in the project's pool: what a clip points at, as far as the timeline needs to know."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from functools import lru_cache

from editor.model.time import seconds_to_frames


class MediaKind(StrEnum):
    VIDEO = "video"   # moving pictures, perhaps with sound
    AUDIO = "audio"   # sound only
    IMAGE = "image"   # a still: any duration


@dataclass(frozen=True)
class MediaSource:
    """One file in the pool. ``duration`` is None for stills (they last as long as their clip).

    ``online`` is False when the file could not be found or read on load: the clip stays on the timeline,
    marked offline, and renders as a slate until the media is relinked.

    ``content_hash`` is ``editor.media.probe.content_hash`` of the file (size + first and last MiB) when it
    was computed (on import, off the GUI thread, and on relink), else None: relink confirms a same-named
    file by it.
    """

    id: str
    path: str
    kind: MediaKind
    duration: Fraction | None
    has_video: bool
    has_audio: bool
    width: int = 0
    height: int = 0
    online: bool = True
    content_hash: str | None = None

    def duration_frames(self, rate: Fraction) -> int | None:
        """Whole timeline frames the media covers, or None when unbounded (stills)."""
        if self.duration is None or self.kind is MediaKind.IMAGE:
            return None
        return _frames(self.duration, rate)

    @property
    def name(self) -> str:
        return self.path.replace("\\", "/").rsplit("/", 1)[-1]


@lru_cache(maxsize=4096)
def _frames(duration: Fraction, rate: Fraction) -> int:
    return seconds_to_frames(duration, rate)
