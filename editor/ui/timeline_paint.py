"""Painting the timeline: tracks, clips with their thumbnails and waveforms, ruler, headers, playhead and
drag ghosts. A mixin of ``TimelineView``; it only reads the model."""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QPointF, QRect, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetrics, QPainter, QPainterPath, QPaintEvent, QPen

from editor.model import Clip, GeneratedClip, MediaKind, MediaSource, TextClip, Track, TrackKind
from editor.model.time import timecode
from editor.ui.clip_art import thumb_key, wave_key
from editor.ui.preview_art import load_preview, paint_clip_preview
from editor.ui.timeline_effects import TimelineEffects
from editor.ui.timeline_style import (
    C_AUDIO,
    C_BG,
    C_DIM,
    C_GEN,
    C_GEN_PENDING,
    C_HEADER,
    C_OFFLINE,
    C_PLAYHEAD,
    C_PROGRESS,
    C_RULER,
    C_SELECT,
    C_SNAP,
    C_STALE,
    C_STILL,
    C_TEXT,
    C_TITLE,
    C_TRACK,
    C_TRACK_ALT,
    C_VIDEO,
    HEADER_W,
    RULER_H,
    SCROLLBAR_H,
    VIDEO_H,
    WAVE_PER_S,
    WAVE_STRIP,
    fill_polygon,
)


class TimelinePainting(TimelineEffects):
    """``TimelineView``'s painting (mixed into the widget, uses its geometry and state)."""

    # --- painting ------------------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        p = QPainter(self)
        p.fillRect(self.rect(), C_BG)
        f0, f1 = self.visible_frames()
        # Only the clips under the region being repainted (while playing: two strips around the playhead).
        # The lanes' columns being repainted (the header's timecode box aside): art is built only for those.
        lanes = [r for r in event.region() if r.right() >= HEADER_W] or [event.rect()]
        dirty = QRect(min(r.left() for r in lanes), 0, 1, 1)
        dirty.setRight(max(r.right() for r in lanes))
        self._dirty_x = (dirty.left() - 1, dirty.right() + 2)
        t0 = max(f0, (dirty.left() - 2 - HEADER_W + self.scroll_px) / self.px_per_frame)
        t1 = min(f1, (dirty.right() + 2 - HEADER_W + self.scroll_px) / self.px_per_frame)
        rows = self.rows()
        lane = QRect(HEADER_W, RULER_H, self.lane_width(), self.lanes_height())
        for i, (_track, top, h) in enumerate(rows):
            p.fillRect(QRect(HEADER_W, top, self.lane_width(), h - 1), C_TRACK if i % 2 == 0 else C_TRACK_ALT)
        p.save()
        p.setClipRect(lane)
        for track, top, h in rows:
            if t1 >= t0:
                self._paint_track(p, track, top, h, t0, t1)
                self._paint_transitions(p, track, top, h, t0, t1)
        self._paint_drag(p)
        p.restore()
        # The ruler's labels run right of their tick: start a label's width before the repainted columns.
        label_w = 120 / self.px_per_frame
        self._paint_ruler(p, max(f0, t0 - label_w), min(f1, t1 + 2 / self.px_per_frame))
        if event.region().intersects(QRect(0, RULER_H, HEADER_W, self.lanes_height())):
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
        if isinstance(clip, TextClip):
            return C_TITLE
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
        linked = {c.link for _, c in self.selected_clips() if c.link is not None} if self.selected else set()
        for clip in self.visible_clips(track, f0, f1):
            x0 = max(self.x_of(clip.start), HEADER_W - 4.0)
            x1 = min(self.x_of(clip.end), float(self.width() + 4))
            rect = QRectF(x0, top + 2, max(1.0, x1 - x0), h - 4)
            colour = self._clip_colour(clip, track)
            off = dim or not clip.enabled    # a disabled clip (Clip ▸ Enable off) is drawn dimmed and hatched
            if off:
                colour = colour.darker(160)
            path = QPainterPath()
            path.addRoundedRect(rect, 4, 4)
            p.fillPath(path, colour)
            if rect.width() > 6:
                p.fillRect(QRectF(rect.left(), rect.top(), rect.width(), 3), colour.lighter(140))
            media = self._art_media(clip)
            if media is not None and rect.width() > 8:
                self._paint_art(p, path, rect, clip, track, media, off)
            elif track.kind is TrackKind.AUDIO and rect.width() > 8:
                self._paint_wave_line(p, rect)
            status = None
            if isinstance(clip, GeneratedClip):
                hatch = QBrush(QColor(255, 255, 255, 40 if clip.pending else 22), Qt.BrushStyle.BDiagPattern)
                p.fillPath(path, hatch)
                status = self.shot_status(clip) if self.shot_status is not None else None
                if status is not None:
                    self._paint_shot_state(p, path, rect, status)
            self._paint_effects(p, clip, track, rect)
            if not clip.enabled:
                p.fillPath(path, QColor(0, 0, 0, 90))
                p.fillPath(path, QBrush(QColor(255, 255, 255, 45), Qt.BrushStyle.FDiagPattern))
            selected = clip.id in self.selected
            if selected:
                pen = QPen(C_SELECT, 2)
            elif clip.link is not None and clip.link in linked:   # edited with the selection: shown so
                pen = QPen(C_SELECT, 1, Qt.PenStyle.DashLine)
            else:
                pen = QPen(colour.darker(170), 1)
            p.strokePath(path, pen)
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

    def _paint_shot_state(self, p: QPainter, path: QPainterPath, rect: QRectF, status) -> None:
        """Generating: the latest live preview as the clip's pictures and a progress bar along the bottom;
        failed: a red wash; stale: an amber edge."""
        state = getattr(status, "state", "")
        if state == "generating":
            image = load_preview(getattr(status, "preview", None))
            if image is not None and rect.width() > 8:
                p.save()
                p.setClipPath(path, Qt.ClipOperation.IntersectClip)
                paint_clip_preview(p, rect.adjusted(1, 4, -1, -1), image, x_from=float(HEADER_W))
                p.restore()
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
        lo, hi = getattr(self, "_dirty_x", (HEADER_W, self.width()))
        right = min(area.right(), float(self.width()), float(hi))
        first = max(0, math.floor((max(area.left(), float(HEADER_W), float(lo) - tw) - cx0) / tw))
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
        lo, hi = getattr(self, "_dirty_x", (HEADER_W, self.width()))
        xa = math.floor(max(rect.left(), float(HEADER_W), float(lo)))
        xb = math.ceil(min(rect.right(), float(self.width()), float(hi)))
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
        fill_polygon(p, top + bottom[::-1], QColor(255, 255, 255, 120))

    def _label(self, clip: Clip) -> str:
        return self._name_label(clip) + ("" if clip.enabled else " (disabled)")

    def _name_label(self, clip: Clip) -> str:
        if isinstance(clip, TextClip):
            return "T  " + (" / ".join(line for line in clip.text.split("\n") if line.strip()) or clip.name or "Text")
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
                fill_polygon(p, [QPointF(x - 5, RULER_H - 10), QPointF(x + 5, RULER_H - 10),
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
        fill_polygon(p, [QPointF(x - 7, 2), QPointF(x + 7, 2), QPointF(x + 7, 12), QPointF(x, 19),
                          QPointF(x - 7, 12)], C_PLAYHEAD)

    def _paint_drag(self, p: QPainter) -> None:
        d = self._drag
        for preview in (self.drop_preview, self.drop_sound_preview):
            if preview is None:
                continue
            track_id, start, end = preview
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
        if d.group_preview is None and d.partners:
            # Linked clips follow on their own tracks: the same frames added to the same edges.
            head, tail = d.preview_start - d.clip.start, d.preview_end - d.clip.end
            ghosts = [*ghosts, *((tid, c.start + head, c.end + tail) for tid, c in d.partners)]
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
