"""Our timeline written as an OpenTimelineIO timeline (the mapping is described in :mod:`editor.interchange.otio`)."""

from __future__ import annotations

import re
from typing import Any

import opentimelineio as otio

from editor.interchange.otio_common import (
    MARKER_COLORS,
    METADATA_KEY,
    METADATA_VERSION,
    InterchangeError,
    float_text,
    media_reference,
    path_to_url,
    rational_time,
)
from editor.interchange.otio_effects import effects_meta, time_effects, transition_to_otio
from editor.interchange.otio_generated import generated_references
from editor.interchange.otio_links import link_meta
from editor.interchange.otio_text import text_reference
from editor.model import Clip, GeneratedClip, MediaClip, MediaSource, TextClip, Timeline, Track, TrackKind
from editor.model.time import format_rate


def timeline_to_otio(timeline: Timeline, name: str = "") -> otio.schema.Timeline:
    """Our timeline as an OTIO Timeline (see the module docstring for the mapping)."""
    fps = timeline.fps
    rate = float(fps)
    result = otio.schema.Timeline(name=name)
    settings = timeline.settings
    result.metadata[METADATA_KEY] = {
        "version": METADATA_VERSION,
        "settings": {
            "width": settings.width,
            "height": settings.height,
            "fps": format_rate(fps),
            "sample_rate": settings.sample_rate,
        },
        "media": {media_id: _media_meta(media) for media_id, media in sorted(timeline.media.items())},
    }
    trailing = timeline.duration > timeline.content_end   # a trailing gap: no track reaches the end by itself
    for index, track in enumerate(timeline.tracks):
        result.tracks.append(_track_to_otio(timeline, track, rate, keeps_length=trailing and index == 0))
    for marker in sorted(timeline.markers, key=lambda m: (m.frame, m.name)):
        result.tracks.markers.append(
            otio.schema.Marker(
                name=marker.name,
                marked_range=otio.opentime.TimeRange(rational_time(marker.frame, rate), rational_time(0, rate)),
                color=_hex_to_otio_color(marker.color),
                metadata={METADATA_KEY: {"color": marker.color}},
            )
        )
    return result


def _media_meta(media: MediaSource) -> dict[str, Any]:
    return {
        "url": path_to_url(media.path),
        "kind": media.kind.value,
        "duration": None if media.duration is None else str(media.duration),
        "has_video": media.has_video,
        "has_audio": media.has_audio,
        "width": media.width,
        "height": media.height,
    }


def _track_to_otio(timeline: Timeline, track: Track, rate: float, keeps_length: bool) -> otio.schema.Track:
    """The track as OTIO items. ``keeps_length``: the track runs to the timeline's end with a trailing gap
    (OTIO has no timeline length of its own: its duration is its longest track's). A named trailing gap runs
    to the timeline's end on any track."""
    kind = otio.schema.TrackKind.Video if track.kind is TrackKind.VIDEO else otio.schema.TrackKind.Audio
    result = otio.schema.Track(name=track.name, kind=kind)
    result.enabled = not (track.hidden if track.kind is TrackKind.VIDEO else track.muted)
    result.metadata[METADATA_KEY] = {
        "id": track.id,
        "hidden": track.hidden,
        "muted": track.muted,
        "locked": track.locked,
        "volume": float_text(track.volume),
        "solo": track.solo,
        "captions": track.captions,
    }
    cursor = 0
    for clip in track.clips:
        result.extend(_gaps(track, cursor, clip.start, rate))
        if clip.transition is not None:   # OTIO puts a transition between the two clips it joins
            result.append(transition_to_otio(clip.transition, rate))
        result.append(_clip_to_otio(timeline, clip, rate))
        cursor = max(cursor, clip.end)
    end = timeline.duration
    if keeps_length or any(cursor <= frame < end for frame in track.gap_names):   # a named trailing gap
        result.extend(_gaps(track, cursor, end, rate))
    return result


def _gaps(track: Track, start: int, end: int, rate: float) -> list[otio.schema.Gap]:
    """The empty range [start, end) as OTIO gaps, split where a named gap starts inside it so each name keeps
    its place (two named gaps in a row in the file come back as two)."""
    cuts = sorted({start, end, *(f for f in track.gap_names if start < f < end)})
    return [
        otio.schema.Gap(name=track.gap_names.get(a, ""), duration=rational_time(b - a, rate))
        for a, b in zip(cuts, cuts[1:], strict=False)
        if b > a
    ]


def _clip_to_otio(timeline: Timeline, clip: Clip, rate: float) -> otio.schema.Clip:
    meta: dict[str, Any] = {"id": clip.id, "fit": clip.fit.value, "volume": float_text(clip.volume)}
    source_range = otio.opentime.TimeRange(rational_time(clip.source_in, rate), rational_time(clip.duration, rate))
    result = otio.schema.Clip(name=clip.name, source_range=source_range)
    if isinstance(clip, GeneratedClip):
        references = generated_references(timeline, clip, rate, meta)
        result.set_media_references(references, otio.schema.Clip.DEFAULT_MEDIA_KEY)
    elif isinstance(clip, MediaClip):
        meta["kind"] = "media"
        result.media_reference = media_reference(timeline, clip.media, rate)
    elif isinstance(clip, TextClip):
        result.media_reference = text_reference(clip, meta)
    else:   # pragma: no cover - a clip kind this exporter does not know yet
        raise InterchangeError(f"cannot export clip {clip.id}: unknown clip kind {type(clip).__name__}")
    meta.update(link_meta(clip))
    meta.update(effects_meta(clip))
    result.effects.extend(time_effects(clip))
    result.enabled = clip.enabled
    result.metadata[METADATA_KEY] = meta
    return result


def _hex_to_otio_color(color: str) -> str:
    match = re.fullmatch(r"#?([0-9a-fA-F]{6})", color.strip())
    if not match:
        return "ORANGE"
    rgb = [int(match.group(1)[i:i + 2], 16) for i in (0, 2, 4)]

    def distance(hex_: str) -> int:
        other = [int(hex_[i:i + 2], 16) for i in (1, 3, 5)]
        return sum((a - b) ** 2 for a, b in zip(rgb, other, strict=True))

    return min(MARKER_COLORS, key=lambda name: distance(MARKER_COLORS[name]))
