"""What an editing gesture on a clip's effects makes, as pure functions the inspector and the timeline share:
a value typed at the playhead, a keyframe toggled, a default transition, a speed badge, a rubber band drag.

Keyframes sit at clip-relative frames, so every helper takes the clip and the timeline's playhead and works out
the clip frame itself (clamped into the clip: a playhead outside it keys the nearest end, as Premiere does).
Stdlib only.
"""

from __future__ import annotations

import math
from fractions import Fraction

from editor.model.clips import Clip
from editor.model.effects import Transition, TransitionKind
from editor.model.keyframes import Curve, Ease, Key

GAIN_MIN_DB = -60.0
GAIN_MAX_DB = 12.0


def clip_frame(clip: Clip, playhead: int) -> int:
    """The clip-relative frame at the playhead, kept inside the clip."""
    return min(max(0, playhead - clip.start), max(0, clip.duration - 1))


def key_at(curve: Curve, frame: int):
    """The key at ``frame``, or None."""
    return next((k for k in curve.keys if k.frame == frame), None)


def set_at(curve: Curve, value: float, frame: int) -> Curve:
    """A value typed at clip frame ``frame``: the constant when the property is not animated, else a key there
    (keeping that key's easing)."""
    return curve.set_value(float(value), frame) if curve.keys else Curve(float(value))


def toggle_key(curve: Curve, frame: int) -> Curve:
    """The stopwatch/diamond: a key at ``frame`` is removed; else one is added holding the value shown there."""
    if key_at(curve, frame) is not None:
        return curve.without_key(frame)
    return curve.with_key(frame, curve.at(frame))


def clear_keys(curve: Curve, frame: int) -> Curve:
    """Animation off: the value shown at ``frame`` becomes the constant."""
    return Curve(curve.at(frame))


def set_ease(curve: Curve, frame: int, ease: Ease) -> Curve:
    """The easing of the key at ``frame`` (no key there: unchanged)."""
    key = key_at(curve, frame)
    return curve if key is None else curve.with_key(frame, key.value, ease)


def previous_key(curve: Curve, frame: int) -> int | None:
    frames = [k.frame for k in curve.keys if k.frame < frame]
    return frames[-1] if frames else None


def next_key(curve: Curve, frame: int) -> int | None:
    return next((k.frame for k in curve.keys if k.frame > frame), None)


def key_frames(clip: Clip) -> list[int]:
    """Every clip frame where one of the clip's transform or gain curves has a key (for the timeline's
    diamonds), inside the clip."""
    frames: set[int] = set()
    for name in clip.transform.names():
        frames.update(k.frame for k in clip.transform.curve(name).keys)
    frames.update(k.frame for k in clip.gain.keys)
    return sorted(f for f in frames if 0 <= f < clip.duration)


# --- transitions ------------------------------------------------------------------------------------------

def default_transition(previous: Clip, clip: Clip, kind: TransitionKind, fps: Fraction,
                       seconds: float = 1.0, align: str = "centre") -> Transition:
    """A ``seconds``-long transition at the cut between ``previous`` and ``clip``, shortened to what the two
    clips allow (``before`` frames from the outgoing clip, ``after`` from the incoming)."""
    wanted = max(2, round(seconds * float(fps)))
    t = Transition.aligned(kind, wanted, align)
    before, after = min(t.before, previous.duration), min(t.after, clip.duration)
    if align == "centre":                # keep it centred: the shorter side limits both
        side = min(before, after)
        before = after = side
    if before + after <= 0:
        before, after = (0, 1) if clip.duration else (1, 0)
    return Transition(kind, before, after)


def resized_transition(t: Transition, duration: int, previous: Clip, clip: Clip) -> Transition:
    """``t`` at a new length, keeping its alignment (the share before the cut), within what the clips allow."""
    duration = max(1, duration)
    share = t.before / t.duration if t.duration else 0.5
    before = min(previous.duration, round(duration * share))
    after = min(clip.duration, duration - before)
    if before + after <= 0:
        after = 1
    return Transition(t.kind, before, after)


def transition_alignment(t: Transition) -> str:
    if t.before == 0:
        return "start"
    if t.after == 0:
        return "end"
    return "centre"


TRANSITION_NAMES = {TransitionKind.DISSOLVE: "Cross dissolve", TransitionKind.DIP_BLACK: "Dip to black",
                    TransitionKind.DIP_WHITE: "Dip to white"}


# --- speed, gain ------------------------------------------------------------------------------------------

def speed_badge(clip: Clip) -> str:
    """What a retimed clip shows on the timeline: "2x", "◀ 1x" (reversed), "❄" (freeze frame); "" otherwise."""
    if clip.speed == 0:
        return "❄"
    if not clip.retimed:
        return ""
    text = f"{float(clip.speed):.2f}".rstrip("0").rstrip(".") + "x"
    return f"◀ {text}" if clip.reverse else text


def volume_to_db(volume: float) -> float:
    """A linear level as dB (silence: the lowest the inspector shows)."""
    return GAIN_MIN_DB if volume <= 0 else max(GAIN_MIN_DB, 20 * math.log10(volume))


def db_to_volume(db: float) -> float:
    return 0.0 if db <= GAIN_MIN_DB else 10 ** (db / 20)


def clamp_db(db: float) -> float:
    return min(GAIN_MAX_DB, max(GAIN_MIN_DB, round(db, 1)))


def dragged_gain(curve: Curve, by_db: float) -> Curve:
    """The rubber band dragged up or down by ``by_db``: a constant moves; keys all move by as much."""
    if not curve.keys:
        return Curve(clamp_db(curve.value + by_db))
    return Curve(clamp_db(curve.value + by_db),
                 tuple(Key(k.frame, clamp_db(k.value + by_db), k.ease) for k in curve.keys))
