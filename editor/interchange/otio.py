"""OpenTimelineIO import and export.

Mapping (our model <-> OTIO 0.18):

- ``Timeline`` <-> ``otio.schema.Timeline``. Video tracks come first in the top-level Stack (index 0 is the
  bottom layer, as in OTIO), then audio tracks. Everything OTIO has no field for travels in
  ``metadata["promptcut"]`` (schema :data:`METADATA_VERSION`): project settings (canvas, exact fps as
  "30000/1001", sample rate) and the whole media pool (so unused bin items and take files survive) on the
  timeline; ids and flags on tracks; id, kind, fit and volume on clips; the media id on each
  ``ExternalReference``. Floats are stored there as ``repr`` strings, because OTIO's JSON reader can lose the
  last bit of a double.
- Spaces between clips become ``Gap`` items; a ``MediaClip`` becomes a ``Clip`` with an ``ExternalReference``
  whose ``target_url`` is a percent-encoded ``file://`` URL for absolute paths and the plain path for
  relative ones (OTIO's own ``url_from_filepath`` convention); ``available_range`` is the media's duration
  (none for stills). ``source_range`` is ``(source_in, duration)`` at the timeline rate.
- A ``GeneratedClip`` becomes a ``Clip`` whose default (and active) media reference is a
  ``GeneratorReference(generator_kind="text_to_video", parameters={prompt, negative_prompt, model, seed,
  steps, guidance, width, height, first_image, last_image})`` so every other tool sees the generator. Each
  take is ALSO attached as a named ``ExternalReference`` ("take_1", "take_2", ...); the clip's
  ``metadata["promptcut"]`` lists the takes (media id, spec hash, key) and names the active one
  (``active_take`` index and ``active_take_key``). A script or tool that wants the rendered shot switches
  ``active_media_reference_key`` to that key; if a file comes back with a take key active, that take becomes
  the active take. (``.otioz`` bundles pack only the active reference: they do not carry take files.)
- Timeline markers live on the top-level Stack (``timeline.tracks.markers``, as Resolve writes them) with
  zero-length ranges; our exact colour rides in the marker's metadata, OTIO gets the nearest named colour.
  On import, markers on tracks and clips are also converted to timeline markers.

Import of files made by other tools (no promptcut metadata):

- The timeline rate is the most common rate among video items (29.97 -> 30000/1001 and friends); item edges
  are converted to exact frames (rounded to the nearest frame, with one warning when anything was off-grid).
- ``ExternalReference`` -> ``MediaClip`` and one pool ``MediaSource`` per distinct path. Kind from the file
  extension (stills -> IMAGE, audio extensions -> AUDIO, else VIDEO); duration from ``available_range``, else
  the end of the furthest ``source_range`` as a lower bound; ``online`` = the file exists. Relative paths are
  made absolute against ``base_dir`` when it is given (``read_otio`` passes the file's folder). The project
  layer should re-probe imported media: has_audio, size and exact durations are guesses until then.
- Video tracks of a foreign timeline that also has audio tracks are imported muted: in NLE semantics the
  sound of a video clip lives on the audio tracks, and mixing both would double it.
- ``MissingReference`` (and unsupported references such as image sequences) -> a clip on offline media,
  with a warning. ``GeneratorReference`` "text_to_video" -> ``GeneratedClip`` (a text prompt is required);
  any other generator kind, or a generator without a prompt -> a gap, with a warning (we cannot render it).
- Transitions -> warning, imported as cuts. Effects and time warps -> warning, ignored (normal speed).
  Disabled clips -> warning, left out (a gap, as they play in the source tool). A nested Stack whose content
  sits on a single track is flattened into its parent track (trimmed to the stack's range); a nested Stack
  with several non-empty tracks is refused: a gap, with a warning naming it.

Errors in the input file raise :class:`InterchangeError`, one line naming the file and what is wrong.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import re
import stat
import tempfile
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field, replace
from fractions import Fraction
from pathlib import Path
from typing import Any

import opentimelineio as otio

from editor.interchange.otio_links import link_meta, read_link, settle_links
from editor.model import (
    Clip,
    Fit,
    GeneratedClip,
    GenerationSpec,
    Marker,
    MediaClip,
    MediaKind,
    MediaSource,
    Settings,
    Take,
    Timeline,
    Track,
    TrackKind,
    new_id,
)
from editor.model.time import format_rate, parse_rate, timecode

__all__ = [
    "GENERATOR_KIND",
    "METADATA_KEY",
    "METADATA_VERSION",
    "ImportResult",
    "InterchangeError",
    "path_to_url",
    "read_otio",
    "timeline_from_otio",
    "timeline_to_otio",
    "url_to_path",
    "write_otio",
]

METADATA_KEY = "promptcut"
METADATA_VERSION = 1
GENERATOR_KIND = "text_to_video"
TAKE_KEY = "take_{}"   # named media references of a generated clip's takes, 1-based

STILL_EXTENSIONS = frozenset({"png", "jpg", "jpeg", "webp", "bmp", "tif", "tiff"})   # not gif: often animated
AUDIO_EXTENSIONS = frozenset({"wav", "mp3", "aac", "m4a", "flac", "ogg", "oga", "opus", "aif", "aiff", "wma"})

# OTIO's named marker colours and the hex we show for each; ORANGE is our default marker colour.
MARKER_COLORS = {
    "RED": "#e04040",
    "ORANGE": "#e0a030",
    "YELLOW": "#e0e040",
    "GREEN": "#40c040",
    "CYAN": "#40c0c0",
    "BLUE": "#4060e0",
    "PURPLE": "#8040c0",
    "MAGENTA": "#e040e0",
    "PINK": "#f08cb4",
    "BLACK": "#000000",
    "WHITE": "#ffffff",
}

_NTSC_RATES = tuple(Fraction(n * 1000, 1001) for n in (24, 30, 48, 60, 120))
_INT64 = (-(2**63), 2**63 - 1)
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_DRIVE = re.compile(r"^[A-Za-z]:[\\/]")


class InterchangeError(Exception):
    """The file cannot be imported or written. The message is one line naming the file and the problem."""


@dataclass
class ImportResult:
    """A timeline read from OTIO, with what did not come across exactly (one line per problem)."""

    timeline: Timeline
    warnings: list[str] = field(default_factory=list)
    name: str = ""


# --- paths and URLs ---------------------------------------------------------------------------------------


def path_to_url(path: str) -> str:
    """The ``target_url`` we write for a media path.

    Absolute paths (POSIX, Windows drive, UNC) become percent-encoded ``file://`` URLs; relative paths stay
    plain relative paths, as OTIO's ``url_from_filepath`` writes them ("./" is put in front of one that would
    otherwise look like a URL scheme). :func:`url_to_path` inverts it exactly for POSIX paths.
    """
    if _DRIVE.match(path):
        return "file:///" + _quote(path.replace("\\", "/"), safe="/:")
    if path.startswith("\\\\"):
        return "file:" + _quote(path.replace("\\", "/"), safe="/")
    if os.path.isabs(path):
        return "file://" + _quote(path, safe="/")
    if _SCHEME.match(path):
        return "./" + path
    return path


def url_to_path(url: str) -> str:
    """A media path from a ``target_url``: decodes ``file:`` URLs; anything else is taken as a plain path."""
    if url.lower().startswith("file:"):
        parsed = urllib.parse.urlsplit(url)
        path = urllib.parse.unquote(parsed.path, errors="surrogateescape")
        if parsed.netloc and parsed.netloc.lower() != "localhost":
            return "//" + parsed.netloc + path   # UNC: file://host/share/x
        if re.match(r"^/[A-Za-z]:/", path):
            path = path[1:]
            return path.replace("/", "\\") if os.name == "nt" else path
        return path
    if url.startswith("./") and _SCHEME.match(url[2:]):
        return url[2:]
    return url


def _quote(text: str, safe: str) -> str:
    return urllib.parse.quote(text, safe=safe, encoding="utf-8", errors="surrogateescape")


def _exists(path: str) -> bool:
    try:
        return os.path.exists(path)
    except (ValueError, OSError):
        return False


# --- small conversions --------------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """OTIO metadata (AnyDictionary/AnyVector) as plain dicts and lists. Call while the owner is alive."""
    if isinstance(value, (dict, otio._otio.AnyDictionary)):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, otio._otio.AnyVector)):
        return [_plain(v) for v in value]
    return value


def _our_meta(obj: Any) -> dict[str, Any]:
    meta = _plain(obj.metadata).get(METADATA_KEY)
    return meta if isinstance(meta, dict) else {}


def _float_text(value: float) -> str:
    return repr(float(value))


def _read_float(value: Any, default: float) -> float:
    if isinstance(value, bool):
        return default
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return default
    return default


def _read_volume(value: Any) -> float:
    volume = _read_float(value, 1.0)
    return volume if math.isfinite(volume) and volume >= 0 else 1.0


def _read_fraction(value: Any) -> Fraction | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        if isinstance(value, float):
            return Fraction(repr(value))
        return Fraction(value)
    except (ValueError, ZeroDivisionError, TypeError):
        return None


def snap_rate(rate: float) -> Fraction:
    """An exact rate for an OTIO float rate: 29.97 and 29.97002997 -> 30000/1001, 30.0 -> 30."""
    if not isinstance(rate, (int, float)) or not math.isfinite(rate) or rate <= 0:
        raise ValueError(f"bad rate {rate!r}")
    for ntsc in _NTSC_RATES:
        if abs(rate - float(ntsc)) < 5e-3:   # 23.976, 23.98 and 24000/1001 alike; 24 is 0.024 away
            return ntsc
    nearest = round(rate)
    if nearest > 0 and abs(rate - nearest) < 1e-9 * max(1.0, rate):
        return Fraction(nearest)
    return Fraction(repr(float(rate)))


def _seconds(rt: otio.opentime.RationalTime) -> Fraction:
    value = rt.value
    exact = Fraction(int(value)) if float(value).is_integer() else Fraction(repr(float(value)))
    return exact / snap_rate(rt.rate)


def _rt(frames: int | Fraction, rate: float) -> otio.opentime.RationalTime:
    return otio.opentime.RationalTime(float(frames) if isinstance(frames, Fraction) else frames, rate)


def _hex_to_otio_color(color: str) -> str:
    match = re.fullmatch(r"#?([0-9a-fA-F]{6})", color.strip())
    if not match:
        return "ORANGE"
    rgb = [int(match.group(1)[i:i + 2], 16) for i in (0, 2, 4)]

    def distance(hex_: str) -> int:
        other = [int(hex_[i:i + 2], 16) for i in (1, 3, 5)]
        return sum((a - b) ** 2 for a, b in zip(rgb, other, strict=True))

    return min(MARKER_COLORS, key=lambda name: distance(MARKER_COLORS[name]))


def _extension(path: str) -> str:
    name = path.replace("\\", "/").rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


# --- export -------------------------------------------------------------------------------------------------


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
    for track in timeline.tracks:
        result.tracks.append(_track_to_otio(timeline, track, rate))
    for marker in sorted(timeline.markers, key=lambda m: (m.frame, m.name)):
        result.tracks.markers.append(
            otio.schema.Marker(
                name=marker.name,
                marked_range=otio.opentime.TimeRange(_rt(marker.frame, rate), _rt(0, rate)),
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


def _track_to_otio(timeline: Timeline, track: Track, rate: float) -> otio.schema.Track:
    kind = otio.schema.TrackKind.Video if track.kind is TrackKind.VIDEO else otio.schema.TrackKind.Audio
    result = otio.schema.Track(name=track.name, kind=kind)
    result.enabled = not (track.hidden if track.kind is TrackKind.VIDEO else track.muted)
    result.metadata[METADATA_KEY] = {
        "id": track.id,
        "hidden": track.hidden,
        "muted": track.muted,
        "locked": track.locked,
        "volume": _float_text(track.volume),
    }
    cursor = 0
    for clip in track.clips:
        if clip.start > cursor:
            result.append(otio.schema.Gap(duration=_rt(clip.start - cursor, rate)))
        result.append(_clip_to_otio(timeline, clip, rate))
        cursor = max(cursor, clip.end)
    return result


def _clip_to_otio(timeline: Timeline, clip: Clip, rate: float) -> otio.schema.Clip:
    meta: dict[str, Any] = {"id": clip.id, "fit": clip.fit.value, "volume": _float_text(clip.volume)}
    source_range = otio.opentime.TimeRange(_rt(clip.source_in, rate), _rt(clip.duration, rate))
    result = otio.schema.Clip(name=clip.name, source_range=source_range)
    if isinstance(clip, GeneratedClip):
        meta["kind"] = "generated"
        spec = clip.spec
        params = {"prompt": spec.prompt, **spec.to_dict()}
        if isinstance(spec.seed, int) and not (_INT64[0] <= spec.seed <= _INT64[1]):
            params["seed"] = str(spec.seed)   # OTIO stores int64 only
        if spec.guidance is not None:
            params["guidance"] = float(spec.guidance)
            meta["guidance"] = _float_text(spec.guidance)
        references: dict[str, otio.core.MediaReference] = {
            otio.schema.Clip.DEFAULT_MEDIA_KEY: otio.schema.GeneratorReference(
                name=spec.prompt[:60], generator_kind=GENERATOR_KIND, parameters=params
            )
        }
        takes = []
        for i, take in enumerate(clip.takes):
            key = TAKE_KEY.format(i + 1)
            entry = {"key": key, "media_id": take.media_id, "spec_hash": take.spec_hash}
            if take.spec is not None:
                entry["spec"] = take.spec.to_dict()
            takes.append(entry)
            references[key] = _media_reference(timeline, take.media_id, rate)
        meta["takes"] = takes
        meta["active_take"] = clip.active_take
        meta["active_take_key"] = TAKE_KEY.format(clip.active_take + 1) if clip.media_id() is not None else None
        result.set_media_references(references, otio.schema.Clip.DEFAULT_MEDIA_KEY)
    elif isinstance(clip, MediaClip):
        meta["kind"] = "media"
        result.media_reference = _media_reference(timeline, clip.media, rate)
    else:   # pragma: no cover - a clip kind this exporter does not know yet
        raise InterchangeError(f"cannot export clip {clip.id}: unknown clip kind {type(clip).__name__}")
    meta.update(link_meta(clip))
    result.metadata[METADATA_KEY] = meta
    return result


def _media_reference(timeline: Timeline, media_id: str, rate: float) -> otio.core.MediaReference:
    media = timeline.media.get(media_id)
    if media is None:
        return otio.schema.MissingReference(metadata={METADATA_KEY: {"media_id": media_id}})
    available = None
    if media.duration is not None and media.kind is not MediaKind.IMAGE:
        available = otio.opentime.TimeRange(_rt(0, rate), _rt(media.duration * timeline.fps, rate))
    reference = otio.schema.ExternalReference(
        target_url=path_to_url(media.path),
        available_range=available,
        metadata={METADATA_KEY: {"media_id": media_id}},
    )
    reference.name = media.name
    return reference


# --- import -------------------------------------------------------------------------------------------------


@dataclass
class _Entry:
    """A clip placed on a (flattened) track: [start, end) in track seconds, source seconds at ``start``."""

    start: Fraction
    end: Fraction
    clip: otio.schema.Clip
    trim_start: Fraction


@dataclass
class _Layout:
    entries: list[_Entry] = field(default_factory=list)
    markers: list[tuple[Fraction, otio.schema.Marker]] = field(default_factory=list)


class _Importer:
    def __init__(self, source: otio.schema.Timeline, base_dir: str | None) -> None:
        self.source = source
        self.base_dir = None if base_dir is None else os.fspath(base_dir)
        self.warnings: list[str] = []
        self.meta = _our_meta(source)
        self.settings = self._settings()
        self.fps = self.settings.fps
        self.media: dict[str, MediaSource] = {}
        self.pool_written: dict[str, str] = {}       # media id from our metadata -> path as written
        self.by_path: dict[str, str] = {}            # resolved path -> media id
        self.guessed: set[str] = set()               # media made from references (duration is a guess)
        self.clip_ids: set[str] = set()
        self.track_ids: set[str] = set()
        self.off_grid = False

    # --- settings and pool ------------------------------------------------------------------------------

    def warn(self, text: str) -> None:
        if text not in self.warnings:
            self.warnings.append(text)

    def _settings(self) -> Settings:
        raw = self.meta.get("settings")
        if isinstance(raw, dict):
            try:
                return Settings(
                    width=int(raw["width"]),
                    height=int(raw["height"]),
                    fps=parse_rate(str(raw["fps"])),
                    sample_rate=int(raw["sample_rate"]),
                )
            except (KeyError, ValueError, TypeError) as exc:
                self.warn(f"project settings in the file are unreadable ({exc}); using defaults")
        return Settings(fps=self._guess_rate())

    def _guess_rate(self) -> Fraction:
        counts: Counter[Fraction] = Counter()
        for track in self.source.tracks:
            if not isinstance(track, otio.schema.Track):
                continue
            weight = 2 if track.kind == otio.schema.TrackKind.Video else 1
            for item in track.find_children(shallow_search=False):
                rng = item.source_range if isinstance(item, (otio.schema.Clip, otio.schema.Gap)) else None
                if rng is None:
                    continue
                try:
                    rate = snap_rate(rng.duration.rate)
                except ValueError:
                    continue
                if rate <= 1000 and rate != 1:
                    counts[rate] += weight
        if counts:
            return counts.most_common(1)[0][0]
        start = self.source.global_start_time
        if start is not None:
            try:
                rate = snap_rate(start.rate)
                if 1 < rate <= 1000:
                    return rate
            except ValueError:
                pass
        return Settings().fps

    def load_pool(self) -> None:
        pool = self.meta.get("media")
        if not isinstance(pool, dict):
            return
        for media_id, raw in pool.items():
            try:
                written = url_to_path(str(raw["url"]))
                kind = MediaKind(raw["kind"])
                duration = _read_fraction(raw.get("duration"))
                if raw.get("duration") is not None and duration is None:
                    raise ValueError(f"bad duration {raw.get('duration')!r}")
                resolved = self.resolve(written)
                media = MediaSource(
                    id=media_id,
                    path=resolved,
                    kind=kind,
                    duration=duration,
                    has_video=bool(raw["has_video"]),
                    has_audio=bool(raw["has_audio"]),
                    width=int(raw.get("width", 0)),
                    height=int(raw.get("height", 0)),
                    online=_exists(resolved),
                )
            except (KeyError, ValueError, TypeError) as exc:
                self.warn(f"media pool entry {media_id!r} is unreadable ({exc}); skipped")
                continue
            self.media[media_id] = media
            self.pool_written[media_id] = written
            self.by_path.setdefault(resolved, media_id)

    def resolve(self, written: str) -> str:
        if self.base_dir is not None and written and not os.path.isabs(written) and not _DRIVE.match(written):
            return os.path.normpath(os.path.join(self.base_dir, written))
        return written

    # --- the timeline ---------------------------------------------------------------------------------

    def run(self) -> Timeline:
        self.load_pool()
        timeline = Timeline(settings=self.settings, media=self.media)
        has_audio_tracks = any(
            isinstance(t, otio.schema.Track) and t.kind == otio.schema.TrackKind.Audio for t in self.source.tracks
        )
        markers: list[tuple[Fraction, otio.schema.Marker]] = [
            (_seconds(m.marked_range.start_time), m) for m in self.source.tracks.markers
        ]
        counters = {TrackKind.VIDEO: 0, TrackKind.AUDIO: 0}
        for index, item in enumerate(self.source.tracks):
            if not isinstance(item, otio.schema.Track):
                self.warn(f"top-level {item.schema_name()} {item.name!r} is not a track; skipped")
                continue
            if item.kind == otio.schema.TrackKind.Video:
                kind = TrackKind.VIDEO
            elif item.kind == otio.schema.TrackKind.Audio:
                kind = TrackKind.AUDIO
            else:
                self.warn(f"track {item.name or index + 1!r} of kind {item.kind!r} skipped (only Video and Audio)")
                continue
            counters[kind] += 1
            track = self._track(item, kind, counters[kind], has_audio_tracks)
            layout = self._layout_track(item, track.name)
            markers.extend(layout.markers)
            self._place(track, layout.entries)
            (timeline.video_tracks if kind is TrackKind.VIDEO else timeline.audio_tracks).append(track)
        for seconds, marker in markers:
            converted = self._marker(seconds, marker)
            if converted is not None:
                timeline.markers.append(converted)
        self._fit_media_durations(timeline)
        settle_links(timeline, self.warn)
        if self.off_grid:
            self.warn(f"some times were not on whole frames at {format_rate(self.fps)} fps: rounded to the nearest")
        problems = timeline.problems()
        if problems:
            raise InterchangeError(f"imported timeline is inconsistent: {'; '.join(problems)}")
        return timeline

    def _track(self, item: otio.schema.Track, kind: TrackKind, number: int, has_audio_tracks: bool) -> Track:
        meta = _our_meta(item)
        prefix = "v" if kind is TrackKind.VIDEO else "a"
        track_id = meta.get("id") if isinstance(meta.get("id"), str) else None
        if not track_id or track_id in self.track_ids:
            track_id = new_id(prefix)
        self.track_ids.add(track_id)
        name = item.name if meta else item.name or f"{prefix.upper()}{number}"
        if meta:
            hidden, muted = bool(meta.get("hidden", False)), bool(meta.get("muted", False))
        else:
            hidden, muted = False, kind is TrackKind.VIDEO and has_audio_tracks
        if not item.enabled:
            if kind is TrackKind.VIDEO:
                hidden = True
            else:
                muted = True
        elif meta:   # enabled is the truth for the flag it mirrors (another tool may have switched it)
            if kind is TrackKind.VIDEO:
                hidden = False
            else:
                muted = False
        if item.source_range is not None:
            self.warn(f"track {name!r} is trimmed in the file; the trim is ignored")
        self._warn_effects(item, f"track {name!r}")
        return Track(
            id=track_id,
            kind=kind,
            name=name,
            hidden=hidden,
            muted=muted,
            locked=bool(meta.get("locked", False)),
            volume=_read_volume(meta.get("volume")),
        )

    # --- layout: items to positioned clips, nested stacks flattened ----------------------------------------

    def _layout_track(self, track: otio.schema.Track, where: str) -> _Layout:
        layout = _Layout()
        for marker in track.markers:
            layout.markers.append((_seconds(marker.marked_range.start_time), marker))
        cursor = Fraction(0)
        for item in track:
            here = f"{where} at {self._tc(cursor)}"
            if isinstance(item, otio.schema.Transition):
                self.warn(f"transition {item.name or item.transition_type!r} on {here} imported as a cut")
                continue
            length = self._item_length(item, here)
            if isinstance(item, otio.schema.Gap):
                pass
            elif isinstance(item, otio.schema.Clip):
                trim = item.trimmed_range()
                trim_start = _seconds(trim.start_time)
                layout.entries.append(_Entry(cursor, cursor + length, item, trim_start))
                for marker in item.markers:
                    at = _seconds(marker.marked_range.start_time) - trim_start
                    if 0 <= at < length:
                        layout.markers.append((cursor + at, marker))
            elif isinstance(item, (otio.schema.Stack, otio.schema.Track)):
                self._flatten_nested(item, cursor, length, layout, here)
            else:
                self.warn(f"{item.schema_name()} {item.name!r} on {here} is not supported; left as a gap")
            cursor += length
        return layout

    def _item_length(self, item: Any, where: str) -> Fraction:
        try:
            length = _seconds(item.trimmed_range().duration)
        except (ValueError, RuntimeError, otio.exceptions.OTIOError) as exc:
            if isinstance(item, otio.schema.Clip):
                raise InterchangeError(f"clip {item.name!r} on {where} has no usable range ({exc})") from None
            raise InterchangeError(f"{item.schema_name()} on {where} has no usable length ({exc})") from None
        if length < 0:
            raise InterchangeError(f"{item.schema_name()} {item.name!r} on {where} has a negative length")
        return length

    def _flatten_nested(self, item: Any, cursor: Fraction, length: Fraction, layout: _Layout, where: str) -> None:
        label = f"nested {item.schema_name()} {item.name!r} on {where}"
        self._warn_effects(item, label)
        inner = [item] if isinstance(item, otio.schema.Track) else [t for t in item if not _is_empty(t)]
        if not inner:
            return
        if len(inner) > 1 or not isinstance(inner[0], otio.schema.Track):
            self.warn(f"{label} has {len(inner)} layers; it cannot be flattened and was replaced by a gap")
            return
        nested = self._layout_track(inner[0], where)
        window_start = _seconds(item.trimmed_range().start_time)
        window_end = window_start + length
        shift = cursor - window_start
        for entry in nested.entries:
            start, end = max(entry.start, window_start), min(entry.end, window_end)
            if end <= start:
                continue
            layout.entries.append(
                _Entry(start + shift, end + shift, entry.clip, entry.trim_start + (start - entry.start))
            )
        for at, marker in nested.markers:
            if window_start <= at < window_end:
                layout.markers.append((at + shift, marker))
        self.warn(f"{label} was flattened into its parent track")

    # --- clips ------------------------------------------------------------------------------------------

    def _place(self, track: Track, entries: list[_Entry]) -> None:
        for entry in entries:
            start, end = self._frame(entry.start), self._frame(entry.end)
            clip = entry.clip
            where = f"clip {clip.name!r} on {track.name} at {timecode(start, self.fps)}"
            if end <= start:
                self.warn(f"{where} is shorter than a frame; left out")
                continue
            if not clip.enabled:
                self.warn(f"{where} is disabled in the file; left out")
                continue
            self._warn_effects(clip, where)
            converted = self._clip(clip, track, start, end - start, entry.trim_start, where)
            if converted is not None:
                track.add(converted)

    def _clip(
        self, item: otio.schema.Clip, track: Track, start: int, duration: int, trim_start: Fraction, where: str
    ) -> Clip | None:
        meta = _our_meta(item)
        clip_id = meta.get("id") if isinstance(meta.get("id"), str) else None
        if not clip_id or clip_id in self.clip_ids:
            clip_id = new_id("c")
        try:
            fit = Fit(meta.get("fit", Fit.FILL.value))
        except ValueError:
            fit = Fit.FILL
        common: dict[str, Any] = {
            "id": clip_id,
            "start": start,
            "duration": duration,
            "name": item.name,
            "fit": fit,
            "volume": _read_volume(meta.get("volume")),
            **read_link(meta, track.kind),
        }
        references = item.media_references()
        active_key = item.active_media_reference_key
        active = references.get(active_key)
        generator = active if isinstance(active, otio.schema.GeneratorReference) else None
        default = references.get(otio.schema.Clip.DEFAULT_MEDIA_KEY)
        if generator is None and meta.get("kind") == "generated":
            generator = default if isinstance(default, otio.schema.GeneratorReference) else None
        if generator is not None:
            result = self._generated(item, generator, meta, references, active_key, track, common, trim_start, where)
        else:
            result = self._media_clip(active, track, common, trim_start, where, item.name)
        if result is not None:
            self.clip_ids.add(clip_id)
        return result

    def _source_in(self, trim_start: Fraction, available: otio.opentime.TimeRange | None, where: str) -> int:
        offset = trim_start - (_seconds(available.start_time) if available is not None else 0)
        source_in = self._frame(offset)
        if source_in < 0:
            self.warn(f"{where} starts before its media; its source in was set to 0")
            source_in = 0
        return source_in

    def _generated(
        self,
        item: otio.schema.Clip,
        ref: otio.schema.GeneratorReference,
        meta: dict[str, Any],
        references: dict[str, Any],
        active_key: str,
        track: Track,
        common: dict[str, Any],
        trim_start: Fraction,
        where: str,
    ) -> Clip | None:
        if ref.generator_kind != GENERATOR_KIND:
            self.warn(f"{where}: generator {ref.generator_kind!r} is not supported; left as a gap")
            return None
        if track.kind is not TrackKind.VIDEO:
            self.warn(f"{where}: a generated video clip on an audio track; left out")
            return None
        spec = self._spec(_plain(ref.parameters), meta, where)
        if spec is None:
            return None
        takes: list[Take] = []
        index_map: dict[int, int] = {}
        raw_takes = meta.get("takes") if isinstance(meta.get("takes"), list) else []
        for i, raw in enumerate(raw_takes):
            if not isinstance(raw, dict) or not isinstance(raw.get("media_id"), str):
                self.warn(f"{where}: take {i + 1} is unreadable; dropped")
                continue
            key = raw.get("key")
            media_id = None
            take_ref = references.get(key) if isinstance(key, str) else None
            if isinstance(take_ref, otio.schema.ExternalReference):
                media_id = self._external_media(take_ref, track, where, wanted_id=raw["media_id"])
            elif raw["media_id"] in self.media:
                media_id = raw["media_id"]
            if media_id is None:
                self.warn(f"{where}: the file of take {i + 1} is unknown; take dropped")
                continue
            index_map[i] = len(takes)
            if isinstance(key, str) and key == active_key:
                meta = {**meta, "active_take": i}
            take_spec = None
            if isinstance(raw.get("spec"), dict):
                try:
                    take_spec = GenerationSpec.from_dict(dict(raw["spec"]))
                except (TypeError, ValueError):
                    self.warn(f"{where}: take {i + 1} has an unreadable spec; kept without it")
            takes.append(Take(media_id=media_id, spec_hash=str(raw.get("spec_hash", "")), spec=take_spec))
        active_take = meta.get("active_take")
        active = index_map.get(active_take) if isinstance(active_take, int) else None
        available = None
        if active is not None:
            take_ref = references.get(TAKE_KEY.format(active_take + 1))
            if isinstance(take_ref, otio.schema.ExternalReference):
                available = take_ref.available_range
        return GeneratedClip(
            **common,
            source_in=self._source_in(trim_start, available, where),
            spec=spec,
            takes=tuple(takes),
            active_take=active,
        )

    def _spec(self, params: dict[str, Any], meta: dict[str, Any], where: str) -> GenerationSpec | None:
        prompt = params.get("prompt")
        if not isinstance(prompt, str):
            self.warn(f"{where}: text_to_video generator without a text prompt; left as a gap")
            return None
        values: dict[str, Any] = {"prompt": prompt}
        for key in ("negative_prompt", "model", "first_image", "last_image"):
            value = params.get(key)
            if value is None:
                continue
            if isinstance(value, str):
                values[key] = value
            else:
                self.warn(f"{where}: generator parameter {key}={value!r} is not text; ignored")
        for key in ("seed", "steps", "width", "height"):
            value = params.get(key)
            if value is None:
                continue
            number = _as_int(value)
            if number is None:
                self.warn(f"{where}: generator parameter {key}={value!r} is not a whole number; ignored")
            else:
                values[key] = number
        guidance = params.get("guidance")
        if guidance is not None:
            number = None if isinstance(guidance, bool) else _read_fraction(guidance)
            if number is None:
                self.warn(f"{where}: generator parameter guidance={guidance!r} is not a number; ignored")
            else:
                value = float(guidance) if not isinstance(guidance, str) else float(number)
                exact = _read_float(meta.get("guidance"), math.nan)
                if math.isfinite(exact) and math.isclose(exact, value, rel_tol=1e-12, abs_tol=1e-300):
                    value = exact
                values["guidance"] = value
        unknown = sorted(set(params) - set(GenerationSpec.__dataclass_fields__))
        if unknown:
            self.warn(f"{where}: generator parameters {', '.join(unknown)} have no place here; ignored")
        return GenerationSpec.from_dict(values)

    def _media_clip(
        self, ref: Any, track: Track, common: dict[str, Any], trim_start: Fraction, where: str, name: str
    ) -> Clip | None:
        available = None
        if isinstance(ref, otio.schema.ExternalReference):
            media_id = self._external_media(ref, track, where)
            if media_id is None:
                return None
            available = ref.available_range
        else:
            if isinstance(ref, otio.schema.MissingReference):
                self.warn(f"{where} has no media (MissingReference); kept on offline media")
            else:
                kind = ref.schema_name() if ref is not None else "no reference"
                self.warn(f"{where}: {kind} is not supported; kept on offline media")
            meta_id = _our_meta(ref).get("media_id") if ref is not None else None
            if isinstance(meta_id, str) and meta_id in self.media and self._fits(self.media[meta_id], track):
                media_id = meta_id
            else:
                media_id = self._missing_media(name, track, ref)
            available = getattr(ref, "available_range", None)
        source_in = self._source_in(trim_start, available, where)
        if self.media[media_id].kind is MediaKind.IMAGE:
            source_in = 0   # a still has no time of its own
        return MediaClip(**common, source_in=source_in, media=media_id)

    def _missing_media(self, name: str, track: Track, ref: Any) -> str:
        media_id = new_id("m")
        video = track.kind is TrackKind.VIDEO
        duration = None
        available = getattr(ref, "available_range", None)
        if available is not None:
            duration = _seconds(available.duration)
        self.media[media_id] = MediaSource(
            id=media_id,
            path=name or "missing media",
            kind=MediaKind.VIDEO if video else MediaKind.AUDIO,
            duration=duration,
            has_video=video,
            has_audio=True,
            online=False,
        )
        self.guessed.add(media_id)
        return media_id

    def _external_media(
        self, ref: otio.schema.ExternalReference, track: Track, where: str, wanted_id: str | None = None
    ) -> str | None:
        url = ref.target_url or ""
        if not url:
            self.warn(f"{where}: media reference without a URL; kept on offline media")
            return self._missing_media(ref.name, track, ref)
        if _SCHEME.match(url) and not url.lower().startswith("file:") and not _DRIVE.match(url):
            self.warn(f"{where}: remote media {url!r} is not supported; kept as offline media")
        written = url_to_path(url)
        resolved = self.resolve(written)
        meta_id = _our_meta(ref).get("media_id", wanted_id)
        media_id: str | None = None
        if isinstance(meta_id, str) and self.pool_written.get(meta_id) == written:
            media_id = meta_id
        elif resolved in self.by_path:
            media_id = self.by_path[resolved]
        if media_id is None:
            media_id = self._new_media(ref, written, resolved, meta_id)
        media = self.media[media_id]
        if not self._fits(media, track):
            what = "no sound" if track.kind is TrackKind.AUDIO else "no picture"
            self.warn(f"{where}: {media.name!r} has {what} for a {track.kind.value} track; left out")
            return None
        return media_id

    def _new_media(self, ref: otio.schema.ExternalReference, written: str, resolved: str, meta_id: Any) -> str:
        media_id = meta_id if isinstance(meta_id, str) and meta_id and meta_id not in self.media else new_id("m")
        ext = _extension(written)
        kind = (
            MediaKind.IMAGE if ext in STILL_EXTENSIONS else MediaKind.AUDIO if ext in AUDIO_EXTENSIONS
            else MediaKind.VIDEO
        )
        duration = None
        available = ref.available_range
        if available is not None and kind is not MediaKind.IMAGE:
            duration = _seconds(available.duration)
        self.media[media_id] = MediaSource(
            id=media_id,
            path=resolved,
            kind=kind,
            duration=duration,
            has_video=kind is not MediaKind.AUDIO,
            has_audio=kind is not MediaKind.IMAGE,
            online=_exists(resolved),
        )
        self.by_path[resolved] = media_id
        self.guessed.add(media_id)
        return media_id

    @staticmethod
    def _fits(media: MediaSource, track: Track) -> bool:
        return media.has_audio if track.kind is TrackKind.AUDIO else media.has_video

    def _fit_media_durations(self, timeline: Timeline) -> None:
        """Media must cover every clip that plays it: a missing or short duration becomes a lower bound."""
        needed: dict[str, int] = {}
        for _, clip in timeline.clips():
            media_id = clip.media_id()
            if media_id is not None:
                needed[media_id] = max(needed.get(media_id, 0), clip.source_in + clip.duration)
        for media_id, frames in needed.items():
            media = timeline.media[media_id]
            if media.kind is MediaKind.IMAGE:
                continue
            have = media.duration_frames(self.fps)
            if have is not None and have >= frames:
                continue
            if media.duration is None and media_id not in self.guessed:
                continue   # unknown length in our own pool: unbounded, leave it as it was
            if have is not None:
                self.warn(f"media {media.name!r} is shorter than its clips in the file; its length was extended")
            timeline.media[media_id] = replace(media, duration=Fraction(frames) / self.fps)

    # --- markers, effects, times --------------------------------------------------------------------

    def _marker(self, seconds: Fraction, marker: otio.schema.Marker) -> Marker | None:
        frame = self._frame(seconds)
        if frame < 0:
            self.warn(f"marker {marker.name!r} before the start of the timeline; left out")
            return None
        color = _our_meta(marker).get("color")
        if not isinstance(color, str):
            color = MARKER_COLORS.get(str(marker.color).upper(), MARKER_COLORS["ORANGE"])
        return Marker(frame=frame, name=marker.name, color=color)

    def _warn_effects(self, item: Any, where: str) -> None:
        for effect in item.effects:
            if isinstance(effect, (otio.schema.LinearTimeWarp, otio.schema.FreezeFrame)):
                self.warn(f"{where}: speed change ({effect.schema_name()}) ignored; plays at normal speed")
            else:
                self.warn(f"{where}: effect {effect.effect_name or effect.schema_name()!r} ignored")

    def _frame(self, seconds: Fraction) -> int:
        exact = seconds * self.fps
        frame = round(exact)
        if frame != exact:
            self.off_grid = True
        return int(frame)

    def _tc(self, seconds: Fraction) -> str:
        return timecode(round(seconds * self.fps), self.fps)


def _is_empty(item: Any) -> bool:
    if isinstance(item, otio.schema.Clip):
        return False
    if isinstance(item, (otio.schema.Track, otio.schema.Stack)):
        return all(_is_empty(child) for child in item)
    return True   # gaps, transitions


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            return None
    return None


def timeline_from_otio(otio_timeline: otio.schema.Timeline, base_dir: str | os.PathLike | None = None) -> ImportResult:
    """Our timeline from an OTIO Timeline, with warnings for what did not come across exactly.

    ``base_dir``: the folder relative media paths are resolved against (they become absolute); with None they
    stay as written. Raises :class:`InterchangeError` when the timeline cannot be imported at all.
    """
    if not isinstance(otio_timeline, otio.schema.Timeline):
        kind = otio_timeline.schema_name() if hasattr(otio_timeline, "schema_name") else type(otio_timeline).__name__
        raise InterchangeError(f"expected an OTIO Timeline, got {kind}")
    importer = _Importer(otio_timeline, None if base_dir is None else os.fspath(base_dir))
    try:
        timeline = importer.run()
    except InterchangeError:
        raise
    except Exception as exc:   # untrusted input: whatever OTIO or the data throws becomes one clear line
        raise InterchangeError(f"cannot import: {type(exc).__name__}: {_one_line(exc)}") from exc
    return ImportResult(timeline=timeline, warnings=importer.warnings, name=otio_timeline.name)


# --- files --------------------------------------------------------------------------------------------------


def write_otio(timeline: Timeline, path: str | os.PathLike, name: str | None = None) -> Path:
    """Write ``timeline`` as an .otio (JSON) file, atomically: a temp file in the same folder, then replace.

    ``name`` is the OTIO timeline's name; the file's stem when None.
    """
    target = Path(path)
    try:
        text = timeline_to_otio(timeline, name=target.stem if name is None else name).to_json_string(indent=2)
    except (ValueError, TypeError) as exc:   # e.g. a name that is not valid Unicode text
        raise InterchangeError(f"{target}: cannot export ({_one_line(exc)})") from exc
    folder = target.parent
    try:
        mode = stat.S_IMODE(target.stat().st_mode) if target.exists() else 0o644
        fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise InterchangeError(f"{target}: cannot write ({exc.strerror or exc})") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.write("\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, mode)
        os.replace(temp, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise InterchangeError(f"{target}: cannot write ({exc.strerror or exc})") from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    return target


def read_otio(path: str | os.PathLike) -> ImportResult:
    """Read an .otio (JSON) file. Relative media paths are resolved against the file's folder.

    Raises :class:`InterchangeError` (one line: the file and what is wrong) for a missing, empty, non-JSON or
    non-OTIO file, or one whose timeline cannot be imported.
    """
    target = Path(path)
    try:
        data = target.read_bytes()
    except FileNotFoundError:
        raise InterchangeError(f"{target}: no such file") from None
    except IsADirectoryError:
        raise InterchangeError(f"{target}: is a folder, not an .otio file") from None
    except OSError as exc:
        raise InterchangeError(f"{target}: cannot read ({exc.strerror or exc})") from None
    if not data.strip():
        raise InterchangeError(f"{target}: empty file")
    if data.startswith(b"PK\x03\x04"):
        raise InterchangeError(f"{target}: a zip archive (.otioz bundles are not supported; unzip it first)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InterchangeError(f"{target}: not UTF-8 text, so not an .otio file") from None
    try:
        parsed = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InterchangeError(f"{target}: not JSON ({exc.msg} at line {exc.lineno} column {exc.colno})") from None
    except RecursionError:
        raise InterchangeError(f"{target}: JSON nested too deeply") from None
    if not isinstance(parsed, dict) or "OTIO_SCHEMA" not in parsed:
        raise InterchangeError(f"{target}: JSON but not OpenTimelineIO (no OTIO_SCHEMA at the top)")
    schema = str(parsed["OTIO_SCHEMA"])
    try:
        obj = otio.core.deserialize_json_from_string(text)
    except Exception as exc:   # OTIO raises ValueError, KeyError, TypeError... for malformed content
        raise InterchangeError(f"{target}: malformed OTIO {schema} ({_one_line(exc)})") from None
    extra: list[str] = []
    holder = obj   # keeps a collection (and so its children) alive while we read the timeline
    if isinstance(obj, otio.schema.SerializableCollection):
        timelines = [child for child in obj if isinstance(child, otio.schema.Timeline)]
        if not timelines:
            raise InterchangeError(f"{target}: an OTIO collection without a timeline")
        if len(timelines) > 1:
            extra.append(f"the file holds {len(timelines)} timelines; imported the first")
        obj = timelines[0]
    if not isinstance(obj, otio.schema.Timeline):
        raise InterchangeError(f"{target}: holds an OTIO {schema}, not a Timeline")
    try:
        result = timeline_from_otio(obj, base_dir=os.path.dirname(os.path.abspath(target)))
    except InterchangeError as exc:
        raise InterchangeError(f"{target}: {exc}") from exc.__cause__
    del holder
    result.warnings.extend(extra)
    return result


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text if len(text) <= 300 else text[:297] + "..."

