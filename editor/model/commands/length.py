"""The timeline's own length: a trailing gap (black and silence after the last clip) kept from an imported
timeline, and the edits that change it.

``Timeline.length`` is a floor under ``Timeline.duration``; clip edits never change it, so an imported cut keeps
its length while the user works. ``DropTrailingGap`` is the user's way to end the timeline at its last clip
again (Timeline > Remove Trailing Gap); ``SetTimelineLength`` sets the floor to any number of frames.
"""

from __future__ import annotations

from dataclasses import dataclass

from editor.model.commands.base import Command, EditError, Plan
from editor.model.time import timecode
from editor.model.timeline import Timeline


@dataclass(frozen=True)
class SetLength:
    """The primitive: change ``Timeline.length`` (its exact inverse puts the old value back)."""

    old: int
    new: int

    def do(self, tl: Timeline) -> None:
        tl.length = self.new

    def undo(self, tl: Timeline) -> None:
        tl.length = self.old


def trailing_gap(tl: Timeline) -> int:
    """Frames of black and silence after the last clip (0 when the timeline ends with its last clip)."""
    return max(0, tl.duration - tl.content_end)


class SetTimelineLength(Command):
    """Make the timeline last at least ``frames`` (0: end it at its last clip)."""

    label = "Set timeline length"

    def __init__(self, frames: int):
        self.frames = frames

    def plan(self, tl: Timeline, p: Plan) -> None:
        frames = self.frames
        if isinstance(frames, bool) or not isinstance(frames, int) or frames < 0:
            raise EditError(f"a timeline length is a whole number of frames, 0 or more, not {frames!r}")
        if frames == tl.length:
            raise EditError(f"the timeline's length is already {timecode(frames, tl.fps)}")
        p.ops.append(SetLength(tl.length, frames))
        p.layout = True   # the ruler, the end of playback and the export range all move


class DropTrailingGap(Command):
    """End the timeline at its last clip: drop the trailing gap an imported timeline kept, and the names of the
    gaps that started in it. One undo step brings both back."""

    label = "Remove trailing gap"

    def plan(self, tl: Timeline, p: Plan) -> None:
        if trailing_gap(tl) == 0:
            raise EditError("the timeline has no trailing gap: it ends with its last clip")
        end = tl.content_end
        for track in tl.tracks:
            kept = {frame: name for frame, name in track.gap_names.items() if frame < end}
            if kept != track.gap_names:
                # A new dict, never an edit in place: undo puts the old dict object back.
                p.set_track_attrs(track, gap_names=kept)
        p.ops.append(SetLength(tl.length, 0))
        p.layout = True
