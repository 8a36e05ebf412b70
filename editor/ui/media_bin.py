"""The media bin: the project's pool as a grid of thumbnails (CapCut style) with the name and length under
each; import by dialog or drop, probing on a thread pool.

Thumbnails come from ``ClipArt`` (a QThreadPool in front of the on-disk thumbnail and waveform caches): a
video shows its picture about 10% in, a still itself, audio its waveform. Until a picture is loaded (or when
it cannot be: offline media, a damaged file) the item shows a placeholder tile with the kind's glyph; the
GUI thread never decodes.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Hashable
from dataclasses import replace

import numpy as np
from PySide6.QtCore import QMimeData, QObject, QPoint, QRectF, QRunnable, QSize, Qt, QThreadPool, QUrl, Signal
from PySide6.QtGui import (
    QColor,
    QContextMenuEvent,
    QDesktopServices,
    QDragEnterEvent,
    QDropEvent,
    QFont,
    QIcon,
    QImage,
    QPainter,
    QPen,
    QPixmap,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QListView,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QMessageBox,
    QWidget,
)

from editor.model import Change, Group, MediaKind, MediaSource, new_id
from editor.model.commands import AddMedia, Delete, RemoveMedia, ReplaceMedia, clips_using
from editor.model.time import timecode
from editor.ui.clip_art import ClipArt, thumb_key, wave_key
from editor.ui.edits import Edits
from editor.ui.timeline_style import MEDIA_MIME

# The thumbnail tile (16:9) and the grid cell holding it with two lines of text under it.
TILE = QSize(128, 72)
CELL = QSize(156, 132)
THUMB_HEIGHT = 72          # pixels high the thumbnails are decoded at (and cached under)
WAVE_BUCKETS = 128
GLYPHS = {MediaKind.VIDEO: "▶", MediaKind.AUDIO: "♪", MediaKind.IMAGE: "▣"}


class _ProbeSignals(QObject):
    done = Signal(str, object)      # path, MediaSource
    failed = Signal(str, str)       # path, one-line reason


class _Probe(QRunnable):
    def __init__(self, path: str, signals: _ProbeSignals) -> None:
        super().__init__()
        self.path = path
        self.signals = signals

    def run(self) -> None:
        from editor.media.info import MediaError
        from editor.media.probe import content_hash, media_source_from_info, probe

        try:
            info = probe(self.path)
        except (MediaError, OSError) as exc:
            self.signals.failed.emit(self.path, str(exc))
            return
        try:
            digest: str | None = content_hash(self.path)   # on this worker thread: relink confirms by it later
        except (MediaError, OSError):
            digest = None                                   # probed fine: import it, just without a hash
        self.signals.done.emit(self.path, media_source_from_info(info, new_id("m"), self.path, content_hash=digest))


def thumb_time(media: MediaSource) -> float:
    """Where a bin thumbnail is taken: about 10% into a video (0 for stills and unknown lengths)."""
    if media.kind is MediaKind.VIDEO and media.duration:
        return round(float(media.duration) * 0.1, 3)
    return 0.0


def art_key(media: MediaSource) -> Hashable | None:
    """The ClipArt key of the bin picture for ``media`` (None when there is none to load: offline)."""
    if not media.online:
        return None
    if media.kind is MediaKind.AUDIO:
        return wave_key(media.path, WAVE_BUCKETS)
    return thumb_key(media.path, thumb_time(media), THUMB_HEIGHT)


def _tile() -> QPixmap:
    pixmap = QPixmap(TILE)
    pixmap.fill(Qt.GlobalColor.transparent)
    return pixmap


def placeholder_icon(kind: MediaKind, offline: bool = False) -> QIcon:
    """A dark tile with the kind's glyph (and OFFLINE in red when the file is missing)."""
    pixmap = _tile()
    p = QPainter(pixmap)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor("#3a1f24" if offline else "#2a2d33"))
    p.drawRoundedRect(QRectF(0, 0, TILE.width(), TILE.height()), 6, 6)
    font = QFont()
    font.setPixelSize(26)
    p.setFont(font)
    p.setPen(QColor("#8a8f98"))
    p.drawText(pixmap.rect(), Qt.AlignmentFlag.AlignCenter, GLYPHS[kind])
    if offline:
        _badge(p, "OFFLINE")
    p.end()
    return QIcon(pixmap)


def _badge(p: QPainter, text: str) -> None:
    font = QFont()
    font.setPixelSize(10)
    font.setBold(True)
    p.setFont(font)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor(180, 40, 50, 220))
    p.drawRoundedRect(QRectF(4, 4, 52, 14), 3, 3)
    p.setPen(QColor("white"))
    p.drawText(QRectF(4, 4, 52, 14), Qt.AlignmentFlag.AlignCenter, text)


def image_icon(image: QImage) -> QIcon:
    """``image`` scaled to fit the tile (letterboxed on black, rounded corners)."""
    pixmap = _tile()
    p = QPainter(pixmap)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor("#000000"))
    p.drawRoundedRect(QRectF(0, 0, TILE.width(), TILE.height()), 6, 6)
    scaled = image.scaled(TILE, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation)
    x, y = (TILE.width() - scaled.width()) // 2, (TILE.height() - scaled.height()) // 2
    p.drawImage(x, y, scaled)
    p.end()
    return QIcon(pixmap)


def wave_icon(peaks: np.ndarray) -> QIcon:
    """A (buckets, 2) min/max array drawn as a waveform tile, with the music glyph in a corner."""
    pixmap = _tile()
    p = QPainter(pixmap)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor("#1f3a33"))
    p.drawRoundedRect(QRectF(0, 0, TILE.width(), TILE.height()), 6, 6)
    mid, half = TILE.height() / 2, TILE.height() / 2 - 6
    n = max(1, len(peaks))
    step = (TILE.width() - 8) / n
    p.setPen(QPen(QColor("#4fd1a5"), max(1.0, step * 0.8)))
    for i, (lo, hi) in enumerate(np.clip(np.asarray(peaks, dtype=float), -1, 1)):
        x = 4 + (i + 0.5) * step
        top, bottom = mid - max(hi, 0.02) * half, mid - min(lo, -0.02) * half
        p.drawLine(int(x), int(top), int(x), int(bottom))
    font = QFont()
    font.setPixelSize(12)
    p.setFont(font)
    p.setPen(QColor("#d8f5ea"))
    p.drawText(QRectF(4, 2, 20, 16), Qt.AlignmentFlag.AlignLeft, GLYPHS[MediaKind.AUDIO])
    p.end()
    return QIcon(pixmap)


def reveal_in_file_manager(path: str) -> tuple[bool, str]:
    """Open the folder holding ``path`` in the desktop's file manager. (False, why) when it cannot."""
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        return False, f"The folder {folder} is not there"
    if not QDesktopServices.openUrl(QUrl.fromLocalFile(folder)):
        return False, f"No file manager opened {folder}"
    return True, folder


def take_names(timeline) -> dict[str, str]:
    """Generated takes are files named by their content; the bin calls them by their shot's prompt."""
    from editor.model import GeneratedClip

    out: dict[str, str] = {}
    for _, clip in timeline.clips():
        if isinstance(clip, GeneratedClip):
            for i, take in enumerate(clip.takes):
                prompt = (take.spec or clip.spec).prompt or clip.name or "generated"
                short = prompt if len(prompt) <= 28 else prompt[:27] + "…"
                out.setdefault(take.media_id, f"✦ {short} · take {i + 1}")
    return out


class MediaBin(QListWidget):
    """Lists ``edits.timeline.media`` as a thumbnail grid; ``import_paths`` probes off the GUI thread, then
    adds with AddMedia. ``art`` (a ClipArt, made if not given) loads the thumbnails in the background."""

    message = Signal(str)
    imported = Signal(str)   # media id
    art_loaded = Signal(str)  # media id whose thumbnail (or waveform) just arrived
    # A double-click or "Insert at Playhead": the window connects it to TimelineView.insert_media_at_playhead.
    insert_requested = Signal(str)   # media id

    def __init__(self, edits: Edits, parent: QWidget | None = None, *, art: ClipArt | None = None) -> None:
        super().__init__(parent)
        self.edits = edits
        self.setObjectName("MediaBin")
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setIconSize(TILE)
        self.setGridSize(CELL)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setWrapping(True)
        self.setWordWrap(True)
        self.setTextElideMode(Qt.TextElideMode.ElideNone)
        # Static items; setMovement turns dragging and drops off, so it goes before the drag settings.
        self.setMovement(QListView.Movement.Static)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.setDragEnabled(True)
        # DragOnly also turns drops off; files from the file manager must still come in (handled below).
        self.setAcceptDrops(True)
        self.viewport().setAcceptDrops(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setAlternatingRowColors(False)
        self.setUniformItemSizes(True)
        self.pending: set[str] = set()
        self.pool = QThreadPool.globalInstance()
        self._signals = _ProbeSignals(self)
        self._signals.done.connect(self._probed)
        self._signals.failed.connect(self._failed)
        self._relink_signals = _ProbeSignals(self)
        self._relink_signals.done.connect(self._relink_probed)
        self._relink_signals.failed.connect(self._relink_failed)
        self._relinking: dict[str, str] = {}   # path being probed -> the media id it relinks
        self.context_menu: QMenu | None = None  # the last right-click menu (kept so tests can trigger it)
        self.itemDoubleClicked.connect(lambda item: self.insert_requested.emit(item.data(Qt.ItemDataRole.UserRole)))
        self.art = art or ClipArt(self)
        self.art.ready.connect(self._art_ready)
        self._placeholders: dict[tuple[MediaKind, bool], QIcon] = {}
        self._icons: dict[Hashable, QIcon] = {}
        self._keys: dict[str, Hashable | None] = {}
        self._unsubscribe = None
        self.attach()

    def attach(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
        self._unsubscribe = self.edits.timeline.subscribe(self._changed)
        self.refresh()

    def _changed(self, change: Change) -> None:
        if change.media:
            self.refresh()

    def refresh(self) -> None:
        self.clear()
        self._keys = {m.id: art_key(m) for m in self.edits.timeline.media.values()}
        fps = self.edits.timeline.fps
        names = {m.id: m.name for m in self.edits.timeline.media.values()}
        names.update(take_names(self.edits.timeline))
        for media in sorted(self.edits.timeline.media.values(), key=lambda m: names[m.id].lower()):
            frames = media.duration_frames(fps)
            length = "still" if frames is None else timecode(frames, fps)
            text = f"{names[media.id]}\n{length}" + ("" if media.online else "\nOFFLINE")
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, media.id)
            item.setToolTip(media.path if media.online else f"{media.path}\n(offline: relink it)")
            item.setTextAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
            item.setSizeHint(CELL)
            if not media.online:
                item.setForeground(QColor("#ff7a7a"))
            item.setIcon(self._icon_for(media))
            self.addItem(item)

    def media_ids(self) -> list[str]:
        return [self.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.count())]

    def item_for(self, media_id: str) -> QListWidgetItem | None:
        for i in range(self.count()):
            if self.item(i).data(Qt.ItemDataRole.UserRole) == media_id:
                return self.item(i)
        return None

    def has_thumbnail(self, media_id: str) -> bool:
        """True once the item's real picture (not the placeholder) is shown."""
        return self._keys.get(media_id) in self._icons

    def shutdown(self, wait_ms: int = 5000) -> None:
        """Stop loading thumbnails (call before the window goes away)."""
        self.art.shutdown(wait_ms)

    # --- thumbnails ----------------------------------------------------------------------------------

    def _placeholder(self, kind: MediaKind, offline: bool) -> QIcon:
        icon = self._placeholders.get((kind, offline))
        if icon is None:
            icon = self._placeholders[(kind, offline)] = placeholder_icon(kind, offline)
        return icon

    def _icon_for(self, media: MediaSource) -> QIcon:
        """The loaded picture when there is one; else a placeholder (and the load starts in the background)."""
        key = art_key(media)
        if key is None:
            return self._placeholder(media.kind, True)
        icon = self._icons.get(key)
        if icon is not None:
            return icon
        if media.kind is MediaKind.AUDIO:
            result = self.art.wave(media.path, WAVE_BUCKETS)
        else:
            result = self.art.thumb(media.path, thumb_time(media), THUMB_HEIGHT)
        if result is None:
            return self._placeholder(media.kind, False)
        return self._make_icon(key, result)

    def _make_icon(self, key: Hashable, result: object) -> QIcon:
        icon = image_icon(result) if isinstance(result, QImage) else wave_icon(result)  # type: ignore[arg-type]
        self._icons[key] = icon
        return icon

    def _art_ready(self, key: Hashable) -> None:
        if self.art.failed(key):
            return    # the placeholder stays
        result = self.art.thumb(key[1], key[2] / 1000, key[3]) if key[0] == "thumb" else self.art.wave(*key[1:])
        if result is None:
            return
        icon = self._make_icon(key, result)
        for i in range(self.count()):
            item = self.item(i)
            media_id = item.data(Qt.ItemDataRole.UserRole)
            if self._keys.get(media_id) == key:
                item.setIcon(icon)
                self.art_loaded.emit(media_id)

    # --- import --------------------------------------------------------------------------------------

    def import_paths(self, paths: list[str]) -> None:
        for path in paths:
            path = os.path.abspath(path)
            if path in self.pending:
                continue
            self.pending.add(path)
            self.pool.start(_Probe(path, self._signals))
        if paths:
            self.message.emit(f"Importing {len(paths)} file(s)…")

    def _probed(self, path: str, media: MediaSource) -> None:
        self.pending.discard(path)
        if any(m.path == media.path for m in self.edits.timeline.media.values()):
            self.message.emit(f"{media.name} is already in the bin")
            return
        if self.edits.do(AddMedia(media)):
            self.message.emit(f"Imported {media.name}")
            self.imported.emit(media.id)

    def _failed(self, path: str, reason: str) -> None:
        self.pending.discard(path)
        self.message.emit(reason)

    # --- the item menu: insert, reveal, relink, remove ----------------------------------------------

    def media_at(self, pos: QPoint) -> MediaSource | None:
        """The media of the item at ``pos`` (viewport coordinates), if any."""
        item = self.itemAt(pos)
        return None if item is None else self.edits.timeline.media.get(item.data(Qt.ItemDataRole.UserRole))

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:  # noqa: N802
        media = self.media_at(event.pos())
        if media is None:
            return
        menu = QMenu(self)
        for text, callback in self.entries(media):
            if callback is None:
                menu.addSeparator()
            else:
                menu.addAction(text).triggered.connect(lambda _=False, cb=callback: cb())
        self.context_menu = menu
        menu.popup(event.globalPos())

    def entries(self, media: MediaSource) -> list[tuple[str, Callable[[], object] | None]]:
        return [("Insert at Playhead", lambda: self.insert_requested.emit(media.id)),
                ("Reveal in File Manager", lambda: self.reveal_file(media)),
                ("Relink…", lambda: self.relink(media)),
                ("", None),
                ("Remove from Project", lambda: self.remove(media))]

    def reveal(self, media_id: str) -> bool:
        """Select and show the item of ``media_id`` (a clip's "Reveal in Bin")."""
        item = self.item_for(media_id)
        if item is None:
            return False
        self.setCurrentItem(item)
        self.scrollToItem(item)
        return True

    def reveal_file(self, media: MediaSource) -> bool:
        ok, text = reveal_in_file_manager(media.path)
        if not ok:
            self.message.emit(text)
        return ok

    def relink(self, media: MediaSource) -> bool:
        """Point ``media`` at a file the user picks; it is probed beside the GUI thread, then replaces the pool
        entry (one undo step), refused when its clips would no longer fit it."""
        path = self.ask_relink_path(media)
        if not path:
            return False
        path = os.path.abspath(path)
        self._relinking[path] = media.id
        self.pool.start(_Probe(path, self._relink_signals))
        self.message.emit(f"Checking {os.path.basename(path)}…")
        return True

    def ask_relink_path(self, media: MediaSource) -> str:
        """The file to relink ``media`` to, or "" when the user cancels (tests replace this)."""
        folder = os.path.dirname(media.path)
        return QFileDialog.getOpenFileName(self, f"Relink {media.name}", folder if os.path.isdir(folder) else "")[0]

    def _relink_probed(self, path: str, fresh: MediaSource) -> None:
        old = self.edits.timeline.media.get(self._relinking.pop(path, ""))
        if old is None:
            return
        if self.edits.do(ReplaceMedia(replace(fresh, id=old.id))):
            self.message.emit(f"Relinked {old.name} to {path}")

    def _relink_failed(self, path: str, reason: str) -> None:
        self._relinking.pop(path, None)
        self.message.emit(reason)

    def remove(self, media: MediaSource) -> bool:
        """Take ``media`` out of the project. While clips use it, only after the user agrees to remove those
        clips too (one undo step); otherwise it stays, with the reason."""
        users = clips_using(self.edits.timeline, media)
        if not users:
            return self.edits.do(RemoveMedia(media.id))
        count = f"{len(users)} clip{'s' * (len(users) > 1)}"
        if not self.ask_remove_used(media, len(users)):
            self.message.emit(f"{media.name} is used by {count}: not removed")
            return False
        commands = [*(Delete(c.id, linked=False) for _, c in users), RemoveMedia(media.id)]
        ok = self.edits.do(Group(f"Remove {media.name} and {count}", commands))
        if ok:
            self.message.emit(f"Removed {media.name} and {count}")
        return ok

    def ask_remove_used(self, media: MediaSource, clips: int) -> bool:
        """Whether to remove ``media`` with the ``clips`` that use it (tests replace this)."""
        answer = QMessageBox.question(self, "Remove from project",
                                      f"{media.name} is used by {clips} clip{'s' * (clips > 1)} on the timeline. "
                                      f"Remove it and those clips?")
        return answer == QMessageBox.StandardButton.Yes

    # --- drag and drop -------------------------------------------------------------------------------

    def mimeData(self, items) -> QMimeData:  # noqa: N802
        mime = QMimeData()
        if items:
            mime.setData(MEDIA_MIME, str(items[0].data(Qt.ItemDataRole.UserRole)).encode())
        return mime

    def mimeTypes(self) -> list[str]:  # noqa: N802
        return [MEDIA_MIME]

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        if event.mimeData().hasUrls():
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    def dragMoveEvent(self, event) -> None:  # noqa: N802
        if event.mimeData().hasUrls():
            event.acceptProposedAction()
        else:
            super().dragMoveEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        if self.drop_urls(event.mimeData()):
            event.acceptProposedAction()

    def drop_urls(self, mime: QMimeData) -> bool:
        paths = [u.toLocalFile() for u in mime.urls() if u.isLocalFile()]
        self.import_paths(paths)
        return bool(paths)
