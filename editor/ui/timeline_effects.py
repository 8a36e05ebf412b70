"""Clip effects on the timeline, as CapCut and Premiere show them: transitions as hatched bow-tie blocks across
cuts, fades as triangles at clip heads and tails, keyframe diamonds on the selected clip, the gain rubber band
on audio clips (a line at its dB level, keys as dots), a speed badge on retimed clips. Also the geometry the
mouse uses to grab a rubber band or a transition's edge. A mixin of ``TimelinePainting``; it only reads."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFontMetrics, QPainter, QPainterPath, QPen

from editor.model import Clip, Track, TrackKind
from editor.model.effects import TransitionKind
from editor.model.keyframe_edit import GAIN_MAX_DB, GAIN_MIN_DB, key_frames, speed_badge
from editor.ui.timeline_style import (
    C_FADE,
    C_KEYFRAME,
    C_RUBBER_BAND,
    C_TRANSITION,
    fill_polygon,
)

GRAB_PX = 5   # how near the pointer must be to a rubber band or a transition edge to grab it


def gain_y(rect: QRectF, db: float) -> float:
    """The rubber band's height for ``db`` in a clip drawn at ``rect``: +12 dB at the top, -60 at the bottom."""
    u = (GAIN_MAX_DB - min(GAIN_MAX_DB, max(GAIN_MIN_DB, db))) / (GAIN_MAX_DB - GAIN_MIN_DB)
    return rect.top() + 4 + u * (rect.height() - 8)


def db_per_px(rect: QRectF) -> float:
    return (GAIN_MAX_DB - GAIN_MIN_DB) / max(1.0, rect.height() - 8)


class TimelineEffects:
    """``TimelinePainting``'s effect drawing and hit tests (mixed into ``TimelineView``)."""

    def transition_span(self, clip: Clip) -> tuple[float, float] | None:
        """The x range a clip's head transition covers, or None."""
        t = clip.transition
        if t is None:
            return None
        return self.x_of(clip.start - t.before), self.x_of(clip.start + t.after)

    def transition_edge_at(self, pos: QPointF) -> tuple[Track, Clip, str] | None:
        """(track, clip, "before" | "after") when ``pos`` is on the left or right edge of a transition."""
        track = self.track_at(pos.y())
        if track is None or track.locked:
            return None
        top, h = self.row_of(track.id)
        if not top + 8 <= pos.y() <= top + h - 8:    # the block's height: above and below, the clips' own edges
            return None
        f = self.frame_at(pos.x())
        for clip in self.visible_clips(track, f - 10_000, f + 10_000):
            span = self.transition_span(clip)
            if span is None:
                continue
            if abs(pos.x() - span[0]) <= GRAB_PX:
                return track, clip, "before"
            if abs(pos.x() - span[1]) <= GRAB_PX:
                return track, clip, "after"
        return None

    def transition_at(self, pos: QPointF) -> Clip | None:
        """The clip whose head transition is drawn under ``pos``."""
        track = self.track_at(pos.y())
        if track is None:
            return None
        f = self.frame_at(pos.x())
        for clip in self.visible_clips(track, f - 10_000, f + 10_000):
            span = self.transition_span(clip)
            if span is not None and span[0] <= pos.x() <= span[1]:
                return clip
        return None

    def rubber_band_at(self, pos: QPointF) -> tuple[Track, Clip] | None:
        """The audio clip whose rubber band passes within GRAB_PX of ``pos``."""
        hit = self.clip_at(pos)
        if hit is None or hit[0].kind is not TrackKind.AUDIO or hit[0].locked:
            return None
        track, clip = hit
        rect = QRectF(self.clip_rect(clip.id))
        frame = (pos.x() - self.x_of(clip.start)) / self.px_per_frame
        return hit if abs(gain_y(rect, clip.gain.at(frame)) - pos.y()) <= GRAB_PX else None

    # --- painting --------------------------------------------------------------------------------------

    def _paint_effects(self, p: QPainter, clip: Clip, track: Track, rect: QRectF) -> None:
        """What a clip does beyond its picture, over its body (called with the lane clip set)."""
        full = QRectF(self.x_of(clip.start), rect.top(), (clip.end - clip.start) * self.px_per_frame, rect.height())
        if clip.fade_in or clip.fade_out:
            self._paint_fades(p, clip, full)
        if track.kind is TrackKind.AUDIO and full.width() > 6:
            self._paint_rubber_band(p, clip, full)
        if clip.id in self.selected and full.width() > 6:
            self._paint_keys(p, clip, full)
        badge = speed_badge(clip)
        if badge and full.width() > 30:
            fm = QFontMetrics(self.font_small)
            w = fm.horizontalAdvance(badge) + 8
            tab = QRectF(min(full.right(), float(self.width())) - w - 4, rect.top() + 4, w, fm.height() + 2)
            p.fillRect(tab, QColor(0, 0, 0, 150))
            p.setPen(QColor("#7fd1ff"))
            p.drawText(tab, Qt.AlignmentFlag.AlignCenter, badge)

    def _paint_fades(self, p: QPainter, clip: Clip, full: QRectF) -> None:
        pen = QPen(QColor(255, 255, 255, 200), 1)
        for frames, head in ((clip.fade_in, True), (clip.fade_out, False)):
            if not frames:
                continue
            w = frames * self.px_per_frame
            x = full.left() if head else full.right()
            inner = x + w if head else x - w
            fill_polygon(p, [QPointF(x, full.top()), QPointF(inner, full.top()), QPointF(x, full.bottom())],
                         C_FADE)
            p.setPen(pen)
            p.drawLine(QPointF(x, full.bottom()), QPointF(inner, full.top()))

    def _paint_rubber_band(self, p: QPainter, clip: Clip, full: QRectF) -> None:
        curve = clip.gain
        d = self._drag
        if d is not None and d.kind == "gain" and d.clip_id == clip.id and d.gain is not None:
            curve = d.gain
        x0, x1 = max(full.left(), 0.0), min(full.right(), float(self.width()))
        pen = QPen(C_RUBBER_BAND, 1.5)
        p.setPen(pen)
        if not curve.keys:
            y = gain_y(full, curve.value)
            p.drawLine(QPointF(full.left() + 1, y), QPointF(full.right() - 1, y))
            return
        points = []
        x = x0
        while x <= x1:
            points.append(QPointF(x, gain_y(full, curve.at((x - full.left()) / self.px_per_frame))))
            x += 3
        for a, b in zip(points, points[1:], strict=False):
            p.drawLine(a, b)
        for k in curve.keys:
            if 0 <= k.frame < clip.duration:
                c = QPointF(full.left() + (k.frame + 0.5) * self.px_per_frame, gain_y(full, k.value))
                path = QPainterPath()
                path.addEllipse(c, 3.5, 3.5)
                p.fillPath(path, C_RUBBER_BAND)

    def _paint_keys(self, p: QPainter, clip: Clip, full: QRectF) -> None:
        y = full.bottom() - 7
        for f in key_frames(clip):
            x = full.left() + (f + 0.5) * self.px_per_frame
            fill_polygon(p, [QPointF(x, y - 5), QPointF(x + 5, y), QPointF(x, y + 5), QPointF(x - 5, y)],
                         C_KEYFRAME)

    def _paint_transitions(self, p: QPainter, track: Track, top: int, h: int, f0: float, f1: float) -> None:
        """Each transition as a block across its cut: hatched, with a bow tie (two triangles meeting at the
        cut) and its kind's initial; drawn over both clips."""
        for clip in self.visible_clips(track, f0 - 10_000, f1 + 10_000):
            span = self.transition_span(clip)
            if span is None:
                continue
            t = clip.transition
            assert t is not None
            a, b = span
            r = QRectF(a, top + 8, max(3.0, b - a), h - 16)
            d = self._drag
            if d is not None and d.kind == "transition" and d.clip_id == clip.id and d.transition is not None:
                a, b = self.x_of(clip.start - d.transition.before), self.x_of(clip.start + d.transition.after)
                r = QRectF(a, top + 8, max(3.0, b - a), h - 16)
            colour = {TransitionKind.DISSOLVE: C_TRANSITION, TransitionKind.DIP_BLACK: QColor("#202020"),
                      TransitionKind.DIP_WHITE: QColor("#e8e8e8")}[t.kind]
            path = QPainterPath()
            path.addRoundedRect(r, 3, 3)
            p.fillPath(path, QColor(colour.red(), colour.green(), colour.blue(), 210))
            p.fillPath(path, QBrush(QColor(255, 255, 255, 70), Qt.BrushStyle.BDiagPattern))
            cut = self.x_of(clip.start)
            mid = r.center().y()
            tie = QColor(0, 0, 0, 120) if t.kind is TransitionKind.DIP_WHITE else QColor(255, 255, 255, 150)
            fill_polygon(p, [QPointF(r.left(), r.top()), QPointF(cut, mid), QPointF(r.left(), r.bottom())], tie)
            fill_polygon(p, [QPointF(r.right(), r.top()), QPointF(cut, mid), QPointF(r.right(), r.bottom())], tie)
            p.strokePath(path, QPen(QColor("#f4f5f7"), 1))

