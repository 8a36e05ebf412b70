"""An OpenTimelineIO timeline read into ours: settings, tracks, clips, markers, named gaps and the timeline's
length (a trailing gap), with one warning line for each thing that did not come across exactly.

The work is shared by responsibility: this module converts tracks and clips; ``otio_layout`` places a track's
items in time and flattens nested stacks; ``otio_import_media`` keeps the media pool and resolves references;
``otio_generated``, ``otio_text``, ``otio_effects`` and ``otio_links`` read their kinds of clip data."""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import replace
from fractions import Fraction
from typing import Any

import opentimelineio as otio

from editor.interchange.otio_common import (
    MARKER_COLORS,
    ImportResult,
    InterchangeError,
    one_line,
    our_meta,
    read_volume,
    snap_rate,
    to_seconds,
)
from editor.interchange.otio_effects import PendingTransition, read_clip_effects, settle_effects, settle_transitions
from editor.interchange.otio_generated import GeneratedImport
from editor.interchange.otio_import_media import MediaImport
from editor.interchange.otio_layout import Entry, LayoutImport
from editor.interchange.otio_links import read_link, settle_links
from editor.interchange.otio_text import TEXT_KIND, read_text_clip
from editor.model import Clip, Fit, Marker, Settings, Timeline, Track, TrackKind, new_id
from editor.model.time import format_rate, parse_rate, timecode


class _Importer(GeneratedImport, MediaImport, LayoutImport):
    def __init__(self, source: otio.schema.Timeline, base_dir: str | None) -> None:
        self.source = source
        self.base_dir = None if base_dir is None else os.fspath(base_dir)
        self.warnings: list[str] = []
        self.meta = our_meta(source)
        self.canvas_guessed = False   # set by _settings
        self.settings = self._settings()
        self.fps = self.settings.fps
        self._init_media()
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
                width, height, rate = int(raw["width"]), int(raw["height"]), int(raw["sample_rate"])
                # The project format's bounds (editor.project.sanity): a 10**30-pixel canvas is not a setting.
                if not (0 < width <= 16384 and 0 < height <= 16384 and 1000 <= rate <= 768_000):
                    raise ValueError(f"{width}x{height} at {rate} Hz is out of range")
                return Settings(width=width, height=height, fps=parse_rate(str(raw["fps"])), sample_rate=rate)
            except (KeyError, ValueError, TypeError, OverflowError) as exc:   # OverflowError: int(inf)
                self.warn(f"project settings in the file are unreadable ({exc}); using defaults")
        self.canvas_guessed = True
        size = _fcp_xml_frame_size(self.source.metadata)
        if size is not None:
            self.canvas_guessed = False
            return Settings(width=size[0], height=size[1], fps=self._guess_rate())
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
            layout = self.layout_top_track(item, track.name)
            markers.extend(layout.markers)
            track.gap_names = {self._frame(seconds): name for seconds, name in layout.gap_names}
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

    # --- clips ------------------------------------------------------------------------------------------

    def _place(self, track: Track, entries: list[Entry]) -> None:
        for entry in entries:
            start, end = self._frame(entry.start), self._frame(entry.end)
            clip = entry.clip
            where = f"clip {clip.name!r} on {track.name} at {timecode(start, self.fps)}"
            if end <= start:
                self.warn(f"{where} is shorter than a frame; left out")
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

    def _keep_length(self, timeline: Timeline) -> None:
        """A timeline that ends in gaps (a tail of black and silence) keeps its length: ``Timeline.length`` is
        set only past the last clip, so a timeline that ends with a clip stays free to shrink when edited."""
        try:
            length = round(to_seconds(self.source.duration()) * self.fps)   # edges were rounded already
        except (ValueError, RuntimeError, otio.exceptions.OTIOError):
            length = timeline.content_end
        self.length = max(length, timeline.content_end)
        timeline.length = length if length > timeline.content_end else 0

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

    def _frame(self, seconds: Fraction) -> int:
        exact = seconds * self.fps
        frame = round(exact)
        if frame != exact:
            self.off_grid = True
        return int(frame)

    def _tc(self, seconds: Fraction) -> str:
        return timecode(round(seconds * self.fps), self.fps)


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
    return ImportResult(timeline=timeline, warnings=importer.warnings, name=otio_timeline.name, length=importer.length,
                        canvas_guessed=importer.canvas_guessed)


def _fcp_xml_frame_size(metadata: Any) -> tuple[int, int] | None:
    """The sequence's frame size a Premiere / FCP 7 XML records (the fcp_xml adapter keeps it in the
    timeline's metadata), when it is a sane even size; None otherwise."""
    try:
        sample = metadata["fcp_xml"]["media"]["video"]["format"]["samplecharacteristics"]
        width, height = int(str(sample["width"])), int(str(sample["height"]))
    except (KeyError, TypeError, ValueError, OverflowError):
        return None
    if not (16 <= width <= 16384 and 16 <= height <= 16384):
        return None
    return width - width % 2, height - height % 2
