"""Putting clips on tracks, moving, splitting and deleting them."""

from __future__ import annotations

from editor.model.clips import Clip
from editor.model.commands.base import (
    Command,
    EditError,
    Plan,
    check_clear,
    check_kind,
    check_span,
    clear_range,
    clip_name,
    editable_clip,
    editable_track,
    placed,
    require_frame,
    require_new_clip_id,
    shifted,
    split_clip,
    track_id_of,
    track_name,
)
from editor.model.timeline import Timeline, Track, new_id


def _check_new_clip(tl: Timeline, track: Track, clip: Clip) -> None:
    if not isinstance(clip, Clip):
        raise EditError(f"not a clip: {clip!r}")
    require_new_clip_id(tl, clip.id)
    check_kind(tl, track, clip)
    check_span(tl, clip)


class Insert(Command):
    """Put ``clip`` at frame ``at`` (default: its own start) on a track; everything on that track at or after
    ``at`` moves right by the clip's length, and a clip that straddles ``at`` is split there first (its
    right part gets ``split_id``)."""

    label = "Insert"

    def __init__(self, track: str | Track, clip: Clip, at: int | None = None, *, split_id: str | None = None):
        self.track_id = track_id_of(track)
        self.clip = clip
        self.at = clip.start if at is None else at
        self.split_id = split_id or new_id("c")

    def plan(self, tl: Timeline, p: Plan) -> None:
        track = editable_track(tl, self.track_id)
        at = require_frame(self.at, "the insert point")
        clip = self.clip.moved(start=at) if isinstance(self.clip, Clip) else self.clip
        _check_new_clip(tl, track, clip)
        before: list[Clip] = []
        after: list[Clip] = []
        for c in track.clips:
            if c.end <= at:
                before.append(c)
            elif c.start >= at:
                after.append(shifted(c, clip.duration))
            else:
                require_new_clip_id(tl, self.split_id)
                left, right = split_clip(tl, c, at, self.split_id)
                before.append(left)
                after.append(shifted(right, clip.duration))
        p.set_clips(track, [*before, clip, *after])


class Overwrite(Command):
    """Put ``clip`` at frame ``at`` (default: its own start) on a track, over whatever is there: clips it
    covers are removed, partly covered ones trimmed, one that spans it is split (right part: ``split_id``)."""

    label = "Overwrite"

    def __init__(self, track: str | Track, clip: Clip, at: int | None = None, *, split_id: str | None = None):
        self.track_id = track_id_of(track)
        self.clip = clip
        self.at = clip.start if at is None else at
        self.split_id = split_id or new_id("c")

    def plan(self, tl: Timeline, p: Plan) -> None:
        track = editable_track(tl, self.track_id)
        at = require_frame(self.at, "the overwrite point")
        clip = self.clip.moved(start=at) if isinstance(self.clip, Clip) else self.clip
        _check_new_clip(tl, track, clip)
        p.set_clips(track, placed(clear_range(tl, track.clips, clip.start, clip.end, self.split_id), clip))


class Move(Command):
    """Move a clip to ``to_start`` (default: where it is) on ``to_track`` (default: its own track; same kind
    only). Refused if it would overlap another clip, unless ``overwrite`` is set: then it overwrites what is
    there (a spanned clip's right part gets ``split_id``)."""

    label = "Move"

    def __init__(self, clip_id: str, to_track: str | Track | None = None, to_start: int | None = None, *,
                 overwrite: bool = False, split_id: str | None = None):
        self.clip_id = clip_id
        self.to_track = None if to_track is None else track_id_of(to_track)
        self.to_start = to_start
        self.overwrite = overwrite
        self.split_id = split_id or new_id("c")

    def plan(self, tl: Timeline, p: Plan) -> None:
        source, clip = editable_clip(tl, self.clip_id)
        target = source if self.to_track in (None, source.id) else editable_track(tl, self.to_track)
        if target.kind is not source.kind:
            raise EditError(f"cannot move {clip_name(clip)} from {source.kind.value} track {track_name(source)} "
                            f"to {target.kind.value} track {track_name(target)}")
        start = clip.start if self.to_start is None else require_frame(self.to_start, "the move target")
        moved = clip.moved(start=start)
        check_kind(tl, target, moved)
        check_span(tl, moved)
        rest = [c for c in source.clips if c is not clip]
        others = rest if target is source else list(target.clips)
        if self.overwrite:
            others = clear_range(tl, others, moved.start, moved.end, self.split_id)
        else:
            check_clear(others, moved, target)
        if target is not source:
            p.set_clips(source, rest)
        p.set_clips(target, placed(others, moved))


class Split(Command):
    """Cut a clip in two at frame ``at`` (strictly inside it); the right part gets ``right_id``."""

    label = "Split"

    def __init__(self, clip_id: str, at: int, *, right_id: str | None = None):
        self.clip_id = clip_id
        self.at = at
        self.right_id = right_id or new_id("c")

    def plan(self, tl: Timeline, p: Plan) -> None:
        track, clip = editable_clip(tl, self.clip_id)
        at = require_frame(self.at, "the split point")
        if not clip.start < at < clip.end:
            raise EditError(f"cannot split {clip_name(clip)} at frame {at}: "
                            f"it covers frames {clip.start}..{clip.end}")
        require_new_clip_id(tl, self.right_id)
        i = track.clips.index(clip)
        p.set_clips(track, [*track.clips[:i], *split_clip(tl, clip, at, self.right_id), *track.clips[i + 1:]])


class Delete(Command):
    """Remove a clip, leaving a gap."""

    label = "Delete"

    def __init__(self, clip_id: str):
        self.clip_id = clip_id

    def plan(self, tl: Timeline, p: Plan) -> None:
        track, clip = editable_clip(tl, self.clip_id)
        p.set_clips(track, [c for c in track.clips if c is not clip])


class RippleDelete(Command):
    """Remove a clip and move everything after it on that track left by its length."""

    label = "Ripple delete"

    def __init__(self, clip_id: str):
        self.clip_id = clip_id

    def plan(self, tl: Timeline, p: Plan) -> None:
        track, clip = editable_clip(tl, self.clip_id)
        p.set_clips(track, [c if c.start < clip.start else shifted(c, -clip.duration)
                            for c in track.clips if c is not clip])
