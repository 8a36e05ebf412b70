"""Thumbnails: the picture of a video (or still) at a time, scaled to a height, upright, cached as PNGs.

``thumbnail(path, time_s, height)`` decodes one picture; ``thumbnails_for(path, times, height)`` decodes
several with the file opened once, in time order (a filmstrip). ``ThumbnailCache(folder).get(...)`` keeps
them as PNGs named by the file's identity (absolute path, size, mtime in ns, hashed), the time in
milliseconds and the height, so an edited file misses by itself. All of it is blocking work for worker
threads, never the GUI thread; the cache is thread-safe and computes each entry once.

The picture at ``t`` is the last frame whose timestamp is at or before ``t`` (the first frame before the
start, the last past the end), timed from the container's start as ``editor.media.decoding`` times them.
Rotation from the probe is applied (PyAV does not autorotate) and non-square pixels are honoured, so the
width is the display aspect times the height. Errors are ``MediaError`` with one line naming the file.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path
from typing import IO, Any

import av
import numpy as np
from PIL import Image

from editor.media.cachefiles import atomic_write, cache_root, entry_locks, file_identity, identity_hash, media_error
from editor.media.decoding import VideoDecoder
from editor.media.info import MediaError, MediaInfo
from editor.media.probe import probe

__all__ = ["ThumbnailCache", "decode_count", "default_cache_dir", "thumbnail", "thumbnail_size", "thumbnails_for"]

# Bump when what a cached thumbnail holds changes: older entries are then ignored.
THUMB_VERSION = 1
# The decoder shows frames strictly before a time; a thumbnail at t includes a frame stamped exactly t.
_ONE_TICK = Fraction(1, 1_000_000)

# Pictures decoded so far (not cache hits): lets tests and benchmarks see what the cache saved.
decode_count = 0
_count_lock = threading.Lock()

TimeLike = float | int | Fraction


def default_cache_dir() -> Path:
    """``<user cache>/thumbs`` (``$XDG_CACHE_HOME/promptcut/thumbs`` on Linux)."""
    return cache_root("thumbs")


def thumbnail_size(info: MediaInfo, height: int) -> tuple[int, int]:
    """(width, height) of an upright thumbnail ``height`` pixels high with the display aspect."""
    if height < 1:
        raise ValueError(f"thumbnail height must be at least 1, not {height}")
    sar = info.sample_aspect_ratio or Fraction(1)
    w, h = Fraction(info.width or 1) * sar, Fraction(info.height or 1)
    if info.rotation in (90, 270):
        w, h = h, w
    return max(1, round(height * w / h)), height


def thumbnail(path: str | os.PathLike[str], time_s: TimeLike, height: int) -> np.ndarray:
    """The upright picture at ``time_s`` seconds, ``height`` pixels high: an (h, w, 3) uint8 RGB array."""
    return thumbnails_for(path, [time_s], height)[0]


def thumbnails_for(path: str | os.PathLike[str], times: Sequence[TimeLike], height: int) -> list[np.ndarray]:
    """Thumbnails at each of ``times`` (in the order given), decoding sequentially with one open file."""
    shown = os.fspath(path)
    info = probe(shown)
    if not info.has_video:
        raise media_error(shown, "has no picture (audio only)")
    size = thumbnail_size(info, height)
    if not times:
        return []
    order = sorted(range(len(times)), key=lambda i: Fraction(times[i]))
    out: list[np.ndarray | None] = [None] * len(times)
    with _Reader(shown, info) as reader:
        for i in order:
            out[i] = reader.picture(Fraction(times[i]), size)
    return out  # type: ignore[return-value]


class ThumbnailCache:
    """Thumbnails kept as PNGs in ``folder`` (created on first write). Thread-safe."""

    def __init__(self, folder: str | os.PathLike[str] | None = None) -> None:
        self.folder = Path(folder) if folder is not None else default_cache_dir()

    def entry_path(self, path: str | os.PathLike[str], time_s: TimeLike, height: int) -> Path:
        """Where the thumbnail for these arguments lives (whether or not it is there yet)."""
        return self._entry(identity_hash(file_identity(path), THUMB_VERSION), _ms(time_s), height)

    def get(self, path: str | os.PathLike[str], time_s: TimeLike, height: int) -> np.ndarray:
        """The thumbnail from the cache, or decoded and stored. Time is rounded to the millisecond."""
        return self.get_many(path, [time_s], height)[0]

    def get_many(self, path: str | os.PathLike[str], times: Sequence[TimeLike], height: int) -> list[np.ndarray]:
        """Thumbnails at each of ``times``: hits from disk, misses decoded in one pass and stored."""
        if height < 1:
            raise ValueError(f"thumbnail height must be at least 1, not {height}")
        file_key = identity_hash(file_identity(path), THUMB_VERSION)
        out: list[np.ndarray | None] = [None] * len(times)
        missing: dict[int, list[int]] = {}
        for i, t in enumerate(times):
            ms = _ms(t)
            hit = _read_png(self._entry(file_key, ms, height))
            if hit is not None:
                out[i] = hit
            else:
                missing.setdefault(ms, []).append(i)
        if missing:
            for ms, picture in self._fill(path, file_key, sorted(missing), height).items():
                for i in missing[ms]:
                    out[i] = picture
        return out  # type: ignore[return-value]

    def _fill(self, path: str | os.PathLike[str], file_key: str, stamps: list[int], height: int
              ) -> dict[int, np.ndarray]:
        done: dict[int, np.ndarray] = {}
        todo: list[int] = []
        if len(stamps) == 1:
            # The common case (one thumbnail per request, several threads): hold the entry's lock while
            # decoding, so concurrent requests for it decode once and the rest read the file.
            entry = self._entry(file_key, stamps[0], height)
            with entry_locks.hold(str(entry)):
                hit = _read_png(entry)
                if hit is None:
                    hit = thumbnail(path, Fraction(stamps[0], 1000), height)
                    _write_png(entry, hit)
                return {stamps[0]: hit}
        for ms in stamps:
            hit = _read_png(self._entry(file_key, ms, height))
            if hit is not None:
                done[ms] = hit
            else:
                todo.append(ms)
        if todo:
            pictures = thumbnails_for(path, [Fraction(ms, 1000) for ms in todo], height)
            for ms, picture in zip(todo, pictures, strict=True):
                entry = self._entry(file_key, ms, height)
                with entry_locks.hold(str(entry)):
                    if not entry.exists():
                        _write_png(entry, picture)
                done[ms] = picture
        return done

    def _entry(self, file_key: str, ms: int, height: int) -> Path:
        return self.folder / f"{file_key}-{ms}-{height}.png"


# --- decoding ------------------------------------------------------------------------------------------


def _ms(time_s: TimeLike) -> int:
    return max(0, round(Fraction(time_s) * 1000))


class _Reader:
    """One open file handing out upright pictures; the decoder seeks only for jumps back or far ahead."""

    def __init__(self, shown: str, info: MediaInfo) -> None:
        self.shown = shown
        self.info = info
        self.decoder = VideoDecoder(shown)
        self._still: Any = None

    def __enter__(self) -> _Reader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.decoder.close()

    def _damaged(self, exc: BaseException) -> MediaError:
        text = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        return media_error(self.shown, f"cannot decode a picture (file is truncated or damaged: {text})")

    def frame_at(self, t: Fraction) -> Any:
        """The last frame at or before ``t`` (the first before the start, the last past the end)."""
        if not self.info.is_image:
            return self.decoder.frame_at(t + _ONE_TICK)
        if self._still is None:
            # A still has one frame and nothing to seek: decode it once.
            self._still = next(self.decoder.container.decode(self.decoder.stream), None)
            if self._still is None:
                raise media_error(self.shown, "cannot decode a picture (file is truncated or damaged)")
        return self._still

    def picture(self, t: Fraction, size: tuple[int, int]) -> np.ndarray:
        global decode_count
        w, h = size
        rotation = self.info.rotation
        coded_w, coded_h = (h, w) if rotation in (90, 270) else (w, h)
        try:
            frame = self.frame_at(t)
            arr = frame.reformat(width=coded_w, height=coded_h, format="rgb24",
                                 interpolation="BICUBIC").to_ndarray()
        except MediaError:
            raise
        except (av.FFmpegError, OSError, ValueError) as exc:
            raise self._damaged(exc) from None
        turns = (rotation // 90) % 4
        if turns:
            arr = np.rot90(arr, -turns)
        with _count_lock:
            decode_count += 1
        return np.ascontiguousarray(arr, dtype=np.uint8)


# --- PNG entries ---------------------------------------------------------------------------------------


def _read_png(entry: Path) -> np.ndarray | None:
    try:
        with Image.open(entry) as im:
            return np.asarray(im.convert("RGB"), dtype=np.uint8).copy()
    except (OSError, ValueError, SyntaxError):
        return None  # missing or unreadable: a miss, never an error


def _write_png(entry: Path, picture: np.ndarray) -> None:
    def write(fh: IO[bytes]) -> None:
        Image.fromarray(picture).save(fh, format="PNG", compress_level=1)

    atomic_write(entry, write)
