"""The probe's cache on disk: one JSON file per file identity (absolute path, size, mtime) in the user cache, so
a reopened project does not decode headers again. A miss or a failed write is never an error."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from pathlib import Path

from editor.media.info import MediaInfo
from generation.paths import user_cache_dir

PROBE_VERSION = 1


def default_disk_cache_dir() -> Path:
    """``<user cache>/probe``: ``$XDG_CACHE_HOME/promptcut/probe`` on Linux (``generation.paths``)."""
    return user_cache_dir() / "probe"



def disk_folder(disk_cache: bool | str | os.PathLike[str] | None) -> Path | None:
    if disk_cache is None:
        env = os.environ.get("PROMPTCUT_PROBE_CACHE", "").strip()
        if not env or env.lower() in ("0", "no", "false", "off"):
            return None
        disk_cache = True if env.lower() in ("1", "yes", "true", "on") else env
    if disk_cache is False:
        return None
    if disk_cache is True:
        return default_disk_cache_dir()
    return Path(disk_cache)


def _disk_name(key: tuple[str, int, int]) -> str:
    return hashlib.sha256(json.dumps(list(key)).encode("utf-8", "surrogatepass")).hexdigest()[:32] + ".json"


def disk_read(folder: Path, key: tuple[str, int, int]) -> MediaInfo | None:
    try:
        data = json.loads((folder / _disk_name(key)).read_text(encoding="utf-8"))
        if data.get("version") != PROBE_VERSION or data.get("key") != list(key):
            return None
        return MediaInfo.from_dict(data["info"])
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None  # a missing or unreadable entry is a cache miss, never an error


def disk_write(folder: Path, key: tuple[str, int, int], info: MediaInfo) -> None:
    record = {"version": PROBE_VERSION, "key": list(key), "info": info.to_dict()}
    tmp = None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".probe-", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(record, fh, ensure_ascii=True)
        os.replace(tmp, folder / _disk_name(key))
        tmp = None
    except (OSError, TypeError, ValueError):
        pass  # the cache is an optimisation: failing to write it must not fail the probe
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
