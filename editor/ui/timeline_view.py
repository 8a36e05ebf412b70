"""The timeline: ruler, track headers, clips. Paints only the visible range; edits go through ``Edits``.

The view keeps no copy of the timeline: it reads ``edits.timeline`` when painting and repaints on the
model's Change events. Per track it caches the list of clip starts (for bisect), dropped when that track
changes.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QMimeData, QPoint, QPointF, QRect, QRectF, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QDragEnterEvent,
    QDropEvent,
    QFont,
    QFontMetrics,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QPolygonF,
    QWheelEvent,
)
from PySide6.QtWidgets import QInputDialog, QMenu, QScrollBar, QWidget

from editor.model import (
    Change,
    Clip,
    GeneratedClip,
    Group,
    Marker,
    MediaClip,
    MediaKind,
    MediaSource,
    Track,
    TrackKind,
    new_id,
)
from editor.model.commands import (
    AddMarker,
    AddTrack,
    Delete,
    EditMarker,
    Insert,
    Move,
    Overwrite,
    RemoveMarker,
    RemoveTrack,
    RippleDelete,
    RippleTrim,
    SetTrackFlags,
    Split,
    TrimHead,
    TrimTail,
)
from editor.model.time import timecode
from editor.ui.clip_art import ClipArt, thumb_key, wave_key
from editor.ui.edits import Edits

MEDIA_MIME = "application/x-promptcut-media"

RULER_H = 30
HEADER_W = 168
VIDEO_H = 64
AUDIO_H = 48
EDGE_PX = 7
SNAP_PX = 9
SCROLLBAR_H = 12
WAVE_STRIP = 16         # the sound strip at the bottom of a video clip that has audio
WAVE_PER_S = 100        # waveform buckets per second of media

C_BG = QColor("#16171b")
C_TRACK = QColor("#1e2026")
C_TRACK_ALT = QColor("#1b1d22")
C_HEADER = QColor("#23252c")
C_RULER = QColor("#202228")
C_TEXT = QColor("#c9ccd3")
C_DIM = QColor("#7c818c")
C_VIDEO = QColor("#2f6f9f")
C_STILL = QColor("#6c4f9e")
C_AUDIO = QColor("#2f8a5f")
C_GEN = QColor("#b86b2a")
C_GEN_PENDING = QColor("#6b4a2f")
C_OFFLINE = QColor("#a33a3a")
C_SELECT = QColor("#f2c14e")
C_PLAYHEAD = QColor("#ff4d5e")
C_SNAP = QColor("#7fd1ff")
C_PROGRESS = QColor("#ffb25e")
C_STALE = QColor("#ffd24e")


@dataclass
class _Drag:
    kind: str                 # "move", "head", "tail", "ripple-head", "ripple-tail", "band", "scrub"
    clip_id: str = ""
    track_id: str = ""
    press: QPointF | None = None
    frame0: int = 0           # frame under the pointer at press
    clip: Clip | None = None
    preview_start: int = 0
    preview_end: int = 0
    preview_track: str = ""
    moved: bool = False
    snap_frame: int | None = None
    band: QRect | None = None
    group: list[tuple[str, str, Clip]] | None = None    # multi-move: (clip id, track id, clip) of every part
    group_preview: list[tuple[str, int, int]] | None = None   # (track id, start, end) per part
    group_track_offset: int = 0


class TimelineView(QWidget):
    """The timeline widget. Signals: ``playhead_changed(frame)``, ``selection_changed()``, ``message(str)``."""

    playhead_changed = Signal(int)
    selection_changed = Signal()
    message = Signal(str)
    media_dropped = Signal(list)   # file paths dropped from the file manager
    generate_requested = Signal(str, int, int)   # track id, start, end: a gap double-clicked

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
            self.playhead = frame
            self._follow_playhead()
            self.update()
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
        commands = [Split(c.id, f) for _, c in chosen]
        self._do(commands[0] if len(commands) == 1 else Group(f"Split {len(commands)} clips", commands))

    def delete_selected(self, ripple: bool = False) -> None:
        chosen = self.selected_clips()
        if not chosen:
            self.message.emit("Select a clip first")
            return
        chosen.sort(key=lambda tc: -tc[1].start)    # right to left, so ripples do not move the others
        kind = RippleDelete if ripple else Delete
        commands = [kind(c.id) for _, c in chosen]
        label = f"{kind.label} {len(commands)} clips"
        if self._do(commands[0] if len(commands) == 1 else Group(label, commands)):
            self.select(set())

    # --- clipboard -----------------------------------------------------------------------------------

    def copy_selected(self) -> bool:
        """Keep the selected clips (with their tracks) for ``paste_at_playhead``."""
        chosen = sorted(self.selected_clips(), key=lambda tc: tc[1].start)
        if not chosen:
            self.message.emit("Select a clip to copy")
            return False
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
        commands, ids = [], set()
        for track_id, clip in self._clipboard:
            tid = target.id if target is not None else track_id
            if not any(t.id == tid for t in self.timeline.tracks):
                self.message.emit("The copied clip's track is gone")
                return False
            at = self.playhead + clip.start - base
            copy = clip.moved(id=new_id("c"), start=at)
            commands.append(Overwrite(tid, copy, at))
            ids.add(copy.id)
        command = commands[0] if len(commands) == 1 else Group(f"Paste {len(commands)} clips", commands)
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

    # --- painting ------------------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        p = QPainter(self)
        p.fillRect(self.rect(), C_BG)
        f0, f1 = self.visible_frames()
        rows = self.rows()
        lane = QRect(HEADER_W, RULER_H, self.lane_width(), self.lanes_height())
        for i, (_track, top, h) in enumerate(rows):
            p.fillRect(QRect(HEADER_W, top, self.lane_width(), h - 1), C_TRACK if i % 2 == 0 else C_TRACK_ALT)
        p.save()
        p.setClipRect(lane)
        for track, top, h in rows:
            self._paint_track(p, track, top, h, f0, f1)
        self._paint_drag(p)
        p.restore()
        self._paint_ruler(p, f0, f1)
        p.save()
        p.setClipRect(QRect(0, RULER_H, HEADER_W, self.lanes_height()))
        for track, top, h in rows:
            self._paint_header(p, track, top, h)
        p.restore()
        self._paint_playhead(p)
        p.fillRect(QRect(0, 0, HEADER_W, RULER_H), C_HEADER)
        p.setPen(C_DIM)
        p.setFont(self.font_small)
        p.drawText(QRect(10, 0, HEADER_W - 10, RULER_H), Qt.AlignmentFlag.AlignVCenter,
                   timecode(self.playhead, self.timeline.fps))
        p.end()

    def _clip_colour(self, clip: Clip, track: Track) -> QColor:
        if isinstance(clip, GeneratedClip):
            return C_GEN_PENDING if clip.pending else C_GEN
        media = self.timeline.media.get(clip.media_id() or "")
        if media is not None and not media.online:
            return C_OFFLINE
        if track.kind is TrackKind.AUDIO:
            return C_AUDIO
        if media is not None and media.kind is MediaKind.IMAGE:
            return C_STILL
        return C_VIDEO

    def _paint_track(self, p: QPainter, track: Track, top: int, h: int, f0: float, f1: float) -> None:
        p.setFont(self.font_small)
        fm = QFontMetrics(self.font_small)
        dim = track.hidden or track.muted
        for clip in self.visible_clips(track, f0, f1):
            x0 = max(self.x_of(clip.start), HEADER_W - 4.0)
            x1 = min(self.x_of(clip.end), float(self.width() + 4))
            rect = QRectF(x0, top + 2, max(1.0, x1 - x0), h - 4)
            colour = self._clip_colour(clip, track)
            if dim:
                colour = colour.darker(160)
            path = QPainterPath()
            path.addRoundedRect(rect, 4, 4)
            p.fillPath(path, colour)
            if rect.width() > 6:
                p.fillRect(QRectF(rect.left(), rect.top(), rect.width(), 3), colour.lighter(140))
            media = self._art_media(clip)
            if media is not None and rect.width() > 8:
                self._paint_art(p, path, rect, clip, track, media, dim)
            elif track.kind is TrackKind.AUDIO and rect.width() > 8:
                self._paint_wave_line(p, rect)
            status = None
            if isinstance(clip, GeneratedClip):
                hatch = QBrush(QColor(255, 255, 255, 40 if clip.pending else 22), Qt.BrushStyle.BDiagPattern)
                p.fillPath(path, hatch)
                status = self.shot_status(clip) if self.shot_status is not None else None
                if status is not None:
                    self._paint_shot_state(p, rect, status)
            selected = clip.id in self.selected
            p.strokePath(path, QPen(C_SELECT, 2) if selected else QPen(colour.darker(170), 1))
            if rect.width() > 24:
                label = self._label(clip)
                text_rect = rect.adjusted(6, 5, -4, -4).toRect()
                shown = fm.elidedText(label, Qt.TextElideMode.ElideRight, text_rect.width())
                # A dark tab behind the name keeps it readable over a busy thumbnail.
                tab = QRectF(rect.left() + 3, rect.top() + 4, min(rect.width() - 6, fm.horizontalAdvance(shown) + 8),
                             fm.height() + 2)
                p.fillRect(tab, QColor(0, 0, 0, 110))
                p.setPen(QColor("#f4f5f7"))
                p.drawText(text_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, shown)
                if h >= VIDEO_H and rect.width() > 60:
                    p.setPen(QColor(255, 255, 255, 150))
                    p.drawText(text_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom,
                               fm.elidedText(self._sub_label(clip), Qt.TextElideMode.ElideRight,
                                             text_rect.width()))

    def _paint_shot_state(self, p: QPainter, rect: QRectF, status) -> None:
        """Generating: a progress bar along the bottom; failed: a red wash; stale: an amber edge."""
        state = getattr(status, "state", "")
        if state == "generating":
            bar = QRectF(rect.left() + 2, rect.bottom() - 6, max(0.0, rect.width() - 4), 4)
            p.fillRect(bar, QColor(0, 0, 0, 120))
            p.fillRect(QRectF(bar.left(), bar.top(), bar.width() * float(status.fraction), bar.height()), C_PROGRESS)
        elif state in ("failed", "cancelled"):
            p.fillRect(rect.adjusted(1, 1, -1, -1), QColor(200, 40, 50, 90 if state == "failed" else 50))
        elif state == "stale":
            p.fillRect(QRectF(rect.left(), rect.top(), rect.width(), 3), C_STALE)

    def _paint_wave_line(self, p: QPainter, rect: QRectF) -> None:
        """A light line down the middle: the placeholder while a waveform loads (or when there is none)."""
        mid = rect.center().y() + 4
        p.setPen(QPen(QColor(255, 255, 255, 60), 1))
        p.drawLine(QPointF(rect.left() + 2, mid), QPointF(rect.right() - 2, mid))

    # --- clip art (thumbnails and waveforms) ---------------------------------------------------------

    def _art_media(self, clip: Clip) -> MediaSource | None:
        """The media whose art a clip shows, or None (pending segments, offline or unknown media)."""
        media = self.timeline.media.get(clip.media_id() or "")
        return media if media is not None and media.online else None

    @staticmethod
    def _thumb_height(media: MediaSource) -> int:
        return VIDEO_H - 9 - (WAVE_STRIP if media.has_audio else 0)

    @staticmethod
    def _wave_buckets(media: MediaSource) -> int:
        seconds = float(media.duration or 0)
        return int(min(200_000, max(64, round(seconds * WAVE_PER_S))))

    def _source_seconds(self, media: MediaSource, source_frame: float) -> float:
        if media.kind is MediaKind.IMAGE:
            return 0.0
        t = max(0.0, source_frame / float(self.timeline.fps))
        if media.duration is not None:
            t = min(t, max(0.0, float(media.duration) - 1.0 / float(self.timeline.fps)))
        return t

    def _art_keys(self, clip: Clip, track: Track, media: MediaSource) -> list[object]:
        keys: list[object] = []
        if track.kind is TrackKind.VIDEO and media.has_video:
            keys.append(thumb_key(media.path, self._source_seconds(media, clip.source_in),
                                  self._thumb_height(media)))
        if media.has_audio and media.kind is not MediaKind.IMAGE:
            keys.append(wave_key(media.path, self._wave_buckets(media)))
        return keys

    def art_ready(self, clip_id: str) -> bool:
        """True when the clip's head thumbnail (video) and waveform (sound) are loaded and can be painted."""
        try:
            track, clip = self.timeline.find(clip_id)
        except KeyError:
            return False
        media = self._art_media(clip)
        if media is None:
            return False
        keys = self._art_keys(clip, track, media)
        return bool(keys) and all(self.art.has(k) for k in keys)

    def _wait_for(self, key: object, clip_id: str) -> None:
        self._art_waiting.setdefault(key, set()).add(clip_id)

    def _art_loaded(self, key: object) -> None:
        """A thumbnail or waveform arrived: repaint the clips that were drawn without it."""
        for clip_id in self._art_waiting.pop(key, ()):
            try:
                rect = self.clip_rect(clip_id)
            except KeyError:
                continue
            self.update(rect.adjusted(-2, -2, 2, 2))

    def _paint_art(self, p: QPainter, path: QPainterPath, rect: QRectF, clip: Clip, track: Track,
                   media: MediaSource, dim: bool) -> None:
        p.save()
        p.setClipPath(path, Qt.ClipOperation.IntersectClip)
        inner = rect.adjusted(1, 4, -1, -1)
        if track.kind is TrackKind.VIDEO and media.has_video:
            wave_h = WAVE_STRIP if media.has_audio else 0
            self._paint_thumbs(p, QRectF(inner.left(), inner.top(), inner.width(), inner.height() - wave_h),
                               clip, media)
            if wave_h:
                strip = QRectF(inner.left(), inner.bottom() - wave_h, inner.width(), wave_h)
                p.fillRect(strip, QColor(0, 0, 0, 90))
                self._paint_wave(p, strip, clip, media)
        elif media.has_audio:
            self._paint_wave(p, inner, clip, media)
        if dim:
            p.fillRect(inner, QColor(0, 0, 0, 110))
        p.restore()

    def _paint_thumbs(self, p: QPainter, area: QRectF, clip: Clip, media: MediaSource) -> None:
        """One picture at the clip's head, then more across the clip while there is room (visible ones only)."""
        th = self._thumb_height(media)
        aspect = (media.width / media.height) if media.width and media.height else 16 / 9
        head = self.art.thumb(media.path, self._source_seconds(media, clip.source_in), th)
        tw = float(head.width()) if head is not None else max(8.0, th * aspect)
        cx0 = self.x_of(clip.start)
        right = min(area.right(), float(self.width()))
        first = max(0, math.floor((max(area.left(), float(HEADER_W)) - cx0) / tw))
        step = max(1, round(float(self.timeline.fps) / 2))     # later pictures on half-second steps: cache hits
        k = first
        while cx0 + k * tw < right:
            x = cx0 + k * tw
            if k == 0:
                image, key = head, thumb_key(media.path, self._source_seconds(media, clip.source_in), th)
            else:
                frame = clip.source_in + round(k * tw / self.px_per_frame / step) * step
                t = self._source_seconds(media, frame)
                image, key = self.art.thumb(media.path, t, th), thumb_key(media.path, t, th)
            target = QRectF(x, area.top(), tw, area.height())
            if image is not None:
                p.drawImage(target, image)
            else:
                self._wait_for(key, clip.id)
                if not self.art.failed(key):
                    p.fillRect(target.adjusted(1, 1, -1, -1), QColor(0, 0, 0, 45))    # placeholder
            k += 1

    def _paint_wave(self, p: QPainter, rect: QRectF, clip: Clip, media: MediaSource) -> None:
        """The min/max envelope of the clip's part of the file, one column per visible pixel."""
        buckets = self._wave_buckets(media)
        peaks = self.art.wave(media.path, buckets)
        if peaks is None:
            key = wave_key(media.path, buckets)
            self._wait_for(key, clip.id)
            self._paint_wave_line(p, rect)
            return
        xa = math.floor(max(rect.left(), float(HEADER_W)))
        xb = math.ceil(min(rect.right(), float(self.width())))
        if xb - xa < 1 or media.duration is None or media.duration <= 0:
            return
        fps = float(self.timeline.fps)
        per_bucket = float(media.duration) / buckets
        cx0 = self.x_of(clip.start)
        xs = np.arange(xa, xb + 1, dtype=np.float64)
        seconds = (clip.source_in + (xs - cx0) / self.px_per_frame) / fps
        edges = np.clip(np.floor(seconds / per_bucket).astype(np.int64), 0, buckets - 1)
        idx = edges[:-1]
        end = int(min(buckets, max(idx[-1] + 1, edges[-1])))
        idx = np.minimum(idx, end - 1)
        lows = np.minimum.reduceat(peaks[:end, 0], idx)
        highs = np.maximum.reduceat(peaks[:end, 1], idx)
        mid, half = rect.center().y(), rect.height() / 2 - 1
        top = [QPointF(x + 0.5, mid - max(float(h), 0.0) * half - 0.5) for x, h in zip(xs[:-1], highs, strict=True)]
        bottom = [QPointF(x + 0.5, mid - min(float(lo), 0.0) * half + 0.5)
                  for x, lo in zip(xs[:-1], lows, strict=True)]
        _fill_polygon(p, top + bottom[::-1], QColor(255, 255, 255, 120))

    def _label(self, clip: Clip) -> str:
        if isinstance(clip, GeneratedClip):
            state = "pending" if clip.pending else f"take {(clip.active_take or 0) + 1}/{len(clip.takes)}"
            if clip.pending and self.shot_status is not None:
                status = self.shot_status(clip)
                state = getattr(status, "state", state) if status is not None else state
            return f"✦ {clip.name or clip.spec.prompt or 'generated'} ({state})"
        if clip.name:
            return clip.name
        media = self.timeline.media.get(clip.media_id() or "")
        name = media.name if media else clip.id
        return f"{name} (offline)" if media is not None and not media.online else name

    def _sub_label(self, clip: Clip) -> str:
        length = timecode(clip.duration, self.timeline.fps)
        if isinstance(clip, GeneratedClip) and self.shot_status is not None:
            status = self.shot_status(clip)
            if status is not None and getattr(status, "state", "ready") != "ready":
                return f"{status.text()}  ·  {length}"
        return length

    def _paint_ruler(self, p: QPainter, f0: float, f1: float) -> None:
        p.fillRect(QRect(HEADER_W, 0, self.lane_width(), RULER_H), C_RULER)
        fps = float(self.timeline.fps)
        if self.mark_in is not None or self.mark_out is not None:
            a = self.x_of(self.mark_in or 0)
            b = self.x_of(self.mark_out if self.mark_out is not None else self.timeline.duration)
            p.fillRect(QRectF(max(a, HEADER_W), RULER_H - 8, max(0.0, b - max(a, HEADER_W)), 8),
                       QColor(127, 209, 255, 70))
        step = self._tick_step(fps)
        minor = max(1, step // 5) if step >= 5 else step
        first = int(f0 // minor) * minor
        p.setFont(self.font_small)
        f = first
        while f <= f1:
            x = self.x_of(f)
            if x >= HEADER_W:
                if f % step == 0:
                    p.setPen(C_DIM)
                    p.drawLine(QPointF(x, RULER_H - 12), QPointF(x, RULER_H))
                    p.setPen(C_TEXT)
                    p.drawText(QPointF(x + 4, 13), timecode(f, self.timeline.fps))
                else:
                    p.setPen(QColor("#4a4e58"))
                    p.drawLine(QPointF(x, RULER_H - 5), QPointF(x, RULER_H))
            f += minor
        for marker in self.timeline.markers:
            x = self.x_of(marker.frame)
            if x >= HEADER_W:
                _fill_polygon(p, [QPointF(x - 5, RULER_H - 10), QPointF(x + 5, RULER_H - 10),
                                  QPointF(x, RULER_H - 2)], QColor(marker.color))
                if marker.name:
                    p.setPen(QColor(marker.color))
                    p.setFont(self.font_small)
                    p.drawText(QPointF(x + 7, RULER_H - 3), marker.name)
        p.setPen(QColor("#30333b"))
        p.drawLine(HEADER_W, RULER_H - 1, self.width(), RULER_H - 1)

    def _tick_step(self, fps: float) -> int:
        """Frames between labelled ticks, so labels are at least ~90 px apart."""
        nominal = max(1, round(fps))
        candidates = [1, 2, 5, 10] + [nominal * s for s in (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1800, 3600)]
        for c in candidates:
            if c * self.px_per_frame >= 90:
                return c
        return candidates[-1]

    def _paint_header(self, p: QPainter, track: Track, top: int, h: int) -> None:
        rect = QRect(0, top, HEADER_W, h - 1)
        p.fillRect(rect, C_HEADER)
        p.fillRect(QRect(0, top, 3, h - 1), C_VIDEO if track.kind is TrackKind.VIDEO else C_AUDIO)
        p.setPen(C_TEXT)
        f = QFont(self.font())
        f.setBold(True)
        p.setFont(f)
        p.drawText(QRect(12, top, 60, h), Qt.AlignmentFlag.AlignVCenter, track.name or track.id)
        for name, box in self.header_buttons(track, top, h).items():
            on = getattr(track, name)
            path = QPainterPath()
            path.addRoundedRect(QRectF(box), 4, 4)
            p.fillPath(path, QColor("#e0a030") if on and name == "locked" else
                       QColor("#c0404a") if on else QColor("#2d3038"))
            p.setPen(QColor("#f4f5f7") if on else C_DIM)
            p.setFont(self.font_small)
            glyph = {"hidden": "H" if track.kind is TrackKind.VIDEO else "", "muted": "M", "locked": "L"}[name]
            p.drawText(box, Qt.AlignmentFlag.AlignCenter, glyph)
        p.setPen(QColor("#30333b"))
        p.drawLine(HEADER_W - 1, top, HEADER_W - 1, top + h)

    def header_buttons(self, track: Track, top: int, h: int) -> dict[str, QRect]:
        y = top + (h - 22) // 2
        names = ["hidden", "muted", "locked"] if track.kind is TrackKind.VIDEO else ["muted", "locked"]
        right = HEADER_W - 10
        boxes = {}
        for name in reversed(names):
            boxes[name] = QRect(right - 24, y, 24, 22)
            right -= 28
        return boxes

    def _paint_playhead(self, p: QPainter) -> None:
        x = self.x_of(self.playhead)
        if x < HEADER_W:
            return
        p.setPen(QPen(C_PLAYHEAD, 1.5))
        p.drawLine(QPointF(x, 4), QPointF(x, self.height() - SCROLLBAR_H))
        _fill_polygon(p, [QPointF(x - 7, 2), QPointF(x + 7, 2), QPointF(x + 7, 12), QPointF(x, 19),
                          QPointF(x - 7, 12)], C_PLAYHEAD)

    def _paint_drag(self, p: QPainter) -> None:
        d = self._drag
        if self.drop_preview is not None:
            track_id, start, end = self.drop_preview
            top, h = self.row_of(track_id)
            ghost = QPainterPath()
            ghost.addRoundedRect(QRectF(self.x_of(start), top + 2, max(1.0, (end - start) * self.px_per_frame),
                                        h - 4), 4, 4)
            p.fillPath(ghost, QColor(127, 209, 255, 45))
            p.strokePath(ghost, QPen(C_SNAP, 1.5, Qt.PenStyle.DashLine))
        if d is None or not d.moved:
            return
        if d.kind == "band" and d.band is not None:
            band = QPainterPath()
            band.addRect(QRectF(d.band))
            p.fillPath(band, QColor(127, 209, 255, 30))
            p.strokePath(band, QPen(C_SNAP, 1, Qt.PenStyle.DashLine))
            return
        if d.clip is None:
            return
        ghosts = d.group_preview or [(d.preview_track, d.preview_start, d.preview_end)]
        ghost = QPainterPath()
        for track_id, start, end in ghosts:
            top, h = self.row_of(track_id)
            x0, x1 = self.x_of(start), self.x_of(end)
            ghost.addRoundedRect(QRectF(x0, top + 2, max(1.0, x1 - x0), h - 4), 4, 4)
        p.fillPath(ghost, QColor(255, 255, 255, 35))
        p.strokePath(ghost, QPen(QColor("#ffffff"), 1.5, Qt.PenStyle.DashLine))
        if d.snap_frame is not None:
            x = self.x_of(d.snap_frame)
            p.setPen(QPen(C_SNAP, 1))
            p.drawLine(QPointF(x, RULER_H), QPointF(x, self.height()))

    # --- mouse ---------------------------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        self.setFocus()
        pos = event.position()
        if event.button() == Qt.MouseButton.RightButton and pos.y() < RULER_H and pos.x() >= HEADER_W:
            marker = self.marker_at(pos.x())
            if marker is not None:
                self._do(RemoveMarker(marker))
            return
        if event.button() != Qt.MouseButton.LeftButton:
            return
        if pos.y() < RULER_H and pos.x() >= HEADER_W:
            self._drag = _Drag("scrub")
            self.set_playhead(self.frame_at(pos.x()))
            return
        if pos.x() < HEADER_W:
            if pos.y() >= RULER_H:
                self._press_header(pos)
            return
        mods = event.modifiers()
        adding = bool(mods & (Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.ControlModifier))
        hit = self.clip_at(pos)
        if hit is None:
            if not adding:
                self.select(set())
            self._drag = _Drag("band", press=pos)
            return
        track, clip = hit
        if adding:
            self.select(self.selected ^ {clip.id})
            return
        ripple = bool(mods & Qt.KeyboardModifier.AltModifier)
        x0, x1 = self.x_of(clip.start), self.x_of(clip.end)
        edge_px = min(EDGE_PX, (x1 - x0) / 3)
        if pos.x() - x0 <= edge_px:
            kind = "ripple-head" if ripple else "head"
        elif x1 - pos.x() <= edge_px:
            kind = "ripple-tail" if ripple else "tail"
        else:
            kind = "move"
        # Pressing the body of a clip in a multi-selection keeps the selection: a drag moves them all, a plain
        # click (no drag) selects that clip alone on release.
        multi = kind == "move" and clip.id in self.selected and len(self.selected) > 1
        if not multi and (clip.id not in self.selected or len(self.selected) > 1):
            self.select({clip.id})
        self._drag = _Drag(kind, clip.id, track.id, pos, self.frame_at(pos.x()), clip, clip.start, clip.end,
                           track.id)
        if multi:
            self._drag.group = [(c.id, t.id, c) for t, c in self.selected_clips()]

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        pos = event.position()
        if event.button() == Qt.MouseButton.LeftButton and pos.y() < RULER_H and pos.x() >= HEADER_W:
            self._drag = None
            marker = self.marker_at(pos.x())
            if marker is not None:
                self.rename_marker(marker)
            return
        if event.button() == Qt.MouseButton.LeftButton and pos.x() >= HEADER_W:
            gap = self.gap_at(pos)
            if gap is not None:
                self._drag = None
                self.generate_requested.emit(*gap)
                return
        super().mouseDoubleClickEvent(event)

    def gap_at(self, pos: QPointF) -> tuple[str, int, int] | None:
        """(track id, start, end) of the empty stretch of a video track under ``pos``. After the last clip the
        gap runs to the end of the picture, or five seconds when the track is empty there."""
        track = self.track_at(pos.y())
        if track is None or track.kind is not TrackKind.VIDEO or track.locked or self.clip_at(pos) is not None:
            return None
        return self.gap_around(track, self.frame_at(pos.x()))

    def gap_between(self, track: Track, frame: int) -> tuple[str, int, int] | None:
        """(track id, start, end) of the empty stretch at ``frame`` that a later clip ends; None in a clip or
        after the last one."""
        if track.clip_at(frame) is not None:
            return None
        i = bisect.bisect_right(self.starts(track), frame)
        if i >= len(track.clips):
            return None
        start = track.clips[i - 1].end if i > 0 else 0
        return (track.id, start, track.clips[i].start) if track.clips[i].start > start else None

    def gap_around(self, track: Track, frame: int) -> tuple[str, int, int] | None:
        """Like ``gap_between``, and after the last clip up to the end of the picture (five seconds where the
        track is empty there): where a generated shot can go."""
        if track.clip_at(frame) is not None:
            return None
        between = self.gap_between(track, frame)
        if between is not None:
            return between
        start = track.clips[-1].end if track.clips else 0
        picture = max((t.end for t in self.timeline.video_tracks), default=0)
        end = picture if picture > frame else frame + int(5 * self.timeline.fps)
        if start < frame - int(10 * self.timeline.fps):
            start = frame   # far past the last clip: start where the user asked, not at the old end
        return (track.id, start, end) if end > start else None

    def header_entries(self, track: Track) -> list[tuple[str, Callable[[], object] | None]]:
        """The track header's menu: add tracks (beside this one), remove this one (undoable)."""
        kind = track.kind
        same = self.timeline.video_tracks if kind is TrackKind.VIDEO else self.timeline.audio_tracks
        index = same.index(track)
        where = "Above" if kind is TrackKind.VIDEO else "Below"
        return [(f"Add {kind.value.title()} Track {where}", lambda: self._do(AddTrack(kind, index + 1))),
                ("Add Video Track" if kind is TrackKind.AUDIO else "Add Audio Track",
                 lambda: self._do(AddTrack(TrackKind.AUDIO if kind is TrackKind.VIDEO else TrackKind.VIDEO))),
                ("", None),
                (f"Delete Track {track.name or track.id}" + (f" and its {len(track.clips)} clips" if track.clips
                                                             else ""), lambda: self._do(RemoveTrack(track.id)))]

    def _popup(self, entries: list[tuple[str, Callable[[], object] | None]], global_pos) -> None:
        menu = QMenu(self)
        for text, callback in entries:
            if callback is None:
                menu.addSeparator()
            else:
                menu.addAction(text).triggered.connect(lambda _=False, cb=callback: cb())
        self.context_menu = menu   # kept so tests can find and trigger its actions
        menu.popup(global_pos)

    def contextMenuEvent(self, event) -> None:  # noqa: N802
        pos = QPointF(event.pos())
        track = self.track_at(pos.y())
        if track is not None and pos.x() < HEADER_W:
            self._popup(self.header_entries(track), event.globalPos())
            return
        if track is None or pos.x() < HEADER_W:
            return
        hit = self.clip_at(pos)
        clip = hit[1] if hit is not None else None
        if clip is not None and clip.id not in self.selected:
            self.select({clip.id})
        frame = self.frame_at(pos.x())
        entries = list(self.context_entries(track, clip, frame)) if self.context_entries is not None else []
        gap = self.gap_between(track, frame) if clip is None else None
        if gap is not None:
            entries = [("Close Gap", lambda: self.close_gap(gap[0], gap[1], gap[2])), *([("", None)] if entries
                                                                                       else []), *entries]
        if entries:
            self._popup(entries, event.globalPos())

    def close_gap(self, track_id: str, start: int, end: int) -> bool:
        """Ripple the clips after an empty stretch of a track back over it (one undo step)."""
        track = self.timeline.track(track_id)
        later = sorted((c for c in track.clips if c.start >= end), key=lambda c: c.start)
        if not later or track.clips_in(start, end):
            return False
        by = end - start
        return self._do(Group("Close gap", [Move(c.id, None, c.start - by) for c in later]))

    def rename_marker(self, marker: Marker) -> bool:
        name = self.ask_marker_name(marker)
        if name is None or name == marker.name:
            return False
        return self._do(EditMarker(marker, name=name))

    def ask_marker_name(self, marker: Marker) -> str | None:
        """The marker's new name, or None when the user cancels (tests replace this)."""
        name, ok = QInputDialog.getText(self, "Marker", f"Name of the marker at "
                                        f"{timecode(marker.frame, self.timeline.fps)}:", text=marker.name)
        return name.strip() if ok else None

    def _press_header(self, pos: QPointF) -> None:
        for track, top, h in self.rows():
            for name, box in self.header_buttons(track, top, h).items():
                if box.contains(pos.toPoint()):
                    self._do(SetTrackFlags(track.id, **{name: not getattr(track, name)}))
                    return

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        pos = event.position()
        d = self._drag
        if d is None:
            self._hover_cursor(pos)
            return
        if d.kind == "scrub":
            self.set_playhead(self.frame_at(pos.x()))
            return
        if d.press is not None and not d.moved and (pos - d.press).manhattanLength() < 3:
            return
        d.moved = True
        if d.kind == "band":
            d.band = QRect(d.press.toPoint(), pos.toPoint()).normalized()
            self.update()
            return
        clip = d.clip
        assert clip is not None
        delta = self.frame_at(pos.x()) - d.frame0
        d.snap_frame = None
        if d.kind == "move":
            start = max(0, clip.start + delta)
            moving = {clip.id} if d.group is None else {cid for cid, _, _ in d.group}
            snapped = self._snap_move(start, clip.duration, moving)
            if snapped is not None:
                start, d.snap_frame = snapped
            target = self.track_at(pos.y())
            source = self.timeline.track(d.track_id)
            d.preview_track = target.id if target is not None and target.kind is source.kind else d.preview_track
            d.preview_start, d.preview_end = start, start + clip.duration
            if d.group is not None:
                self._preview_group(d)
        elif d.kind.endswith("head"):
            to = min(clip.end - 1, max(0, clip.start + delta))
            to, d.snap_frame = self._snap_point(to, clip.id)
            d.preview_start, d.preview_end = to, clip.end
        else:
            to = max(clip.start + 1, clip.end + delta)
            to, d.snap_frame = self._snap_point(to, clip.id)
            d.preview_start, d.preview_end = clip.start, to
        self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        d, self._drag = self._drag, None
        if d is None or not d.moved:
            if d is not None and d.group is not None:
                self.select({d.clip_id})    # a click without a drag on a clip of a multi-selection
            self.update()
            return
        if d.kind == "band" and d.band is not None:
            self._select_band(d.band, event.modifiers())
        elif d.kind == "move" and d.group is not None:
            self._move_group(d)
        elif d.kind == "move" and d.clip is not None:
            if d.preview_start != d.clip.start or d.preview_track != d.track_id:
                to_track = None if d.preview_track == d.track_id else d.preview_track
                self._do(Move(d.clip_id, to_track, d.preview_start))
        elif d.clip is not None:
            clip = d.clip
            if d.kind == "head" and d.preview_start != clip.start:
                self._do(TrimHead(clip.id, d.preview_start))
            elif d.kind == "tail" and d.preview_end != clip.end:
                self._do(TrimTail(clip.id, d.preview_end))
            elif d.kind == "ripple-head" and d.preview_start != clip.start:
                self._do(RippleTrim(clip.id, "head", d.preview_start))
            elif d.kind == "ripple-tail" and d.preview_end != clip.end:
                self._do(RippleTrim(clip.id, "tail", d.preview_end))
        self.update()

    def _preview_group(self, d: _Drag) -> None:
        """Every selected clip follows the pressed one: same frame delta (kept >= 0 for all), same track offset
        (in rows) only where every clip lands on a track of its own kind, otherwise time only."""
        assert d.group is not None and d.clip is not None
        delta = d.preview_start - d.clip.start
        delta = max(delta, -min(c.start for _, _, c in d.group))
        rows = [t for t, _, _ in self.rows()]
        index = {t.id: i for i, t in enumerate(rows)}
        offset = index[d.preview_track] - index[d.track_id]
        for _, tid, _ in d.group:
            i = index[tid] + offset
            if not 0 <= i < len(rows) or rows[i].kind is not rows[index[tid]].kind:
                offset = 0
                break
        d.group_track_offset = offset
        d.group_preview = [(rows[index[tid] + offset].id, c.start + delta, c.end + delta) for _, tid, c in d.group]
        d.preview_start, d.preview_end = d.clip.start + delta, d.clip.end + delta
        d.preview_track = rows[index[d.track_id] + offset].id

    def _move_group(self, d: _Drag) -> None:
        """One undo step moving every selected clip; a refused part rolls back all (the reason is shown)."""
        assert d.group is not None and d.group_preview is not None and d.clip is not None
        delta = d.preview_start - d.clip.start
        if delta == 0 and d.group_track_offset == 0:
            return
        index = {t.id: i for i, (t, _, _) in enumerate(self.rows())}
        parts = list(zip(d.group, d.group_preview, strict=True))
        # Move the leading clips first so the others' old places are free when they arrive.
        sign_t = (d.group_track_offset > 0) - (d.group_track_offset < 0)
        sign_f = (delta > 0) - (delta < 0)
        parts.sort(key=lambda p: (-index[p[0][1]] * sign_t, -p[0][2].start * sign_f))
        commands = [Move(cid, None if to_tid == tid else to_tid, start)
                    for (cid, tid, _), (to_tid, start, _) in parts]
        self._do(Group(f"Move {len(commands)} clips", commands))

    def _hover_cursor(self, pos: QPointF) -> None:
        hit = self.clip_at(pos)
        cursor = Qt.CursorShape.ArrowCursor
        if hit is not None:
            x0, x1 = self.x_of(hit[1].start), self.x_of(hit[1].end)
            edge_px = min(EDGE_PX, (x1 - x0) / 3)
            if pos.x() - x0 <= edge_px or x1 - pos.x() <= edge_px:
                cursor = Qt.CursorShape.SizeHorCursor
        self.setCursor(cursor)

    def _select_band(self, band: QRect, mods) -> None:
        f0, f1 = self.frame_at(band.left()), self.frame_at(band.right())
        ids = set()
        for track, top, h in self.rows():
            if top + h < band.top() or top > band.bottom():
                continue
            ids.update(c.id for c in self.visible_clips(track, f0, f1 + 1))
        if mods & (Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.ControlModifier):
            ids |= self.selected
        self.select(ids)

    # --- snapping ------------------------------------------------------------------------------------

    def snap_targets(self, exclude: str | set[str]) -> list[int]:
        f0, f1 = self.visible_frames()
        points = {self.playhead, *(m.frame for m in self.timeline.markers)}
        points.update(x for x in (self.mark_in, self.mark_out) if x is not None)
        moving = {exclude} if isinstance(exclude, str) else exclude
        for track in self.timeline.tracks:
            for c in self.visible_clips(track, f0, f1):
                if c.id not in moving:
                    points.add(c.start)
                    points.add(c.end)
        return sorted(points)

    def _snap_point(self, frame: int, exclude: str) -> tuple[int, int | None]:
        if not self.snapping:
            return frame, None
        limit = SNAP_PX / self.px_per_frame
        best = min(self.snap_targets(exclude), key=lambda t: abs(t - frame), default=None)
        if best is not None and abs(best - frame) <= limit:
            return best, best
        return frame, None

    def _snap_move(self, start: int, duration: int, exclude: str | set[str]) -> tuple[int, int] | None:
        if not self.snapping:
            return None
        limit = SNAP_PX / self.px_per_frame
        best: tuple[float, int, int] | None = None
        for t in self.snap_targets(exclude):
            for offset in (0, duration):
                dist = abs(t - (start + offset))
                if dist <= limit and (best is None or dist < best[0]) and t - offset >= 0:
                    best = (dist, t - offset, t)
        return None if best is None else (best[1], best[2])

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

    # --- drops ---------------------------------------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        if event.mimeData().hasFormat(MEDIA_MIME) or event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dragMoveEvent(self, event) -> None:  # noqa: N802
        event.acceptProposedAction()
        self.drop_preview = self._drop_target(event.mimeData(), event.position())
        self.update()

    def dragLeaveEvent(self, event) -> None:  # noqa: N802
        self.drop_preview = None
        self.update()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        insert = bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier)
        self.drop_preview = None
        if self.drop_mime(event.mimeData(), event.position(), insert=insert):
            event.acceptProposedAction()
        self.update()

    def _drop_target(self, mime: QMimeData, pos: QPointF | QPoint) -> tuple[str, int, int] | None:
        """(track id, start, end) where the bin's media would land: the track under the pointer (or the
        first of the media's kind), the frame under it snapped like a moved clip."""
        if not mime.hasFormat(MEDIA_MIME):
            return None
        media = self.timeline.media.get(bytes(mime.data(MEDIA_MIME).data()).decode())
        if media is None:
            return None
        pos = QPointF(pos)
        track = self._track_for(media, self.track_at(pos.y()))
        if track is None:
            return None
        length = max(1, media.duration_frames(self.timeline.fps) or int(5 * self.timeline.fps))
        start = self.frame_at(pos.x())
        snapped = self._snap_move(start, length, set())
        if snapped is not None:
            start = snapped[0]
        return track.id, start, start + length

    def _track_for(self, media: MediaSource, track: Track | None) -> Track | None:
        want = TrackKind.VIDEO if media.has_video else TrackKind.AUDIO
        if track is not None and track.kind is want:
            return track
        tracks = self.timeline.video_tracks if want is TrackKind.VIDEO else self.timeline.audio_tracks
        return tracks[0] if tracks else None

    def drop_mime(self, mime: QMimeData, pos: QPointF | QPoint, *, insert: bool = False) -> bool:
        """Put the bin's media at ``pos`` (overwrite; ``insert`` pushes later clips right), or import files."""
        pos = QPointF(pos)
        if mime.hasFormat(MEDIA_MIME):
            media_id = bytes(mime.data(MEDIA_MIME).data()).decode()
            target = self._drop_target(mime, pos)
            if target is None:
                return self.place_media(media_id, self.track_at(pos.y()), self.frame_at(pos.x()), insert=insert)
            return self.place_media(media_id, self.timeline.track(target[0]), target[1], insert=insert)
        if mime.hasUrls():
            paths = [u.toLocalFile() for u in mime.urls() if u.isLocalFile()]
            if paths:
                self.media_dropped.emit(paths)
                return True
        return False

    def place_media(self, media_id: str, track: Track | None, frame: int, *, insert: bool = False) -> bool:
        media = self.timeline.media.get(media_id)
        if media is None:
            return False
        track = self._track_for(media, track)
        if track is None:
            self.message.emit(f"No {'video' if media.has_video else 'audio'} track for {media.name}")
            return False
        length = media.duration_frames(self.timeline.fps) or int(5 * self.timeline.fps)
        clip = MediaClip(new_id("c"), frame, max(1, length), media=media_id, name=media.name)
        command = (Insert if insert else Overwrite)(track.id, clip, frame)
        ok = self._do(command)
        if ok:
            self.select({clip.id})
        return ok


def _fill_polygon(p: QPainter, points: list[QPointF], colour: QColor) -> None:
    path = QPainterPath()
    path.addPolygon(QPolygonF(points))
    path.closeSubpath()
    p.fillPath(path, colour)


def _mods(event: QKeyEvent) -> int:
    mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
    return int(mods.value if hasattr(mods, "value") else mods)
