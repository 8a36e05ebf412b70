"""Edits of what a clip does rather than where it is: speed (which changes its length) and transitions."""

from __future__ import annotations

import math
from fractions import Fraction

from editor.model.clips import Clip
from editor.model.commands.base import (
    Command,
    EditError,
    Plan,
    check_span,
    clip_name,
    editable_clip,
    shifted,
)
from editor.model.effects import Transition, speed_problem
from editor.model.timeline import Timeline, Track


def retimed_length(clip: Clip, speed: Fraction) -> int:
    """The length that plays the clip's source range at ``speed`` (a freeze frame keeps its length)."""
    if speed == 0 or clip.speed == 0:
        return clip.duration
    return max(1, math.ceil(Fraction(clip.source_frames) / speed - Fraction(1, 10**6)))


class SetSpeed(Command):
    """Play a clip (and the clips linked to it) at ``speed`` (0.1x..10x, 0 = freeze frame), optionally
    reversed. The same source range plays, so the clip gets shorter or longer; with ``ripple`` the clips after
    it on its track move by as much (CapCut's behaviour, Premiere's "ripple edit, shifting trailing clips"),
    otherwise a longer clip must fit before the next one."""

    label = "Change speed"

    def __init__(self, clip_id: str, speed: Fraction, *, reverse: bool | None = None, ripple: bool = True,
                 linked: bool = True):
        self.clip_id = clip_id
        self.speed = speed
        self.reverse = reverse
        self.ripple = ripple
        self.linked = linked

    def plan(self, tl: Timeline, p: Plan) -> None:
        problem = speed_problem(self.speed)
        if problem:
            raise EditError(problem)
        track, clip = editable_clip(tl, self.clip_id)
        targets = [(track, clip)]
        if self.linked:
            targets += tl.linked(clip)
        for t, c in targets:
            if c.speed != self.speed and (tl.is_still(c) or c.media_id() is None):
                raise EditError(f"{clip_name(c)} shows a still picture or has no media yet: it has no speed")
            p.set_clips(t, self._retimed(tl, t, c))

    def _retimed(self, tl: Timeline, track: Track, clip: Clip) -> list[Clip]:
        reverse = clip.reverse if self.reverse is None else self.reverse
        length = retimed_length(clip, self.speed)
        new = clip.moved(speed=self.speed, reverse=reverse, duration=length)
        if self.speed != 0 and clip.speed == 0:
            new = new.moved(duration=clip.duration)        # from a freeze frame: its frame, at the new speed
        check_span(tl, new)
        delta = new.end - clip.end
        i = track.clips.index(clip)
        after = track.clips[i + 1:]
        if self.ripple:
            after = [shifted(c, delta) for c in after]
        elif after and new.end > after[0].start:
            raise EditError(f"{clip_name(clip)} at {float(self.speed):g}x would run into {clip_name(after[0])}: "
                            "make room or let the clips after it move")
        return [*track.clips[:i], new, *after]


class AddTransition(Command):
    """Put a transition at the head of a clip, from the clip that ends where it starts on the same track.
    ``transition=None`` removes it."""

    label = "Add transition"

    def __init__(self, clip_id: str, transition: Transition | None):
        self.clip_id = clip_id
        self.transition = transition
        if transition is None:
            self.label = "Remove transition"

    def plan(self, tl: Timeline, p: Plan) -> None:
        track, clip = editable_clip(tl, self.clip_id)
        t = self.transition
        if t is not None:
            if not isinstance(t, Transition):
                raise EditError(f"a transition is a Transition, got {type(t).__name__}")
            problems = t.problems(f"the transition of {clip_name(clip)}")
            if problems:
                raise EditError(problems[0])
            i = track.clips.index(clip)
            previous = track.clips[i - 1] if i > 0 else None
            if previous is None or previous.end != clip.start:
                raise EditError(f"{clip_name(clip)} has no clip ending where it starts: a transition joins two "
                                "touching clips (use a fade at a clip's head or tail)")
            if t.before > previous.duration or t.after > clip.duration:
                raise EditError(f"a {t.duration}-frame transition is longer than {clip_name(previous)} "
                                f"({previous.duration}) or {clip_name(clip)} ({clip.duration}) allows")
        i = track.clips.index(clip)
        p.set_clips(track, [*track.clips[:i], clip.moved(transition=t), *track.clips[i + 1:]])
