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
from editor.model.clips import TextClip
from editor.model.effects import IDENTITY, Transform, TransitionKind
from editor.model.keyframes import Curve, Key

MAX_INPUTS = 8

NO_CURVE = Curve(1.0)
DIP_COLOURS = {TransitionKind.DIP_BLACK: "#000000", TransitionKind.DIP_WHITE: "#ffffff"}


@dataclass(frozen=True)
class Timing:
    """How a layer's output frames map to its clip and its source.

    Output frame ``i`` of the layer (0 = its first) shows source time ``start + i * speed / fps`` seconds
    (``speed`` < 0: played backwards; 0: a freeze frame) and is clip-relative timeline frame
    ``clip_frame + i * rate``, where the clip's keyframes, fades and transition envelopes are read
    (``rate`` = timeline fps / output fps). See ``source_time`` and ``clip_frame_at``."""

    clip_id: str = ""
    speed: Fraction = Fraction(1)
    clip_frame: Fraction = Fraction(0)
    rate: Fraction = Fraction(1)
    interpolation: str = ""          # slow motion: "" repeated frames, "blend", "flow"


@dataclass(frozen=True)
class VideoLayer:
    """A picture in a segment: shown from output frame ``offset`` (into the segment) for ``frames`` frames,
    starting ``start`` seconds into its media (stills: always 0).

    Effects (all in clip frames, see ``Timing``): ``transform`` (keyframed position, scale, rotation, opacity,
    crop over its fit), ``envelope`` (an opacity multiplier from fades and transitions), ``tint`` with
    ``tint_amount`` (a dip to black or white: the picture mixed toward that colour). ``order`` > 0 draws the
    layer over the others of its track (a transition's incoming picture over the outgoing one). A title has
    ``title`` = (text, style) and no media: its picture is ``editor.render.text``'s image of the whole canvas.
    """

    media_id: str
    track: int          # index in timeline.video_tracks (0 is the bottom)
    start: Fraction
    fit: Fit
    still: bool = False
    offset: int = 0
    frames: int = 0
    timing: Timing = Timing()
    transform: Transform = IDENTITY
    envelope: Curve = NO_CURVE
    tint: str = ""
    tint_amount: Curve = Curve(0.0)
    order: int = 0
    title: tuple[str, object] | None = None

    @property
    def end(self) -> int:
        return self.offset + self.frames

    @property
    def plain(self) -> bool:
        """Shown as placed, at normal speed, with no effect (what the executors did before effects)."""
        return (self.timing.speed == 1 and self.transform == IDENTITY and self.envelope == NO_CURVE
                and not self.tint and self.order == 0 and self.title is None)

    def source_time(self, i: int | Fraction, fps: Fraction) -> Fraction:
        """Source seconds shown at output frame ``i`` of the layer."""
        return Fraction(0) if self.still else self.start + Fraction(i) * self.timing.speed / fps

    def clip_frame_at(self, i: int | Fraction) -> Fraction:
        return self.timing.clip_frame + Fraction(i) * self.timing.rate

    def opacity_at(self, i: int | Fraction) -> float:
        """The layer's opacity at its output frame ``i``: keyframed opacity times the fade envelope."""
        f = float(self.clip_frame_at(i))
        return max(0.0, min(1.0, self.transform.opacity.at(f) * self.envelope.at(f)))

    def continues(self, other: VideoLayer, fps: Fraction) -> bool:
        """True when ``other`` (starting where this ends) shows the same source on, without a jump."""
        if not (self.plain and other.plain):
            return (other.timing.clip_id == self.timing.clip_id and other.track == self.track
                    and other.order == self.order and other.media_id == self.media_id
                    and replace(other, start=self.start, offset=self.offset, frames=self.frames,
                                timing=self.timing) == self
                    and replace(other.timing, clip_frame=self.timing.clip_frame) == self.timing
                    and other.timing.clip_frame == self.clip_frame_at(self.frames)
                    and (self.still or other.start == self.source_time(self.frames, fps)))
        return (other.track == self.track and other.media_id == self.media_id and other.fit == self.fit
                and other.still == self.still
                and (self.still or other.start == self.start + Fraction(self.frames) / fps))


@dataclass(frozen=True)
class SoundLayer:
    """A sound in a segment: from output frame ``offset`` for ``frames`` frames (converted to exact sample
    positions by ``output_samples``), from ``start`` seconds into the media, at ``gain``.

    ``timing`` as for pictures (a sped-up sound keeps its pitch: time-stretched, not resampled), ``levels``
    the clip's keyframed gain in dB and ``envelope`` a linear multiplier from fades and crossfades, both read
    at clip frames."""

    media_id: str
    start: Fraction
    gain: float
    track: str = ""     # "v0", "a1": which track it comes from
    offset: int = 0
    frames: int = 0
    timing: Timing = Timing()
    levels: Curve = Curve(0.0)
    envelope: Curve = NO_CURVE

    @property
    def end(self) -> int:
        return self.offset + self.frames

    @property
    def plain(self) -> bool:
        return self.timing.speed == 1 and self.levels == Curve(0.0) and self.envelope == NO_CURVE

    def clip_frame_at(self, i: int | Fraction) -> Fraction:
        return self.timing.clip_frame + Fraction(i) * self.timing.rate

    def gain_at(self, i: int | Fraction) -> float:
        """Linear gain at output frame ``i`` of the layer (fractional for sample positions)."""
        f = float(self.clip_frame_at(i))
        return self.gain * 10 ** (self.levels.at(f) / 20) * self.envelope.at(f)

    def continues(self, other: SoundLayer, fps: Fraction) -> bool:
        if not (self.plain and other.plain):
            return (other.timing.clip_id == self.timing.clip_id and other.track == self.track
                    and other.media_id == self.media_id and other.gain == self.gain
                    and other.levels == self.levels and other.envelope == self.envelope
                    and replace(other.timing, clip_frame=self.timing.clip_frame) == self.timing
                    and other.timing.clip_frame == self.clip_frame_at(self.frames)
                    and other.start == self.start + Fraction(self.frames) * self.timing.speed / fps)
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
    rate = tl_fps / fps
    soloing = any(t.solo for t in timeline.tracks)
    master = float(timeline.master_volume)

    # What shows and what sounds, each with its span in timeline frames (a dissolve lengthens both clips).
    shown: list[tuple[int, Clip, int, int]] = []             # (track index, clip, first, end)
    heard: list[tuple[str, Clip, float, int, int]] = []      # (track label, clip, gain, first, end)
    for i, track in enumerate(timeline.video_tracks):
        for n, clip in enumerate(track.clips):
            mid = clip.media_id()
            titled = isinstance(clip, TextClip)
            if not clip.enabled or not titled and (mid is None or mid not in timeline.media):
                continue     # a disabled clip stays on the timeline, neither drawn nor heard
            first, end = _extended(track, n)
            if not track.hidden:
                shown.append((i, clip, first, end))
            if mid is not None:
                _add_sound(heard, f"v{i}", track, clip, mid, sound_of, soloing, first, end, master)
    for i, track in enumerate(timeline.audio_tracks):
        for n, clip in enumerate(track.clips):
            mid = clip.media_id()
            if clip.enabled and mid is not None and mid in timeline.media:
                _add_sound(heard, f"a{i}", track, clip, mid, sound_of, soloing, *_extended(track, n), master)

    def span(first: int, end: int) -> tuple[int, int]:
        return output_frames(first, tl_fps, fps), output_frames(end, tl_fps, fps)

    def timing_at(clip: Clip, frame: int) -> tuple[Fraction, Timing]:
        """(source seconds, timing) of ``clip`` at output frame ``frame``."""
        k = Fraction(frame) * rate - clip.start            # clip-relative timeline frame
        still = is_still(timeline, clip)
        speed = Fraction(1) if still else (-clip.speed if clip.reverse else clip.speed)
        timing = Timing(clip.id, speed, k, rate, clip.interpolation)
        if still:
            return Fraction(0), timing
        return max(Fraction(0), clip.source_frame(k) / tl_fps), timing

    def picture(i: int, clip: Clip, a: int, b: int, track: Track) -> VideoLayer:
        start, timing = timing_at(clip, a)
        tint, amount = _tint(track, clip)
        title = (clip.text, clip.style) if isinstance(clip, TextClip) else None
        dissolving = clip.transition is not None and clip.transition.kind is TransitionKind.DISSOLVE
        return VideoLayer(clip.media_id() or "", i, start, Fit(clip.fit), title is not None or is_still(timeline, clip),
                          0, b - a, timing, clip.transform, _envelope(track, clip, dissolve_only=False), tint, amount,
                          1 if dissolving else 0, title)

    def sound(label: str, clip: Clip, gain: float, a: int, b: int, track: Track) -> SoundLayer:
        start, timing = timing_at(clip, a)
        return SoundLayer(clip.media_id() or "", start, gain, label, 0, b - a, timing, clip.gain,
                          _envelope(track, clip, dissolve_only=True))

    tracks_v = timeline.video_tracks
    tracks_a = {f"v{i}": t for i, t in enumerate(tracks_v)} | {f"a{i}": t for i, t in enumerate(timeline.audio_tracks)}
    cuts = {0, total}
    for _, _, first, end in shown:
        cuts.update(span(first, end))
    for _, _, _, first, end in heard:
        cuts.update(span(first, end))
    edges = sorted(c for c in cuts if 0 <= c <= total)

    # Sweep: clips sorted by start; a clip is active in [a, b) when its span covers it.
    shown_spans = sorted(((*span(f, e), i, c) for i, c, f, e in shown), key=lambda x: x[0])
    heard_spans = sorted(((*span(f, e), label, c, g) for label, c, g, f, e in heard), key=lambda x: x[0])
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
        layers = tuple(sorted(
            (picture(i, c, a, b, tracks_v[i]) for s, e, i, c in active_v if s <= a and e >= b),
            key=lambda x: (x.track, x.order)))
        sounds = tuple(
            sound(label, c, g, a, b, tracks_a[label])
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


def _neighbours(track: Track, n: int) -> tuple[Clip | None, Clip | None]:
    """The clips touching clip ``n`` on its track: (the one ending where it starts, the one starting where it
    ends)."""
    clip = track.clips[n]
    before = track.clips[n - 1] if n > 0 and track.clips[n - 1].end == clip.start else None
    after = track.clips[n + 1] if n + 1 < len(track.clips) and track.clips[n + 1].start == clip.end else None
    return before, after


def _extended(track: Track, n: int) -> tuple[int, int]:
    """Clip ``n``'s span in timeline frames: a dissolve at its head starts it early, one at the head of the
    clip after it runs it on past its end (both from their handles)."""
    clip = track.clips[n]
    before, after = _neighbours(track, n)
    first, end = clip.start, clip.end
    if clip.transition is not None and before is not None and clip.transition.kind is TransitionKind.DISSOLVE:
        first -= clip.transition.before
    if after is not None and after.transition is not None and after.transition.kind is TransitionKind.DISSOLVE:
        end += after.transition.after
    return max(0, first), end


def _envelope(track: Track, clip: Clip, dissolve_only: bool) -> Curve:
    """A clip's multiplier (opacity or gain, 0..1) at clip frames, from its fades and a dissolve at its head.

    The outgoing clip of a dissolve stays whole under the incoming one (the incoming fades in over it); a
    sound crossfades, so there the outgoing one also fades out. ``dissolve_only``: the sound's envelope."""
    ramps: list[tuple[int, int, float, float]] = []      # (from frame, to frame, from value, to value)
    t = clip.transition
    n = track.clips.index(clip)
    before, after = _neighbours(track, n)
    if t is not None and before is not None and t.kind is TransitionKind.DISSOLVE:
        ramps.append((-t.before, t.after, 0.0, 1.0))
    if dissolve_only and after is not None and after.transition is not None and \
            after.transition.kind is TransitionKind.DISSOLVE:
        d = clip.duration
        ramps.append((d - after.transition.before, d + after.transition.after, 1.0, 0.0))
    if clip.fade_in:
        ramps.append((0, clip.fade_in, 0.0, 1.0))
    if clip.fade_out:
        ramps.append((clip.duration - clip.fade_out, clip.duration, 1.0, 0.0))
    return _product(ramps)


def _tint(track: Track, clip: Clip) -> tuple[str, Curve]:
    """A dip at the clip's head (from the colour) or at the next clip's head (to the colour)."""
    n = track.clips.index(clip)
    before, after = _neighbours(track, n)
    ramps: list[tuple[int, int, float, float]] = []
    colour = ""
    t = clip.transition
    if t is not None and before is not None and t.kind in DIP_COLOURS and t.after:
        ramps.append((0, t.after, 1.0, 0.0))
        colour = DIP_COLOURS[t.kind]
    nt = after.transition if after is not None else None
    if nt is not None and nt.kind in DIP_COLOURS and nt.before:
        ramps.append((clip.duration - nt.before, clip.duration, 0.0, 1.0))
        colour = colour or DIP_COLOURS[nt.kind]
    if not ramps:
        return "", Curve(0.0)
    return colour, _product(ramps, rest=0.0, combine=max)


def _product(ramps: list[tuple[int, int, float, float]], rest: float = 1.0,
             combine: Callable[[float, float], float] | None = None) -> Curve:
    """One linear curve through the ramps' corners, each ramp's value (held beyond its ends) multiplied (or
    ``combine``d) with the others'. Exact where the ramps do not overlap, which is how fades and
    transitions are laid out."""
    if not ramps:
        return Curve(rest)

    def value(frame: int) -> float:
        out = rest if combine else 1.0
        for a, b, va, vb in ramps:
            v = va if frame <= a else vb if frame >= b else va + (vb - va) * (frame - a) / (b - a)
            out = combine(out, v) if combine else out * v
        return out

    corners = sorted({f for a, b, _, _ in ramps for f in (a, b)})
    return Curve(rest, tuple(Key(f, value(f)) for f in corners))


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
               sound_of: Callable[[str], bool], soloing: bool, first: int, end: int, master: float) -> None:
    if track.muted or clip.sound_detached:   # detached: its sound plays from a linked clip on an audio track
        return
    if soloing and not track.solo:
        return
    gain = float(clip.volume) * float(track.volume) * master
    if gain <= 0:
        return
    if not sound_of(media_id):
        return
    heard.append((label, clip, gain, first, end))


def media_used(timeline: Timeline) -> list[str]:
    """Media ids the export reads: enabled clips on shown or sounding tracks (hidden and muted excluded as
    needed)."""
    used: dict[str, None] = {}
    for track in timeline.video_tracks:
        if track.hidden and track.muted:
            continue
        for clip in track.clips:
            mid = clip.media_id()
            if mid is None or not clip.enabled:
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
            if clip.enabled and mid is not None and mid in timeline.media and clip.volume * track.volume > 0:
                used[mid] = None
    return list(used)


def is_still(timeline: Timeline, clip: Clip) -> bool:
    media = timeline.media.get(clip.media_id() or "")
    return media is not None and media.kind is MediaKind.IMAGE


def layers_at(timeline: Timeline, frame: int, fps: Fraction | None = None) -> tuple[VideoLayer, ...]:
    """The pictures ``build_plan`` would give output frame ``frame`` (at ``fps``, default the timeline's),
    each as a one-frame layer (offset 0, frames 1: read it at its output frame 0), bottom first by (track,
    order). For the preview, which draws one frame at a time: the same layers without planning the whole
    timeline. Hidden tracks, disabled clips and clips whose media is not in the pool are left out, as
    ``build_plan`` does."""
    tl_fps = timeline.fps
    fps = fps or tl_fps
    rate = tl_fps / fps
    out: list[VideoLayer] = []
    for i, track in enumerate(timeline.video_tracks):
        if track.hidden:
            continue
        for n, clip in enumerate(track.clips):
            titled = isinstance(clip, TextClip)
            mid = clip.media_id()
            if not clip.enabled or not titled and (mid is None or mid not in timeline.media):
                continue
            first, end = _extended(track, n)
            if not output_frames(first, tl_fps, fps) <= frame < output_frames(end, tl_fps, fps):
                continue
            k = Fraction(frame) * rate - clip.start
            still = is_still(timeline, clip)
            speed = Fraction(1) if still else (-clip.speed if clip.reverse else clip.speed)
            timing = Timing(clip.id, speed, k, rate, clip.interpolation)
            start = Fraction(0) if still else max(Fraction(0), clip.source_frame(k) / tl_fps)
            tint, amount = _tint(track, clip)
            title = (clip.text, clip.style) if titled else None
            dissolving = clip.transition is not None and clip.transition.kind is TransitionKind.DISSOLVE
            out.append(VideoLayer(mid or "", i, start, Fit(clip.fit), titled or still, 0, 1, timing, clip.transform,
                                  _envelope(track, clip, dissolve_only=False), tint, amount, 1 if dissolving else 0,
                                  title))
    return tuple(sorted(out, key=lambda x: (x.track, x.order)))
