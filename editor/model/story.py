"""The storyboard and the cast: a script's shots as records tied to timeline clips, and the people and places
that recur across them. Pure data; edits go through ``editor.model.commands.story`` (one undo step each).

The timeline stays the single source of truth for *where* and *how long*: a shot's card shows its video clip's
position, length and state (``editor.storyboard.cards`` derives them), so moving a clip on the timeline
reorders the cards. What the timeline cannot hold lives here: the narration and the visual description a shot
came from, a fixed length, which cast members it shows, and which speech and caption clips belong to it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Any


@dataclass(frozen=True)
class CastMember:
    """A character or a place kept the same across shots: a picture and the words that describe it.

    ``image`` is a file path (stored in the project like media paths: relative to the project when it can be);
    ``description`` is appended to the prompt of every shot that names the member.
    """

    id: str
    name: str
    image: str = ""
    description: str = ""

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "name": self.name}
        if self.image:
            out["image"] = self.image
        if self.description:
            out["description"] = self.description
        return out


@dataclass(frozen=True)
class StoryShot:
    """One card of the storyboard.

    ``clip``: the generated video clip on the storyboard's track (the card is gone when the clip is).
    ``narration``: the words spoken over the shot (and its caption); ``visual``: what the shot shows (its
    prompt before the style and cast descriptions); "" means the narration is also the visual.
    ``seconds``: a fixed length (``[4s]`` in the script); None lets the length follow the narration.
    ``cast``: ids of the cast members the shot shows. ``speech`` / ``caption``: the clip ids of its narration
    on the voice track and of its cue on the caption track (None: none, or removed).
    """

    id: str
    clip: str
    narration: str = ""
    visual: str = ""
    seconds: Fraction | None = None
    cast: tuple[str, ...] = ()
    speech: str | None = None
    caption: str | None = None

    @property
    def picture(self) -> str:
        """What the shot shows, before style and cast: its visual, or its narration when it has none."""
        return self.visual or self.narration

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "clip": self.clip}
        for name in ("narration", "visual", "speech", "caption"):
            if getattr(self, name):
                out[name] = getattr(self, name)
        if self.seconds is not None:
            out["seconds"] = str(self.seconds)
        if self.cast:
            out["cast"] = list(self.cast)
        return out


@dataclass(frozen=True)
class Storyboard:
    """A script's shots and the rules they share.

    ``style``: appended to every shot's prompt. ``seed``: one seed for every shot (None: each shot its own).
    ``chain``: each shot starts from the previous shot's last frame. ``model``: the video model ("" the
    default). ``voice``: the narration voice ("<voice model>:<voice>", "" the default). ``track`` /
    ``voice_track`` / ``caption_track``: the ids of the video, speech and caption tracks it fills.
    """

    shots: tuple[StoryShot, ...] = ()
    style: str = ""
    seed: int | None = None
    chain: bool = False
    model: str = ""
    voice: str = ""
    track: str = ""
    voice_track: str = ""
    caption_track: str = ""

    def shot(self, shot_id: str) -> StoryShot:
        for s in self.shots:
            if s.id == shot_id:
                return s
        raise KeyError(shot_id)

    def shot_for_clip(self, clip_id: str) -> StoryShot | None:
        for s in self.shots:
            if clip_id in (s.clip, s.speech, s.caption):
                return s
        return None

    def with_shot(self, shot: StoryShot) -> Storyboard:
        return replace(self, shots=tuple(shot if s.id == shot.id else s for s in self.shots))

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"shots": [s.to_dict() for s in self.shots]}
        for name in ("style", "model", "voice", "track", "voice_track", "caption_track"):
            if getattr(self, name):
                out[name] = getattr(self, name)
        if self.seed is not None:
            out["seed"] = self.seed
        if self.chain:
            out["chain"] = True
        return out


@dataclass(frozen=True)
class Story:
    """What a project keeps besides its tracks for script-to-cut: the storyboard (None: none made) and the
    cast list."""

    storyboard: Storyboard | None = None
    cast: tuple[CastMember, ...] = field(default=())

    def member(self, member_id: str) -> CastMember:
        for m in self.cast:
            if m.id == member_id:
                return m
        raise KeyError(member_id)

    def member_named(self, name: str) -> CastMember | None:
        key = name.strip().casefold()
        for m in self.cast:
            if m.name.strip().casefold() == key:
                return m
        return None

    @property
    def empty(self) -> bool:
        return self.storyboard is None and not self.cast
