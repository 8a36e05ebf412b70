"""Waveforms: min/max peaks of a file's audio over its whole length, cached as .npy files.

``waveform(path, buckets)`` decodes the first audio stream with PyAV, resamples it to mono float
(``av.AudioResampler``; channels are mixed as ffmpeg downmixes) and splits the file's duration into
``buckets`` equal spans, answering a (buckets, 2) float32 array of [min, max] per span in -1..1. Spans the
audio does not reach (a stream shorter than the file) are 0. Memory stays flat: samples are reduced as they
are decoded. ``WaveformCache(folder).get(path, buckets)`` keeps results as .npy files named by the file's
identity (absolute path, size, mtime in ns, hashed) and the bucket count; thread-safe, each entry computed
once. Blocking work for worker threads. Errors (no audio, missing, damaged) are one-line ``MediaError``s.
"""

from __future__ import annotations

import os
import threading
from fractions import Fraction
from pathlib import Path
from typing import IO

import av
import numpy as np

from editor.media.cachefiles import atomic_write, cache_root, entry_locks, file_identity, identity_hash, media_error
from editor.media.probe import probe

__all__ = ["WaveformCache", "decode_count", "default_cache_dir", "waveform"]

# Bump when what a cached waveform holds changes: older entries are then ignored.
WAVE_VERSION = 1

# Waveforms decoded so far (not cache hits).
decode_count = 0
_count_lock = threading.Lock()


def default_cache_dir() -> Path:
    """``<user cache>/waveforms`` (``$XDG_CACHE_HOME/promptcut/waveforms`` on Linux)."""
    return cache_root("waveforms")


def waveform(path: str | os.PathLike[str], buckets: int) -> np.ndarray:
    """[min, max] of the mono mix in each of ``buckets`` equal spans of the file: (buckets, 2) float32."""
    global decode_count
    if buckets < 1:
        raise ValueError(f"waveform buckets must be at least 1, not {buckets}")
    shown = os.fspath(path)
    info = probe(shown)
    if not info.has_audio:
        raise media_error(shown, "has no audio")
    lows = np.full(buckets, np.inf, dtype=np.float32)
    highs = np.full(buckets, -np.inf, dtype=np.float32)
    try:
        with av.open("file:" + os.path.abspath(shown), container_options={"protocol_whitelist": "file"},
                     metadata_errors="replace") as container:
            stream = container.streams.audio[0]
            rate = stream.rate or stream.codec_context.sample_rate or info.sample_rate or 48000
            total = round((info.duration or Fraction(0)) * rate)
            resampler = av.AudioResampler(format="flt", layout="mono", rate=rate)
            done = 0
            held: list[np.ndarray] = []  # only when the duration is unknown: reduced at the end

            def take(samples: np.ndarray) -> None:
                nonlocal done
                if total > 0:
                    _reduce(samples, done, total, lows, highs)
                else:
                    held.append(samples)
                done += len(samples)

            for frame in container.decode(stream):
                for out in resampler.resample(frame):
                    take(out.to_ndarray().reshape(-1))
            for out in resampler.resample(None):
                take(out.to_ndarray().reshape(-1))
    except (av.FFmpegError, OSError, ValueError, IndexError) as exc:
        text = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        raise media_error(shown, f"cannot decode its audio (file is truncated or damaged: {text})") from None
    if total <= 0 and held:
        samples = np.concatenate(held)
        _reduce(samples, 0, len(samples), lows, highs)
    empty = lows > highs
    lows[empty] = 0.0
    highs[empty] = 0.0
    with _count_lock:
        decode_count += 1
    return np.clip(np.stack([lows, highs], axis=1), -1.0, 1.0).astype(np.float32)


def _reduce(samples: np.ndarray, first: int, total: int, lows: np.ndarray, highs: np.ndarray) -> None:
    """Fold ``samples`` (indices ``first``.. of ``total``) into the per-bucket minima and maxima."""
    if len(samples) == 0:
        return
    buckets = len(lows)
    index = np.arange(first, first + len(samples), dtype=np.int64)
    which = np.minimum(index * buckets // total, buckets - 1)
    starts = np.concatenate(([0], np.flatnonzero(np.diff(which)) + 1))
    ids = which[starts]
    lows[ids] = np.minimum(lows[ids], np.minimum.reduceat(samples, starts))
    highs[ids] = np.maximum(highs[ids], np.maximum.reduceat(samples, starts))


class WaveformCache:
    """Waveforms kept as .npy files in ``folder`` (created on first write). Thread-safe."""

    def __init__(self, folder: str | os.PathLike[str] | None = None) -> None:
        self.folder = Path(folder) if folder is not None else default_cache_dir()

    def entry_path(self, path: str | os.PathLike[str], buckets: int) -> Path:
        """Where the waveform for these arguments lives (whether or not it is there yet)."""
        return self.folder / f"{identity_hash(file_identity(path), WAVE_VERSION)}-{buckets}.npy"

    def get(self, path: str | os.PathLike[str], buckets: int) -> np.ndarray:
        """The waveform from the cache, or decoded and stored."""
        if buckets < 1:
            raise ValueError(f"waveform buckets must be at least 1, not {buckets}")
        entry = self.entry_path(path, buckets)
        hit = _read(entry, buckets)
        if hit is not None:
            return hit
        with entry_locks.hold(str(entry)):
            hit = _read(entry, buckets)
            if hit is None:
                hit = waveform(path, buckets)

                def write(fh: IO[bytes]) -> None:
                    np.save(fh, hit, allow_pickle=False)

                atomic_write(entry, write)
            return hit


def _read(entry: Path, buckets: int) -> np.ndarray | None:
    try:
        data = np.load(entry, allow_pickle=False)
    except (OSError, ValueError, EOFError):
        return None  # missing or unreadable: a miss, never an error
    if data.shape != (buckets, 2) or data.dtype != np.float32:
        return None
    return data
