"""An OpenTimelineIO timeline read into ours: settings, media pool, tracks and markers, with nested stacks
flattened and one warning line for each thing that did not come across exactly."""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Any

import opentimelineio as otio

from editor.interchange.otio_common import (
    CLIPS_CAN_BE_DISABLED,
    DRIVE_PATH,
    MARKER_COLORS,
    TIMELINE_HAS_LENGTH,
    URL_SCHEME,
    ImportResult,
    InterchangeError,
    file_exists,
    nowhere_path,
    one_line,
    our_meta,
    read_fraction,
    read_volume,
    snap_rate,
    to_seconds,
    url_to_path,
)
from editor.interchange.otio_effects import (
    PendingTransition,
    read_clip_effects,
    read_transition,
    settle_effects,
    settle_transitions,
)
from editor.interchange.otio_generated import GeneratedImport
from editor.interchange.otio_links import read_link, settle_links
from editor.interchange.otio_text import TEXT_KIND, read_text_clip
from editor.model import (
    Clip,
    Fit,
    Marker,
    MediaClip,
    MediaKind,
    MediaSource,
    Settings,
    Timeline,
    Track,
    TrackKind,
    new_id,
)
from editor.model.time import format_rate, parse_rate, timecode

STILL_EXTENSIONS = frozenset({"png", "jpg", "jpeg", "webp", "bmp", "tif", "tiff"})   # not gif: often animated
AUDIO_EXTENSIONS = frozenset({"wav", "mp3", "aac", "m4a", "flac", "ogg", "oga", "opus", "aif", "aiff", "wma"})


@dataclass
class _Entry:
    """A clip placed on a (flattened) track: [start, end) in track seconds, source seconds at ``start``."""

    start: Fraction
    end: Fraction
    clip: otio.schema.Clip
    trim_start: Fraction
    transition: PendingTransition | None = None   # the transition from the clip before, at ``start``


@dataclass
class _Layout:
    entries: list[_Entry] = field(default_factory=list)
    markers: list[tuple[Fraction, otio.schema.Marker]] = field(default_factory=list)


class _Importer(GeneratedImport):
    def __init__(self, source: otio.schema.Timeline, base_dir: str | None) -> None:
        self.source = source
        self.base_dir = None if base_dir is None else os.fspath(base_dir)
        self.warnings: list[str] = []
        self.meta = our_meta(source)
        self.settings = self._settings()
        self.fps = self.settings.fps
        self.media: dict[str, MediaSource] = {}
        self.pool_written: dict[str, str] = {}       # media id from our metadata -> path as written
        self.by_path: dict[str, str] = {}            # resolved path -> media id
        self.guessed: set[str] = set()               # media made from references (duration is a guess)
        self.clip_ids: set[str] = set()
        self.track_ids: set[str] = set()
        self.transitions: dict[str, PendingTransition] = {}   # clip id -> the transition read before it
        self.off_grid = False
        self.length = 0   # frames the OTIO timeline lasts, trailing gaps included

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
                duration = read_fraction(raw.get("duration"))
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
                    online=file_exists(resolved),
                )
            except (KeyError, ValueError, TypeError) as exc:
                self.warn(f"media pool entry {media_id!r} is unreadable ({exc}); skipped")
                continue
            self.media[media_id] = media
            self.pool_written[media_id] = written
            self.by_path.setdefault(resolved, media_id)

    def resolve(self, written: str) -> str:
        if self.base_dir is not None and written and not os.path.isabs(written) and not DRIVE_PATH.match(written):
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
            (to_seconds(m.marked_range.start_time), m) for m in self.source.tracks.markers
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
            settle_transitions(track, self.transitions, self._frame, self.warn)
            (timeline.video_tracks if kind is TrackKind.VIDEO else timeline.audio_tracks).append(track)
        for seconds, marker in markers:
            converted = self._marker(seconds, marker)
            if converted is not None:
                timeline.markers.append(converted)
        self._fit_media_durations(timeline)
        self._keep_length(timeline)
        settle_effects(timeline, self.warn)
        settle_links(timeline, self.warn)
        if self.off_grid:
            self.warn(f"some times were not on whole frames at {format_rate(self.fps)} fps: rounded to the nearest")
        problems = timeline.problems()
        if problems:
            raise InterchangeError(f"imported timeline is inconsistent: {'; '.join(problems)}")
        return timeline

    def _track(self, item: otio.schema.Track, kind: TrackKind, number: int, has_audio_tracks: bool) -> Track:
        meta = our_meta(item)
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
        flags = {"solo": meta.get("solo") is True, "captions": meta.get("captions") is True and kind is TrackKind.VIDEO}
        return Track(
            id=track_id,
            kind=kind,
            name=name,
            hidden=hidden,
            muted=muted,
            locked=bool(meta.get("locked", False)),
            volume=read_volume(meta.get("volume")),
            **flags,
        )

    # --- layout: items to positioned clips, nested stacks flattened ----------------------------------------

    def _layout_track(self, track: otio.schema.Track, where: str) -> _Layout:
        layout = _Layout()
        for marker in track.markers:
            layout.markers.append((to_seconds(marker.marked_range.start_time), marker))
        cursor = Fraction(0)
        pending: PendingTransition | None = None
        for index, item in enumerate(track):
            here = f"{where} at {self._tc(cursor)}"
            if isinstance(item, otio.schema.Transition):
                pending = read_transition(track, index, item, here, self.warn)
                continue
            length = self._item_length(item, here)
            if isinstance(item, otio.schema.Gap):
                pass
            elif isinstance(item, otio.schema.Clip):
                self._add_clip(layout, item, cursor, length, pending)
            elif isinstance(item, (otio.schema.Stack, otio.schema.Track)):
                self._flatten_nested(item, cursor, length, layout, here)
            else:
                self.warn(f"{item.schema_name()} {item.name!r} on {here} is not supported; left as a gap")
            pending = None
            cursor += length
        return layout

    @staticmethod
    def _add_clip(
        layout: _Layout, item: otio.schema.Clip, cursor: Fraction, length: Fraction, pending: PendingTransition | None
    ) -> None:
        trim_start = to_seconds(item.trimmed_range().start_time)
        layout.entries.append(_Entry(cursor, cursor + length, item, trim_start, pending))
        for marker in item.markers:
            at = to_seconds(marker.marked_range.start_time) - trim_start
            if 0 <= at < length:
                layout.markers.append((cursor + at, marker))

    def _item_length(self, item: Any, where: str) -> Fraction:
        try:
            length = to_seconds(item.trimmed_range().duration)
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
        if len(inner) > 1:
            self.warn(f"{label} has {len(inner)} layers; it cannot be flattened and was replaced by a gap")
            return
        nested = self._layout_layer(inner[0], where)
        window_start = to_seconds(item.trimmed_range().start_time)
        window_end = window_start + length
        shift = cursor - window_start
        for entry in nested.entries:
            start, end = max(entry.start, window_start), min(entry.end, window_end)
            if end <= start:
                continue
            layout.entries.append(_Entry(
                start + shift, end + shift, entry.clip, entry.trim_start + (start - entry.start),
                entry.transition if start == entry.start else None,   # its head cut away: no transition
            ))
        for at, marker in nested.markers:
            if window_start <= at < window_end:
                layout.markers.append((at + shift, marker))
        self.warn(f"{label} was flattened into its parent track")

    def _layout_layer(self, layer: Any, where: str) -> _Layout:
        """The one layer of a nested stack laid out from the stack's time 0: a track, a clip (a stack's
        children all start at its 0) or another nested stack."""
        if isinstance(layer, otio.schema.Track):
            return self._layout_track(layer, where)
        layout = _Layout()
        length = self._item_length(layer, where)
        if isinstance(layer, otio.schema.Clip):
            self._add_clip(layout, layer, Fraction(0), length, None)
        else:
            self._flatten_nested(layer, Fraction(0), length, layout, where)
        return layout

    # --- clips ------------------------------------------------------------------------------------------

    def _place(self, track: Track, entries: list[_Entry]) -> None:
        for entry in entries:
            start, end = self._frame(entry.start), self._frame(entry.end)
            clip = entry.clip
            where = f"clip {clip.name!r} on {track.name} at {timecode(start, self.fps)}"
            if end <= start:
                self.warn(f"{where} is shorter than a frame; left out")
                continue
            if not clip.enabled and not CLIPS_CAN_BE_DISABLED:
                self.warn(f"{where} is disabled in the file; left out")
                continue
            converted = self._clip(clip, track, start, end - start, entry.trim_start, where)
            if converted is not None and not clip.enabled:
                converted = replace(converted, enabled=False)
            if converted is not None:
                track.add(converted)
                if entry.transition is not None:
                    self.transitions[converted.id] = entry.transition

    def _clip(
        self, item: otio.schema.Clip, track: Track, start: int, duration: int, trim_start: Fraction, where: str
    ) -> Clip | None:
        meta = our_meta(item)
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
            "volume": read_volume(meta.get("volume")),
            **read_link(meta, track.kind),
            **read_clip_effects(item, meta, where, self.warn),
        }
        references = item.media_references()
        active_key = item.active_media_reference_key
        active = references.get(active_key)
        generator = active if isinstance(active, otio.schema.GeneratorReference) else None
        default = references.get(otio.schema.Clip.DEFAULT_MEDIA_KEY)
        if generator is None and meta.get("kind") == "generated":
            generator = default if isinstance(default, otio.schema.GeneratorReference) else None
        if generator is not None and generator.generator_kind == TEXT_KIND:
            result = read_text_clip(generator, meta, track, common, where, self.warn)
        elif generator is not None:
            result = self._generated(item, generator, meta, references, active_key, track, common, trim_start, where)
        else:
            result = self._media_clip(active, track, common, trim_start, where, item.name)
        if result is not None:
            self.clip_ids.add(clip_id)
        return result

    def _source_in(self, trim_start: Fraction, available: otio.opentime.TimeRange | None, where: str) -> int:
        offset = trim_start - (to_seconds(available.start_time) if available is not None else 0)
        source_in = self._frame(offset)
        if source_in < 0:
            self.warn(f"{where} starts before its media; its source in was set to 0")
            source_in = 0
        return source_in

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
            meta_id = our_meta(ref).get("media_id") if ref is not None else None
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
            duration = to_seconds(available.duration)
        self.media[media_id] = MediaSource(
            id=media_id,
            path=nowhere_path(name),
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
        if URL_SCHEME.match(url) and not url.lower().startswith("file:") and not DRIVE_PATH.match(url):
            self.warn(f"{where}: remote media {url!r} is not supported; kept as offline media")
        written = url_to_path(url)
        resolved = self.resolve(written)
        meta_id = our_meta(ref).get("media_id", wanted_id)
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
            duration = to_seconds(available.duration)
        self.media[media_id] = MediaSource(
            id=media_id,
            path=resolved,
            kind=kind,
            duration=duration,
            has_video=kind is not MediaKind.AUDIO,
            has_audio=kind is not MediaKind.IMAGE,
            online=file_exists(resolved),
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
                needed[media_id] = max(needed.get(media_id, 0), clip.source_in + clip.source_frames)
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

    def _keep_length(self, timeline: Timeline) -> None:
        """A timeline that ends in gaps (a tail of black and silence) keeps its length where the model can."""
        try:
            length = round(to_seconds(self.source.duration()) * self.fps)   # edges were rounded already
        except (ValueError, RuntimeError, otio.exceptions.OTIOError):
            return
        self.length = length
        if length > timeline.duration and TIMELINE_HAS_LENGTH:
            timeline.length = length

    # --- markers, effects, times --------------------------------------------------------------------

    def _marker(self, seconds: Fraction, marker: otio.schema.Marker) -> Marker | None:
        frame = self._frame(seconds)
        if frame < 0:
            self.warn(f"marker {marker.name!r} before the start of the timeline; left out")
            return None
        color = our_meta(marker).get("color")
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


def _extension(path: str) -> str:
    name = path.replace("\\", "/").rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


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
        raise InterchangeError(f"cannot import: {type(exc).__name__}: {one_line(exc)}") from exc
    return ImportResult(timeline=timeline, warnings=importer.warnings, name=otio_timeline.name, length=importer.length)
