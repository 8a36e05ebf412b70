"""Clip effects in OpenTimelineIO: transitions, speed, and what OTIO has no schema for.

- A clip's ``transition`` <-> an ``otio.schema.Transition`` placed in the track between the two clips it joins
  (OTIO's convention), ``in_offset`` = frames before the cut, ``out_offset`` = frames after it. A dissolve is
  ``SMPTE_Dissolve`` (on an audio track: a crossfade); OTIO has no dip, so a dip is a ``Custom_Transition``
  with ``metadata["promptcut"]["kind"]`` = "dip_black" / "dip_white". A foreign custom (or unknown) transition
  type imports as a dissolve, with a warning; one whose neighbours are not both clips is dropped, with a warning.
- Speed <-> ``LinearTimeWarp(time_scalar=speed)`` (negative: reversed) and ``FreezeFrame`` (speed 0). Times:
  ``source_range.start_time`` is the first media frame used (media time) and ``source_range.duration`` is the
  clip's length ON THE TRACK, so the clip uses media ``[start, start + duration * |time_scalar|)`` (played from
  its end backwards when the scalar is negative; a freeze frame shows ``start``). This is how OTIO's own
  ``range_in_parent`` lays clips out (it does not scale durations by a time warp) and how Resolve, Hiero and the
  CMX 3600 adapter read and write retimed clips. The exact speed (e.g. "1/3") also rides in the clip's promptcut
  metadata; a scalar outside 0.1..10 in magnitude is clamped, with a warning. Several warps on a clip multiply.
- Fades, interpolation, transform and gain keyframes have no standard OTIO schema: they ride in the clip's
  ``metadata["promptcut"]`` with the project file's JSON (``Transform.to_json``, ``Curve.to_json``), transform
  and gain as JSON TEXT (a string) because OTIO's JSON reader can lose the last bit of a double. A foreign file
  without them imports plain; unreadable or out-of-range values are dropped, with a warning.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import opentimelineio as otio

from editor.interchange.otio_common import METADATA_KEY, our_meta, rational_time, read_fraction, to_seconds
from editor.model import Clip, TextClip, Timeline, Track
from editor.model.effects import IDENTITY, MAX_SPEED, MIN_SPEED, Transform, Transition, TransitionKind
from editor.model.keyframes import Curve

Warn = Callable[[str], None]
DISSOLVE = otio.schema.TransitionTypes.SMPTE_Dissolve
CUSTOM = otio.schema.TransitionTypes.Custom
INTERPOLATIONS = ("", "blend", "flow")


# --- export ------------------------------------------------------------------------------------------------


def transition_to_otio(transition: Transition, rate: float) -> otio.schema.Transition:
    """The OTIO transition to put in the track just before the clip that has ``transition``."""
    dissolve = transition.kind is TransitionKind.DISSOLVE
    result = otio.schema.Transition(
        name=transition.kind.value,
        transition_type=DISSOLVE if dissolve else CUSTOM,
        in_offset=rational_time(transition.before, rate),
        out_offset=rational_time(transition.after, rate),
    )
    if not dissolve:
        result.metadata[METADATA_KEY] = {"kind": transition.kind.value}
    return result


def time_effects(clip: Clip) -> list[otio.schema.Effect]:
    """The time warp of ``clip`` as OTIO effects (none at normal speed)."""
    if clip.speed == 0:
        return [otio.schema.FreezeFrame()]
    if not clip.retimed:
        return []
    scalar = float(clip.speed)
    return [otio.schema.LinearTimeWarp(time_scalar=-scalar if clip.reverse else scalar)]


def effects_meta(clip: Clip) -> dict[str, Any]:
    """The clip's promptcut metadata keys for what OTIO has no schema for (only what differs from a plain clip)."""
    meta: dict[str, Any] = {}
    if clip.speed not in (0, 1):
        meta["speed"] = str(clip.speed)   # the exact fraction; the time warp carries a float
    if clip.interpolation:
        meta["interpolation"] = clip.interpolation
    if clip.fade_in:
        meta["fade_in"] = clip.fade_in
    if clip.fade_out:
        meta["fade_out"] = clip.fade_out
    if clip.transform != IDENTITY:
        meta["transform"] = json_text(clip.transform.to_json())
    if clip.gain != Curve(0.0):
        meta["gain"] = json_text(clip.gain.to_json())
    return meta


def json_text(value: Any) -> str:
    """Project-file JSON as compact text: Python writes doubles exactly (repr), so they come back bit for bit."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


# --- import: transitions --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PendingTransition:
    """A transition read from a track, in seconds, waiting for the clip after it to be placed."""

    kind: TransitionKind
    before: Fraction
    after: Fraction


def read_transition(
    track: otio.schema.Track, index: int, item: otio.schema.Transition, where: str, warn: Warn
) -> PendingTransition | None:
    """The transition at ``track[index]``, or None (dropped, with a warning) when it does not join two clips
    or is unreadable."""
    label = f"transition {item.name or item.transition_type!r} on {where}"
    before_item = track[index - 1] if index > 0 else None
    after_item = track[index + 1] if index + 1 < len(track) else None
    if not isinstance(before_item, otio.schema.Clip) or not isinstance(after_item, otio.schema.Clip):
        warn(f"{label} does not sit between two clips; dropped")
        return None
    try:
        before, after = to_seconds(item.in_offset), to_seconds(item.out_offset)
    except (ValueError, ZeroDivisionError, OverflowError):
        warn(f"{label} has unreadable offsets; dropped")
        return None
    if before < 0 or after < 0 or before + after <= 0:
        warn(f"{label} has no length; dropped")
        return None
    return PendingTransition(_transition_kind(item, label, warn), before, after)


def _transition_kind(item: otio.schema.Transition, label: str, warn: Warn) -> TransitionKind:
    if item.transition_type == DISSOLVE:
        return TransitionKind.DISSOLVE
    kind = our_meta(item).get("kind")
    if item.transition_type == CUSTOM and isinstance(kind, str) and kind in TransitionKind.__members__.values():
        return TransitionKind(kind)
    warn(f"{label}: transition type {item.transition_type!r} imported as a dissolve")
    return TransitionKind.DISSOLVE


def settle_transitions(
    track: Track, pending: dict[str, PendingTransition], frame: Callable[[Fraction], int], warn: Warn
) -> None:
    """Give ``track``'s clips the transitions read before them (``pending``: clip id -> transition, seconds);
    drop those whose outgoing clip did not arrive right before the cut, shorten those longer than the clips
    they join (each with a warning)."""
    previous: Clip | None = None
    for i, clip in enumerate(track.clips):
        read = pending.get(clip.id)
        if read is not None:
            where = f"transition into clip {clip.name or clip.id!r} on {track.name}"
            if previous is None or previous.end != clip.start:
                warn(f"{where}: no clip ends where it starts; dropped")
            else:
                before, after = frame(read.before), frame(read.after)
                fitted = min(before, previous.duration), min(after, clip.duration)
                if fitted != (before, after):
                    warn(f"{where} is longer than the clips it joins; shortened")
                if sum(fitted) > 0:
                    clip = clip.moved(transition=Transition(read.kind, *fitted))
                    track.clips[i] = clip
                else:
                    warn(f"{where} is shorter than a frame; dropped")
        previous = clip


# --- import: speed and the rest ------------------------------------------------------------------------------


def read_clip_effects(item: otio.schema.Clip, meta: dict[str, Any], where: str, warn: Warn) -> dict[str, Any]:
    """The effect fields of a clip (speed, reverse, interpolation, fades, transform, gain) read from ``item``'s
    time warps and promptcut ``meta``; effects we cannot play are reported."""
    fields: dict[str, Any] = {}
    warps = [e for e in item.effects if isinstance(e, otio.schema.LinearTimeWarp)]
    for effect in item.effects:
        if not isinstance(effect, otio.schema.LinearTimeWarp):
            warn(f"{where}: effect {effect.effect_name or effect.schema_name()!r} ignored")
    if warps:
        fields["speed"], fields["reverse"] = _speed(warps, meta, where, warn)
    interpolation = meta.get("interpolation", "")
    if interpolation in INTERPOLATIONS:
        fields["interpolation"] = interpolation
    else:
        warn(f"{where}: unknown interpolation {str(interpolation)[:40]!r}; ignored")
    for name in ("fade_in", "fade_out"):
        value = meta.get(name, 0)
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            fields[name] = value
        else:
            warn(f"{where}: unreadable {name.replace('_', ' ')} {str(value)[:40]!r}; ignored")
    transform = _parsed(meta.get("transform"), Transform.from_json, "transform", where, warn)
    if transform is not None:
        problems = transform.problems("transform")
        if problems:
            warn(f"{where}: {problems[0]}; transform ignored")
        else:
            fields["transform"] = transform
    gain = _parsed(meta.get("gain"), Curve.from_json, "gain", where, warn)
    if gain is not None:
        problems = gain.problems("gain", -96.0, 24.0)
        if problems:
            warn(f"{where}: {problems[0]}; gain ignored")
        else:
            fields["gain"] = gain
    return fields


def _speed(
    warps: list[otio.schema.LinearTimeWarp], meta: dict[str, Any], where: str, warn: Warn
) -> tuple[Fraction, bool]:
    scalar = 1.0
    for warp in warps:
        scalar *= warp.time_scalar
    if len(warps) > 1:
        warn(f"{where}: {len(warps)} time warps combined into one speed")
    if not math.isfinite(scalar):
        warn(f"{where}: time warp {scalar!r} is not a number; plays at normal speed")
        return Fraction(1), False
    if scalar == 0:
        return Fraction(0), False
    magnitude = abs(scalar)
    exact = read_fraction(meta.get("speed"))
    if exact is not None and exact > 0 and math.isclose(float(exact), magnitude, rel_tol=1e-9):
        speed = exact
    else:
        speed = Fraction(repr(magnitude)).limit_denominator(1000)
    if not MIN_SPEED <= speed <= MAX_SPEED:
        speed = min(max(speed, MIN_SPEED), MAX_SPEED)
        warn(f"{where}: time warp {scalar:g}x is outside {float(MIN_SPEED):g}x..{float(MAX_SPEED):g}x; "
             f"clamped to {float(speed):g}x")
    return speed, scalar < 0


def _parsed(raw: Any, parse: Callable[[Any, str], Any], name: str, where: str, warn: Warn) -> Any:
    if raw is None:
        return None
    try:
        return parse(json.loads(raw) if isinstance(raw, str) else raw, name)
    except (ValueError, TypeError, RecursionError) as exc:
        warn(f"{where}: unreadable {name} ({str(exc)[:120]}); ignored")
        return None


def settle_effects(timeline: Timeline, warn: Warn) -> None:
    """What only the placed clip can tell: a still or a title cannot be retimed, fades must fit the clip."""
    for track in timeline.tracks:
        for i, clip in enumerate(track.clips):
            where = f"clip {clip.name or clip.id!r} on {track.name}"
            changes: dict[str, Any] = {}
            if clip.retimed and (timeline.is_still(clip) or isinstance(clip, TextClip)):
                warn(f"{where} shows a still picture; its time warp was ignored")
                changes.update(speed=Fraction(1), reverse=False)
            if clip.fade_in + clip.fade_out > clip.duration:
                fade_in = min(clip.fade_in, clip.duration)
                changes.update(fade_in=fade_in, fade_out=min(clip.fade_out, clip.duration - fade_in))
                warn(f"{where} fades for longer than it lasts; the fades were shortened")
            if changes:
                track.clips[i] = clip.moved(**changes)
