"""Where media from the bin goes on the timeline: a video with sound as its picture on a video track and its
sound, linked, on a free audio track (a new one when none is free); anything else as one clip."""

from __future__ import annotations

from editor.model.clips import Clip, GeneratedClip, MediaClip
from editor.model.commands.base import Command
from editor.model.commands.history import Group
from editor.model.commands.placing import Place
from editor.model.commands.structure import AddTrack
from editor.model.media import MediaSource
from editor.model.timeline import Timeline, Track, TrackKind, new_id


def free_audio_track(tl: Timeline, start: int, end: int) -> Track | None:
    """The first unlocked audio track with nothing on frames [start, end), if any."""
    return next((t for t in tl.audio_tracks if not t.locked and not t.clips_in(start, end)), None)


def place_media(tl: Timeline, media: MediaSource, track: Track, at: int, *, insert: bool = False,
                length: int | None = None) -> tuple[Command, MediaClip]:
    """The command that puts ``media`` at frame ``at`` on ``track`` (over what is there, or pushing it right
    with ``insert``), and the clip it puts on ``track``. ``length`` defaults to the whole media (five seconds
    for a still). The command is refused, when applied, like any edit (locked track, wrong kind, ...)."""
    frames = length or media.duration_frames(tl.fps) or int(5 * tl.fps)
    clip = MediaClip(new_id("c"), at, max(1, frames), media=media.id, name=media.name)
    if track.kind is not TrackKind.VIDEO or not (media.has_video and media.has_audio):
        return Place(track, clip, at, insert=insert), clip
    sound = free_audio_track(tl, at, at + clip.duration)
    if sound is not None:
        return Place(track, clip, at, sound_track=sound, insert=insert), clip
    add = AddTrack(TrackKind.AUDIO)
    place = Place(track, clip, at, sound_track=add.track_id, insert=insert)
    return Group(place.label, [add, place]), clip


def clips_using(tl: Timeline, media: MediaSource) -> list[tuple[Track, Clip]]:
    """The clips that play ``media`` or hold a take of it (what keeps it in the pool)."""
    return [(t, c) for t, c in tl.clips()
            if c.media_id() == media.id
            or (isinstance(c, GeneratedClip) and any(take.media_id == media.id for take in c.takes))]
