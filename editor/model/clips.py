"""Clip kinds. Positions and lengths are integer frames at the timeline rate.

A clip covers timeline frames [start, start + duration). ``source_in`` is the first frame of the source that
plays at ``start``, also in timeline frames (source time = source_in / rate).
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field, replace
from enum import StrEnum
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from editor.model.effects import IDENTITY, Transform, Transition
from editor.model.keyframes import Curve

if TYPE_CHECKING:
    from editor.model.text import TextStyle


class Fit(StrEnum):
    FILL = "fill"   # cover the canvas, centre-crop the overflow (the default for a 16:9 clip on 9:16)
    FIT = "fit"     # whole picture inside the canvas, black bars
    CROP = "crop"   # native pixel size, centred, cropped by the canvas (no scaling)
    STRETCH = "stretch"
    BLUR = "blur"   # whole picture inside the canvas over a blurred, darkened copy of itself filling it


AUDIO_KINDS = ("speech", "sound")


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
    # How hard the generator works: "draft", "standard" or "final"; "" is the full recipe of projects made
    # before profiles (the same as "final").
    profile: str = ""
    # Generative extend and window chaining: a video file the shot continues (its last frames lead in) or
    # leads into (its first frames follow).
    prefix_video: str | None = None
    suffix_video: str | None = None
    reference_images: tuple[str, ...] = ()   # a character or a place to keep
    match_colors: bool = False               # bring the take's colours to its neighbours'
    color_reference: str | None = None       # the neighbour's frame the colours were matched to
    # Where the conditioning frames came from ("<media id>@<source frame>/<crop>"): when a neighbour moves,
    # is trimmed or replaced, these no longer match and the shot is re-planned and marked stale.
    first_source: str = ""
    last_source: str = ""
    # What the clip is: "" a video shot (video tracks); "speech" a narration line spoken by ``voice`` (the
    # prompt is the words); "sound" sound effects or music described by the prompt (both on audio tracks).
    kind: str = ""
    voice: str = ""                      # speech: "<voice model>:<voice>", "" the project's default
    voice_speed: float | None = None     # speech: 1.0 normal, 1.25 a quarter faster
    pitch: float | None = None           # speech: semitones up (+) or down (-)

    @property
    def is_audio(self) -> bool:
        return self.kind in AUDIO_KINDS

    def to_dict(self) -> dict[str, Any]:
        # The prompt is always kept (even empty) so from_dict(to_dict(spec)) round-trips.
        # Unset means None, "", () or False (by identity: a seed or guidance of 0 is set, and 0 == False).
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.__dict__.items()
                if k == "prompt" or not (v is None or v is False or v == "" or v == ())}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> GenerationSpec:
        known = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        if not isinstance(known.get("prompt"), str):
            raise ValueError("a generation spec needs a text prompt")
        if "reference_images" in known:
            known["reference_images"] = tuple(known["reference_images"])
        return cls(**known)

    @property
    def job_profile(self) -> str:
        """The generator's profile name ("" reads as "final")."""
        return self.profile or "final"

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
    # False: the clip stays on the timeline but is neither drawn nor heard (Premiere's Clip > Enable).
    enabled: bool = True
    # Source frames played per timeline frame (2 = twice as fast, 1/2 = slow motion), 0 = a freeze frame of
    # source frame ``source_in``; ``reverse`` plays the same source range backwards.
    speed: Fraction = Fraction(1)
    reverse: bool = False
    # Slow motion made of blended neighbouring frames ("blend") or motion-interpolated ones ("flow") instead of
    # repeated frames ("").
    interpolation: str = ""
    transform: Transform = IDENTITY
    # Picture and sound fade in from / out to nothing over these many frames at the head / tail.
    fade_in: int = 0
    fade_out: int = 0
    # Sound level in dB over the clip (keyframes: the rubber band), on top of ``volume``.
    gain: Curve = Curve(0.0)
    # A transition from the clip ending where this one starts on the same track (None: a cut).
    transition: Transition | None = None

    @property
    def end(self) -> int:
        return self.start + self.duration

    @property
    def source_frames(self) -> int:
        """Frames of its source (at the timeline rate) the clip plays: from ``source_in`` on."""
        if self.speed == 0:
            return 1
        return max(1, math.ceil(self.duration * self.speed))

    def source_frame(self, offset: int | Fraction) -> Fraction:
        """The source position (timeline frames from the media's start, fractional when sped) shown
        ``offset`` frames into the clip."""
        if self.speed == 0:
            return Fraction(self.source_in)
        if self.reverse:
            return Fraction(self.source_in + self.source_frames) - (Fraction(offset) + 1) * self.speed
        return self.source_in + Fraction(offset) * self.speed

    @property
    def retimed(self) -> bool:
        return self.speed != 1 or self.reverse

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


def _default_style() -> TextStyle:
    from editor.model.text import TextStyle
    return TextStyle()


@dataclass(frozen=True)
class TextClip(Clip):
    """A title or a caption: text drawn in a style, on a video track. Its picture is rendered once to an image
    (``editor.render.text``) that both the preview and the export show; any length is fine."""

    text: str = ""
    style: TextStyle = field(default_factory=_default_style)
    # Spoken words under a caption (from a transcript): each (word, first frame, end frame) counted from the
    # clip's start. Kept so cues can be re-split and retimed on word boundaries; () for typed text.
    words: tuple[tuple[str, int, int], ...] = ()

    def media_id(self) -> str | None:
        return None
