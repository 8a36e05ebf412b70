"""Changing where clips start and end: trims, ripple trims, roll and slip.

Edges are given as absolute timeline frames (where the user dragged the edge to). Media bounds hold for
clips with bounded media; stills and pending generated segments may take any length (their source_in stays).

Trims and slips move the same edge of the clips linked to the trimmed one by as many frames, each on its own
track (``linked=False``: this clip alone). A roll moves one cut between two clips and leaves links alone.
"""

from __future__ import annotations

from typing import Literal

from editor.model.clips import Clip, GeneratedClip
from editor.model.commands.base import (
    Command,
    EditError,
    Plan,
    check_span,
    clip_name,
    editable_clip,
    head_source_in,
    require_frame,
    shifted,
    with_head,
    with_partners,
    with_tail,
)
from editor.model.timeline import Timeline, Track


def _replaced(track: Track, old: Clip, new: Clip, shift_after: int = 0) -> list[Clip]:
    """The track's clips with ``old`` swapped for ``new`` and the clips after it moved by ``shift_after``."""
    i = track.clips.index(old)
    return [*track.clips[:i], new, *(shifted(c, shift_after) for c in track.clips[i + 1:])]


def _check_length(clip: Clip, start: int, end: int) -> None:
    if end <= start:
        raise EditError(f"{clip_name(clip)} would have no length: it would cover frames {start}..{end}")


def _regrow(tl: Timeline, new: Clip) -> Clip:
    """Trimming a generated shot re-plans it against its takes. Stretched past either end of the take it
    plays, it waits for a new, longer take (pending, from the start of whatever is made next; its takes stay).
    A pending shot trimmed so that one of its takes, made from its current spec, covers it again plays that
    take: part of the same edit, so undo and redo need nothing else."""
    if not isinstance(new, GeneratedClip) or new.spec.kind == "speech":
        return new   # a spoken line is as long as its speech: stretched past it, the trim is refused
    if not new.pending:
        limit = tl.media_frames(new)
        if new.source_in < 0 or (limit is not None and new.source_in + new.source_frames > limit):
            return new.moved(active_take=None, source_in=0)
        return new
    want = new.spec.content_hash()
    for i in reversed(range(len(new.takes))):
        take = new.takes[i]
        media = tl.media.get(take.media_id)
        playable = media is not None and (media.has_audio if new.spec.is_audio else media.has_video)
        frames = media.duration_frames(tl.fps) if playable else None
        if take.spec_hash == want and frames is not None and new.source_in + new.source_frames <= frames:
            return new.moved(active_take=i)
    return new


def _check_head_room(clip: Clip, new: Clip) -> None:
    if new.source_in < 0:
        raise EditError(f"{clip_name(clip)} cannot start earlier in its media: its head can move back "
                        f"{clip.source_in} frames at most")


def _check_tail_room(tl: Timeline, clip: Clip, new: Clip) -> None:
    limit = tl.media_frames(new)
    if limit is not None and new.source_in + new.source_frames > limit:
        raise EditError(f"{clip_name(clip)} cannot end later in its media: its tail can move on "
                        f"{limit - clip.source_in - clip.source_frames} frames at most")


def _trimmed_head(tl: Timeline, track: Track, clip: Clip, to: int) -> list[Clip]:
    _check_length(clip, to, clip.end)
    if to < 0:
        raise EditError(f"{clip_name(clip)} cannot start at frame {to}, before the timeline starts")
    new = _regrow(tl, with_head(tl, clip, to))
    _check_head_room(clip, new)
    i = track.clips.index(clip)
    if i > 0 and track.clips[i - 1].end > to:
        raise EditError(f"{clip_name(clip)} cannot start at frame {to}: "
                        f"{clip_name(track.clips[i - 1])} ends at {track.clips[i - 1].end}")
    check_span(tl, new)
    return _replaced(track, clip, new)


def _trimmed_tail(tl: Timeline, track: Track, clip: Clip, to: int) -> list[Clip]:
    _check_length(clip, clip.start, to)
    new = _regrow(tl, with_tail(clip, to))
    _check_tail_room(tl, clip, new)
    i = track.clips.index(clip)
    if i + 1 < len(track.clips) and track.clips[i + 1].start < to:
        raise EditError(f"{clip_name(clip)} cannot end at frame {to}: "
                        f"{clip_name(track.clips[i + 1])} starts at {track.clips[i + 1].start}")
    check_span(tl, new)
    return _replaced(track, clip, new)


def _ripple_trimmed(tl: Timeline, track: Track, clip: Clip, edge: str, to: int) -> list[Clip]:
    if edge == "tail":
        _check_length(clip, clip.start, to)
        new = _regrow(tl, with_tail(clip, to))
        _check_tail_room(tl, clip, new)
        delta = to - clip.end
    elif edge == "head":
        _check_length(clip, to, clip.end)
        delta = clip.start - to
        new = _regrow(tl, clip.moved(duration=clip.duration + delta, source_in=head_source_in(tl, clip, -delta),
                                     transform=clip.transform.shifted(delta), gain=clip.gain.shifted(delta)))
        _check_head_room(clip, new)
    else:
        raise EditError(f"a clip has a 'head' and a 'tail' edge, not {edge!r}")
    check_span(tl, new)
    return _replaced(track, clip, new, shift_after=delta)


def _slipped(tl: Timeline, track: Track, clip: Clip, source_in: int) -> list[Clip]:
    if tl.is_still(clip):
        raise EditError(f"{clip_name(clip)} is a still image: there is nothing to slip")
    if source_in < 0:
        raise EditError(f"cannot slip {clip_name(clip)} to source frame {source_in}, before its media starts")
    limit = tl.media_frames(clip)
    if limit is not None and source_in + clip.source_frames > limit:
        raise EditError(f"cannot slip {clip_name(clip)} to source frame {source_in}: it would play up to "
                        f"frame {source_in + clip.source_frames} of media with {limit}")
    return _replaced(track, clip, clip.moved(source_in=source_in))


class TrimHead(Command):
    """Move a clip's head to frame ``to``; its end stays put and its source_in follows."""

    label = "Trim head"

    def __init__(self, clip_id: str, to: int, *, linked: bool = True):
        self.clip_id = clip_id
        self.to = to
        self.linked = linked

    def plan(self, tl: Timeline, p: Plan) -> None:
        track, clip = editable_clip(tl, self.clip_id)
        by = require_frame(self.to, "the new head") - clip.start
        for t, c in with_partners(tl, track, clip, self.linked):
            p.set_clips(t, _trimmed_head(tl, t, c, c.start + by))


class TrimTail(Command):
    """Move a clip's tail (its end, exclusive) to frame ``to``; its start and source_in stay put."""

    label = "Trim tail"

    def __init__(self, clip_id: str, to: int, *, linked: bool = True):
        self.clip_id = clip_id
        self.to = to
        self.linked = linked

    def plan(self, tl: Timeline, p: Plan) -> None:
        track, clip = editable_clip(tl, self.clip_id)
        by = require_frame(self.to, "the new tail") - clip.end
        for t, c in with_partners(tl, track, clip, self.linked):
            p.set_clips(t, _trimmed_tail(tl, t, c, c.end + by))


class RippleTrim(Command):
    """Trim one edge of a clip and move the later clips on its track to close (or open) the space.

    ``edge="tail"``: the clip's end goes to ``to``; later clips move by the same amount.
    ``edge="head"``: the head is dragged to ``to``, i.e. the clip starts ``to - start`` frames later (or
    earlier) in its source, but stays where it is on the timeline, shorter (or longer); later clips move back
    (or on) by that amount.
    """

    label = "Ripple trim"

    def __init__(self, clip_id: str, edge: Literal["head", "tail"], to: int, *, linked: bool = True):
        self.clip_id = clip_id
        self.edge = edge
        self.to = to
        self.linked = linked

    def plan(self, tl: Timeline, p: Plan) -> None:
        track, clip = editable_clip(tl, self.clip_id)
        to = require_frame(self.to, f"the new {self.edge}")
        by = to - (clip.start if self.edge == "head" else clip.end)
        for t, c in with_partners(tl, track, clip, self.linked):
            p.set_clips(t, _ripple_trimmed(tl, t, c, self.edge, (c.start if self.edge == "head" else c.end) + by))


class Roll(Command):
    """Move the cut between two clips that meet (``left`` ends where ``right`` starts) to frame ``to``: the
    left clip's tail and the right clip's head move together; nothing else moves."""

    label = "Roll"

    def __init__(self, left_id: str, right_id: str, to: int):
        self.left_id = left_id
        self.right_id = right_id
        self.to = to

    def plan(self, tl: Timeline, p: Plan) -> None:
        track, left = editable_clip(tl, self.left_id)
        right_track, right = editable_clip(tl, self.right_id)
        if right_track is not track or left.end != right.start:
            raise EditError(f"{clip_name(left)} and {clip_name(right)} do not meet: "
                            f"no cut between them to roll")
        to = require_frame(self.to, "the new cut")
        _check_length(left, left.start, to)
        _check_length(right, to, right.end)
        new_left, new_right = _regrow(tl, with_tail(left, to)), _regrow(tl, with_head(tl, right, to))
        _check_tail_room(tl, left, new_left)
        _check_head_room(right, new_right)
        check_span(tl, new_left)
        check_span(tl, new_right)
        i = track.clips.index(left)
        p.set_clips(track, [*track.clips[:i], new_left, new_right, *track.clips[i + 2:]])


class Slip(Command):
    """Play a different part of the source: set a clip's ``source_in``, keeping its place and length."""

    label = "Slip"

    def __init__(self, clip_id: str, source_in: int, *, linked: bool = True):
        self.clip_id = clip_id
        self.source_in = source_in
        self.linked = linked

    def plan(self, tl: Timeline, p: Plan) -> None:
        track, clip = editable_clip(tl, self.clip_id)
        by = require_frame(self.source_in, "the source in point") - clip.source_in
        for t, c in with_partners(tl, track, clip, self.linked):
            p.set_clips(t, _slipped(tl, t, c, c.source_in + by))
