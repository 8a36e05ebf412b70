"""From a timeline to render segments: pure arithmetic, no I/O.

The timeline is first cut at every edge of every clip that shows or sounds (on any track). Boundaries are
output frames (and output samples) computed cumulatively from zero, never by adding rounded lengths, so
nothing drifts however many segments there are.

Neighbouring pieces are then merged back wherever a moving picture continues across the edge: a razor cut,
an overlay or picture-in-picture coming and going over a clip, a clip running on under another track's cut.
A cut there would make that picture's input seek again (decoding from its previous keyframe: up to a whole
GOP) and start a new IDR frame; at a clean cut nothing is lost. Sounds and stills do not hold segments
together (re-opening them is cheap). Pictures and sounds that cover part of a merged segment carry an
``offset`` and a length in output frames; the lowest track's pictures follow one another in it. A merged
segment opens at most ``MAX_INPUTS`` sources, so no ffmpeg process holds many decoders at once.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from fractions import Fraction

from editor.model import Clip, Fit, MediaKind, Timeline, Track

MAX_INPUTS = 8


@dataclass(frozen=True)
class VideoLayer:
    """A picture in a segment: shown from output frame ``offset`` (into the segment) for ``frames`` frames,
    starting ``start`` seconds into its media (stills: always 0)."""

    media_id: str
    track: int          # index in timeline.video_tracks (0 is the bottom)
    start: Fraction
    fit: Fit
    still: bool = False
    offset: int = 0
    frames: int = 0

    @property
    def end(self) -> int:
        return self.offset + self.frames

    def continues(self, other: VideoLayer, fps: Fraction) -> bool:
        """True when ``other`` (starting where this ends) shows the same source on, without a jump."""
        return (other.track == self.track and other.media_id == self.media_id and other.fit == self.fit
                and other.still == self.still
                and (self.still or other.start == self.start + Fraction(self.frames) / fps))


@dataclass(frozen=True)
class SoundLayer:
    """A sound in a segment: from output frame ``offset`` for ``frames`` frames (converted to exact sample
    positions by ``output_samples``), from ``start`` seconds into the media, at ``gain``."""

    media_id: str
    start: Fraction
    gain: float
    track: str = ""     # "v0", "a1": which track it comes from
    offset: int = 0
    frames: int = 0

    @property
    def end(self) -> int:
        return self.offset + self.frames

    def continues(self, other: SoundLayer, fps: Fraction) -> bool:
        return (other.track == self.track and other.media_id == self.media_id and other.gain == self.gain
                and other.start == self.start + Fraction(self.frames) / fps)


@dataclass(frozen=True)
class Segment:
    frame: int          # first output frame
    frames: int
    sample: int         # first output sample
    samples: int
    layers: tuple[VideoLayer, ...] = ()   # by track (bottom first), then by offset
    sounds: tuple[SoundLayer, ...] = ()

    @property
    def end_frame(self) -> int:
        return self.frame + self.frames

    @property
    def base(self) -> VideoLayer | None:
        """The lowest layer when it spans the whole segment (what everything else is drawn over)."""
        if self.layers:
            first = self.layers[0]
            if first.offset == 0 and first.frames == self.frames and \
                    all(x.track > first.track for x in self.layers[1:]):
                return first
        return None

    def inputs(self) -> int:
        """Sources an ffmpeg process opens for this segment (a clip's picture and sound share one)."""
        keys = {(x.media_id, x.offset, x.start) for x in self.layers}
        keys |= {(x.media_id, x.offset, x.start) for x in self.sounds}
        return len(keys)


@dataclass(frozen=True)
class Plan:
    fps: Fraction
    sample_rate: int
    total_frames: int
    total_samples: int
    segments: tuple[Segment, ...]


def _half_up(value: Fraction) -> int:
    return math.floor(value + Fraction(1, 2))


def output_frames(timeline_frames: int, timeline_fps: Fraction, fps: Fraction) -> int:
    """Output frame at which timeline frame ``timeline_frames`` falls (exact, rounded half up)."""
    return _half_up(Fraction(timeline_frames) * fps / timeline_fps)


def output_samples(frame: int, fps: Fraction, sample_rate: int) -> int:
    """Output sample at which output frame ``frame`` starts (exact, rounded half up)."""
    return _half_up(Fraction(frame) * sample_rate / fps)


def build_plan(timeline: Timeline, fps: Fraction, sample_rate: int,
               has_sound: Callable[[str], bool] | None = None, merge: bool = True,
               max_inputs: int = MAX_INPUTS) -> Plan:
    """Segments that render ``timeline`` at ``fps`` and ``sample_rate``.

    ``has_sound(media_id)`` says whether a media file really has audio (the probe knows best); by default
    the pool's ``has_audio`` is trusted. Pending generated clips are skipped here (the exporter refuses them
    before it plans). ``merge=False`` keeps one segment per piece between edges.
    """
    tl_fps = timeline.fps
    sound_of = has_sound or (lambda mid: timeline.media[mid].has_audio)
    total = output_frames(timeline.duration, tl_fps, fps)

    # (track index, clip) pairs that show, and (track label, clip, gain) that sound.
    shown: list[tuple[int, Clip]] = []
    heard: list[tuple[str, Clip, float]] = []
    for i, track in enumerate(timeline.video_tracks):
        for clip in track.clips:
            mid = clip.media_id()
            if mid is None or mid not in timeline.media:
                continue
            if not track.hidden:
                shown.append((i, clip))
            _add_sound(heard, f"v{i}", track, clip, mid, sound_of)
    for i, track in enumerate(timeline.audio_tracks):
        for clip in track.clips:
            mid = clip.media_id()
            if mid is not None and mid in timeline.media:
                _add_sound(heard, f"a{i}", track, clip, mid, sound_of)

    def span(clip: Clip) -> tuple[int, int]:
        return output_frames(clip.start, tl_fps, fps), output_frames(clip.end, tl_fps, fps)

    def source_at(clip: Clip, frame: int) -> Fraction:
        if is_still(timeline, clip):
            return Fraction(0)
        offset = Fraction(frame) / fps - Fraction(clip.start) / tl_fps
        return max(Fraction(0), Fraction(clip.source_in) / tl_fps + offset)

    cuts = {0, total}
    for _, clip in shown:
        cuts.update(span(clip))
    for _, clip, _ in heard:
        cuts.update(span(clip))
    edges = sorted(c for c in cuts if 0 <= c <= total)

    # Sweep: clips sorted by start; a clip is active in [a, b) when its span covers it.
    shown_spans = sorted(((*span(c), i, c) for i, c in shown), key=lambda x: x[0])
    heard_spans = sorted(((*span(c), label, c, g) for label, c, g in heard), key=lambda x: x[0])
    segments: list[Segment] = []
    vi = hi = 0
    active_v: list[tuple[int, int, int, Clip]] = []
    active_a: list[tuple[int, int, str, Clip, float]] = []
    for a, b in zip(edges, edges[1:], strict=False):
        while vi < len(shown_spans) and shown_spans[vi][0] <= a:
            active_v.append(shown_spans[vi])
            vi += 1
        while hi < len(heard_spans) and heard_spans[hi][0] <= a:
            active_a.append(heard_spans[hi])
            hi += 1
        active_v = [x for x in active_v if x[1] > a]
        active_a = [x for x in active_a if x[1] > a]
        layers = tuple(
            VideoLayer(c.media_id() or "", i, source_at(c, a), Fit(c.fit), is_still(timeline, c), 0, b - a)
            for s, e, i, c in sorted(active_v, key=lambda x: x[2]) if s <= a and e >= b
        )
        sounds = tuple(
            SoundLayer(c.media_id() or "", source_at(c, a), g, label, 0, b - a)
            for s, e, label, c, g in sorted(active_a, key=lambda x: x[2]) if s <= a and e >= b
        )
        sa, sb = output_samples(a, fps, sample_rate), output_samples(b, fps, sample_rate)
        piece = Segment(a, b - a, sa, sb - sa, layers, sounds)
        joined = _merge(segments[-1], piece, fps, max_inputs) if merge and segments else None
        if joined is not None:
            segments[-1] = joined
        else:
            segments.append(piece)
    return Plan(fps, sample_rate, total, output_samples(total, fps, sample_rate), tuple(segments))


def _merge(prev: Segment, piece: Segment, fps: Fraction, max_inputs: int) -> Segment | None:
    """``prev`` and the following ``piece`` as one segment, or None to cut between them.

    They merge when a moving picture continues across the boundary (a clip under or over a cut, a razor
    cut), when everything continues (stills too), or when both are black; never when the result would open
    more sources than ``max_inputs``. ``piece`` has only whole-span layers.
    """
    moved_layers = [replace(layer, offset=prev.frames) for layer in piece.layers]
    ending = [old for old in prev.layers if old.end == prev.frames]
    continuing = [(old, new) for new in moved_layers for old in ending if old.continues(new, fps)]
    if not (prev.layers or piece.layers):
        pass                                            # black continues
    elif not any(not old.still for old, _ in continuing) and \
            not (len(continuing) == len(moved_layers) == len(ending)):
        return None
    frames = prev.frames + piece.frames
    layers = list(prev.layers)
    for new in moved_layers:
        for n, old in enumerate(layers):
            if old.end == prev.frames and old.continues(new, fps):
                layers[n] = replace(old, frames=old.frames + new.frames)
                break
        else:
            layers.append(new)
    sounds = list(prev.sounds)
    for sound in piece.sounds:
        moved = replace(sound, offset=prev.frames)
        for n, old in enumerate(sounds):
            if old.end == prev.frames and old.continues(moved, fps):
                sounds[n] = replace(old, frames=old.frames + sound.frames)
                break
        else:
            sounds.append(moved)
    layers.sort(key=lambda x: (x.track, x.offset))
    sounds.sort(key=lambda x: (x.track, x.offset))
    joined = Segment(prev.frame, frames, prev.sample, prev.samples + piece.samples, tuple(layers), tuple(sounds))
    if joined.inputs() > max(max_inputs, prev.inputs()):
        return None
    return joined


def _add_sound(heard: list, label: str, track: Track, clip: Clip, media_id: str,
               sound_of: Callable[[str], bool]) -> None:
    if track.muted or clip.sound_detached:   # detached: its sound plays from a linked clip on an audio track
        return
    gain = float(clip.volume) * float(track.volume)
    if gain <= 0:
        return
    if not sound_of(media_id):
        return
    heard.append((label, clip, gain))


def media_used(timeline: Timeline) -> list[str]:
    """Media ids the export reads: clips on shown or sounding tracks (hidden and muted excluded as needed)."""
    used: dict[str, None] = {}
    for track in timeline.video_tracks:
        if track.hidden and track.muted:
            continue
        for clip in track.clips:
            mid = clip.media_id()
            if mid is None:
                continue
            media = timeline.media.get(mid)
            if media is None:
                continue
            if track.hidden and not (media.has_audio and not clip.sound_detached and clip.volume * track.volume > 0):
                continue
            used[mid] = None
    for track in timeline.audio_tracks:
        if track.muted:
            continue
        for clip in track.clips:
            mid = clip.media_id()
            if mid is not None and mid in timeline.media and clip.volume * track.volume > 0:
                used[mid] = None
    return list(used)


def is_still(timeline: Timeline, clip: Clip) -> bool:
    media = timeline.media.get(clip.media_id() or "")
    return media is not None and media.kind is MediaKind.IMAGE
