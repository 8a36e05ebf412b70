"""What the viewer draws over the picture and does with the mouse there: the 9:16 safe-zone guides, the
selected title's outline, double-click to edit a title's text in place, and dragging a selected title (its
style's x/y) or a selected clip (its transform's x/y) as one undo step.

Boxes come from ``editor.render.text.text_box`` at the canvas size, the same layout the export draws."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import lru_cache

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QKeyEvent, QMouseEvent, QPainter, QPen
from PySide6.QtWidgets import QPlainTextEdit, QWidget

from editor.model import Clip, TextClip, Timeline
from editor.model.commands import SetClipProperties
from editor.model.text import SAFE_ZONE, TextStyle, outside_safe_zone

DRAG_THRESHOLD = 3   # pixels on screen before a press becomes a drag (a click only selects)


@lru_cache(maxsize=256)
def _box(text: str, style: TextStyle, width: int, height: int) -> tuple[int, int, int, int] | None:
    from editor.render.text import text_box

    return text_box(text, style, width, height)


def text_box_of(clip: TextClip, width: int, height: int) -> tuple[int, int, int, int] | None:
    """The clip's text's pixel box on a width x height canvas (cached: the layout costs milliseconds)."""
    return _box(clip.text, clip.style, width, height) if clip.text.strip() else None


def visible_clips_at(timeline: Timeline, frame: int) -> list[Clip]:
    """The clips showing at ``frame``, top track first."""
    found = []
    for track in reversed(timeline.video_tracks):
        if track.hidden:
            continue
        clip = track.clip_at(frame)
        if clip is not None:
            found.append(clip)
    return found


def safe_zone_warning(timeline: Timeline, frame: int, selected: set[str]) -> str:
    """A one-line warning when the selected text clip, or a text showing at ``frame``, leaves the safe zone."""
    s = timeline.settings
    texts = [c for c in visible_clips_at(timeline, frame) if isinstance(c, TextClip)]
    texts += [c for _, c in timeline.clips() if c.id in selected and isinstance(c, TextClip) and c not in texts]
    for clip in texts:
        problem = outside_safe_zone(text_box_of(clip, s.width, s.height), s.width, s.height)
        if problem:
            first = clip.text.strip().split("\n", 1)[0]
            return f"“{first[:30]}”: {problem}"
    return ""


def paint_safe_zone(p: QPainter, rect: QRectF) -> None:
    """The covered margins lightly shaded (the right and bottom hold the app's buttons and captions) and the
    safe rectangle dashed."""
    left, top, right, bottom = SAFE_ZONE
    zone = QRectF(rect.x() + left * rect.width(), rect.y() + top * rect.height(),
                  (right - left) * rect.width(), (bottom - top) * rect.height())
    # Dimmed as the app's own buttons and caption would cover them (a red tint read as an error).
    shade = QColor(0, 0, 0, 96)
    p.fillRect(QRectF(zone.right(), rect.top(), rect.right() - zone.right(), rect.height()), shade)
    p.fillRect(QRectF(rect.left(), zone.bottom(), zone.right() - rect.left(), rect.bottom() - zone.bottom()), shade)
    p.fillRect(QRectF(rect.left(), rect.top(), zone.right() - rect.left(), zone.top() - rect.top()),
               QColor(0, 0, 0, 56))
    pen = QPen(QColor(255, 255, 255, 200), 1.2, Qt.PenStyle.DashLine)
    p.setPen(pen)
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawRect(zone)


class _TitleEditor(QPlainTextEdit):
    """The in-place editor: Enter commits, Shift+Enter starts a new line, Escape cancels; leaving commits."""

    def __init__(self, parent: QWidget, commit: Callable[[str | None], None]) -> None:
        super().__init__(parent)
        self.setObjectName("TitleEditor")
        self._commit = commit
        self._done = False

    def finish(self, text: str | None) -> None:
        if not self._done:
            self._done = True
            self._commit(text)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and \
                not event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            self.finish(self.toPlainText())
        elif event.key() == Qt.Key.Key_Escape:
            self.finish(None)
        else:
            super().keyPressEvent(event)

    def focusOutEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().focusOutEvent(event)
        self.finish(self.toPlainText())


class ViewerOverlay:
    """Owned by the viewer's screen. The window sets ``edits`` (the Edits), ``selected`` (a callable giving the
    selected clip ids) and ``select`` (a callable selecting ids); without them it only draws the guides."""

    def __init__(self, screen: QWidget) -> None:
        self.screen = screen
        self.safe_zones = True
        self.edits = None
        self.selected: Callable[[], set[str]] = set
        self.select: Callable[[set[str]], None] | None = None
        self.frame = 0
        self.editor: _TitleEditor | None = None
        self._press: QPointF | None = None
        self._drag_clip: str | None = None
        self._drag = QPointF(0, 0)

    @property
    def timeline(self) -> Timeline | None:
        return self.edits.timeline if self.edits is not None else None

    # --- geometry -------------------------------------------------------------------------------------

    def _to_screen(self, box: tuple[int, int, int, int]) -> QRectF:
        rect, s = self.screen.canvas_rect(), self.timeline.settings
        sx, sy = rect.width() / s.width, rect.height() / s.height
        x0, y0, x1, y1 = box
        return QRectF(rect.x() + x0 * sx, rect.y() + y0 * sy, (x1 - x0) * sx, (y1 - y0) * sy)

    def title_rect(self, clip: TextClip) -> QRectF | None:
        s = self.timeline.settings
        box = text_box_of(clip, s.width, s.height)
        return self._to_screen(box) if box is not None else None

    def title_at(self, pos: QPointF) -> TextClip | None:
        if self.timeline is None:
            return None
        for clip in visible_clips_at(self.timeline, self.frame):
            if isinstance(clip, TextClip):
                r = self.title_rect(clip)
                if r is not None and r.adjusted(-4, -4, 4, 4).contains(pos):
                    return clip
        return None

    def _selected_visible(self) -> Clip | None:
        ids = self.selected()
        return next((c for c in visible_clips_at(self.timeline, self.frame) if c.id in ids), None) \
            if self.timeline is not None else None

    # --- painting -------------------------------------------------------------------------------------

    def paint(self, p: QPainter, rect: QRectF) -> None:
        if self.safe_zones:
            paint_safe_zone(p, rect)
        if self.timeline is None:
            return
        clip = self._selected_visible()
        if clip is None:
            return
        box = self.title_rect(clip) if isinstance(clip, TextClip) else QRectF(rect)
        if box is None:
            return
        if self._drag_clip == clip.id:
            box = box.translated(self._drag)
        p.setPen(QPen(QColor("#4da3ff"), 1.5, Qt.PenStyle.SolidLine if self._drag_clip else Qt.PenStyle.DotLine))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawRect(box)

    # --- the mouse ------------------------------------------------------------------------------------

    def press(self, event: QMouseEvent) -> bool:
        if event.button() != Qt.MouseButton.LeftButton or self.timeline is None:
            return False
        pos = event.position()
        title = self.title_at(pos)
        if title is not None and title.id not in self.selected() and self.select is not None:
            self.select({title.id})
        target = title or self._selected_visible()
        if target is None or not self.screen.canvas_rect().contains(pos) and title is None:
            return False
        self._press, self._drag_clip, self._drag = pos, target.id, QPointF(0, 0)
        return True

    def move(self, event: QMouseEvent) -> bool:
        if self._press is None:
            return False
        delta = event.position() - self._press
        if abs(delta.x()) + abs(delta.y()) >= DRAG_THRESHOLD or self._drag != QPointF(0, 0):
            self._drag = delta
            self.screen.update()
        return True

    def release(self, event: QMouseEvent) -> bool:
        if self._press is None:
            return False
        clip_id, delta = self._drag_clip, self._drag
        self._press, self._drag_clip, self._drag = None, None, QPointF(0, 0)
        self.screen.update()
        if clip_id is not None and delta != QPointF(0, 0):
            rect = self.screen.canvas_rect()
            self.move_clip(clip_id, delta.x() / rect.width(), delta.y() / rect.height())
        return True

    def move_clip(self, clip_id: str, dx: float, dy: float) -> bool:
        """Move a clip by (dx, dy) canvas fractions as one edit: a title's style x/y (kept on the canvas), a
        clip's transform x/y (a key at the playhead when the position is animated)."""
        tl = self.timeline
        _, clip = tl.find(clip_id)
        if isinstance(clip, TextClip):
            style = replace(clip.style, x=min(1.0, max(0.0, clip.style.x + dx)),
                            y=min(1.0, max(0.0, clip.style.y + dy)))
            return self.edits.do(SetClipProperties(clip_id, style=style, label="Move title"))
        t = clip.transform
        at = min(max(0, self.frame - clip.start), clip.duration - 1)
        key = at if t.x.animated or t.y.animated else None
        moved = replace(t, x=t.x.set_value(t.x.at(at) + dx, key), y=t.y.set_value(t.y.at(at) + dy, key))
        return self.edits.do(SetClipProperties(clip_id, transform=moved, label="Move clip"))

    def double_click(self, event: QMouseEvent) -> bool:
        title = self.title_at(event.position())
        if title is None:
            return False
        self.edit_title(title)
        return True

    # --- editing in place -----------------------------------------------------------------------------

    def edit_title(self, clip: TextClip) -> _TitleEditor:
        self.close_editor()
        rect = self.title_rect(clip) or QRectF(self.screen.canvas_rect())
        rect = rect.adjusted(-6, -6, 6, 6)
        editor = _TitleEditor(self.screen, lambda text, cid=clip.id: self._commit_text(cid, text))
        editor.setPlainText(clip.text)
        editor.setGeometry(rect.toAlignedRect().intersected(self.screen.rect()))
        editor.selectAll()
        editor.show()
        editor.setFocus()
        self.editor = editor
        return editor

    def _commit_text(self, clip_id: str, text: str | None) -> None:
        editor, self.editor = self.editor, None
        if editor is not None:
            editor.hide()
            editor.deleteLater()
        if text is None or self.timeline is None:
            return
        try:
            _, clip = self.timeline.find(clip_id)
        except KeyError:
            return
        if isinstance(clip, TextClip) and text != clip.text:
            self.edits.do(SetClipProperties(clip_id, text=text, label="Edit title text"))

    def close_editor(self) -> None:
        if self.editor is not None:
            self.editor.finish(self.editor.toPlainText())
