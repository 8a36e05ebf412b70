"""What on a timeline needs generating: generated clips without a ready take, and (on request) gaps.

A generated clip is *pending* when it has no active take, or its active take's file is offline (it cannot
play, so it is made again: with the recorded spec, an identical request is a cache hit).

Gaps are the empty stretches of a video track: from frame 0 (or the end of the previous clip) to the next
clip, and after the last clip up to the end of the picture (the last frame any video track shows). By
default only the bottom video track's gaps are filled: the gaps of tracks above it are usually meant (an
overlay that comes and goes), and filling them would cover the picture underneath. Pass ``gap_tracks`` to
fill others. Each gap becomes a new :class:`GeneratedClip` (not yet on the timeline) with the caller's prompt.

The neighbours of a segment are the clips whose pictures come just before and just after it, for
conditioning images: on the same track the clip that ends where the segment starts (starts where it ends);
where there is none, the topmost visible clip on a lower video track at that frame (what the viewer shows
under the segment's edge). Only neighbours that can show a picture (a media clip, or a generated clip with
a ready take, with online media that has video) count.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from editor.model import Clip, GeneratedClip, GenerationSpec, Timeline, Track, new_id
from editor.model.time import timecode


@dataclass(frozen=True)
class PendingSegment:
    """A segment to generate: the clip (for a gap, a new one not on the timeline yet) and its neighbours."""

    track_id: str
    clip: GeneratedClip
    is_gap: bool = False
    previous: Clip | None = None   # the clip whose last frame comes just before
    next: Clip | None = None       # the clip whose first frame comes just after

    @property
    def key(self) -> str:
        return self.clip.id

    def label(self, timeline: Timeline) -> str:
        what = self.clip.name or self.clip.spec.prompt or ("gap" if self.is_gap else self.clip.id)
        if len(what) > 40:
            what = what[:37] + "..."
        return f"{what!r} at {timecode(self.clip.start, timeline.fps)}"

    def distance_from(self, playhead: int) -> int:
        """Frames from the playhead to the segment (0 inside it; negative when the segment is behind it)."""
        if playhead < self.clip.start:
            return self.clip.start - playhead
        if playhead >= self.clip.end:
            return -(playhead - self.clip.end + 1)
        return 0


def is_ready(timeline: Timeline, clip: Clip) -> bool:
    """True when the clip can show a picture now: its media is in the pool, online, with video."""
    media_id = clip.media_id()
    media = timeline.media.get(media_id) if media_id is not None else None
    return media is not None and media.online and media.has_video


def needs_generation(timeline: Timeline, clip: Clip) -> bool:
    return isinstance(clip, GeneratedClip) and not is_ready(timeline, clip)


def _ready_at(timeline: Timeline, track: Track, frame: int, *, ending: bool) -> Clip | None:
    """The neighbour at ``frame`` on ``track`` or, failing that, the topmost visible clip below it."""
    if frame < 0:
        return None
    same = track.clip_at(frame)
    if same is not None and (same.end == frame + 1 if ending else same.start == frame):
        return same if is_ready(timeline, same) else None
    if same is not None:   # a clip on this track overlaps the edge but does not touch it: not a neighbour
        return None
    below = timeline.video_tracks[:_track_index(timeline, track)]
    for lower in reversed(below):
        if lower.hidden:
            continue
        clip = lower.clip_at(frame)
        if clip is not None:
            return clip if is_ready(timeline, clip) else None
    return None


def _track_index(timeline: Timeline, track: Track) -> int:
    for i, t in enumerate(timeline.video_tracks):
        if t.id == track.id:
            return i
    return 0


def neighbours(timeline: Timeline, track: Track, start: int, end: int) -> tuple[Clip | None, Clip | None]:
    """(previous, next) picture neighbours of the range [start, end) on ``track``."""
    return (_ready_at(timeline, track, start - 1, ending=True), _ready_at(timeline, track, end, ending=False))


def picture_end(timeline: Timeline) -> int:
    return max((t.end for t in timeline.video_tracks), default=0)


def find_pending(timeline: Timeline, include_gaps: bool = False, *, gap_prompt: str = "",
                 gap_spec: GenerationSpec | None = None, gap_tracks: Iterable[str] | None = None,
                 playhead: int | None = None) -> list[PendingSegment]:
    """Every generated clip without a ready take and, with ``include_gaps``, every gap (see the module doc)
    as a new generated clip with ``gap_spec`` (or a spec with ``gap_prompt``).

    In timeline order (track by track, then by start) or, with ``playhead``, nearest to it first.
    """
    found: list[PendingSegment] = []
    for track in timeline.video_tracks:
        for clip in track.clips:
            if needs_generation(timeline, clip):
                assert isinstance(clip, GeneratedClip)
                prev, nxt = neighbours(timeline, track, clip.start, clip.end)
                found.append(PendingSegment(track.id, clip, False, prev, nxt))
    if include_gaps and timeline.video_tracks:
        spec = gap_spec or GenerationSpec(prompt=gap_prompt)
        wanted = [timeline.video_tracks[0].id] if gap_tracks is None else list(gap_tracks)
        until = picture_end(timeline)
        for track_id in wanted:
            track = timeline.track(track_id)
            for start, end in track.gaps(until=until):
                clip = GeneratedClip(new_id("g"), start, end - start, spec=spec, name="")
                prev, nxt = neighbours(timeline, track, start, end)
                found.append(PendingSegment(track.id, clip, True, prev, nxt))
    if playhead is not None:
        found.sort(key=lambda s: (abs(s.distance_from(playhead)), s.distance_from(playhead) < 0))
    return found


def pending_labels(timeline: Timeline, segments: Iterable[PendingSegment]) -> list[str]:
    return [s.label(timeline) for s in segments]
