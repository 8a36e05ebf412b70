"""On-disk cache plumbing shared by thumbnails and waveforms: file identity, entry names, atomic writes, locks.

An entry is named by a hash of the source's identity (absolute path, size, mtime in ns) plus what was asked
for, so an edited or replaced file misses the cache by itself. Writes go to a temporary file in the same
folder and are moved into place with ``os.replace``: a reader sees a whole entry or none. ``KeyLocks``
serialises work on one entry across threads, so concurrent requests for the same thing compute it once.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import stat
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

from editor.media.info import MediaError
from generation.paths import user_cache_dir

Identity = tuple[str, int, int]


def cache_root(kind: str) -> Path:
    """``<user cache>/<kind>``: ``$XDG_CACHE_HOME/promptcut/<kind>`` on Linux (``generation.paths``)."""
    return user_cache_dir() / kind


def media_error(shown: str, reason: str) -> MediaError:
    """A one-line MediaError naming the file, as the prober words them."""
    reason = " ".join(str(reason).split())
    return MediaError(f"{shown}: {reason}", path=shown, reason=reason)


def file_identity(path: str | os.PathLike[str]) -> Identity:
    """(absolute path, size, mtime_ns) of a regular file; MediaError when it is missing or not a file."""
    shown = os.fspath(path)
    absolute = os.path.abspath(shown)
    try:
        st = os.stat(absolute)
    except FileNotFoundError:
        raise media_error(shown, "no such file") from None
    except OSError as exc:
        raise media_error(shown, f"cannot read it ({exc.strerror or exc})") from None
    if not stat.S_ISREG(st.st_mode):
        raise media_error(shown, "not a regular file")
    return absolute, st.st_size, st.st_mtime_ns


def identity_hash(identity: Identity, version: int) -> str:
    """A short hex digest of a file identity (and the cache format's version)."""
    text = json.dumps([version, *identity])
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:24]


def atomic_write(target: Path, write: Callable[[IO[bytes]], None]) -> bool:
    """Write ``target`` via a temporary file and ``os.replace``. False (and nothing left behind) on failure:
    the cache is an optimisation, failing to fill it must not fail the caller."""
    tmp = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=target.suffix)
        with os.fdopen(fd, "wb") as fh:
            write(fh)
        os.replace(tmp, target)
        tmp = None
        return True
    except (OSError, ValueError):
        return False
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


class KeyLocks:
    """One lock per key, created on demand and dropped when nobody holds or waits for it. Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._locks: dict[str, list] = {}  # key -> [lock, users]

    @contextlib.contextmanager
    def hold(self, key: str) -> Iterator[None]:
        with self._lock:
            entry = self._locks.setdefault(key, [threading.Lock(), 0])
            entry[1] += 1
        try:
            with entry[0]:
                yield
        finally:
            with self._lock:
                entry[1] -= 1
                if entry[1] == 0:
                    del self._locks[key]


# Shared by every cache in the process: two cache objects over one folder still compute an entry once.
entry_locks = KeyLocks()
