"""Edits around the clips: the media pool, tracks and their flags, markers."""

from __future__ import annotations

from typing import Any

from editor.model.commands.base import (
    Command,
    EditError,
    Plan,
    clip_name,
    get_track,
    media_name,
    refuse_locked,
    require_frame,
    require_volume,
    track_id_of,
    track_name,
)
from editor.model.media import MediaSource
from editor.model.timeline import Marker, Timeline, Track, TrackKind, new_id

# --- media pool -------------------------------------------------------------------------------------------


def _check_media(media: object) -> MediaSource:
    if not isinstance(media, MediaSource):
        raise EditError(f"not a media source: {media!r}")
    if not media.id:
        raise EditError(f"media {media.path!r} needs an id")
    if media.duration is not None and media.duration < 0:
        raise EditError(f"media {media_name(media)} has negative duration {media.duration}")
    return media


def _users(tl: Timeline, media_id: str) -> list[str]:
    from editor.model.clips import GeneratedClip

    return [clip_name(c) for _, c in tl.clips()
            if c.media_id() == media_id
            or (isinstance(c, GeneratedClip) and any(t.media_id == media_id for t in c.takes))]


class AddMedia(Command):
    """Put a media source in the pool."""

    label = "Import media"

    def __init__(self, media: MediaSource):
        self.media = media

    def plan(self, tl: Timeline, p: Plan) -> None:
        media = _check_media(self.media)
        if media.id in tl.media:
            raise EditError(f"media {media.id} ({media_name(tl.media[media.id])}) is already in the pool")
        p.set_media(media.id, media)


class RemoveMedia(Command):
    """Take a media source out of the pool; refused while any clip or take uses it."""

    label = "Remove media"

    def __init__(self, media_id: str):
        self.media_id = media_id

    def plan(self, tl: Timeline, p: Plan) -> None:
        media = tl.media.get(self.media_id)
        if media is None:
            raise EditError(f"no media {self.media_id!r} in the pool")
        users = _users(tl, self.media_id)
        if users:
            more = f" and {len(users) - 3} more" if len(users) > 3 else ""
            raise EditError(f"media {media_name(media)} is used by {len(users)} clip{'s' * (len(users) > 1)}: "
                            f"{', '.join(users[:3])}{more}")
        p.set_media(self.media_id, None)


class ReplaceMedia(Command):
    """Replace a pool entry by one with the same id (relink to a new path, refreshed facts after probing).
    Refused if a clip using it would no longer fit (shorter media, no picture for a video track, ...)."""

    label = "Relink media"

    def __init__(self, media: MediaSource):
        self.media = media

    def plan(self, tl: Timeline, p: Plan) -> None:
        media = _check_media(self.media)
        if media.id not in tl.media:
            raise EditError(f"no media {media.id!r} in the pool to replace")
        p.set_media(media.id, media)   # clips that no longer fit are caught by the check after running


# --- tracks -----------------------------------------------------------------------------------------------


def _kind(kind: str | TrackKind) -> TrackKind:
    try:
        return TrackKind(kind)
    except ValueError:
        raise EditError(f"a track is 'video' or 'audio', not {kind!r}") from None


def _tracks_of(tl: Timeline, kind: TrackKind) -> list[Track]:
    return tl.video_tracks if kind is TrackKind.VIDEO else tl.audio_tracks


def _index(value: object, size: int, what: str) -> int:
    index = require_frame(value, what)
    if not 0 <= index <= size:
        raise EditError(f"{what} {index} is out of range 0..{size}")
    return index


class AddTrack(Command):
    """Add an empty video or audio track at ``index`` among its kind (default: last, i.e. the top video
    layer or the bottom audio track). Its id is ``track_id`` or made now; its name defaults to V<n>/A<n>."""

    label = "Add track"

    def __init__(self, kind: str | TrackKind, index: int | None = None, *, name: str | None = None,
                 track_id: str | None = None):
        self.kind = kind
        self.index = index
        self.name = name
        self.track_id = track_id or new_id("v" if str(kind) == "video" else "a")

    def plan(self, tl: Timeline, p: Plan) -> None:
        kind = _kind(self.kind)
        tracks = _tracks_of(tl, kind)
        index = len(tracks) if self.index is None else _index(self.index, len(tracks), "track position")
        if any(t.id == self.track_id for t in tl.tracks):
            raise EditError(f"a track with id {self.track_id} already exists")
        name = self.name
        if name is None:
            used = {t.name for t in tracks}
            n = len(tracks) + 1
            while f"{kind.value[0].upper()}{n}" in used:
                n += 1
            name = f"{kind.value[0].upper()}{n}"
        p.put_track(Track(self.track_id, kind, name), index)


class RemoveTrack(Command):
    """Remove a track and the clips on it; refused when it is locked."""

    label = "Remove track"

    def __init__(self, track: str | Track):
        self.track_id = track_id_of(track)

    def plan(self, tl: Timeline, p: Plan) -> None:
        track = get_track(tl, self.track_id)
        refuse_locked(track)
        p.take_track(track, _tracks_of(tl, track.kind).index(track))


class MoveTrack(Command):
    """Reorder a track among its kind (video index 0 is the bottom layer). Allowed on locked tracks: their
    clips do not change."""

    label = "Move track"

    def __init__(self, track: str | Track, index: int):
        self.track_id = track_id_of(track)
        self.index = index

    def plan(self, tl: Timeline, p: Plan) -> None:
        track = get_track(tl, self.track_id)
        tracks = _tracks_of(tl, track.kind)
        index = _index(self.index, len(tracks) - 1, "track position")
        p.shift_track(track, tracks.index(track), index)


class SetTrackFlags(Command):
    """Set a track's ``hidden``, ``muted``, ``locked``, ``solo``, ``captions``, ``volume`` or ``name`` (None: leave
    as is). Allowed on
    locked tracks, so that they can be unlocked."""

    label = "Set track flags"

    def __init__(self, track: str | Track, *, hidden: bool | None = None, muted: bool | None = None,
                 locked: bool | None = None, volume: float | None = None, name: str | None = None,
                 solo: bool | None = None, captions: bool | None = None):
        self.track_id = track_id_of(track)
        self.values: dict[str, Any] = {k: v for k, v in
                                       dict(hidden=hidden, muted=muted, locked=locked, volume=volume, name=name,
                                            solo=solo, captions=captions)
                                       .items() if v is not None}
        if len(self.values) == 1:
            (key, value), = self.values.items()
            self.label = {
                ("hidden", True): "Hide track", ("hidden", False): "Show track",
                ("muted", True): "Mute track", ("muted", False): "Unmute track",
                ("locked", True): "Lock track", ("locked", False): "Unlock track",
                ("solo", True): "Solo track", ("solo", False): "Unsolo track",
            }.get((key, value), "Rename track" if key == "name" else "Set track volume" if key == "volume"
                  else self.label)

    def plan(self, tl: Timeline, p: Plan) -> None:
        track = get_track(tl, self.track_id)
        for key in ("hidden", "muted", "locked", "solo", "captions"):
            if key in self.values and not isinstance(self.values[key], bool):
                raise EditError(f"track flag {key} is true or false, got {self.values[key]!r}")
        if "volume" in self.values:
            require_volume(self.values["volume"], f"the volume of track {track_name(track)}")
        if "name" in self.values and not isinstance(self.values["name"], str):
            raise EditError(f"a track name is text, got {self.values['name']!r}")
        p.set_track_attrs(track, **self.values)


# --- markers ----------------------------------------------------------------------------------------------


def _marker_index(tl: Timeline, marker: Marker | int) -> int:
    for i, m in enumerate(tl.markers):
        if m == marker or (isinstance(marker, int) and m.frame == marker):
            return i
    if isinstance(marker, Marker):
        raise EditError(f"no marker {marker.name!r} at frame {marker.frame}")
    raise EditError(f"no marker at frame {marker}")


def _check_marker(marker: object) -> Marker:
    if not isinstance(marker, Marker):
        raise EditError(f"not a marker: {marker!r}")
    frame = require_frame(marker.frame, "a marker's frame")
    if frame < 0:
        raise EditError(f"a marker cannot sit before the timeline starts (frame {frame})")
    return marker


def _sorted_position(tl: Timeline, marker: Marker) -> int:
    i = 0
    while i < len(tl.markers) and tl.markers[i].frame <= marker.frame:
        i += 1
    return i


class SetMasterVolume(Command):
    """Set the level of the whole mix (linear gain, 1 = as mixed), as a master track's fader."""

    label = "Set master volume"

    def __init__(self, volume: float):
        self.volume = volume

    def plan(self, tl: Timeline, p: Plan) -> None:
        p.set_master(require_volume(self.volume, "the master volume"))


class AddMarker(Command):
    """Add a marker (the list stays in frame order)."""

    label = "Add marker"

    def __init__(self, marker: Marker):
        self.marker = marker

    def plan(self, tl: Timeline, p: Plan) -> None:
        marker = _check_marker(self.marker)
        p.put_marker(marker, _sorted_position(tl, marker))


class RemoveMarker(Command):
    """Remove a marker: the given one, or the first at the given frame."""

    label = "Remove marker"

    def __init__(self, marker: Marker | int):
        self.marker = marker

    def plan(self, tl: Timeline, p: Plan) -> None:
        i = _marker_index(tl, self.marker)
        p.take_marker(tl.markers[i], i)


class EditMarker(Command):
    """Change a marker (the given one, or the first at the given frame): ``frame``, ``name`` or ``color``."""

    label = "Edit marker"

    def __init__(self, marker: Marker | int, **changes: Any):
        self.marker = marker
        self.changes = changes

    def plan(self, tl: Timeline, p: Plan) -> None:
        i = _marker_index(tl, self.marker)
        old = tl.markers[i]
        unknown = set(self.changes) - {"frame", "name", "color"}
        if unknown:
            raise EditError(f"a marker has a frame, a name and a color, not {', '.join(sorted(unknown))}")
        new = _check_marker(Marker(**{"frame": old.frame, "name": old.name, "color": old.color, **self.changes}))
        p.take_marker(old, i)
        rest = [m for j, m in enumerate(tl.markers) if j != i]
        j = 0
        while j < len(rest) and rest[j].frame <= new.frame:
            j += 1
        p.put_marker(new, j)
