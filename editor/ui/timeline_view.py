"""The timeline: ruler, track headers, clips. Paints only the visible range; edits go through ``Edits``.

The view keeps no copy of the timeline: it reads ``edits.timeline`` when painting and repaints on the
model's Change events. Per track it caches the list of clip starts (for bisect), dropped when that track
changes.

The widget is split by responsibility: painting (``timeline_paint``), mouse (``timeline_mouse``), context
menus (``timeline_menus``), drops (``timeline_drops``); sizes and colours are in ``timeline_style``.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable

from PySide6.QtCore import QPointF, QRect, Qt, Signal
from PySide6.QtGui import QFont, QKeyEvent, QPen, QWheelEvent
from PySide6.QtWidgets import QMenu, QScrollBar, QWidget

from editor.model import Change, Clip, GeneratedClip, Group, Marker, Track, TrackKind, new_id
from editor.model.commands import (
    AddMarker,
    Command,
    Delete,
    Link,
    Overwrite,
    RemoveMarker,
    RippleDelete,
    Split,
    one_per_link,
)
from editor.model.time import timecode
from editor.ui.clip_art import ClipArt
from editor.ui.edits import Edits
from editor.ui.timeline_drops import TimelineDrops
from editor.ui.timeline_menus import TimelineMenus
from editor.ui.timeline_mouse import TimelineMouse, _Drag
from editor.ui.timeline_paint import TimelinePainting
from editor.ui.timeline_style import AUDIO_H, HEADER_W, MEDIA_MIME, RULER_H, SCROLLBAR_H, VIDEO_H

__all__ = ["AUDIO_H", "HEADER_W", "MEDIA_MIME", "RULER_H", "SCROLLBAR_H", "VIDEO_H", "TimelineView"]


class TimelineView(TimelinePainting, TimelineMouse, TimelineMenus, TimelineDrops, QWidget):
    """The timeline widget. Signals: ``playhead_changed(frame)``, ``selection_changed()``, ``message(str)``."""

    playhead_changed = Signal(int)
    scrubbed = Signal(int)         # the user dragged the playhead on the ruler (the viewer plays a snippet)
    selection_changed = Signal()
    message = Signal(str)
    media_dropped = Signal(list)   # file paths dropped from the file manager
    generate_requested = Signal(str, int, int)   # track id, start, end: a gap double-clicked
    reveal_in_bin = Signal(str)   # media id: a clip's "Reveal in Bin" (the window selects it in the bin)

    def __init__(self, edits: Edits, parent: QWidget | None = None, *, art: ClipArt | None = None) -> None:
        super().__init__(parent)
        self.edits = edits
        self.setObjectName("TimelineView")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)
        self.setAcceptDrops(True)
        self.setMinimumHeight(RULER_H + VIDEO_H + AUDIO_H + SCROLLBAR_H)
        self.px_per_frame = 4.0
        self.scroll_px = 0
        self.scroll_y = 0                    # tracks scroll under a fixed ruler when they outgrow the widget
        self.playhead = 0
        self.selected: set[str] = set()
        self.snapping = True
        self.mark_in: int | None = None
        self.mark_out: int | None = None
        self._starts: dict[str, list[int]] = {}
        self._drag: _Drag | None = None
        # QPainter.setBrush is avoided (fillPath/strokePath instead): in PySide6 6.12 each call drops a reference
        # to None, and a few thousand calls crash the interpreter.
        self._no_pen = QPen(Qt.PenStyle.NoPen)
        self.key_handlers: dict[tuple[int, int], Callable[[], None]] = {}   # filled by the main window
        self._unsubscribe: Callable[[], None] | None = None
        self.font_small = QFont(self.font())
        self.font_small.setPointSizeF(8.5)
        self.scrollbar = QScrollBar(Qt.Orientation.Horizontal, self)
        self.vscrollbar = QScrollBar(Qt.Orientation.Vertical, self)
        # Thumbnails and waveforms: loaded on a thread pool through the disk caches, painted when ready.
        self.art = art or ClipArt(self)
        self.art.ready.connect(self._art_loaded)
        self._art_waiting: dict[object, set[str]] = {}     # art key -> clips painted without it
        self._clipboard: list[tuple[str, Clip]] = []       # (track id, clip) copied, in time order
        # Set by the window: a generated segment's live state (ShotStatus-like: state, fraction, text()), and
        # the context menu's entries for a place on a track: (text, callback or None for a separator).
        self.context_menu: QMenu | None = None
        self.drop_preview: tuple[str, int, int] | None = None   # where a drag from the bin would land
        self.drop_sound_preview: tuple[str, int, int] | None = None   # and where its sound would, linked
        self.shot_status: Callable[[GeneratedClip], object | None] | None = None
        self.context_entries: Callable[[Track, Clip | None, int], list[tuple[str, Callable[[], object] | None]]] \
            | None = None
        self.scrollbar.valueChanged.connect(self._scrolled)
        self.vscrollbar.valueChanged.connect(self._scrolled_y)
        self._attach()
        self._sync_scrollbar()

    # --- model ---------------------------------------------------------------------------------------

    @property
    def timeline(self):
        return self.edits.timeline

    def _attach(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
        self._unsubscribe = self.timeline.subscribe(self._changed)
        self._starts.clear()

    def set_edits_timeline(self) -> None:
        """Call after ``edits.reset(new_timeline)``: follow the new timeline."""
        self._attach()
        self.selected.clear()
        self.playhead = 0
        self.zoom_to_fit()
        self.selection_changed.emit()
        self.playhead_changed.emit(0)

    def _changed(self, change: Change) -> None:
        if change.layout:
            self._starts.clear()
        for tid in change.track_ids:
            self._starts.pop(tid, None)
        existing = {c.id for t in self.timeline.tracks for c in t.clips} if self.selected else set()
        if self.selected - existing:
            self.selected &= existing
            self.selection_changed.emit()
        else:
            self.selection_changed.emit()   # the selected clip's properties may have changed
        self._sync_scrollbar()
        self.update()

    def starts(self, track: Track) -> list[int]:
        cached = self._starts.get(track.id)
        if cached is None or len(cached) != len(track.clips):
            cached = [c.start for c in track.clips]
            self._starts[track.id] = cached
        return cached

    def visible_clips(self, track: Track, f0: float, f1: float) -> list[Clip]:
        """Clips overlapping frames [f0, f1), found by bisect on the track's starts."""
        starts = self.starts(track)
        lo = max(0, bisect.bisect_right(starts, f0) - 1)
        hi = bisect.bisect_left(starts, f1)
        return [c for c in track.clips[lo:hi] if c.end > f0]

    # --- geometry ------------------------------------------------------------------------------------

    def rows(self) -> list[tuple[Track, int, int]]:
        """(track, top, height) from the top: video tracks (top layer first), then audio tracks."""
        result = []
        y = RULER_H - self.scroll_y
        for t in reversed(self.timeline.video_tracks):
            result.append((t, y, VIDEO_H))
            y += VIDEO_H
        for t in self.timeline.audio_tracks:
            result.append((t, y, AUDIO_H))
            y += AUDIO_H
        return result

    def x_of(self, frame: float) -> float:
        return HEADER_W + frame * self.px_per_frame - self.scroll_px

    def frame_at(self, x: float) -> int:
        return max(0, round((x - HEADER_W + self.scroll_px) / self.px_per_frame))

    def lane_width(self) -> int:
        return max(1, self.width() - HEADER_W - SCROLLBAR_H)

    def lanes_height(self) -> int:
        """Pixels between the ruler and the horizontal scroll bar, where the tracks show."""
        return max(1, self.height() - RULER_H - SCROLLBAR_H)

    def tracks_height(self) -> int:
        return sum(h for _, _, h in self.rows())

    def visible_frames(self) -> tuple[float, float]:
        f0 = self.scroll_px / self.px_per_frame
        return f0, f0 + self.lane_width() / self.px_per_frame

    def track_at(self, y: float) -> Track | None:
        if y < RULER_H:
            return None
        for track, top, h in self.rows():
            if top <= y < top + h:
                return track
        return None

    def row_of(self, track_id: str) -> tuple[int, int]:
        for track, top, h in self.rows():
            if track.id == track_id:
                return top, h
        raise KeyError(track_id)

    def clip_rect(self, clip_id: str) -> QRect:
        """Where a clip is drawn, in widget coordinates (for tests and hit testing)."""
        track, clip = self.timeline.find(clip_id)
        top, h = self.row_of(track.id)
        x0, x1 = self.x_of(clip.start), self.x_of(clip.end)
        return QRect(round(x0), top + 2, max(1, round(x1 - x0)), h - 4)

    def clip_at(self, pos: QPointF) -> tuple[Track, Clip] | None:
        if pos.x() < HEADER_W:
            return None
        track = self.track_at(pos.y())
        if track is None:
            return None
        f = (pos.x() - HEADER_W + self.scroll_px) / self.px_per_frame
        for c in self.visible_clips(track, f, f + 1e-9):
            if c.start <= f < c.end:
                return track, c
        return None

    # --- zoom and scroll -----------------------------------------------------------------------------

    def content_px(self) -> int:
        return int((self.timeline.duration + 10 * float(self.timeline.fps)) * self.px_per_frame)

    def _sync_scrollbar(self) -> None:
        maximum = max(0, self.content_px() - self.lane_width())
        self.scrollbar.blockSignals(True)
        self.scrollbar.setRange(0, maximum)
        self.scrollbar.setPageStep(self.lane_width())
        self.scrollbar.setSingleStep(40)
        self.scroll_px = min(self.scroll_px, maximum)
        self.scrollbar.setValue(self.scroll_px)
        self.scrollbar.blockSignals(False)
        tall = max(0, self.tracks_height() - self.lanes_height())
        self.vscrollbar.blockSignals(True)
        self.vscrollbar.setRange(0, tall)
        self.vscrollbar.setPageStep(self.lanes_height())
        self.vscrollbar.setSingleStep(VIDEO_H // 2)
        self.scroll_y = min(self.scroll_y, tall)
        self.vscrollbar.setValue(self.scroll_y)
        self.vscrollbar.setVisible(tall > 0)
        self.vscrollbar.blockSignals(False)

    def _scrolled(self, value: int) -> None:
        self.scroll_px = value
        self.update()

    def _scrolled_y(self, value: int) -> None:
        self.scroll_y = value
        self.update()

    def set_zoom(self, px_per_frame: float, anchor_frame: float | None = None) -> None:
        px_per_frame = min(40.0, max(0.002, px_per_frame))
        anchor = self.playhead if anchor_frame is None else anchor_frame
        anchor_x = self.x_of(anchor)
        self.px_per_frame = px_per_frame
        self.scroll_px = max(0, int(anchor * px_per_frame - (anchor_x - HEADER_W)))
        self._sync_scrollbar()
        self.update()

    def zoom_in(self) -> None:
        self.set_zoom(self.px_per_frame * 1.5)

    def zoom_out(self) -> None:
        self.set_zoom(self.px_per_frame / 1.5)

    def zoom_to_fit(self) -> None:
        frames = max(self.timeline.duration, int(10 * self.timeline.fps))
        self.px_per_frame = min(40.0, max(0.002, (self.lane_width() - 24) / frames))
        self.scroll_px = 0
        self._sync_scrollbar()
        self.update()

    def resizeEvent(self, event) -> None:  # noqa: N802
        self.scrollbar.setGeometry(HEADER_W, self.height() - SCROLLBAR_H, self.lane_width(), SCROLLBAR_H)
        self.vscrollbar.setGeometry(self.width() - SCROLLBAR_H, RULER_H, SCROLLBAR_H, self.lanes_height())
        self._sync_scrollbar()
        super().resizeEvent(event)

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802
        steps = event.angleDelta().y() / 120
        sideways = event.angleDelta().x() / 120
        mods = event.modifiers()
        if mods & Qt.KeyboardModifier.ControlModifier:
            self.set_zoom(self.px_per_frame * (1.25 ** steps), self.frame_at(event.position().x()))
        elif mods & Qt.KeyboardModifier.ShiftModifier or event.position().x() < HEADER_W:
            # Over the track headers, or with Shift, the wheel scrolls the tracks up and down.
            self.vscrollbar.setValue(self.vscrollbar.value() - int((steps or sideways) * VIDEO_H / 2))
        else:
            self.scrollbar.setValue(self.scrollbar.value() - int((steps or sideways) * 80))
        event.accept()

    # --- playhead and marks --------------------------------------------------------------------------

    def set_playhead(self, frame: int) -> None:
        frame = max(0, int(frame))
        if frame != self.playhead:
            old_x, scrolled = self.x_of(self.playhead), self.scroll_px
            self.playhead = frame
            self._follow_playhead()
            if self.scroll_px != scrolled:
                self.update()
            else:
                # Only the strips the playhead leaves and enters, and the timecode: during playback the
                # whole timeline repainted 30 times a second costs the player its frames.
                for x in (old_x, self.x_of(frame)):
                    self.update(QRect(int(x) - 9, 0, 19, self.height()))
                self.update(QRect(0, 0, HEADER_W, RULER_H))
            self.playhead_changed.emit(frame)

    def _follow_playhead(self) -> None:
        x = self.x_of(self.playhead)
        if x < HEADER_W or x > self.width() - 10:
            self.scrollbar.setValue(max(0, int(self.playhead * self.px_per_frame - self.lane_width() * 0.2)))

    def edit_points(self) -> list[int]:
        points = {0}
        for t in self.timeline.tracks:
            for c in t.clips:
                points.add(c.start)
                points.add(c.end)
        return sorted(points)

    def previous_edit(self) -> None:
        points = self.edit_points()
        i = bisect.bisect_left(points, self.playhead) - 1
        self.set_playhead(points[i] if i >= 0 else 0)

    def next_edit(self) -> None:
        points = self.edit_points()
        i = bisect.bisect_right(points, self.playhead)
        if i < len(points):
            self.set_playhead(points[i])

    def set_in(self) -> None:
        self.mark_in = self.playhead
        self.update()

    def set_out(self) -> None:
        self.mark_out = self.playhead
        self.update()

    def add_marker_at_playhead(self) -> bool:
        """Add a marker at the playhead (refused, with a message, where one already is)."""
        if any(m.frame == self.playhead for m in self.timeline.markers):
            self.message.emit(f"There is already a marker at {timecode(self.playhead, self.timeline.fps)}")
            return False
        return self._do(AddMarker(Marker(self.playhead)))

    def remove_marker_at_playhead(self) -> bool:
        if not any(m.frame == self.playhead for m in self.timeline.markers):
            self.message.emit("No marker at the playhead")
            return False
        return self._do(RemoveMarker(self.playhead))

    def marker_at(self, x: float) -> Marker | None:
        """The marker drawn nearest ``x`` on the ruler (within 6 px), if any."""
        best = min(self.timeline.markers, key=lambda m: abs(self.x_of(m.frame) - x), default=None)
        return best if best is not None and abs(self.x_of(best.frame) - x) <= 6 else None

    # --- selection and edits -------------------------------------------------------------------------

    def select(self, ids: set[str]) -> None:
        self.selected = set(ids)
        self.selection_changed.emit()
        self.update()

    def selected_clips(self) -> list[tuple[Track, Clip]]:
        return [(t, c) for t, c in self.timeline.clips() if c.id in self.selected]

    def split_at_playhead(self) -> None:
        """Split the selected clips under the playhead, or every clip under it when none is selected."""
        f = self.playhead
        under = [(t, c) for t in self.timeline.tracks if not t.locked
                 for c in [t.clip_at(f)] if c is not None and c.start < f]
        chosen = [(t, c) for t, c in under if c.id in self.selected] or under
        if not chosen:
            self.message.emit("Nothing to split under the playhead")
            return
        commands = [Split(c.id, f) for c in one_per_link(c for _, c in chosen)]   # a split cuts the linked too
        self._do(commands[0] if len(commands) == 1 else Group(f"Split {len(commands)} clips", commands))

    def delete_selected(self, ripple: bool = False) -> None:
        chosen = self.selected_clips()
        if not chosen:
            self.message.emit("Select a clip first")
            return
        chosen.sort(key=lambda tc: -tc[1].start)    # right to left, so ripples do not move the others
        kind = RippleDelete if ripple else Delete
        commands = [kind(c.id) for c in one_per_link(c for _, c in chosen)]   # a delete takes the linked too
        label = f"{kind.label} {len(commands)} clips"
        if self._do(commands[0] if len(commands) == 1 else Group(label, commands)):
            self.select(set())

    # --- clipboard -----------------------------------------------------------------------------------

    def copy_selected(self) -> bool:
        """Keep the selected clips (with their tracks) for ``paste_at_playhead``."""
        chosen = self.selected_clips()
        if not chosen:
            self.message.emit("Select a clip to copy")
            return False
        # A linked clip is copied with its partners, so the copy is a linked pair too.
        found = {c.id: (t, c) for t, c in chosen}
        for _, clip in chosen:
            found.update((c.id, (t, c)) for t, c in self.timeline.linked(clip))
        chosen = sorted(found.values(), key=lambda tc: tc[1].start)
        self._clipboard = [(t.id, c) for t, c in chosen]
        self.message.emit(f"Copied {len(chosen)} clip{'s' if len(chosen) > 1 else ''}")
        return True

    def cut_selected(self) -> bool:
        """Copy the selected clips, then delete them (one undo step for the delete)."""
        if not self.copy_selected():
            return False
        self.delete_selected()
        return True

    def paste_at_playhead(self) -> bool:
        """Overwrite copies of the clipboard's clips at the playhead, keeping their spacing. Clips copied from
        one track go on the selected clip's track when it is of the same kind; otherwise on their own tracks."""
        if not self._clipboard:
            self.message.emit("Nothing to paste")
            return False
        base = self._clipboard[0][1].start
        source_tracks = {tid for tid, _ in self._clipboard}
        target: Track | None = None
        chosen = self.selected_clips()
        if chosen and len(source_tracks) == 1:
            kind = self._track_kind(next(iter(source_tracks)), self._clipboard[0][1])
            target = next((t for t, _ in chosen if t.kind is kind), None)
        commands: list[Command] = []
        ids: set[str] = set()
        groups: dict[str, list[str]] = {}   # copied link -> the copies' ids, linked again after the paste
        for track_id, clip in self._clipboard:
            tid = target.id if target is not None else track_id
            if not any(t.id == tid for t in self.timeline.tracks):
                self.message.emit("The copied clip's track is gone")
                return False
            at = self.playhead + clip.start - base
            copy = clip.moved(id=new_id("c"), start=at, link=None)
            if clip.link is not None:
                groups.setdefault(clip.link, []).append(copy.id)
            commands.append(Overwrite(tid, copy, at))
            ids.add(copy.id)
        commands += [Link(copies) for copies in groups.values() if len(copies) > 1]
        command = commands[0] if len(commands) == 1 else Group(f"Paste {len(ids)} clips", commands)
        ok = self._do(command)
        if ok:
            self.select(ids)
        return ok

    def _track_kind(self, track_id: str, clip: Clip) -> TrackKind:
        for t in self.timeline.tracks:
            if t.id == track_id:
                return t.kind
        media = self.timeline.media.get(clip.media_id() or "")
        return TrackKind.AUDIO if media is not None and not media.has_video else TrackKind.VIDEO

    def _do(self, command) -> bool:
        ok = self.edits.do(command)
        if ok:
            self.message.emit(command.label)
        return ok

    def toggle_snapping(self) -> None:
        self.snapping = not self.snapping
        self.message.emit("Snapping on" if self.snapping else "Snapping off")

    # --- keyboard ------------------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        handler = self.key_handlers.get((event.key(), _mods(event)))
        if handler is None:
            handler = self._clipboard_keys().get((event.key(), _mods(event)))
        if handler is None:
            super().keyPressEvent(event)
            return
        handler()
        event.accept()

    def _clipboard_keys(self) -> dict[tuple[int, int], Callable[[], object]]:
        """Ctrl+C / Ctrl+X / Ctrl+V on the timeline, unless the window maps those keys itself."""
        ctrl = int(Qt.KeyboardModifier.ControlModifier.value)
        return {(int(Qt.Key.Key_C.value), ctrl): self.copy_selected,
                (int(Qt.Key.Key_X.value), ctrl): self.cut_selected,
                (int(Qt.Key.Key_V.value), ctrl): self.paste_at_playhead}


def _mods(event: QKeyEvent) -> int:
    mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
    return int(mods.value if hasattr(mods, "value") else mods)
