"""What a platform would refuse or crop, checked before an export: duration, canvas, frame rate, file size, and
text outside the short-video safe zone. Each problem is one line; none stops an export (the user decides).

Limits from research/export.md §1 (checked 2025): TikTok, Reels and Shorts take up to 3 minutes for everyone
(longer only for some accounts), 4 GB files; TikTok takes 23-60 fps and 360-4096 px sides; Shorts must be
vertical or square; YouTube takes 12 hours and 256 GB.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from editor.model.clips import TextClip
from editor.model.text import outside_safe_zone
from editor.model.time import timecode
from editor.model.timeline import Timeline

GB = 1024 ** 3


@dataclass(frozen=True)
class PlatformLimits:
    name: str
    max_seconds: int | None = None
    max_bytes: int | None = None
    min_fps: float | None = None
    max_fps: float | None = None
    min_side: int | None = None
    max_side: int | None = None
    portrait: bool = False        # must not be landscape (vertical or square)
    safe_zone: bool = False       # the app covers the edges of the picture with its buttons and captions


LIMITS: dict[str, PlatformLimits] = {
    "tiktok": PlatformLimits("TikTok", 180, 4 * GB, 23, 60, 360, 4096, portrait=True, safe_zone=True),
    "reels": PlatformLimits("Instagram Reels", 180, 4 * GB, portrait=True, safe_zone=True),
    "shorts": PlatformLimits("YouTube Shorts", 180, 256 * GB, portrait=True, safe_zone=True),
    "youtube": PlatformLimits("YouTube", 12 * 3600, 256 * GB),
}

MAX_TEXT_WARNINGS = 3   # a caption track of 200 cues outside the zone is one problem, not 200 lines


def _clock(seconds: float) -> str:
    s = int(round(seconds))
    return f"{s // 60}:{s % 60:02d}"


def check_export(timeline: Timeline, preset: str | None, width: int, height: int, fps: Fraction,
                 *, duration_frames: int | None = None) -> list[str]:
    """One-line warnings for exporting ``timeline`` at width x height, ``fps`` for the ``preset`` platform
    (None or a preset without limits: only the safe zone, when the output is portrait)."""
    limits = LIMITS.get((preset or "").lower())
    frames = timeline.duration if duration_frames is None else duration_frames
    seconds = float(Fraction(frames) / timeline.fps)
    out: list[str] = []
    if limits is not None:
        if limits.max_seconds is not None and seconds > limits.max_seconds:
            out.append(f"{limits.name} takes videos up to {_clock(limits.max_seconds)}; this one is "
                       f"{_clock(seconds)} (it would be refused or cut)")
        if limits.portrait and width > height:
            out.append(f"{limits.name} wants a vertical or square video; {width}x{height} is landscape "
                       f"(it would be shown as a regular video, letterboxed)")
        if limits.min_side is not None and min(width, height) < limits.min_side:
            out.append(f"{limits.name} wants sides of at least {limits.min_side} px; {width}x{height} is smaller")
        if limits.max_side is not None and max(width, height) > limits.max_side:
            out.append(f"{limits.name} takes sides up to {limits.max_side} px; {width}x{height} is larger")
        rate = float(fps)
        if limits.min_fps is not None and rate < limits.min_fps or limits.max_fps is not None and \
                rate > limits.max_fps:
            out.append(f"{limits.name} takes {limits.min_fps:g}-{limits.max_fps:g} fps; this is {rate:g} fps")
    if (limits.safe_zone if limits is not None else height > width):
        out.extend(text_outside_safe_zone(timeline, width, height))
    return out


def check_file_size(preset: str | None, size_bytes: int) -> str | None:
    """A warning when the finished file is larger than the platform takes."""
    limits = LIMITS.get((preset or "").lower())
    if limits is None or limits.max_bytes is None or size_bytes <= limits.max_bytes:
        return None
    return (f"{limits.name} takes files up to {limits.max_bytes / GB:g} GB; this one is {size_bytes / GB:.1f} GB "
            f"(raise the CRF or shorten it)")


def text_outside_safe_zone(timeline: Timeline, width: int, height: int) -> list[str]:
    """A line per visible text clip (at most ``MAX_TEXT_WARNINGS``, then a count) that leaves the safe zone."""
    from editor.render.text import text_box

    found: list[str] = []
    for track in timeline.video_tracks:
        if track.hidden:
            continue
        for clip in track.clips:
            if not isinstance(clip, TextClip) or not clip.text.strip():
                continue
            problem = outside_safe_zone(text_box(clip.text, clip.style, width, height), width, height)
            if problem:
                label = clip.text.strip().split("\n", 1)[0]
                label = label if len(label) <= 30 else label[:29] + "…"
                found.append(f"“{label}” at {timecode(clip.start, timeline.fps)}: {problem}")
    if len(found) > MAX_TEXT_WARNINGS:
        more = len(found) - MAX_TEXT_WARNINGS
        found = [*found[:MAX_TEXT_WARNINGS], f"…and {more} more text clip{'s' * (more != 1)} outside the safe zone"]
    return found
