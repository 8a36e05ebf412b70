"""The media bin: the project's pool as a list; import by dialog or drop, probing on a thread pool."""

from __future__ import annotations

import os

from PySide6.QtCore import QMimeData, QObject, QRunnable, Qt, QThreadPool, Signal
from PySide6.QtGui import QColor, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QAbstractItemView, QListWidget, QListWidgetItem, QWidget

from editor.model import Change, MediaKind, MediaSource, new_id
from editor.model.commands import AddMedia
from editor.model.time import timecode
from editor.ui.edits import Edits
from editor.ui.timeline_view import MEDIA_MIME


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
        from editor.media.probe import media_source_from_info, probe

        try:
            info = probe(self.path)
            self.signals.done.emit(self.path, media_source_from_info(info, new_id("m"), self.path))
        except (MediaError, OSError) as exc:
            self.signals.failed.emit(self.path, str(exc))


class MediaBin(QListWidget):
    """Lists ``edits.timeline.media``; ``import_paths`` probes off the GUI thread, then adds with AddMedia."""

    message = Signal(str)
    imported = Signal(str)   # media id

    def __init__(self, edits: Edits, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.edits = edits
        self.setObjectName("MediaBin")
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
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
        fps = self.edits.timeline.fps
        for media in sorted(self.edits.timeline.media.values(), key=lambda m: m.name.lower()):
            frames = media.duration_frames(fps)
            icon = {MediaKind.VIDEO: "▶", MediaKind.AUDIO: "♪", MediaKind.IMAGE: "▣"}[media.kind]
            length = "still" if frames is None else timecode(frames, fps)
            text = f"{icon}  {media.name}\n     {length}" + ("" if media.online else "   · OFFLINE")
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, media.id)
            item.setToolTip(media.path)
            if not media.online:
                item.setForeground(QColor("#ff7a7a"))
            self.addItem(item)

    def media_ids(self) -> list[str]:
        return [self.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.count())]

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
