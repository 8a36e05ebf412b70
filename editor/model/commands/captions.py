"""Caption commands: import cues as a caption track, add a cue, retime a cue. Each is one undo step with an
exact inverse (the machinery in ``base``); text and deletion go through SetClipProperties and Delete."""

from __future__ import annotations

from collections.abc import Sequence

from editor.model.clips import TextClip
from editor.model.commands.base import Command, EditError, Plan, clip_name
from editor.model.text import DEFAULT_CAPTION_STYLE, TextStyle
from editor.model.timeline import Timeline, Track, TrackKind, new_id

CAPTION_TRACK_NAME = "Captions"


def _checked_cues(cues: Sequence[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Cues as frames, sorted; refused when one is empty, before zero or overlaps the next (one track holds
    one caption at a time: ``interchange.captions.non_overlapping`` makes a file's cues fit)."""
    result = sorted(((int(s), int(e), str(t)) for s, e, t in cues), key=lambda c: c[0])
    if not result:
        raise EditError("no captions to import: the file has no cues")
    for number, (start, end, _text) in enumerate(result, start=1):
        if start < 0:
            raise EditError(f"caption {number} starts before zero (frame {start})")
        if end <= start:
            raise EditError(f"caption {number} lasts no frames ({start}..{end})")
        if number < len(result) and result[number][0] < end:
            raise EditError(f"caption {number} overlaps caption {number + 1}: a caption track shows one at a time")
    return result


class ImportCaptions(Command):
    """A new caption video track on top of the picture (``Track.captions``), one TextClip per cue in ``style``.
    ``cues``: (start frame, end frame exclusive, text). Ids are made now so a redo makes the same ones."""

    label = "Import captions"

    def __init__(self, cues: Sequence[tuple[int, int, str]], style: TextStyle = DEFAULT_CAPTION_STYLE,
                 track_name: str = CAPTION_TRACK_NAME, *, track_id: str | None = None) -> None:
        self.cues = _checked_cues(cues)
        self.style = style
        self.track_name = track_name
        self.track_id = track_id or new_id("v")
        self.clip_ids = [new_id("c") for _ in self.cues]

    def plan(self, tl: Timeline, p: Plan) -> None:
        if not isinstance(self.style, TextStyle):
            raise EditError(f"a caption style is a TextStyle, got {type(self.style).__name__}")
        if any(t.id == self.track_id for t in tl.tracks):
            raise EditError(f"a track with id {self.track_id} already exists")
        clips = [TextClip(id=cid, start=s, duration=e - s, name=_short(t), text=t, style=self.style)
                 for cid, (s, e, t) in zip(self.clip_ids, self.cues, strict=True)]
        track = Track(self.track_id, TrackKind.VIDEO, self.track_name, clips=clips, captions=True)
        p.put_track(track, len(tl.video_tracks))


class AddCue(Command):
    """One more cue on a caption track, in the track's caption style (its first cue's, else the default)."""

    label = "Add caption"

    def __init__(self, track_id: str, start: int, end: int, text: str, *, clip_id: str | None = None) -> None:
        self.track_id, self.start, self.end, self.text = track_id, int(start), int(end), text
        self.clip_id = clip_id or new_id("c")

    def plan(self, tl: Timeline, p: Plan) -> None:
        track = _caption_track(tl, self.track_id)
        _check_span(track, self.start, self.end, None)
        style = next((c.style for c in track.clips if isinstance(c, TextClip)), DEFAULT_CAPTION_STYLE)
        clip = TextClip(id=self.clip_id, start=self.start, duration=self.end - self.start, name=_short(self.text),
                        text=self.text, style=style)
        p.set_clips(track, sorted([*track.clips, clip], key=lambda c: c.start))


class SetCueTiming(Command):
    """Move a cue's start and end (frames, end exclusive); refused when it would overlap a neighbour."""

    label = "Retime caption"

    def __init__(self, clip_id: str, start: int, end: int) -> None:
        self.clip_id, self.start, self.end = clip_id, int(start), int(end)

    def plan(self, tl: Timeline, p: Plan) -> None:
        track, clip = tl.find(self.clip_id) if _exists(tl, self.clip_id) else (None, None)
        if track is None or not isinstance(clip, TextClip):
            raise EditError(f"no caption {self.clip_id} to retime")
        if track.locked:
            raise EditError(f"track {track.name or track.id} is locked")
        _check_span(track, self.start, self.end, clip.id)
        new = clip.moved(start=self.start, duration=self.end - self.start)
        others = [c for c in track.clips if c.id != clip.id]
        p.set_clips(track, sorted([*others, new], key=lambda c: c.start))


def _exists(tl: Timeline, clip_id: str) -> bool:
    return any(c.id == clip_id for _, c in tl.clips())


def _caption_track(tl: Timeline, track_id: str) -> Track:
    track = next((t for t in tl.video_tracks if t.id == track_id), None)
    if track is None or not track.captions:
        raise EditError(f"no caption track {track_id}")
    if track.locked:
        raise EditError(f"track {track.name or track.id} is locked")
    return track


def _check_span(track: Track, start: int, end: int, ignore: str | None) -> None:
    if start < 0:
        raise EditError(f"a caption cannot start before zero (frame {start})")
    if end <= start:
        raise EditError("a caption must end after it starts")
    for c in track.clips:
        if c.id != ignore and c.start < end and c.end > start:
            raise EditError(f"the caption would overlap {clip_name(c)} ({c.start}..{c.end})")


def _short(text: str) -> str:
    line = text.strip().split("\n", 1)[0]
    return line if len(line) <= 40 else line[:39] + "…"
