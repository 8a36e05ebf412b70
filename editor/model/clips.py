"""Clip kinds. Positions and lengths are integer frames at the timeline rate.

A clip covers timeline frames [start, start + duration). ``source_in`` is the first frame of the source that
plays at ``start``, also in timeline frames (source time = source_in / rate).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any


class Fit(StrEnum):
    FILL = "fill"   # cover the canvas, centre-crop the overflow (the default for a 16:9 clip on 9:16)
    FIT = "fit"     # whole picture inside the canvas, black bars
    CROP = "crop"   # native pixel size, centred, cropped by the canvas (no scaling)
    STRETCH = "stretch"


@dataclass(frozen=True)
class GenerationSpec:
    """What to ask the generator for. The generator itself lives in ``generation/``; this is plain data."""

    prompt: str
    negative_prompt: str = ""
    model: str = ""
    seed: int | None = None
    steps: int | None = None
    guidance: float | None = None
    width: int | None = None
    height: int | None = None
    first_image: str | None = None
    last_image: str | None = None

    def to_dict(self) -> dict[str, Any]:
        # The prompt is always kept (even empty) so from_dict(to_dict(spec)) round-trips.
        return {k: v for k, v in self.__dict__.items() if k == "prompt" or v not in (None, "")}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> GenerationSpec:
        known = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        if not isinstance(known.get("prompt"), str):
            raise ValueError("a generation spec needs a text prompt")
        return cls(**known)

    def content_hash(self) -> str:
        blob = json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":")).encode()
        return hashlib.sha256(blob).hexdigest()[:16]


@dataclass(frozen=True)
class Take:
    """A file the generator made for a segment, and the hash of the spec that made it."""

    media_id: str
    spec_hash: str
    spec: GenerationSpec | None = None   # what made it (switching to it makes this the clip's spec again)


@dataclass(frozen=True)
class Clip:
    """Common ground of every clip kind: where it sits and what part of its source plays."""

    id: str
    start: int
    duration: int
    source_in: int = 0
    name: str = ""
    fit: Fit = Fit.FILL
    volume: float = 1.0
    # Clips sharing a link id are edited together (a video's picture and its sound, as placed from the bin):
    # moving, trimming, splitting or deleting one does the same to the others. None: not linked.
    link: str | None = None
    # The clip's own sound plays from a clip on an audio track instead (placed as a linked pair), so the
    # clip itself stays silent; this outlives an Unlink, or the sound would be heard twice.
    sound_detached: bool = False

    @property
    def end(self) -> int:
        return self.start + self.duration

    def moved(self, **changes: Any) -> Clip:
        return replace(self, **changes)

    def media_id(self) -> str | None:
        """The pool media this clip plays now, or None (a pending generated segment)."""
        raise NotImplementedError


@dataclass(frozen=True)
class MediaClip(Clip):
    """A recorded clip, a still image or an audio clip: plays part of a file from the pool."""

    media: str = ""

    def media_id(self) -> str | None:
        return self.media


@dataclass(frozen=True)
class GeneratedClip(Clip):
    """A segment made from a prompt. Plays its active take once one is ready; until then, a placeholder."""

    spec: GenerationSpec = field(default_factory=lambda: GenerationSpec(prompt=""))
    takes: tuple[Take, ...] = ()
    active_take: int | None = None

    def media_id(self) -> str | None:
        if self.active_take is None or not (0 <= self.active_take < len(self.takes)):
            return None
        return self.takes[self.active_take].media_id

    @property
    def pending(self) -> bool:
        return self.media_id() is None
