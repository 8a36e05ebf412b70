"""The primitive operations a command is made of: each changes one thing and knows its exact inverse."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from editor.model.clips import Clip
from editor.model.media import MediaSource
from editor.model.story import Story
from editor.model.timeline import Marker, Timeline, Track, TrackKind


class Op(Protocol):
    def do(self, tl: Timeline) -> None: ...

    def undo(self, tl: Timeline) -> None: ...


@dataclass(frozen=True)
class SpliceClips:
    """Replace ``old`` (found at index ``lo`` of a track's clip list) by ``new``."""

    track_id: str
    lo: int
    old: tuple[Clip, ...]
    new: tuple[Clip, ...]

    def do(self, tl: Timeline) -> None:
        tl.track(self.track_id).clips[self.lo:self.lo + len(self.old)] = self.new

    def undo(self, tl: Timeline) -> None:
        tl.track(self.track_id).clips[self.lo:self.lo + len(self.new)] = self.old


def _track_list(tl: Timeline, kind: TrackKind) -> list[Track]:
    return tl.video_tracks if kind is TrackKind.VIDEO else tl.audio_tracks


@dataclass(frozen=True)
class PutTrack:
    track: Track
    index: int

    def do(self, tl: Timeline) -> None:
        _track_list(tl, self.track.kind).insert(self.index, self.track)

    def undo(self, tl: Timeline) -> None:
        removed = _track_list(tl, self.track.kind).pop(self.index)
        assert removed is self.track


@dataclass(frozen=True)
class TakeTrack:
    track: Track
    index: int

    def do(self, tl: Timeline) -> None:
        PutTrack(self.track, self.index).undo(tl)

    def undo(self, tl: Timeline) -> None:
        PutTrack(self.track, self.index).do(tl)


@dataclass(frozen=True)
class ShiftTrack:
    kind: TrackKind
    old_index: int
    new_index: int

    def do(self, tl: Timeline) -> None:
        tracks = _track_list(tl, self.kind)
        tracks.insert(self.new_index, tracks.pop(self.old_index))

    def undo(self, tl: Timeline) -> None:
        tracks = _track_list(tl, self.kind)
        tracks.insert(self.old_index, tracks.pop(self.new_index))


@dataclass(frozen=True)
class SetTrackAttrs:
    track_id: str
    old: tuple[tuple[str, Any], ...]
    new: tuple[tuple[str, Any], ...]

    def do(self, tl: Timeline) -> None:
        track = tl.track(self.track_id)
        for name, value in self.new:
            setattr(track, name, value)

    def undo(self, tl: Timeline) -> None:
        track = tl.track(self.track_id)
        for name, value in self.old:
            setattr(track, name, value)


@dataclass(frozen=True)
class SetMedia:
    """Put (old None), replace, or remove (new None) one pool entry; undo restores the pool's order exactly."""

    media_id: str
    old: MediaSource | None
    new: MediaSource | None
    position: int   # where the old entry sits in the pool's order

    @staticmethod
    def _set(tl: Timeline, media_id: str, value: MediaSource | None, position: int) -> None:
        if value is None:
            del tl.media[media_id]
        elif media_id in tl.media or position >= len(tl.media):
            tl.media[media_id] = value
        else:   # put back where it was
            items = list(tl.media.items())
            items.insert(position, (media_id, value))
            tl.media.clear()
            tl.media.update(items)

    def do(self, tl: Timeline) -> None:
        self._set(tl, self.media_id, self.new, self.position)

    def undo(self, tl: Timeline) -> None:
        self._set(tl, self.media_id, self.old, self.position)


@dataclass(frozen=True)
class SetMaster:
    old: float
    new: float

    def do(self, tl: Timeline) -> None:
        tl.master_volume = self.new

    def undo(self, tl: Timeline) -> None:
        tl.master_volume = self.old


@dataclass(frozen=True)
class PutMarker:
    marker: Marker
    index: int

    def do(self, tl: Timeline) -> None:
        tl.markers.insert(self.index, self.marker)

    def undo(self, tl: Timeline) -> None:
        tl.markers.pop(self.index)


@dataclass(frozen=True)
class TakeMarker:
    marker: Marker
    index: int

    def do(self, tl: Timeline) -> None:
        tl.markers.pop(self.index)

    def undo(self, tl: Timeline) -> None:
        tl.markers.insert(self.index, self.marker)




@dataclass(frozen=True)
class SetStory:
    """Replace the storyboard and cast record (``Timeline.story``)."""

    old: Story
    new: Story

    def do(self, tl: Timeline) -> None:
        tl.story = self.new

    def undo(self, tl: Timeline) -> None:
        tl.story = self.old
