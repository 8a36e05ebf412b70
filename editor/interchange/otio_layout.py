"""The layout side of the OTIO import: a track's items placed in time (clips with the transition before them,
markers, named gaps), a top-level track's own range applied (``layout_top_track``), nested stacks and tracks
flattened into their parent track. Mixed into the importer (``otio_import``); times here are exact seconds, made
frames by the importer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import opentimelineio as otio

from editor.interchange.otio_common import InterchangeError, to_seconds
from editor.interchange.otio_effects import PendingTransition, read_transition


@dataclass
class Entry:
    """A clip placed on a (flattened) track: [start, end) in track seconds, source seconds at ``start``."""

    start: Fraction
    end: Fraction
    clip: otio.schema.Clip
    trim_start: Fraction
    transition: PendingTransition | None = None   # the transition from the clip before, at ``start``


@dataclass
class Layout:
    entries: list[Entry] = field(default_factory=list)
    markers: list[tuple[Fraction, otio.schema.Marker]] = field(default_factory=list)
    # Named gaps directly on the track (seconds where each starts); gaps inside a flattened nested stack are
    # not gaps of this track and keep no name.
    gap_names: list[tuple[Fraction, str]] = field(default_factory=list)


class LayoutImport:
    """Track layout for the OTIO importer, which provides ``warn`` and ``_tc`` (a time as timecode)."""

    warn: Callable[[str], None]
    _tc: Callable[[Fraction], str]

    def layout_top_track(self, track: otio.schema.Track, where: str) -> Layout:
        """A top-level track laid out on the timeline, its ``source_range`` applied.

        A negative start is a leading offset: that much empty time before the first item. The cmx_3600 adapter
        reads an EDL that way (start = minus the first event's record-in, duration = the events alone), so the
        duration does not cut the content then. A start of 0 or more is OTIO's trim: the track shows
        [start, start + duration) of its items, moved to the timeline's 0."""
        layout = self._layout_track(track, where)
        if track.source_range is None:
            return layout
        try:
            start = to_seconds(track.source_range.start_time)
            end = None if start < 0 else start + to_seconds(track.source_range.duration)
        except (ValueError, ZeroDivisionError, OverflowError) as exc:
            self.warn(f"{where}: its range in the file is unreadable ({exc}); ignored")
            return layout
        shown = Layout(gap_names=[(at - start, name) for at, name in layout.gap_names
                                  if at >= start and (end is None or at < end)])
        _window(layout, start, end, -start, shown)
        return shown

    def _layout_track(self, track: otio.schema.Track, where: str) -> Layout:
        layout = Layout()
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
                if item.name and length > 0:
                    layout.gap_names.append((cursor, item.name))
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
        layout: Layout, item: otio.schema.Clip, cursor: Fraction, length: Fraction, pending: PendingTransition | None
    ) -> None:
        trim_start = to_seconds(item.trimmed_range().start_time)
        layout.entries.append(Entry(cursor, cursor + length, item, trim_start, pending))
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

    def _flatten_nested(self, item: Any, cursor: Fraction, length: Fraction, layout: Layout, where: str) -> None:
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
        _window(nested, window_start, window_start + length, cursor - window_start, layout)
        self.warn(f"{label} was flattened into its parent track")

    def _layout_layer(self, layer: Any, where: str) -> Layout:
        """The one layer of a nested stack laid out from the stack's time 0: a track, a clip (a stack's
        children all start at its 0) or another nested stack."""
        if isinstance(layer, otio.schema.Track):
            return self._layout_track(layer, where)
        layout = Layout()
        length = self._item_length(layer, where)
        if isinstance(layer, otio.schema.Clip):
            self._add_clip(layout, layer, Fraction(0), length, None)
        else:
            self._flatten_nested(layer, Fraction(0), length, layout, where)
        return layout

    def _warn_effects(self, item: Any, where: str) -> None:
        for effect in item.effects:
            if isinstance(effect, (otio.schema.LinearTimeWarp, otio.schema.FreezeFrame)):
                self.warn(f"{where}: speed change ({effect.schema_name()}) ignored; plays at normal speed")
            else:
                self.warn(f"{where}: effect {effect.effect_name or effect.schema_name()!r} ignored")


def _window(inner: Layout, window_start: Fraction, window_end: Fraction | None, shift: Fraction,
            into: Layout) -> None:
    """The clips and markers of ``inner`` seen through [window_start, window_end) (no end: to the last item),
    moved by ``shift`` into ``into``; a clip cut at the window's edge keeps the part inside."""
    for entry in inner.entries:
        start = max(entry.start, window_start)
        end = entry.end if window_end is None else min(entry.end, window_end)
        if end <= start:
            continue
        into.entries.append(Entry(
            start + shift, end + shift, entry.clip, entry.trim_start + (start - entry.start),
            entry.transition if start == entry.start else None,   # its head cut away: no transition
        ))
    for at, marker in inner.markers:
        if window_start <= at and (window_end is None or at < window_end):
            into.markers.append((at + shift, marker))


def _is_empty(item: Any) -> bool:
    if isinstance(item, otio.schema.Clip):
        return False
    if isinstance(item, (otio.schema.Track, otio.schema.Stack)):
        return all(_is_empty(child) for child in item)
    return True   # gaps, transitions
