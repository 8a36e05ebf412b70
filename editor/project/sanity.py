"""Bounds on what a project may hold, beyond the timeline's own rules (``Timeline.problems``).

The reader checks each field's type; the model checks that clips do not overlap. Neither stops a file that
is well-formed but absurd: a canvas 10**20 pixels wide, a clip that starts 10**18 frames in, a frame rate of
1/10**40, a media file that lasts longer than the universe, a seed the generator refuses. Such a project
would load and then fail far from the file (an encoder asked for a 10**20-pixel frame, a float overflow in
the mixer, a job spec refused at generation time), or be saved and not reopen. Loading refuses them here with
one line; saving refuses them too, so the writer never writes what the reader refuses.

The bounds are generous for real work and tight enough that every later computation stays in ordinary
integers and finite floats: 2**31 - 1 frames (24 days at 1000 fps), 16384 pixels a side (beyond 8K),
1/1000 to 1000 frames a second, ten million seconds of media (116 days).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from fractions import Fraction
from typing import Any

from editor.model.clips import Clip, GeneratedClip, GenerationSpec, TextClip
from editor.model.keyframes import Curve
from editor.model.timeline import Timeline

__all__ = [
    "MAX_CANVAS", "MAX_FRAMES", "MAX_MEDIA_PIXELS", "MAX_MEDIA_SECONDS", "MAX_SAMPLE_RATE", "MAX_SEED",
    "MAX_VOLUME", "MIN_FPS", "MAX_FPS", "MIN_SAMPLE_RATE", "timeline_problems",
]

MAX_FRAMES = 2**31 - 1            # a position or length in frames: what 32-bit tools (and ffmpeg options) take
MAX_CANVAS = 16384                # pixels a side of the project's canvas and of a generated shot
MAX_MEDIA_PIXELS = 1 << 20        # pixels a side of a media file (a panorama may be far wider than any canvas)
MIN_FPS = Fraction(1, 1000)
MAX_FPS = Fraction(1000)          # editor.model.time.parse_rate's bound
MIN_SAMPLE_RATE = 1000
MAX_SAMPLE_RATE = 768_000
MAX_MEDIA_SECONDS = 10**7
MAX_VOLUME = 1000.0               # linear (+60 dB): past this a mix only clips
MAX_SEED = 2**64                  # what the format has always carried (the generator itself takes 0..2**63-1)
MAX_KEY_VALUE = 1e12              # a keyframed transform or gain value (pixels, degrees, dB, factors)


def timeline_problems(timeline: Timeline) -> list[str]:
    """Every value of ``timeline`` outside the bounds above, described in a line each (empty when none)."""
    found: list[str] = []
    s = timeline.settings
    for name, value, low, high in (("width", s.width, 1, MAX_CANVAS), ("height", s.height, 1, MAX_CANVAS),
                                   ("sample rate", s.sample_rate, MIN_SAMPLE_RATE, MAX_SAMPLE_RATE)):
        if not _int_within(value, low, high):
            found.append(f"the canvas {name} is {_shown(value)} (expected {low} to {high})")
    if not (isinstance(s.fps, Fraction) and MIN_FPS <= s.fps <= MAX_FPS):
        found.append(f"the frame rate is {_shown(s.fps)} (expected 1/1000 to 1000 frames a second)")
    for media in timeline.media.values():
        what = f"media {media.id!r}"
        if media.duration is not None and not 0 <= media.duration <= MAX_MEDIA_SECONDS:
            found.append(f"{what} lasts {_shown(media.duration)} s (at most {MAX_MEDIA_SECONDS})")
        for name in ("width", "height"):
            if not _int_within(getattr(media, name), 0, MAX_MEDIA_PIXELS):
                found.append(f"{what} has {name} {_shown(getattr(media, name))} (at most {MAX_MEDIA_PIXELS})")
    if not _volume_ok(timeline.master_volume):
        found.append(f"the master volume is {_shown(timeline.master_volume)} (at most {MAX_VOLUME:g})")
    if not _int_within(getattr(timeline, "length", 0), 0, MAX_FRAMES):
        found.append(f"the timeline length is {_shown(timeline.length)} frames (at most {MAX_FRAMES})")
    for marker in timeline.markers:
        if not _int_within(marker.frame, 0, MAX_FRAMES):
            found.append(f"marker {marker.name!r} is at frame {_shown(marker.frame)} (at most {MAX_FRAMES})")
    for track in timeline.tracks:
        if not _volume_ok(track.volume):
            found.append(f"track {track.id} has volume {_shown(track.volume)} (at most {MAX_VOLUME:g})")
        for frame in getattr(track, "gap_names", {}) or {}:
            if not _int_within(frame, 0, MAX_FRAMES):
                found.append(f"track {track.id} names a gap at frame {_shown(frame)} (at most {MAX_FRAMES})")
        for clip in track.clips:
            found.extend(_clip_problems(clip))
    for story_problem in _story_problems(timeline):
        found.append(story_problem)
    return found


def _clip_problems(clip: Clip) -> Iterable[str]:
    what = f"clip {clip.id}"
    for name in ("start", "duration", "source_in", "fade_in", "fade_out"):
        value = getattr(clip, name)
        if not _int_within(value, 0, MAX_FRAMES):
            yield f"{what} has {name.replace('_', ' ')} {_shown(value)} frames (at most {MAX_FRAMES})"
    if _int_within(clip.start, 0, MAX_FRAMES) and _int_within(clip.duration, 0, MAX_FRAMES) \
            and clip.start + clip.duration > MAX_FRAMES:
        yield f"{what} ends at frame {clip.start + clip.duration} (at most {MAX_FRAMES})"
    if not _volume_ok(clip.volume):
        yield f"{what} has volume {_shown(clip.volume)} (at most {MAX_VOLUME:g})"
    if clip.transition is not None:
        for name in ("before", "after"):
            value = getattr(clip.transition, name)
            if not _int_within(value, 0, MAX_FRAMES):
                yield f"{what}'s transition lasts {_shown(value)} frames {name} the cut (at most {MAX_FRAMES})"
    curves: list[tuple[str, Curve]] = [("gain", clip.gain)]
    curves += [(f"transform {name}", curve) for name, curve in _transform_curves(clip)]
    for name, curve in curves:
        problem = _curve_problem(curve)
        if problem:
            yield f"{what} {name}: {problem}"
    if isinstance(clip, TextClip):
        for text, first, end in clip.words:
            if not (_int_within(first, 0, MAX_FRAMES) and _int_within(end, 0, MAX_FRAMES)):
                yield f"{what} times the word {text[:20]!r} at frames {_shown(first)}..{_shown(end)}"
    if isinstance(clip, GeneratedClip):
        yield from _spec_problems(clip.spec, what)
        for i, take in enumerate(clip.takes):
            if take.spec is not None:
                yield from _spec_problems(take.spec, f"{what} take {i + 1}")


def _transform_curves(clip: Clip) -> Iterable[tuple[str, Curve]]:
    transform = clip.transform
    for name in getattr(transform, "__dataclass_fields__", {}):
        value = getattr(transform, name)
        if isinstance(value, Curve):
            yield name, value


def _curve_problem(curve: Curve) -> str | None:
    values = [curve.value] + [key.value for key in curve.keys]
    if not all(isinstance(v, (int, float)) and math.isfinite(v) and abs(v) <= MAX_KEY_VALUE for v in values):
        return f"a value beyond {MAX_KEY_VALUE:g}"
    if not all(_int_within(key.frame, -MAX_FRAMES, MAX_FRAMES) for key in curve.keys):
        return f"a keyframe beyond frame {MAX_FRAMES}"
    return None


def _spec_problems(spec: GenerationSpec, what: str) -> Iterable[str]:
    # Near the generator's own rules (generation.job_spec): nothing the generator could not even be asked.
    if spec.seed is not None and not _int_within(spec.seed, 0, MAX_SEED):
        yield f"{what} has seed {_shown(spec.seed)} (expected 0 to 2**64)"
    if spec.steps is not None and not _int_within(spec.steps, 1, 100_000):
        yield f"{what} has {_shown(spec.steps)} steps (expected 1 to 100000)"
    for name in ("width", "height"):
        value = getattr(spec, name)
        if value is not None and not _int_within(value, 1, MAX_CANVAS):
            yield f"{what} has {name} {_shown(value)} (expected 1 to {MAX_CANVAS})"
    guidance = spec.guidance
    if guidance is not None and not (isinstance(guidance, (int, float)) and not isinstance(guidance, bool)
                                     and math.isfinite(guidance) and 0 <= guidance <= 1e6):
        yield f"{what} has guidance {_shown(guidance)} (expected 0 or more)"


def _story_problems(timeline: Timeline) -> Iterable[str]:
    board = getattr(getattr(timeline, "story", None), "storyboard", None)
    if board is None:
        return
    if board.seed is not None and not _int_within(board.seed, 0, MAX_SEED):
        yield f"the storyboard has seed {_shown(board.seed)} (expected 0 to 2**64)"
    for shot in board.shots:
        if shot.seconds is not None and not 0 < shot.seconds <= MAX_MEDIA_SECONDS:
            yield f"storyboard shot {shot.id} lasts {_shown(shot.seconds)} s (at most {MAX_MEDIA_SECONDS})"


def _int_within(value: Any, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def _volume_ok(value: Any) -> bool:
    return (isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
            and 0 <= value <= MAX_VOLUME)


def _shown(value: Any) -> str:
    try:
        text = str(value)
    except ValueError:   # an integer past 4300 digits has no text
        return "a number too long to show"
    return text if len(text) <= 40 else text[:37] + "..."
