"""From a transcript's timed words to caption cues on the timeline. Pure Python, no Qt.

``cues_from_words`` maps each word from its source time to timeline frames through the clip that plays the
source (a word at ``s`` seconds in a clip starting at frame ``S`` with ``source_in`` and ``speed`` lands at
``S + (s - source_in) * fps / speed``), drops the words the clip does not play, and groups the rest into
cues the way subtitlers do: a new cue after a sentence ends, after a pause, and before a cue grows too long
to read (characters, words or seconds). Cues never overlap, and each lasts at least a few frames (borrowing
free time after it, then before it, else joining its neighbour).

``caption_command`` puts the cues on a caption track as text clips carrying their words (so they can be
re-split and retimed on word boundaries later): a new track, or over the same span of an existing one. It is
one undo step made of the model's own commands.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from editor.model.clips import TextClip
from editor.model.commands import AddTrack, Command, Delete, EditError, Group, Overwrite, SetTrackFlags
from editor.model.commands.captions import CAPTION_TRACK_NAME
from editor.model.text import DEFAULT_CAPTION_STYLE, TextStyle
from editor.model.timeline import Timeline, TrackKind, new_id

AUTO_TRACK_NAME = "Auto captions"
MAX_PAUSE_S = 0.6        # a silence longer than this starts a new cue
MIN_CUE_S = 0.3          # shorter cues flash by unread
MIN_CUE_FRAMES = 2
_SENTENCE_END = ".!?…。！？"
_CLOSERS = "\"'”’»)]}"
_SOFT_BREAK = ",;:，、；："


@dataclass(frozen=True)
class CaptionCue:
    """One caption: frames ``start``..``end`` (exclusive) on the timeline, its ``text``, and its spoken
    ``words`` as (word, first frame, end frame) counted from the cue's start (``TextClip.words``)."""

    start: int
    end: int
    text: str
    words: tuple[tuple[str, int, int], ...] = ()

    @property
    def duration(self) -> int:
        return self.end - self.start


@dataclass
class _Timed:
    text: str
    start: float  # timeline frames, fractional
    end: float


def _word_fields(word: Any) -> tuple[str, float, float] | None:
    if isinstance(word, Mapping):
        text, start, end = word.get("text"), word.get("start"), word.get("end")
    else:
        text, start, end = getattr(word, "text", None), getattr(word, "start", None), getattr(word, "end", None)
    try:
        s, e = float(start), float(end)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    if not isinstance(text, str) or not text.strip() or not (math.isfinite(s) and math.isfinite(e)):
        return None
    return text.strip(), s, max(s, e)


def _timed(words: Iterable[Any], fps: Fraction, offset: int, source_in: float, speed: float,
           limit: float | None) -> list[_Timed]:
    """The words on the timeline, in order, clipped to the played range [offset, limit)."""
    rate = float(fps) / speed
    out: list[_Timed] = []
    for word in words:
        fields = _word_fields(word)
        if fields is None:
            continue
        text, s, e = fields
        start, end = offset + (s - source_in) * rate, offset + (e - source_in) * rate
        if end < offset or (end == offset and start < offset) or (limit is not None and start >= limit):
            continue  # before the clip's source_in or after its end: not played
        start, end = max(start, float(offset)), max(end, float(offset))
        if limit is not None:
            end = min(end, limit)
        out.append(_Timed(text, start, end))
    out.sort(key=lambda w: w.start)
    return out


def _ends_sentence(text: str) -> bool:
    return text.rstrip(_CLOSERS)[-1:] in _SENTENCE_END


def _unspaced(ch: str) -> bool:
    """Characters of scripts written without spaces between words (CJK, kana, Thai...)."""
    if not ch:
        return False
    name = unicodedata.name(ch, "")
    return name.startswith(("CJK", "HIRAGANA", "KATAKANA", "THAI", "LAO", "MYANMAR", "HANGUL SYLLABLE")) or \
        ch in "。、！？，"


def _join(words: Sequence[str]) -> str:
    text = ""
    for w in words:
        if text and not (_unspaced(text[-1]) and _unspaced(w[0])):
            text += " "
        text += w
    return text


def _groups(words: list[_Timed], fps: float, max_chars: int, max_words: int, max_seconds: float) -> list[list[_Timed]]:
    groups: list[list[_Timed]] = []
    for w in words:
        if groups:
            cue = groups[-1]
            last = cue[-1]
            length = len(_join([x.text for x in cue] + [w.text]))
            chars = len(_join([x.text for x in cue]))
            if (_ends_sentence(last.text)
                    or w.start - last.end > MAX_PAUSE_S * fps
                    or length > max_chars
                    or len(cue) >= max_words
                    or w.end - cue[0].start > max_seconds * fps
                    or (last.text[-1] in _SOFT_BREAK and chars >= 0.6 * max_chars)):
                groups.append([w])
            else:
                cue.append(w)
        else:
            groups.append([w])
    return groups


def cues_from_words(
    words: Iterable[Mapping[str, Any] | Any],
    *,
    fps: Fraction | int,
    offset_frames: int,
    source_in_seconds: Fraction | float = 0,
    speed: Fraction | float = 1,
    max_chars: int = 32,
    max_words: int = 7,
    max_seconds: float = 3.5,
    duration_frames: int | None = None,
) -> list[CaptionCue]:
    """Caption cues for a transcript's ``words`` (``{"text", "start", "end"}`` dicts from
    ``generation.audio.writer.read_transcript``, or objects with those attributes; seconds in the source)
    played by a clip that starts at timeline frame ``offset_frames``, from ``source_in_seconds`` of its source,
    at ``speed``. ``duration_frames``: the clip's length, so words after its end are dropped; without it cues
    end by the last word's end. A freeze frame (speed 0) plays no words."""
    fps = Fraction(fps)
    if fps <= 0:
        raise ValueError(f"the frame rate must be positive, got {fps}")
    if max_chars < 1 or max_words < 1 or max_seconds <= 0:
        raise ValueError("max_chars, max_words and max_seconds must be positive")
    if not speed or float(speed) <= 0:
        return []
    offset = int(offset_frames)
    limit = None if duration_frames is None else float(offset + int(duration_frames))
    timed = _timed(words, fps, offset, float(source_in_seconds), float(speed), limit)
    if not timed:
        return []
    rate = float(fps)
    groups = _groups(timed, rate, max_chars, max_words, max_seconds)
    upper = int(limit) if limit is not None else math.ceil(max(w.end for w in timed) - 1e-9)
    upper = max(upper, offset + 1)
    # Frames: a cue runs from its first word's start to its last word's end, at least one frame.
    spans: list[list[Any]] = []
    for g in groups:
        start = max(offset, math.floor(g[0].start + 0.5))
        end = max(start + 1, math.floor(g[-1].end + 0.5))
        spans.append([start, min(end, max(upper, start + 1)), g])
    for previous, current in zip(spans, spans[1:], strict=False):
        current[0] = max(current[0], previous[1])
        current[1] = max(current[1], current[0] + 1)
    upper = max(upper, spans[-1][1])
    least = max(MIN_CUE_FRAMES, math.ceil(MIN_CUE_S * rate))
    merged: list[list[Any]] = []
    for i, span in enumerate(spans):
        start, end, g = span
        if end - start < least:  # borrow free time after, then before
            after = spans[i + 1][0] if i + 1 < len(spans) else upper
            end = max(end, min(start + least, after))
            before = merged[-1][1] if merged else offset
            start = min(start, max(end - least, before))
        if end - start < least and merged:  # no room: join the cue before
            merged[-1][1] = end
            merged[-1][2] = merged[-1][2] + g
            continue
        merged.append([start, end, g])
    if len(merged) > 1 and merged[0][1] - merged[0][0] < least:  # a short first cue joins the next one
        first = merged.pop(0)
        merged[0] = [first[0], merged[0][1], first[2] + merged[0][2]]
    cues: list[CaptionCue] = []
    for start, end, g in merged:
        placed: list[tuple[str, int, int]] = []
        for w in g:
            a = min(max(math.floor(w.start + 0.5) - start, 0), end - start)
            b = min(max(math.floor(w.end + 0.5) - start, a), end - start)
            if placed:
                a = min(max(a, placed[-1][2]), end - start)
                b = max(a, b)
            placed.append((w.text, a, b))
        cues.append(CaptionCue(start, end, _join([w.text for w in g]), tuple(placed)))
    return cues


# -- onto the timeline ------------------------------------------------------------------------------------------


def _checked(cues: Sequence[CaptionCue]) -> list[CaptionCue]:
    ordered = sorted(cues, key=lambda c: c.start)
    if not ordered:
        raise EditError("no words to caption")
    for n, (cue, following) in enumerate(zip(ordered, [*ordered[1:], None], strict=True), start=1):
        if not isinstance(cue, CaptionCue):
            raise EditError(f"caption {n} is not a CaptionCue")
        if cue.start < 0 or cue.end <= cue.start:
            raise EditError(f"caption {n} has no frames ({cue.start}..{cue.end})")
        if following is not None and following.start < cue.end:
            raise EditError(f"caption {n} overlaps caption {n + 1}: a caption track shows one at a time")
    return ordered


def _clip(cue: CaptionCue, style: TextStyle) -> TextClip:
    line = cue.text.strip().split("\n", 1)[0]
    name = line if len(line) <= 40 else line[:39] + "…"
    return TextClip(id=new_id("c"), start=cue.start, duration=cue.duration, name=name, text=cue.text,
                    style=style, words=tuple(cue.words))


def _track_name(tl: Timeline) -> str:
    used = {t.name for t in tl.tracks}
    if CAPTION_TRACK_NAME not in used:
        return CAPTION_TRACK_NAME
    name, n = AUTO_TRACK_NAME, 2
    while name in used:
        name, n = f"{AUTO_TRACK_NAME} {n}", n + 1
    return name


def caption_command(tl: Timeline, cues: Sequence[CaptionCue], *, track_id: str | None = None,
                    style: TextStyle | None = None, label: str = "Auto captions") -> Command:
    """One undo step putting ``cues`` on the timeline as caption text clips with their words.

    Without ``track_id``: a new caption track on top of the picture ("Captions", or "Auto captions" when a
    "Captions" track exists) in ``style`` (default: the caption style). With it: that caption track's cues in
    the span the new cues cover are replaced (ones straddling its edges are trimmed), in ``style`` or else the
    track's own. Raises EditError (one line) for no cues, overlapping cues, or a track that cannot take them.
    """
    ordered = _checked(cues)
    if style is not None and not isinstance(style, TextStyle):
        raise EditError(f"a caption style is a TextStyle, got {type(style).__name__}")
    commands: list[Command] = []
    if track_id is None:
        track_id = new_id("v")
        commands += [AddTrack(TrackKind.VIDEO, name=_track_name(tl), track_id=track_id),
                     SetTrackFlags(track_id, captions=True)]
        chosen = style or DEFAULT_CAPTION_STYLE
    else:
        track = next((t for t in tl.video_tracks if t.id == track_id), None)
        if track is None or not track.captions:
            raise EditError(f"no caption track {track_id}")
        if track.locked:
            raise EditError(f"track {track.name or track.id} is locked")
        own = next((c.style for c in track.clips if isinstance(c, TextClip)), DEFAULT_CAPTION_STYLE)
        chosen = style or own
        first, last = ordered[0].start, ordered[-1].end
        commands += [Delete(c.id, linked=False) for c in track.clips if first <= c.start and c.end <= last]
    commands += [Overwrite(track_id, _clip(cue, chosen)) for cue in ordered]
    return Group(label, commands)
