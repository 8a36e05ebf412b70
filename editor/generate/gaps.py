"""Where a new generated shot goes, and which gaps a fill asks for: the window's choices, without Qt.

``place_for_shot`` answers G (generate at the playhead): over the marked range when the playhead is in it, else
over the whole gap the playhead is in (between clips, or before the first one), else at the playhead after the
last clip, else on a new track. ``fill_requests`` turns the fill dialog's rows into the shots to queue, skipping
rows left empty unless the user asked the shared style to fill them.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass

from editor.model import Timeline, Track
from generation.models import ModelInfo


def gap_between(track: Track, frame: int) -> tuple[int, int] | None:
    """[start, end) of the empty stretch at ``frame`` that a later clip ends (from 0 before the first clip);
    None in a clip or after the last one."""
    if track.clip_at(frame) is not None:
        return None
    i = bisect.bisect_right([c.start for c in track.clips], frame)
    if i >= len(track.clips):
        return None
    start = track.clips[i - 1].end if i > 0 else 0
    end = track.clips[i].start
    return (start, end) if end > start else None


@dataclass(frozen=True)
class ShotPlace:
    """Where the prompt box opens: on ``track`` (None: a new video track on top) from ``start`` to ``end``
    (None: a shot of the default length)."""

    track: Track | None
    start: int
    end: int | None


def place_for_shot(timeline: Timeline, frame: int, marked: tuple[int, int] | None = None) -> ShotPlace:
    """Where G at ``frame`` puts a shot, looking at the unlocked video tracks from the top down.

    A marked range [in, out) holding the playhead wins, on the first track empty over all of it. Next, the gap
    the playhead is in on the first track that has one: the shot fills the whole gap (a gap is a hole to
    fill, so starting it at the playhead would leave a sliver). After the last clip of a track there is no
    gap to measure: a shot of the default length starts at the playhead. Failing all of these, a new track.
    """
    tracks = [t for t in reversed(timeline.video_tracks) if not t.locked]
    if marked is not None and marked[0] <= frame < marked[1]:
        for track in tracks:
            if not track.clips_in(*marked):
                return ShotPlace(track, marked[0], marked[1])
    for track in tracks:
        gap = gap_between(track, frame)
        if gap is not None:
            return ShotPlace(track, *gap)
    for track in tracks:
        if track.clip_at(frame) is None:
            return ShotPlace(track, frame, None)
    return ShotPlace(None, frame, None)


@dataclass(frozen=True)
class GapRow:
    """A gap of the fill dialog with what was typed for it."""

    track_id: str
    start: int
    end: int
    prompt: str


@dataclass(frozen=True)
class FillPlan:
    """The shots to queue, as (track id, start, end, prompt), and how many rows were skipped as empty."""

    requests: list[tuple[str, int, int, str]]
    skipped: int

    def summary(self, queued: int | None = None) -> str:
        """e.g. "Queuing 2 shots; 1 empty gap skipped" (``queued``: how many were taken, when fewer)."""
        n = len(self.requests) if queued is None else queued
        text = (f"Queuing {n} shot{'s' * (n != 1)}" if self.requests
                else "Nothing to generate: every gap was left empty")
        if self.skipped and self.requests:
            text += f"; {self.skipped} empty gap{'s' * (self.skipped != 1)} skipped"
        return text


def fill_requests(rows: Sequence[GapRow], style: str = "", *, style_fills_empty: bool = False) -> FillPlan:
    """The shots a fill asks for: each row's prompt with the shared style after it. A row left empty is
    skipped (an untouched row is not a request for a shot of the style alone) unless ``style_fills_empty``
    and there is a style to make its prompt."""
    style = style.strip()
    out: list[tuple[str, int, int, str]] = []
    skipped = 0
    for row in rows:
        own = row.prompt.strip()
        if not own and not (style_fills_empty and style):
            skipped += 1
            continue
        out.append((row.track_id, row.start, row.end, ", ".join(p for p in (own, style) if p)))
    return FillPlan(out, skipped)


@dataclass
class FillMemory:
    """What the fill dialog had typed, kept while the project is open so a reopened dialog shows it again:
    prompts by gap (track id, start, end), the shared style and the model chosen."""

    prompts: dict[tuple[str, int, int], str]
    style: str = ""
    style_fills_empty: bool = False
    model: ModelInfo | None = None

    @classmethod
    def empty(cls) -> FillMemory:
        return cls({})

    def remember(self, rows: Sequence[GapRow], style: str, style_fills_empty: bool, model: ModelInfo | None) -> None:
        for row in rows:
            key = (row.track_id, row.start, row.end)
            if row.prompt.strip():
                self.prompts[key] = row.prompt
            else:
                self.prompts.pop(key, None)   # cleared on purpose: do not bring the old text back
        self.style, self.style_fills_empty, self.model = style, style_fills_empty, model
