"""Named gaps follow the edits around them.

A gap has no object of its own (it is the space between clips), so ``Track.gap_names`` keys each name by the
frame where its gap starts. When an edit moves clips, those frames would point at the wrong place: the name of
a slug would stay behind while the clip after it ripples left. ``followed_gap_names`` gives the names their new
frames; the command machinery (``Plan`` in base.py) applies it to every track whose clips an edit replaced, as
part of the same edit, so undo brings the old names back exactly.

The rules:

- A named gap belongs to the clip after it: it keeps the same distance before that clip's start, wherever the
  clip moves on its track. The trailing gap (after the last clip) belongs to the timeline's end the same way.
- A name at the start of its gap names the gap from its start: when the gap grows or shrinks at its head (the
  clip before it trimmed, moved or deleted), the name moves to the new start, unless another name now comes
  first in that gap.
- A name whose following clip is gone (deleted, or moved to another track) stays at its frame while that
  frame is still in a gap.
- A name whose gap is gone (covered by a clip, the clip after it now abutting the one before, no trailing gap
  any more) is dropped. Where two names land on one frame, the one nearer the clip after it wins, as its piece
  of the gap is the one that remains there.
"""

from __future__ import annotations

from dataclasses import dataclass

from editor.model.clips import Clip


@dataclass(frozen=True)
class _Gap:
    start: int
    end: int
    follower: str | None   # the id of the clip after the gap; None for the trailing gap (the timeline's end)


def _gaps(clips: list[Clip], end: int) -> list[_Gap]:
    """The track's gaps, each with the clip after it, and the trailing gap up to ``end`` (the timeline's)."""
    out: list[_Gap] = []
    cursor = 0
    for c in clips:
        if c.start > cursor:
            out.append(_Gap(cursor, c.start, c.id))
        cursor = max(cursor, c.end)
    if end > cursor:
        out.append(_Gap(cursor, end, None))
    return out


def _containing(gaps: list[_Gap], frame: int) -> _Gap | None:
    return next((g for g in gaps if g.start <= frame < g.end), None)


@dataclass(frozen=True)
class _Placed:
    key: int      # the frame the name would have before clamping to its new gap (orders clamped names)
    frame: int    # its new frame
    name: str
    pinned: bool  # it was at its old gap's start
    gap: _Gap     # the new gap it lies in


def followed_gap_names(names: dict[int, str], old_clips: list[Clip], old_end: int, new_clips: list[Clip],
                       new_end: int) -> dict[int, str]:
    """``names`` (a track's gap names over ``old_clips``, the timeline lasting ``old_end``) moved to where their
    gaps are over ``new_clips`` (the timeline lasting ``new_end``), by the rules in this module's docstring."""
    if not names:
        return {}
    old_gaps = _gaps(old_clips, old_end)
    new_gaps = _gaps(new_clips, new_end)
    before = {g.follower: g for g in new_gaps}   # the gap now before each clip, and the trailing gap
    on_track = {c.id for c in new_clips}
    placed: list[_Placed] = []
    for frame, name in names.items():
        old = _containing(old_gaps, frame)
        if old is None:   # not in a gap even before the edit: nothing to name
            continue
        if old.follower is None or old.follower in on_track:
            new = before.get(old.follower)
            if new is None:   # the clip after it now abuts the one before it, or no trailing gap is left
                continue
            key = new.end - (old.end - frame)
            placed.append(_Placed(key, max(key, new.start), name, frame == old.start, new))
        else:
            new = _containing(new_gaps, frame)
            if new is not None:
                placed.append(_Placed(frame, frame, name, frame == old.start, new))
    placed.sort(key=lambda p: (p.gap.start, p.frame, p.key))
    out: dict[int, str] = {}
    first_in: set[_Gap] = set()
    for p in placed:
        frame = p.frame
        if p.gap not in first_in:
            first_in.add(p.gap)
            if p.pinned:
                frame = p.gap.start
        out[frame] = p.name   # a later one on the same frame is nearer the clip after it: it wins
    return out
