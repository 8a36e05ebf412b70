"""Mouse interaction on the timeline: selecting, moving, trimming, band selection, scrubbing and snapping.
A mixin of ``TimelineView``; edits go through its ``_do``."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRect, QRectF, Qt
from PySide6.QtGui import QMouseEvent

from editor.model import Clip, Group
from editor.model.commands import (
    AddTransition,
    Move,
    RemoveMarker,
    RippleTrim,
    SetClipProperties,
    SetTrackFlags,
    TrimHead,
    TrimTail,
)
from editor.model.effects import Transition
from editor.model.keyframe_edit import TRANSITION_NAMES, dragged_gain
from editor.model.keyframes import Curve
from editor.model.time import timecode
from editor.ui import extend_ui
from editor.ui.timeline_effects import db_per_px
from editor.ui.timeline_style import EDGE_PX, HEADER_W, RULER_H, SNAP_PX


@dataclass
class _Drag:
    kind: str                 # "move", "head", "tail", "ripple-head", "ripple-tail", "band", "scrub", "gain",
                              # "transition"
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
    partners: list[tuple[str, Clip]] | None = None   # (track id, clip) linked to the pressed clip: they follow
    gain: Curve | None = None             # "gain": the rubber band as dragged so far
    transition: Transition | None = None  # "transition": the transition as resized so far
    side: str = ""                        # "transition": the edge held, "before" or "after"
    extend: int = 0                       # "head"/"tail" of a recorded clip: frames dragged past its media


class TimelineMouse:
    """``TimelineView``'s mouse handling (mixed into the widget)."""

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
            self.scrubbed.emit(self.playhead)
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
        if self._press_effect(pos):
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
                           track.id, partners=[(t.id, c) for t, c in self.timeline.linked(clip)])
        if multi:
            # The clips linked to the selection move with it: part of the group, so their ghosts show too.
            found = {c.id: (t, c) for t, c in self.selected_clips()}
            for _, c in list(found.values()):
                found.update((other.id, (t, other)) for t, other in self.timeline.linked(c))
            self._drag.group = [(c.id, t.id, c) for t, c in found.values()]

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
            before = self.playhead
            self.set_playhead(self.frame_at(pos.x()))
            if self.playhead != before:
                self.scrubbed.emit(self.playhead)
            return
        if d.press is not None and not d.moved and (pos - d.press).manhattanLength() < 3:
            return
        d.moved = True
        if d.kind in ("gain", "transition"):
            self._drag_effect(d, pos)
            return
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
            to = self._past_media(d, to)
            d.preview_start, d.preview_end = to, clip.end
        else:
            to = max(clip.start + 1, clip.end + delta)
            to, d.snap_frame = self._snap_point(to, clip.id)
            to = self._past_media(d, to)
            d.preview_start, d.preview_end = clip.start, to
        self.update()

    def _past_media(self, d: _Drag, to: int) -> int:
        """A plain trim of a recorded clip stops at its media's end (start): the edge is held there, and the
        frames dragged beyond show as a ghost, offered as a generated extension on release."""
        if d.extend:
            self.drop_preview = None
        d.extend = 0
        if d.kind not in ("head", "tail"):
            return to
        bound = extend_ui.media_bound(self.timeline, d.clip_id, d.kind)
        if bound is None:
            return to
        if d.kind == "tail" and to > bound:
            d.extend, to = to - bound, bound
            self.drop_preview = (d.track_id, bound, bound + d.extend)
        elif d.kind == "head" and to < bound:
            d.extend, to = bound - to, bound
            self.drop_preview = (d.track_id, to - d.extend, to)
        if d.extend:
            self.message.emit(f"Release to generate {extend_ui.seconds_text(d.extend, self.timeline.fps)} "
                              f"past the end of the media")
        return to

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        d, self._drag = self._drag, None
        if d is not None and d.extend:
            self.drop_preview = None
        if d is None or not d.moved:
            if d is not None and d.group is not None:
                self.select({d.clip_id})    # a click without a drag on a clip of a multi-selection
            self.update()
            return
        if d.kind in ("gain", "transition"):
            self._release_effect(d)
        elif d.kind == "band" and d.band is not None:
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
            if d.extend:
                extend_ui.offer_extension(self, clip.id, d.kind, d.extend, event.globalPosition().toPoint())
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
        # The group holds every linked clip already, each moved where its ghost showed: one Move each, alone.
        commands = [Move(cid, None if to_tid == tid else to_tid, start, linked=False)
                    for (cid, tid, _), (to_tid, start, _) in parts]
        self._do(Group(f"Move {len(commands)} clips", commands))

    # --- effects: the rubber band and transition edges -----------------------------------------------

    def _press_effect(self, pos: QPointF) -> bool:
        """Grab a transition's edge or an audio clip's rubber band under ``pos`` (they win over the clip)."""
        edge = self.transition_edge_at(pos)
        if edge is not None:
            track, clip, side = edge
            self.select({clip.id})
            self._drag = _Drag("transition", clip.id, track.id, pos, self.frame_at(pos.x()), clip,
                               transition=clip.transition, side=side)
            return True
        band = self.rubber_band_at(pos)
        if band is not None:
            track, clip = band
            self.select({clip.id})
            self._drag = _Drag("gain", clip.id, track.id, pos, self.frame_at(pos.x()), clip, gain=clip.gain)
            return True
        return False

    def _drag_effect(self, d: _Drag, pos: QPointF) -> None:
        clip = d.clip
        assert clip is not None and d.press is not None
        if d.kind == "gain":
            rect = QRectF(self.clip_rect(clip.id))
            d.gain = dragged_gain(clip.gain, -(pos.y() - d.press.y()) * db_per_px(rect))
            self.message.emit(f"Volume {d.gain.at(d.frame0 - clip.start):+.1f} dB")
        else:
            track = self.timeline.track(d.track_id)
            i = track.clips.index(next(c for c in track.clips if c.id == clip.id))
            previous = track.clips[i - 1] if i > 0 else None
            t = clip.transition
            if previous is None or t is None:
                return
            delta = self.frame_at(pos.x()) - d.frame0
            if d.side == "before":
                before, after = min(previous.duration, max(0, t.before - delta)), t.after
            else:
                before, after = t.before, min(clip.duration, max(0, t.after + delta))
            if before + after > 0:
                d.transition = Transition(t.kind, before, after)
                self.message.emit(f"Transition {timecode(before + after, self.timeline.fps)}")
        self.update()

    def _release_effect(self, d: _Drag) -> None:
        clip = d.clip
        if clip is None:
            return
        if d.kind == "gain" and d.gain is not None and d.gain != clip.gain:
            self._do(SetClipProperties(clip.id, gain=d.gain, label="Set volume"))
        elif d.kind == "transition" and d.transition is not None and d.transition != clip.transition:
            command = AddTransition(clip.id, d.transition)
            command.label = "Change transition duration"
            self._do(command)

    def _hover_cursor(self, pos: QPointF) -> None:
        if self.transition_edge_at(pos) is not None:
            self.setCursor(Qt.CursorShape.SizeHorCursor)
            return
        if self.rubber_band_at(pos) is not None:
            self.setCursor(Qt.CursorShape.SizeVerCursor)
            return
        over = self.transition_at(pos)
        self.setToolTip(TRANSITION_NAMES[over.transition.kind] + " (drag an edge to change its length)"
                        if over is not None and over.transition is not None else "")
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
        points = {0, self.playhead, *(m.frame for m in self.timeline.markers)}   # 0: no black frames at the start
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
