"""Changing what a clip is rather than where it is: name, fit, volume, media, generation spec and takes."""

from __future__ import annotations

from typing import Any

from editor.model.clips import Clip, Fit, GeneratedClip, GenerationSpec, MediaClip, Take, TextClip
from editor.model.commands.base import (
    Command,
    EditError,
    Plan,
    check_kind,
    check_span,
    clip_name,
    editable_clip,
    require_frame,
    require_volume,
)
from editor.model.effects import Transform, Transition, speed_problem
from editor.model.keyframes import Curve
from editor.model.timeline import Timeline

_COMMON = ("name", "fit", "volume", "transform", "fade_in", "fade_out", "gain", "transition", "enabled")
_RETIMED = ("speed", "reverse", "interpolation")
_BY_KIND: dict[type, tuple[str, ...]] = {
    MediaClip: (*_COMMON, *_RETIMED, "media"),
    GeneratedClip: (*_COMMON, *_RETIMED, "spec", "takes", "active_take"),
    TextClip: (*_COMMON, "text", "style", "words"),
}
_PLACEMENT = ("id", "start", "duration", "source_in")


def _coerce(clip: Clip, name: str, value: Any) -> Any:
    if name == "words":
        try:
            words = tuple((str(w), int(a), int(b)) for w, a, b in value)
        except (TypeError, ValueError):
            raise EditError("a caption's words are (word, first frame, end frame) triples") from None
        if any(a < 0 or b < a or b > clip.duration for _, a, b in words):
            raise EditError("a caption's words must lie within the caption")
        return words
    if name == "name":
        if not isinstance(value, str):
            raise EditError(f"a clip name is text, got {value!r}")
        return value
    if name == "fit":
        try:
            return Fit(value)
        except ValueError:
            raise EditError(f"unknown fit {value!r}: use one of {', '.join(f.value for f in Fit)}") from None
    if name == "volume":
        return require_volume(value, f"the volume of {clip_name(clip)}")
    if name == "media":
        if not isinstance(value, str) or not value:
            raise EditError(f"a media id is text, got {value!r}")
        return value
    if name == "spec":
        if not isinstance(value, GenerationSpec):
            raise EditError(f"a generation spec is a GenerationSpec, got {type(value).__name__}")
        return value
    if name == "takes":
        takes = tuple(value)
        if not all(isinstance(t, Take) for t in takes):
            raise EditError("takes must be Take objects")
        return takes
    if name == "active_take":
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise EditError(f"the active take is a take number or None, got {value!r}")
        return value
    if name in ("fade_in", "fade_out"):
        frames = require_frame(value, f"the {name.replace('_', ' ')} of {clip_name(clip)}")
        if frames < 0:
            raise EditError(f"a fade lasts 0 frames or more, got {frames}")
        return frames
    if name == "transform":
        return _checked(clip, name, value, Transform, lambda v: v.problems(clip_name(clip)))
    if name == "gain":
        return _checked(clip, name, value, Curve, lambda v: v.problems(f"the gain of {clip_name(clip)}", -96, 24))
    if name == "transition":
        if value is None:
            return None
        return _checked(clip, name, value, Transition, lambda v: v.problems(f"the transition of {clip_name(clip)}"))
    if name == "speed":
        problem = speed_problem(value)
        if problem:
            raise EditError(f"{clip_name(clip)}: {problem}")
        return value
    if name in ("reverse", "enabled"):
        if not isinstance(value, bool):
            raise EditError(f"{name} is true or false, got {value!r}")
        return value
    if name == "interpolation":
        if value not in ("", "blend", "flow"):
            raise EditError(f"slow motion is made of repeated frames (''), 'blend' or 'flow', not {value!r}")
        return value
    if name == "text":
        if not isinstance(value, str):
            raise EditError(f"a title's text is text, got {type(value).__name__}")
        return value
    if name == "style":
        from editor.model.text import TextStyle
        if not isinstance(value, TextStyle):
            raise EditError(f"a text style is a TextStyle, got {type(value).__name__}")
        return value
    raise AssertionError(name)   # pragma: no cover


def _checked(clip: Clip, name: str, value: Any, kind: type, problems: Any) -> Any:
    if not isinstance(value, kind):
        raise EditError(f"the {name} of {clip_name(clip)} is a {kind.__name__}, got {type(value).__name__}")
    found = problems(value)
    if found:
        raise EditError(found[0])
    return value


class SetClipProperties(Command):
    """Change properties of a clip that do not move it: ``name``, ``fit``, ``volume``, ``enabled`` (any clip),
    ``media`` (a media clip: relink it to another pool entry), ``spec``, ``takes``, ``active_take`` (a generated
    clip).
    The result must still fit its track and its media (a shorter take refuses)."""

    label = "Set clip properties"

    def __init__(self, clip_id: str, *, label: str | None = None, **changes: Any):
        self.clip_id = clip_id
        self.changes = changes
        if label:
            self.label = label

    def new_clip(self, tl: Timeline, clip: Clip) -> Clip:
        """The changed clip (override to derive the changes from the clip as it is)."""
        allowed = _BY_KIND.get(type(clip), _COMMON)
        for name in self.changes:
            if name in _PLACEMENT:
                raise EditError(f"{name} is not a property: use Move, the trims or Slip to change it")
            if name not in allowed:
                raise EditError(f"{clip_name(clip)} has no property {name!r} to set "
                                f"(it has {', '.join(allowed)})")
        return clip.moved(**{k: _coerce(clip, k, v) for k, v in self.changes.items()})

    def plan(self, tl: Timeline, p: Plan) -> None:
        track, clip = editable_clip(tl, self.clip_id)
        new = self.new_clip(tl, clip)
        check_kind(tl, track, new)
        check_span(tl, new)
        i = track.clips.index(clip)
        p.set_clips(track, [*track.clips[:i], new, *track.clips[i + 1:]])


def _generated(clip: Clip) -> GeneratedClip:
    if not isinstance(clip, GeneratedClip):
        raise EditError(f"{clip_name(clip)} is not a generated clip: it has no takes")
    return clip


class SetActiveTake(SetClipProperties):
    """Choose which take of a generated clip plays (None: none, the clip is pending again)."""

    label = "Choose take"

    def __init__(self, clip_id: str, index: int | None):
        super().__init__(clip_id, active_take=index)

    def new_clip(self, tl: Timeline, clip: Clip) -> Clip:
        _generated(clip)
        return super().new_clip(tl, clip)


class AddTake(SetClipProperties):
    """Add a take (its media must be in the pool) to a generated clip; by default it becomes the active one."""

    label = "Add take"

    def __init__(self, clip_id: str, take: Take, *, activate: bool = True):
        super().__init__(clip_id)
        self.take = take
        self.activate = activate

    def new_clip(self, tl: Timeline, clip: Clip) -> Clip:
        clip = _generated(clip)
        if not isinstance(self.take, Take):
            raise EditError(f"a take is a Take, got {type(self.take).__name__}")
        takes = (*clip.takes, self.take)
        return clip.moved(takes=takes, active_take=len(takes) - 1 if self.activate else clip.active_take)


class RemoveTake(SetClipProperties):
    """Drop a take from a generated clip; if it was the active one the clip becomes pending."""

    label = "Remove take"

    def __init__(self, clip_id: str, index: int):
        super().__init__(clip_id)
        self.index = index

    def new_clip(self, tl: Timeline, clip: Clip) -> Clip:
        clip = _generated(clip)
        if isinstance(self.index, bool) or not isinstance(self.index, int) or not 0 <= self.index < len(clip.takes):
            raise EditError(f"{clip_name(clip)} has {len(clip.takes)} takes, no take {self.index!r}")
        active = clip.active_take
        if active == self.index:
            active = None
        elif active is not None and active > self.index:
            active -= 1
        return clip.moved(takes=clip.takes[:self.index] + clip.takes[self.index + 1:], active_take=active)
