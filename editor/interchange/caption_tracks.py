"""Cues of a timeline's caption tracks (``Track.captions``), as frames and as caption-file cues, and the
``.srt`` written beside an export. Pure Python: the exporter, the CLI and the caption panel share it."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from editor.interchange.captions import CaptionError, Cue, frames_to_cue, write_srt
from editor.model.clips import TextClip
from editor.model.timeline import Timeline, Track
from editor.safe_io import FileRefused, check_output_path


@dataclass(frozen=True)
class CaptionCue:
    """One cue as it sits on the timeline: its clip, track, frames [start, end) and text."""

    clip_id: str
    track_id: str
    start: int
    end: int
    text: str


def caption_tracks(timeline: Timeline) -> list[Track]:
    return [t for t in timeline.video_tracks if t.captions]


def timeline_cues(timeline: Timeline, *, visible_only: bool = False) -> list[CaptionCue]:
    """Every caption track's text clips in start order (hidden tracks too unless ``visible_only``)."""
    cues = [CaptionCue(c.id, t.id, c.start, c.end, c.text)
            for t in caption_tracks(timeline) if not (visible_only and t.hidden)
            for c in t.clips if isinstance(c, TextClip)]
    return sorted(cues, key=lambda c: (c.start, c.end))


def caption_cues(timeline: Timeline, *, visible_only: bool = False) -> list[Cue]:
    """The caption tracks' cues as caption-file cues (exact Fraction seconds at the timeline's rate)."""
    return [frames_to_cue(c.start, c.end, timeline.fps, c.text)
            for c in timeline_cues(timeline, visible_only=visible_only) if c.text.strip()]


def srt_beside(video: str | os.PathLike[str]) -> Path:
    return Path(video).with_suffix(".srt")


def write_srt_beside(timeline: Timeline, video: str | os.PathLike[str]) -> str | None:
    """Write the visible caption tracks' cues as ``<video>.srt`` (atomically). Returns None when written or
    when there is nothing to write, else a one-line warning: a caption file never costs the export."""
    if not any(not t.hidden for t in caption_tracks(timeline)):
        return None
    cues = caption_cues(timeline, visible_only=True)
    if not cues:
        return None
    path = srt_beside(video)
    try:
        check_output_path(path)   # a FIFO or a device named NAME.srt is never replaced
        write_srt(cues, path)
    except (CaptionError, OSError, ValueError, FileRefused) as exc:
        return f"captions not written to {path.name}: {str(exc).splitlines()[0] if str(exc) else exc}"
    return None
