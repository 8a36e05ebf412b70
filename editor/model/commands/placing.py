"""Putting clips on tracks, moving, splitting and deleting them.

Clips that share a link id (a video's picture and its sound) go together: moving, splitting or deleting one
does the same to the others, on their own tracks, in the same command (``linked=False`` acts on one alone,
for callers that already name every clip of the group). ``Place`` puts a video with sound as such a pair.
"""

from __future__ import annotations

from editor.model.clips import Clip, MediaClip
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
    with_partners,
)
from editor.model.timeline import Timeline, Track, TrackKind, new_id


def _check_new_clip(tl: Timeline, track: Track, clip: Clip) -> None:
    if not isinstance(clip, Clip):
        raise EditError(f"not a clip: {clip!r}")
    require_new_clip_id(tl, clip.id)
    check_kind(tl, track, clip)
    check_span(tl, clip)


def _inserted(tl: Timeline, track: Track, clip: Clip, split_id: str) -> list[Clip]:
    """The track's clips with ``clip`` inserted at its start: later clips move right by its length, one that
    straddles the point is split there first (its right part, a new unlinked clip, gets ``split_id``)."""
    at = clip.start
    before: list[Clip] = []
    after: list[Clip] = []
    for c in track.clips:
        if c.end <= at:
            before.append(c)
        elif c.start >= at:
            after.append(shifted(c, clip.duration))
        else:
            require_new_clip_id(tl, split_id)
            left, right = split_clip(tl, c, at, split_id)
            before.append(left)
            after.append(shifted(right.moved(link=None), clip.duration))
    return [*before, clip, *after]


def _overwritten(tl: Timeline, track: Track, clip: Clip, split_id: str) -> list[Clip]:
    """The track's clips with ``clip`` put over whatever is there (see ``clear_range``)."""
    return placed(clear_range(tl, track.clips, clip.start, clip.end, split_id), clip)


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
        p.set_clips(track, _inserted(tl, track, clip, self.split_id))


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
        p.set_clips(track, _overwritten(tl, track, clip, self.split_id))


class Place(Command):
    """Put a media clip at frame ``at`` (default: its own start) on ``track``, over what is there or, with
    ``insert``, pushing later clips right. With a ``sound_track`` (an audio track) and a clip of a video that
    has sound, its sound goes there as a second clip, linked to the picture (``sound_id``, ``link_id``): the
    picture's own sound is detached, so it is heard once, from the audio track."""

    def __init__(self, track: str | Track, clip: MediaClip, at: int | None = None, *,
                 sound_track: str | Track | None = None, insert: bool = False, sound_id: str | None = None,
                 link_id: str | None = None, split_id: str | None = None):
        self.track_id = track_id_of(track)
        self.clip = clip
        self.at = clip.start if at is None else at
        self.sound_track_id = None if sound_track is None else track_id_of(sound_track)
        self.insert = insert
        self.sound_id = sound_id or new_id("c")
        self.link_id = link_id or new_id("l")
        self.split_id = split_id or new_id("c")
        self.label = "Insert" if insert else "Overwrite"

    def plan(self, tl: Timeline, p: Plan) -> None:
        track = editable_track(tl, self.track_id)
        at = require_frame(self.at, "the insert point" if self.insert else "the overwrite point")
        if not isinstance(self.clip, MediaClip):
            raise EditError(f"only media clips are placed with their sound, not {self.clip!r}")
        clip = self.clip.moved(start=at)
        put = _inserted if self.insert else _overwritten
        if self.sound_track_id is None:
            _check_new_clip(tl, track, clip)
            p.set_clips(track, put(tl, track, clip, self.split_id))
            return
        sound_track = editable_track(tl, self.sound_track_id)
        media = tl.media.get(clip.media)
        if track.kind is not TrackKind.VIDEO or sound_track.kind is not TrackKind.AUDIO:
            raise EditError(f"a picture goes on a video track and its sound on an audio track, not on "
                            f"{track.kind.value} track {track_name(track)} and "
                            f"{sound_track.kind.value} track {track_name(sound_track)}")
        if media is None or not (media.has_video and media.has_audio):
            raise EditError(f"{clip_name(clip)} has no picture and sound to place apart")
        picture = clip.moved(link=self.link_id, sound_detached=True)
        sound = clip.moved(id=self.sound_id, link=self.link_id, sound_detached=False)
        _check_new_clip(tl, track, picture)
        _check_new_clip(tl, sound_track, sound)
        if sound.id == picture.id:
            raise EditError(f"the picture and the sound of {clip_name(clip)} need different ids")
        p.set_clips(track, put(tl, track, picture, self.split_id))
        p.set_clips(sound_track, put(tl, sound_track, sound, self.split_id + "s"))


class Move(Command):
    """Move a clip to ``to_start`` (default: where it is) on ``to_track`` (default: its own track; same kind
    only), and its linked clips by as many frames on their own tracks. Refused if a clip would overlap
    another, unless ``overwrite`` is set: then it overwrites what is there (a spanned clip's right part gets
    ``split_id``)."""

    label = "Move"

    def __init__(self, clip_id: str, to_track: str | Track | None = None, to_start: int | None = None, *,
                 overwrite: bool = False, split_id: str | None = None, linked: bool = True):
        self.clip_id = clip_id
        self.to_track = None if to_track is None else track_id_of(to_track)
        self.to_start = to_start
        self.overwrite = overwrite
        self.split_id = split_id or new_id("c")
        self.linked = linked

    def plan(self, tl: Timeline, p: Plan) -> None:
        source, clip = editable_clip(tl, self.clip_id)
        target = source if self.to_track in (None, source.id) else editable_track(tl, self.to_track)
        if target.kind is not source.kind:
            raise EditError(f"cannot move {clip_name(clip)} from {source.kind.value} track {track_name(source)} "
                            f"to {target.kind.value} track {track_name(target)}")
        start = clip.start if self.to_start is None else require_frame(self.to_start, "the move target")
        partners = with_partners(tl, source, clip, self.linked)[1:]
        for track, other in partners:
            if track is target:
                raise EditError(f"cannot move {clip_name(clip)} onto track {track_name(target)}: "
                                f"its linked {clip_name(other)} is there")
        self._move(tl, p, source, target, clip, start, self.split_id)
        for n, (track, other) in enumerate(partners):
            self._move(tl, p, track, track, other, other.start + start - clip.start, f"{self.split_id}-{n}")

    def _move(self, tl: Timeline, p: Plan, source: Track, target: Track, clip: Clip, start: int,
              split_id: str) -> None:
        moved = clip.moved(start=start)
        check_kind(tl, target, moved)
        check_span(tl, moved)
        rest = [c for c in source.clips if c is not clip]
        others = rest if target is source else list(target.clips)
        if self.overwrite:
            others = clear_range(tl, others, moved.start, moved.end, split_id)
        else:
            check_clear(others, moved, target)
        if target is not source:
            p.set_clips(source, rest)
        p.set_clips(target, placed(others, moved))


class Split(Command):
    """Cut a clip in two at frame ``at`` (strictly inside it); the right part gets ``right_id``. Its linked
    clips that cover ``at`` are cut there too; the right parts are linked to one another (``right_link``)."""

    label = "Split"

    def __init__(self, clip_id: str, at: int, *, right_id: str | None = None, right_link: str | None = None,
                 linked: bool = True):
        self.clip_id = clip_id
        self.at = at
        self.right_id = right_id or new_id("c")
        self.right_link = right_link or new_id("l")
        self.linked = linked

    def plan(self, tl: Timeline, p: Plan) -> None:
        track, clip = editable_clip(tl, self.clip_id)
        at = require_frame(self.at, "the split point")
        if not clip.start < at < clip.end:
            raise EditError(f"cannot split {clip_name(clip)} at frame {at}: "
                            f"it covers frames {clip.start}..{clip.end}")
        cut = [(t, c) for t, c in with_partners(tl, track, clip, self.linked) if c.start < at < c.end]
        right_link = self.right_link if clip.link is not None and len(cut) > 1 else None
        for n, (t, c) in enumerate(cut):
            right_id = self.right_id if n == 0 else f"{self.right_id}-{n}"
            require_new_clip_id(tl, right_id)
            left, right = split_clip(tl, c, at, right_id)
            i = t.clips.index(c)
            p.set_clips(t, [*t.clips[:i], left, right.moved(link=right_link), *t.clips[i + 1:]])


class Delete(Command):
    """Remove a clip (and the clips linked to it), leaving a gap."""

    label = "Delete"

    def __init__(self, clip_id: str, *, linked: bool = True):
        self.clip_id = clip_id
        self.linked = linked

    def plan(self, tl: Timeline, p: Plan) -> None:
        track, clip = editable_clip(tl, self.clip_id)
        for t, c in with_partners(tl, track, clip, self.linked):
            p.set_clips(t, [x for x in t.clips if x is not c])


class RippleDelete(Command):
    """Remove a clip (and the clips linked to it) and move everything after it on its track left by its
    length."""

    label = "Ripple delete"

    def __init__(self, clip_id: str, *, linked: bool = True):
        self.clip_id = clip_id
        self.linked = linked

    def plan(self, tl: Timeline, p: Plan) -> None:
        track, clip = editable_clip(tl, self.clip_id)
        for t, c in with_partners(tl, track, clip, self.linked):
            p.set_clips(t, [x if x.start < c.start else shifted(x, -c.duration) for x in t.clips if x is not c])
