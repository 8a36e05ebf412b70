"""The timeline: settings, the media pool, video and audio tracks, markers, and their invariants.

Edits go through the command objects in ``editor.model.commands``; views subscribe to change events.
"""

from __future__ import annotations

import bisect
import math
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from enum import StrEnum
from fractions import Fraction

from editor.model.clips import Clip, Fit, GeneratedClip, MediaClip, TextClip
from editor.model.effects import speed_problem
from editor.model.media import MediaKind, MediaSource
from editor.model.story import Story


class TrackKind(StrEnum):
    VIDEO = "video"
    AUDIO = "audio"


@dataclass(frozen=True)
class Settings:
    """Canvas size, exact frame rate and audio sample rate of the project."""

    width: int = 1080
    height: int = 1920
    fps: Fraction = Fraction(30)
    sample_rate: int = 48000

    def __post_init__(self) -> None:
        if self.width <= 0 or self.height <= 0:
            raise ValueError(f"canvas size must be positive, got {self.width}x{self.height}")
        if not isinstance(self.fps, Fraction) or self.fps <= 0:
            raise ValueError(f"frame rate must be a positive Fraction, got {self.fps!r}")
        if self.sample_rate <= 0:
            raise ValueError(f"sample rate must be positive, got {self.sample_rate}")


@dataclass(frozen=True)
class Marker:
    frame: int
    name: str = ""
    color: str = "#e0a030"


@dataclass
class Track:
    """Clips on a track never overlap and are kept sorted by start. The spaces between them are gaps."""

    id: str
    kind: TrackKind
    name: str = ""
    clips: list[Clip] = field(default_factory=list)
    hidden: bool = False   # video not drawn (video tracks)
    muted: bool = False    # sound not mixed
    locked: bool = False   # edits refused
    volume: float = 1.0
    solo: bool = False     # while any track is soloed, only soloed tracks sound
    captions: bool = False  # a caption track (video): its text clips are the cues written as .srt on export
    # Names of gaps, keyed by the frame where the named gap starts (an OTIO Gap's name, such as a slug). A gap
    # has no object of its own (it is the space between clips): every edit that replaces a track's clips moves
    # the names with the clips after them, or drops those whose gap is gone (editor.model.commands.gap_names).
    gap_names: dict[int, str] = field(default_factory=dict)

    def index_of(self, clip_id: str) -> int:
        for i, clip in enumerate(self.clips):
            if clip.id == clip_id:
                return i
        raise KeyError(clip_id)

    def add(self, clip: Clip) -> None:
        starts = [c.start for c in self.clips]
        self.clips.insert(bisect.bisect_right(starts, clip.start), clip)

    def remove(self, clip_id: str) -> Clip:
        return self.clips.pop(self.index_of(clip_id))

    def clip_at(self, frame: int) -> Clip | None:
        starts = [c.start for c in self.clips]
        i = bisect.bisect_right(starts, frame) - 1
        if i >= 0 and self.clips[i].start <= frame < self.clips[i].end:
            return self.clips[i]
        return None

    def clips_in(self, start: int, end: int) -> list[Clip]:
        """Clips that overlap [start, end)."""
        return [c for c in self.clips if c.start < end and c.end > start]

    def gaps(self, until: int | None = None) -> list[tuple[int, int]]:
        """Empty ranges [start, end) between clips (and up to ``until`` after the last one)."""
        result: list[tuple[int, int]] = []
        cursor = 0
        for clip in self.clips:
            if clip.start > cursor:
                result.append((cursor, clip.start))
            cursor = max(cursor, clip.end)
        if until is not None and until > cursor:
            result.append((cursor, until))
        return result

    @property
    def end(self) -> int:
        return max((c.end for c in self.clips), default=0)


class InvariantError(AssertionError):
    """The timeline broke one of its rules: a bug in an edit, never the user's fault."""


@dataclass(frozen=True)
class Change:
    """What changed, for views: a command's label and the tracks whose clips or flags it touched.

    ``layout``: tracks were added, removed or reordered; ``media``: the pool changed; ``markers``: markers
    changed; ``undo``: this is a command being reverted (the label is the reverted command's).
    """

    label: str
    track_ids: tuple[str, ...] = ()
    layout: bool = False
    media: bool = False
    markers: bool = False
    undo: bool = False
    story: bool = False   # the storyboard or the cast changed


Listener = Callable[[Change], None]


@dataclass(eq=False)
class Timeline:
    settings: Settings = field(default_factory=Settings)
    media: dict[str, MediaSource] = field(default_factory=dict)
    video_tracks: list[Track] = field(default_factory=list)   # index 0 is the bottom layer
    audio_tracks: list[Track] = field(default_factory=list)
    markers: list[Marker] = field(default_factory=list)
    master_volume: float = 1.0   # the whole mix's level (linear gain), as a master track's fader
    story: Story = field(default_factory=Story)   # the storyboard and the cast (editor.model.story)
    # Frames the timeline lasts at least: the end of a trailing gap (black and silence after the last clip), as
    # an OTIO timeline from another editor may end. 0 when the timeline ends with its last clip. The timeline's
    # ``duration`` is the larger of this and the end of the content; see ``DropTrailingGap``.
    length: int = 0
    _listeners: list[Listener] = field(default_factory=list, repr=False)

    # --- construction -------------------------------------------------------------------------------

    @classmethod
    def empty(cls, settings: Settings | None = None, video_tracks: int = 1, audio_tracks: int = 1) -> Timeline:
        tl = cls(settings=settings or Settings())
        for i in range(video_tracks):
            tl.video_tracks.append(Track(new_id("v"), TrackKind.VIDEO, f"V{i + 1}"))
        for i in range(audio_tracks):
            tl.audio_tracks.append(Track(new_id("a"), TrackKind.AUDIO, f"A{i + 1}"))
        return tl

    # --- queries --------------------------------------------------------------------------------------

    @property
    def fps(self) -> Fraction:
        return self.settings.fps

    @property
    def tracks(self) -> list[Track]:
        return [*self.video_tracks, *self.audio_tracks]

    def track(self, track_id: str) -> Track:
        for t in self.tracks:
            if t.id == track_id:
                return t
        raise KeyError(f"no track {track_id!r}")

    def find(self, clip_id: str) -> tuple[Track, Clip]:
        for t in self.tracks:
            for c in t.clips:
                if c.id == clip_id:
                    return t, c
        raise KeyError(f"no clip {clip_id!r}")

    def clips(self) -> Iterator[tuple[Track, Clip]]:
        for t in self.tracks:
            for c in t.clips:
                yield t, c

    @property
    def content_end(self) -> int:
        """Frames up to the end of the last clip on any track."""
        return max((t.end for t in self.tracks), default=0)

    @property
    def duration(self) -> int:
        """Frames the timeline lasts: the end of its last clip, or its ``length`` when that is later (a trailing
        gap). The render plan, the preview and the ruler all run to here."""
        return max(self.content_end, self.length)

    def media_frames(self, clip: Clip) -> int | None:
        """Length of the clip's media in timeline frames; None when unbounded (stills, pending segments)."""
        media_id = clip.media_id()
        if media_id is None or media_id not in self.media:
            return None
        return self.media[media_id].duration_frames(self.fps)

    def is_still(self, clip: Clip) -> bool:
        """True when the clip shows a still image: any length is fine and its source_in stays 0."""
        media = self.media.get(clip.media_id() or "")
        return media is not None and media.kind is MediaKind.IMAGE

    def pending_segments(self) -> list[GeneratedClip]:
        return [c for _, c in self.clips() if isinstance(c, GeneratedClip) and c.pending]

    def linked(self, clip: Clip) -> list[tuple[Track, Clip]]:
        """The other clips of ``clip``'s link group, with their tracks (empty when it is not linked)."""
        if clip.link is None:
            return []
        return [(t, c) for t, c in self.clips() if c.link == clip.link and c.id != clip.id]

    def offline_media(self) -> list[MediaSource]:
        return [m for m in self.media.values() if not m.online]

    # --- invariants -----------------------------------------------------------------------------------

    def problems(self) -> list[str]:
        """Every broken rule, described. Empty when the timeline is consistent."""
        found: list[str] = []
        for key, media in self.media.items():
            if media.id != key:
                found.append(f"media {media.id} is filed under {key!r}")
            if media.duration is not None and media.duration < 0:
                found.append(f"media {media.id} has negative duration {media.duration}")
        ids: set[str] = set()
        track_ids: set[str] = set()
        listed = [(TrackKind.VIDEO, t) for t in self.video_tracks] + [(TrackKind.AUDIO, t) for t in self.audio_tracks]
        for expected, t in listed:
            if t.id in track_ids:
                found.append(f"duplicate track id {t.id}")
            track_ids.add(t.id)
            if t.kind is not expected:
                found.append(f"track {t.id} is {t.kind.value} but listed as {expected.value}")
            for c in t.clips:
                if c.id in ids:
                    found.append(f"duplicate clip id {c.id}")
                ids.add(c.id)
            found.extend(self.track_problems(t))
        if not _valid_volume(self.master_volume):
            found.append(f"master volume is {self.master_volume}")
        if isinstance(self.length, bool) or not isinstance(self.length, int) or self.length < 0:
            found.append(f"timeline length is {self.length!r}")
        for m in self.markers:
            if m.frame < 0:
                found.append(f"marker {m.name!r} is before zero ({m.frame})")
        found.extend(self.link_problems())
        return found

    def link_problems(self, links: set[str] | None = None) -> list[str]:
        """Broken rules of link groups (all, or those named): a group holds two clips or more, at most one
        per track, so "the linked clip on that track" is always one clip."""
        members: dict[str, list[tuple[Track, Clip]]] = {}
        for t, c in self.clips():
            if c.link is not None and (links is None or c.link in links):
                members.setdefault(c.link, []).append((t, c))
        found: list[str] = []
        for link, group in members.items():
            if len(group) < 2:
                found.append(f"clip {group[0][1].id} is the only clip of link group {link}")
            tracks = [t.id for t, _ in group]
            for track_id in sorted({t for t in tracks if tracks.count(t) > 1}):
                found.append(f"link group {link} has more than one clip on track {track_id}")
        return found

    def track_problems(self, track: Track, lo: int = 0, hi: int | None = None) -> list[str]:
        """Broken rules within one track: lengths, order, overlaps, media ranges and kinds, volumes.

        ``lo``/``hi`` limit the clip checks to ``track.clips[lo:hi]`` (and the cut before ``lo``)."""
        found: list[str] = []
        if not _valid_volume(track.volume):
            found.append(f"track {track.id} has volume {track.volume}")
        if not isinstance(track.gap_names, dict):
            found.append(f"track {track.id} has gap names {track.gap_names!r}")
        else:
            for frame, gap_name in track.gap_names.items():
                if isinstance(frame, bool) or not isinstance(frame, int) or frame < 0 or not isinstance(gap_name, str):
                    found.append(f"track {track.id} has a gap name {gap_name!r} at {frame!r}")
        lo = max(lo, 0)
        previous: Clip | None = track.clips[lo - 1] if 0 < lo <= len(track.clips) else None
        for c in track.clips[lo:hi]:
            if c.duration <= 0:
                found.append(f"clip {c.id} has length {c.duration}")
            if c.start < 0:
                found.append(f"clip {c.id} starts before zero ({c.start})")
            if c.source_in < 0:
                found.append(f"clip {c.id} source in before zero ({c.source_in})")
            if not _valid_volume(c.volume):
                found.append(f"clip {c.id} has volume {c.volume}")
            if c.link is not None and (not isinstance(c.link, str) or not c.link):
                found.append(f"clip {c.id} has link {c.link!r}")
            if c.sound_detached and track.kind is not TrackKind.VIDEO:
                found.append(f"clip {c.id} on audio track {track.id} has its sound detached")
            if previous is not None and c.start < previous.end:
                found.append(f"clips {previous.id} and {c.id} overlap on track {track.id}")
            if previous is not None and c.start < previous.start:
                found.append(f"track {track.id} is not sorted at clip {c.id}")
            found.extend(self._effect_problems(track, c, previous))
            if isinstance(c, (MediaClip, GeneratedClip)):
                found.extend(self._media_problems(track, c))
            elif isinstance(c, TextClip):
                if track.kind is not TrackKind.VIDEO:
                    found.append(f"text clip {c.id} is on a non-video track {track.id}")
                if not isinstance(c.text, str):
                    found.append(f"text clip {c.id} has text {c.text!r}")
            else:
                found.append(f"clip {c.id} is a {type(c).__name__}, not a media, generated or text clip")
            previous = c
        return found

    def _effect_problems(self, track: Track, c: Clip, previous: Clip | None) -> list[str]:
        found: list[str] = []
        what = f"clip {c.id}"
        if not isinstance(c.fit, Fit):
            found.append(f"{what} has fit {c.fit!r}")
        problem = speed_problem(c.speed)
        if problem:
            found.append(f"{what}: {problem}")
        elif c.retimed and (self.is_still(c) or isinstance(c, TextClip)):
            found.append(f"{what} has a speed but shows a still picture")
        if c.interpolation not in ("", "blend", "flow"):
            found.append(f"{what} has interpolation {c.interpolation!r}")
        for name in ("fade_in", "fade_out"):
            v = getattr(c, name)
            if isinstance(v, bool) or not isinstance(v, int) or v < 0:
                found.append(f"{what} has {name} {v!r}")
        if isinstance(c.fade_in, int) and isinstance(c.fade_out, int) and c.fade_in + c.fade_out > c.duration:
            found.append(f"{what} fades for {c.fade_in}+{c.fade_out} frames but lasts {c.duration}")
        found += c.transform.problems(what)
        found += c.gain.problems(f"{what} gain", -96.0, 24.0)
        if c.transition is not None:
            found += c.transition.problems(f"{what} transition")
            if previous is None or previous.end != c.start:
                found.append(f"{what} has a transition but no clip ends where it starts")
            elif c.transition.after > c.duration or c.transition.before > previous.duration:
                found.append(f"{what} transition is longer than the clips it joins")
        return found

    def _media_problems(self, track: Track, clip: Clip) -> list[str]:
        found: list[str] = []
        if isinstance(clip, MediaClip):
            media = self.media.get(clip.media)
            if media is None:
                return [f"clip {clip.id} refers to unknown media {clip.media!r}"]
            if track.kind is TrackKind.AUDIO and not media.has_audio:
                found.append(f"clip {clip.id} on audio track {track.id} has no sound")
            if track.kind is TrackKind.VIDEO and not media.has_video:
                found.append(f"clip {clip.id} on video track {track.id} has no picture")
        elif isinstance(clip, GeneratedClip):
            audio = clip.spec.is_audio
            if audio and track.kind is not TrackKind.AUDIO:
                found.append(f"generated {clip.spec.kind} clip {clip.id} is on a non-audio track {track.id}")
            if not audio and track.kind is not TrackKind.VIDEO:
                found.append(f"generated clip {clip.id} is on a non-video track {track.id}")
            for take in clip.takes:
                if take.media_id not in self.media:
                    found.append(f"take of clip {clip.id} refers to unknown media {take.media_id!r}")
            if clip.active_take is not None and not (0 <= clip.active_take < len(clip.takes)):
                found.append(f"clip {clip.id} has no take {clip.active_take}")
            elif clip.active_take is not None:
                media = self.media.get(clip.takes[clip.active_take].media_id)
                if media is not None and not (media.has_audio if audio else media.has_video):
                    found.append(f"active take of clip {clip.id} has no {'sound' if audio else 'picture'}")
        limit = self.media_frames(clip)
        if limit is not None and clip.source_in + clip.source_frames > limit:
            found.append(
                f"clip {clip.id} plays source frames {clip.source_in}..{clip.source_in + clip.source_frames} "
                f"but its media has {limit}"
            )
        return found

    def check(self) -> None:
        problems = self.problems()
        if problems:
            raise InvariantError("; ".join(problems))

    # --- equality and copies (for undo tests and snapshots) -------------------------------------------

    def state(self) -> tuple:
        """Everything that defines the timeline, as comparable plain values."""
        return (
            self.settings,
            tuple(sorted(self.media.items())),
            tuple(
                (t.id, t.kind, t.name, tuple(t.clips), t.hidden, t.muted, t.locked, t.volume, t.solo, t.captions,
                 tuple(sorted(t.gap_names.items())))
                for t in self.tracks
            ),
            tuple(len(x) for x in (self.video_tracks, self.audio_tracks)),
            tuple(sorted(self.markers, key=lambda m: (m.frame, m.name))),
            self.master_volume,
            self.story,
            self.length,
        )

    def copy(self) -> Timeline:
        """An independent copy (clips, media and markers are immutable and shared); listeners not copied."""
        return Timeline(
            settings=self.settings,
            media=dict(self.media),
            video_tracks=[replace(t, clips=list(t.clips), gap_names=dict(t.gap_names)) for t in self.video_tracks],
            audio_tracks=[replace(t, clips=list(t.clips), gap_names=dict(t.gap_names)) for t in self.audio_tracks],
            markers=list(self.markers),
            master_volume=self.master_volume,
            story=self.story,
            length=self.length,
        )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Timeline) and self.state() == other.state()

    __hash__ = None  # type: ignore[assignment]

    # --- change events --------------------------------------------------------------------------------

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def emit(self, change: Change) -> None:
        for listener in list(self._listeners):
            listener(change)


def _valid_volume(volume: float) -> bool:
    return isinstance(volume, (int, float)) and math.isfinite(volume) and volume >= 0


def new_id(prefix: str = "c") -> str:
    return f"{prefix}{uuid.uuid4().hex[:10]}"
