"""Clip art for the timeline: thumbnails and waveforms loaded on a QThreadPool through the disk caches.

``ClipArt.thumb(path, time_s, height)`` and ``ClipArt.wave(path, buckets)`` answer what is loaded (a QImage,
a (buckets, 2) min/max array) or None, and start the load in the background the first time they are asked.
``ready(key)`` is emitted on the GUI thread when a load ends (loaded or failed). Failures (MediaError, a
missing file) are remembered, so a broken file is not tried again on every paint.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Hashable
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, QThreadPool, Signal
from PySide6.QtGui import QImage

from editor.media.thumbnails import ThumbnailCache
from editor.media.waveforms import WaveformCache


class _Relay(QObject):
    """Carries results from worker threads to the GUI thread (queued); owned by Python, never deleted early."""

    done = Signal(object, object)    # key, result (None on failure)


def _to_qimage(rgb: np.ndarray) -> QImage:
    rgb = np.ascontiguousarray(rgb)
    h, w = rgb.shape[:2]
    return QImage(rgb.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()


class ClipArt(QObject):
    """Thumbnails and waveforms for the timeline, loaded off the GUI thread and kept in memory."""

    ready = Signal(object)           # the key that finished

    def __init__(self, parent: QObject | None = None, *, threads: int = 2,
                 thumbs: ThumbnailCache | None = None, waves: WaveformCache | None = None) -> None:
        super().__init__(parent)
        self.thumbs = thumbs or ThumbnailCache()
        self.waves = waves or WaveformCache()
        self.pool = QThreadPool()
        self.pool.setMaxThreadCount(threads)
        self._relay = _Relay()
        self._relay.done.connect(self._done)
        self._loaded: dict[Hashable, Any] = {}
        self._pending: set[Hashable] = set()
        self._failed: set[Hashable] = set()

    # --- queries -------------------------------------------------------------------------------------

    def thumb(self, path: str, time_s: float, height: int) -> QImage | None:
        key = thumb_key(path, time_s, height)
        return self._get(key, lambda: _to_qimage(self.thumbs.get(path, key[2] / 1000, height)))

    def wave(self, path: str, buckets: int) -> np.ndarray | None:
        key = wave_key(path, buckets)
        return self._get(key, lambda: self.waves.get(path, buckets))

    def has(self, key: Hashable) -> bool:
        return key in self._loaded

    def failed(self, key: Hashable) -> bool:
        return key in self._failed

    def busy(self) -> bool:
        return bool(self._pending)

    def shutdown(self, wait_ms: int = 5000) -> None:
        """Drop queued loads and wait for running ones (call before the owner goes away)."""
        self.pool.clear()
        self.pool.waitForDone(wait_ms)

    # --- loading -------------------------------------------------------------------------------------

    def _get(self, key: Hashable, load: Callable[[], Any]) -> Any:
        hit = self._loaded.get(key)
        if hit is not None or key in self._pending or key in self._failed:
            return hit
        self._pending.add(key)
        relay = self._relay

        def work() -> None:
            try:
                result = load()
            except Exception:  # noqa: BLE001 - MediaError, OSError, a damaged file: no art, not a crash
                result = None
            with contextlib.suppress(RuntimeError):   # the relay's C++ side is gone (shutting down)
                relay.done.emit(key, result)

        self.pool.start(work)
        return None

    def _done(self, key: Hashable, result: Any) -> None:
        self._pending.discard(key)
        if result is None:
            self._failed.add(key)
        else:
            self._loaded[key] = result
        self.ready.emit(key)


def thumb_key(path: str, time_s: float, height: int) -> tuple:
    """The key ``ClipArt.thumb`` files a thumbnail under (and ``ready`` carries)."""
    return ("thumb", path, round(time_s * 1000), height)


def wave_key(path: str, buckets: int) -> tuple:
    """The key ``ClipArt.wave`` files a waveform under (and ``ready`` carries)."""
    return ("wave", path, buckets)
