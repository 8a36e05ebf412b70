"""The command machinery: EditError, the Command base and its Plan of primitive operations (``ops.py``), and
the checks and clip arithmetic that the concrete commands share.

A command first *plans*: it reads the timeline, validates, and lists primitive operations (replace a run of
clips on a track, insert a track, put a media source, ...), raising ``EditError`` before anything changes.
Then the operations run; each one knows its exact inverse, so ``revert`` runs the inverses backwards.
After running, the touched parts are checked against the timeline's invariants; a broken rule there is
refused like any other edit (and rolled back), so a command can never leave the timeline inconsistent.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from dataclasses import replace
from typing import Any

from editor.model.clips import Clip, GeneratedClip, MediaClip, TextClip
from editor.model.commands.gap_names import followed_gap_names
from editor.model.commands.ops import (
    Op,
    PutMarker,
    PutTrack,
    SetMaster,
    SetMedia,
    SetStory,
    SetTrackAttrs,
    ShiftTrack,
    SpliceClips,
    TakeMarker,
    TakeTrack,
)
from editor.model.media import MediaSource
from editor.model.story import Story
from editor.model.timeline import Change, Marker, Timeline, Track, TrackKind


class EditError(ValueError):
    """An edit that was refused; the message is one line saying what and why. The timeline is unchanged."""


# The primitive operations (each with its exact inverse) live in ops.py.


def settled(clips: list[Clip]) -> list[Clip]:
    """A track's clips after an edit, with what the edit made impossible let go, as Premiere does: a
    transition whose outgoing clip moved away is removed, one longer than the clips it joins is shortened, and
    fades longer than their clip are shortened. Part of the same edit, so undo brings them back exactly."""
    out: list[Clip] = []
    previous: Clip | None = None
    for c in clips:
        new = c
        t = c.transition
        if t is not None:
            if previous is None or previous.end != c.start:
                new = new.moved(transition=None)
            elif t.before > previous.duration or t.after > c.duration:
                before, after = min(t.before, previous.duration), min(t.after, c.duration)
                new = new.moved(transition=replace(t, before=before, after=after) if before + after else None)
        if c.fade_in + c.fade_out > c.duration:
            fade_in = min(c.fade_in, c.duration)
            new = new.moved(fade_in=fade_in, fade_out=min(c.fade_out, c.duration - fade_in))
        out.append(new)
        previous = new
    return out


class Plan:
    """The primitive operations a command will run, and what they touch (for verification and events)."""

    def __init__(self, tl: Timeline) -> None:
        self.tl = tl
        self.ops: list[Op] = []
        self.track_ids: list[str] = []
        self.layout = self.media = self.markers = self.story = False
        self._spliced: set[str] = set()
        self._ranges: dict[str, tuple[int, int]] = {}   # per track: the clips to check after running
        self._lists: dict[str, list[Clip]] = {}         # per track: its clips after the edit
        self._op_at: dict[str, int] = {}                # per track: where its splice is in ``ops``
        self._links: set[str] = set()                   # link groups the edit touches
        self._taken: set[str] = set()                   # tracks the edit removes
        self._before: dict[str, list[Clip]] = {}        # per track: its clips before the edit
        self._duration = 0                              # the timeline's duration before the edit

    def _touch(self, track_id: str) -> None:
        if track_id not in self.track_ids:
            self.track_ids.append(track_id)

    def set_clips(self, track: Track, clips: list[Clip]) -> None:
        """Make ``clips`` (sorted by start) the track's clip list; stores only the changed run."""
        if track.id in self._spliced:
            raise RuntimeError(f"set_clips called twice for track {track.id} in one command")
        self._spliced.add(track.id)
        if not self._before:
            self._duration = self.tl.duration
        self._before[track.id] = list(track.clips)
        clips = settled(clips)
        self._lists[track.id] = list(clips)
        op = self._splice(track, clips)
        if op is not None:
            self._op_at[track.id] = len(self.ops)
            self.ops.append(op)
        self._touch(track.id)

    def _splice(self, track: Track, clips: list[Clip]) -> SpliceClips | None:
        old = track.clips
        lo = 0
        while lo < len(old) and lo < len(clips) and old[lo] is clips[lo]:
            lo += 1
        hi_old, hi_new = len(old), len(clips)
        while hi_old > lo and hi_new > lo and old[hi_old - 1] is clips[hi_new - 1]:
            hi_old -= 1
            hi_new -= 1
        if not (hi_old > lo or hi_new > lo):
            return None
        self._ranges[track.id] = (lo, hi_new + 1)   # the new run and the cut after it
        self._links.update(c.link for c in (*old[lo:hi_old], *clips[lo:hi_new]) if c.link is not None)
        return SpliceClips(track.id, lo, tuple(old[lo:hi_old]), tuple(clips[lo:hi_new]))

    def finish(self) -> None:
        """Unlink a clip that the planned edit leaves alone in its link group (its partner deleted,
        overwritten or on a removed track), as part of the same edit so that undo links it again."""
        if not self._links:
            return
        members: dict[str, list[tuple[Track, Clip]]] = {}
        for t in self.tl.tracks:
            if t.id in self._taken:
                continue
            for c in self._lists.get(t.id, t.clips):
                if c.link in self._links:
                    members.setdefault(c.link, []).append((t, c))   # type: ignore[arg-type]
        for group in members.values():
            if len(group) != 1:
                continue
            track, lone = group[0]
            clips = [c.moved(link=None) if c is lone else c for c in self._lists.get(track.id, track.clips)]
            self._lists[track.id] = clips
            op = self._splice(track, clips)
            at = self._op_at.get(track.id)
            if at is not None and op is not None:
                self.ops[at] = op
            elif op is not None:
                self._op_at[track.id] = len(self.ops)
                self.ops.append(op)
            self._touch(track.id)

    def gap_name_ops(self) -> list[Op]:
        """Once the clip operations have run: move the names of gaps on the tracks whose clips changed to
        where those gaps are now (``gap_names.py``), or drop the ones whose gap is gone. Run as part of the
        edit, so undo puts the old names back."""
        ops: list[Op] = []
        duration = self.tl.duration
        for track_id, old_clips in self._before.items():
            track = next((t for t in self.tl.tracks if t.id == track_id), None)
            if track is None or not track.gap_names:
                continue
            names = followed_gap_names(track.gap_names, old_clips, self._duration, track.clips, duration)
            if names != track.gap_names:
                # A new dict, never an edit in place: undo puts the old dict object back.
                ops.append(SetTrackAttrs(track_id, (("gap_names", track.gap_names),), (("gap_names", names),)))
        return ops

    def put_track(self, track: Track, index: int) -> None:
        self.ops.append(PutTrack(track, index))
        self._touch(track.id)
        self.layout = True

    def take_track(self, track: Track, index: int) -> None:
        self.ops.append(TakeTrack(track, index))
        self._taken.add(track.id)
        self._links.update(c.link for c in track.clips if c.link is not None)
        self._touch(track.id)
        self.layout = True

    def shift_track(self, track: Track, old_index: int, new_index: int) -> None:
        if old_index != new_index:
            self.ops.append(ShiftTrack(track.kind, old_index, new_index))
        self._touch(track.id)
        self.layout = True

    def set_track_attrs(self, track: Track, **values: Any) -> None:
        old = tuple((k, getattr(track, k)) for k in values)
        self.ops.append(SetTrackAttrs(track.id, old, tuple(values.items())))
        self._touch(track.id)

    def set_media(self, media_id: str, new: MediaSource | None) -> None:
        keys = list(self.tl.media)
        position = keys.index(media_id) if media_id in self.tl.media else len(keys)
        self.ops.append(SetMedia(media_id, self.tl.media.get(media_id), new, position))
        self.media = True

    def set_master(self, volume: float) -> None:
        self.ops.append(SetMaster(self.tl.master_volume, volume))
        self.layout = True      # views redraw everything: the level of every sound changed

    def set_story(self, story: Story) -> None:
        """Make ``story`` the timeline's storyboard and cast (after any earlier set_story in this plan)."""
        current = self.ops[self._story_at].new if self.story else self.tl.story  # type: ignore[attr-defined]
        self._story_at = len(self.ops)
        self.ops.append(SetStory(current, story))
        self.story = True

    def put_marker(self, marker: Marker, index: int) -> None:
        self.ops.append(PutMarker(marker, index))
        self.markers = True

    def take_marker(self, marker: Marker, index: int) -> None:
        self.ops.append(TakeMarker(marker, index))
        self.markers = True

    def problems(self) -> list[str]:
        """The invariants the planned edit could have broken, checked after running it."""
        if self.media or self.layout:
            return self.tl.problems()
        found: list[str] = []
        for track_id in self.track_ids:
            lo, hi = self._ranges.get(track_id, (0, 0))
            found.extend(self.tl.track_problems(self.tl.track(track_id), lo, hi))
        found.extend(f"marker {m.name!r} is before zero ({m.frame})" for m in self.tl.markers if m.frame < 0)
        if self._links:
            found.extend(self.tl.link_problems(self._links))
        return found

    def change(self, label: str) -> Change:
        return Change(label, tuple(self.track_ids), layout=self.layout, media=self.media, markers=self.markers,
                      story=self.story)


# --- commands ---------------------------------------------------------------------------------------------


class Command(ABC):
    """One undoable edit. ``apply`` validates and performs it (or raises EditError, changing nothing);
    ``revert`` restores exactly the state before ``apply``. A reverted command can be applied again (redo).

    Commands keep every id they will create (split parts, new tracks) from construction, so a redo makes
    the same ids and later commands in a redo stack still find their clips.
    """

    label: str = "Edit"

    _ops: list[Op] | None = None
    _change: Change | None = None

    @property
    def applied(self) -> bool:
        return self._change is not None

    def apply(self, tl: Timeline) -> None:
        tl.emit(self._apply_quiet(tl))

    def revert(self, tl: Timeline) -> None:
        change = self._revert_quiet(tl)
        tl.emit(replace(change, undo=True))

    @abstractmethod
    def plan(self, tl: Timeline, p: Plan) -> None:
        """Validate against ``tl`` and add the operations to ``p``; raise EditError to refuse. Never mutate."""

    def _apply_quiet(self, tl: Timeline) -> Change:
        if self.applied:
            raise RuntimeError(f"{self.label}: already applied")
        p = Plan(tl)
        self.plan(tl, p)
        p.finish()
        done: list[Op] = []
        try:
            for op in p.ops:
                op.do(tl)
                done.append(op)
            for op in p.gap_name_ops():   # computed on the edited clips, so only once they are in place
                op.do(tl)
                done.append(op)
            problems = p.problems()
            if problems:
                raise EditError(f"{self.label} refused: {problems[0]}")
        except BaseException:
            for op in reversed(done):
                op.undo(tl)
            raise
        self._ops = done
        self._change = p.change(self.label)
        return self._change

    def _revert_quiet(self, tl: Timeline) -> Change:
        if self._ops is None or self._change is None:
            raise RuntimeError(f"{self.label}: not applied")
        for op in reversed(self._ops):
            op.undo(tl)
        change = self._change
        self._ops = self._change = None
        return change

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={v!r}" for k, v in vars(self).items() if not k.startswith("_"))
        return f"{type(self).__name__}({fields})"


# --- shared look-ups and checks ----------------------------------------------------------------------------


def track_id_of(track: str | Track) -> str:
    return track.id if isinstance(track, Track) else track


def track_name(track: Track) -> str:
    return track.name or track.id


def clip_name(clip: Clip) -> str:
    return f"clip {clip.name!r}" if clip.name else f"clip {clip.id}"


def media_name(media: MediaSource) -> str:
    return media.name or media.id


def get_track(tl: Timeline, track_id: str) -> Track:
    try:
        return tl.track(track_id)
    except KeyError:
        raise EditError(f"no track {track_id!r}") from None


def editable_track(tl: Timeline, track_id: str) -> Track:
    track = get_track(tl, track_id)
    refuse_locked(track)
    return track


def refuse_locked(track: Track) -> None:
    if track.locked:
        raise EditError(f"track {track_name(track)} is locked")


def find_clip(tl: Timeline, clip_id: str) -> tuple[Track, Clip]:
    try:
        return tl.find(clip_id)
    except KeyError:
        raise EditError(f"no clip {clip_id!r}") from None


def editable_clip(tl: Timeline, clip_id: str) -> tuple[Track, Clip]:
    track, clip = find_clip(tl, clip_id)
    refuse_locked(track)
    return track, clip


def editable_partners(tl: Timeline, clip: Clip) -> list[tuple[Track, Clip]]:
    """The clips linked to ``clip`` (edited with it); refused when one of them is on a locked track."""
    partners = tl.linked(clip)
    for track, other in partners:
        if track.locked:
            raise EditError(f"{clip_name(other)}, linked to {clip_name(clip)}, is on locked track "
                            f"{track_name(track)}")
    return partners


def with_partners(tl: Timeline, track: Track, clip: Clip, linked: bool) -> list[tuple[Track, Clip]]:
    """``(track, clip)`` first, then its linked clips when ``linked``."""
    return [(track, clip), *(editable_partners(tl, clip) if linked else [])]


def require_new_clip_id(tl: Timeline, clip_id: str) -> None:
    if not clip_id:
        raise EditError("a clip needs an id")
    if any(c.id == clip_id for _, c in tl.clips()):
        raise EditError(f"a clip with id {clip_id} is already on the timeline")


def require_frame(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise EditError(f"{what} must be a whole frame number, got {value!r}")
    return value


def require_volume(value: object, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        raise EditError(f"{what} must be a finite number of 0 or more, got {value!r}")
    return float(value)


def check_kind(tl: Timeline, track: Track, clip: Clip) -> None:
    """Refuse a clip that cannot play on this track: wrong kind, unknown media, no picture/sound for it."""
    where = f"{track.kind.value} track {track_name(track)}"
    if isinstance(clip, GeneratedClip):
        if clip.spec.is_audio and track.kind is not TrackKind.AUDIO:
            raise EditError(f"generated {clip.spec.kind} {clip_name(clip)} can only go on an audio track, not on "
                            f"{where}")
        if not clip.spec.is_audio and track.kind is not TrackKind.VIDEO:
            raise EditError(f"generated {clip_name(clip)} can only go on a video track, not on {where}")
        for take in clip.takes:
            if take.media_id not in tl.media:
                raise EditError(f"a take of {clip_name(clip)} refers to media {take.media_id!r}, not in the pool")
        if clip.active_take is not None and not 0 <= clip.active_take < len(clip.takes):
            raise EditError(f"{clip_name(clip)} has {len(clip.takes)} takes, no take {clip.active_take}")
        media = tl.media.get(clip.media_id() or "")
        if media is not None and not clip.spec.is_audio and not media.has_video:
            raise EditError(f"the active take of {clip_name(clip)} ({media_name(media)}) has no picture")
        if media is not None and clip.spec.is_audio and not media.has_audio:
            raise EditError(f"the active take of {clip_name(clip)} ({media_name(media)}) has no sound")
    elif isinstance(clip, MediaClip):
        media = tl.media.get(clip.media)
        if media is None:
            raise EditError(f"{clip_name(clip)} refers to media {clip.media!r}, not in the pool")
        if track.kind is TrackKind.VIDEO and not media.has_video:
            raise EditError(f"{clip_name(clip)} cannot go on {where}: {media_name(media)} has no picture")
        if track.kind is TrackKind.AUDIO and not media.has_audio:
            raise EditError(f"{clip_name(clip)} cannot go on {where}: {media_name(media)} has no sound")
    elif isinstance(clip, TextClip):
        if track.kind is not TrackKind.VIDEO:
            raise EditError(f"text {clip_name(clip)} can only go on a video track, not on {where}")
    else:
        raise EditError(f"{clip_name(clip)} is a {type(clip).__name__}: only media, generated and text clips go "
                        "on tracks")


def check_span(tl: Timeline, clip: Clip) -> None:
    """Refuse a clip with no length, before frame 0, or playing source frames its media lacks."""
    if clip.duration <= 0:
        raise EditError(f"{clip_name(clip)} would have length {clip.duration}: a clip needs at least one frame")
    if clip.start < 0:
        raise EditError(f"{clip_name(clip)} would start at frame {clip.start}, before the timeline starts")
    if clip.source_in < 0:
        raise EditError(f"{clip_name(clip)} would start {-clip.source_in} frames before the start of its media")
    limit = tl.media_frames(clip)
    if limit is not None and clip.source_in + clip.source_frames > limit:
        raise EditError(
            f"{clip_name(clip)} would play source frames {clip.source_in}..{clip.source_in + clip.source_frames} "
            f"but its media has {limit}"
        )


def check_clear(clips: list[Clip], clip: Clip, track: Track) -> None:
    """Refuse when ``clip`` overlaps one of ``clips`` (which must not contain it)."""
    for other in clips:
        if other.start < clip.end and other.end > clip.start:
            a, b = max(other.start, clip.start), min(other.end, clip.end)
            raise EditError(f"{clip_name(clip)} would overlap {clip_name(other)} on {track_name(track)} "
                            f"at frames {a}..{b}")


# --- clip arithmetic ----------------------------------------------------------------------------------------


def anchored(tl: Timeline, clip: Clip) -> bool:
    """Whether moving the clip's head moves its source_in too. Stills and pending generated segments have no
    source position to keep in step with (their source_in stays as it is, normally 0)."""
    if isinstance(clip, GeneratedClip) and clip.pending:
        return False
    return not tl.is_still(clip)


def head_source_in(tl: Timeline, clip: Clip, by: int) -> int:
    """``source_in`` once the clip's head moves by ``by`` frames (its end staying): the source frame that
    played there plays first. A reversed clip loses or gains the top of its range, so it keeps its
    ``source_in``; a freeze frame keeps its frame."""
    if not anchored(tl, clip) or clip.speed == 0 or clip.reverse:
        return clip.source_in
    return clip.source_in + math.floor(by * clip.speed)


def with_head(tl: Timeline, clip: Clip, start: int, **changes: Any) -> Clip:
    """The clip with its head moved to ``start`` (its end stays), source_in following when anchored; its
    keyframes stay on the frames they animate."""
    by = start - clip.start
    if isinstance(clip, TextClip) and clip.words and "words" not in changes:
        changes["words"] = words_within(clip.words, by, clip.end - start)
    return clip.moved(start=start, duration=clip.end - start, source_in=head_source_in(tl, clip, by),
                      transform=clip.transform.shifted(-by), gain=clip.gain.shifted(-by), **changes)


def words_within(words: tuple[tuple[str, int, int], ...], by: int, duration: int) -> tuple[tuple[str, int, int], ...]:
    """A caption's timed words after its head moved ``by`` frames: shifted to the new start, the ones outside
    the remaining ``duration`` dropped, the ones across an edge clamped."""
    out = []
    for word, a, b in words:
        a, b = max(0, a - by), min(duration, b - by)
        if b > a:
            out.append((word, a, b))
    return tuple(out)


def with_tail(clip: Clip, end: int) -> Clip:
    new = clip.moved(duration=end - clip.start)
    if isinstance(clip, TextClip) and clip.words:
        new = new.moved(words=words_within(clip.words, 0, new.duration))
    if clip.reverse and clip.speed != 0:
        # Played backwards, the tail shows the bottom of the source range: that end moves.
        new = new.moved(source_in=clip.source_in + clip.source_frames - new.source_frames)
    return new


def split_clip(tl: Timeline, clip: Clip, at: int, right_id: str) -> tuple[Clip, Clip]:
    """The two halves of a razor cut: the head's transition and fade-in stay on the left, the fade-out goes
    right, and a cut (no transition) joins them."""
    return (with_tail(clip, at).moved(fade_out=0),
            with_head(tl, clip, at, id=right_id, transition=None, fade_in=0))


def shifted(clip: Clip, by: int) -> Clip:
    return clip.moved(start=clip.start + by) if by else clip


def clear_range(tl: Timeline, clips: list[Clip], start: int, end: int, split_id: str) -> list[Clip]:
    """``clips`` with [start, end) emptied: covered clips removed, partly covered ones trimmed, and one that
    spans the whole range split in two (its right part gets ``split_id``)."""
    out: list[Clip] = []
    for c in clips:
        if c.end <= start or c.start >= end:
            out.append(c)
        elif c.start < start and c.end > end:
            require_new_clip_id(tl, split_id)
            # The right part is a new clip: its link group already has a clip on this track.
            out += [with_tail(c, start), with_head(tl, c, end, id=split_id, link=None)]
        elif c.start < start:
            out.append(with_tail(c, start))
        elif c.end > end:
            out.append(with_head(tl, c, end))
    return out


def placed(clips: list[Clip], clip: Clip) -> list[Clip]:
    """``clips`` (sorted, clear of ``clip``) with ``clip`` put in order."""
    i = 0
    while i < len(clips) and clips[i].start < clip.start:
        i += 1
    return [*clips[:i], clip, *clips[i:]]
