"""Hidden temporary files and folders written beside the user's files, named so they can be recognised, and the
sweep that removes the ones a killed save, export or take left behind. Plain Python (the editor uses it too).

A temporary is ``.<name>.promptcut-tmp-<host>-<pid>-<random><suffix>``: ``<name>`` is the file it becomes
(cut to 80 bytes), ``<host>`` eight hex digits of this machine's name, ``<pid>`` the process writing it. Every
writer removes its own temporaries when it fails or is cancelled; only a process killed mid-way leaves one.

:func:`sweep_stale` (run by the next save or export into the same folder) removes a temporary only when it is
stale: written on this machine by a process that is gone, or written on another machine (a shared folder: its
process cannot be asked) more than a day ago. A temporary of a save or export running right now, in this
process or another, is never touched; a pid that is alive is trusted for a week (after that it is a reused pid).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import stat
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from .job_owners import HOST, pid_alive

__all__ = [
    "STALE_AFTER_S", "TAG", "is_temp_name", "mkdtemp_beside", "mkstemp_beside", "replacing", "sweep_stale",
    "temp_prefix", "write_atomically",
]

TAG = "promptcut-tmp"
STALE_AFTER_S = 24 * 3600.0        # a temporary whose process cannot be asked (another machine, an old name)
LIVE_PID_TRUSTED_S = 7 * 24 * 3600.0  # a live pid older than this is taken as reused
_NAME_BYTES = 80
_HOST_TAG = hashlib.sha256(HOST.encode("utf-8", "surrogateescape")).hexdigest()[:8]
_PATTERN = re.compile(rf"\..*\.{TAG}-(?P<host>[0-9a-f]{{8}})-(?P<pid>[0-9]{{1,10}})-", re.DOTALL)


def _short(name: str) -> str:
    raw = os.fsencode(name)
    if len(raw) <= _NAME_BYTES:
        return name
    return raw[:_NAME_BYTES].decode("utf-8", "ignore")


def temp_prefix(name: str) -> str:
    """The start of a temporary's name for a file called ``name`` written by this process."""
    return f".{_short(name)}.{TAG}-{_HOST_TAG}-{os.getpid()}-"


def mkstemp_beside(target: str | os.PathLike[str], suffix: str = "") -> tuple[int, str]:
    """``tempfile.mkstemp`` in ``target``'s folder, named as a PromptCut temporary for ``target``."""
    target = Path(target)
    return tempfile.mkstemp(prefix=temp_prefix(target.name), suffix=suffix, dir=target.parent)


def mkdtemp_beside(target: str | os.PathLike[str], suffix: str = "") -> Path:
    """``tempfile.mkdtemp`` in ``target``'s folder, named as a PromptCut temporary for ``target``."""
    target = Path(target)
    return Path(tempfile.mkdtemp(prefix=temp_prefix(target.name), suffix=suffix, dir=target.parent))


@contextlib.contextmanager
def replacing(
    target: str | os.PathLike[str], suffix: str = ".tmp", *,
    replace: Callable[[Path, Path], object] | None = None,
) -> Iterator[Path]:
    """Yield the path of a new, empty, recognisable temporary beside ``target`` (:func:`mkstemp_beside`) for the
    block to fill; when the block ends normally the temporary is renamed over ``target`` with ``replace``
    (default ``os.replace``, looked up at the rename so a test's stand-in for it is used), so
    ``target`` is the old file or the whole new one. When the block raises (a cancel included), or the rename
    fails, the temporary is removed and the exception goes on. Sweeping stale temporaries, fsync and
    permissions stay with the caller, which knows what its file needs."""
    target = Path(target)
    fd, name = mkstemp_beside(target, suffix)
    os.close(fd)
    temp = Path(name)
    try:
        yield temp
        (replace or os.replace)(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


def write_atomically(target: str | os.PathLike[str], data: bytes, *, mode: int | None = None) -> Path:
    """Put ``data`` at ``target`` so that it is either the old file or the whole new one: written to a
    recognisable temporary beside it (stale ones a killed writer left there are swept first), fsynced, then
    renamed over it. ``mode``: the file's permissions (default: those of the file replaced, else 0o644).
    A symlink at ``target`` is written through (its target file is replaced, the link stays), as a user who
    linked a file expects. Raises ``OSError`` as the disk does; the temporary never outlives a failure."""
    target = Path(target)
    if target.is_symlink():
        target = Path(os.path.realpath(target))   # the rename goes beside the real file, the link keeps working
    sweep_stale(target.parent)
    if mode is None:
        try:
            mode = stat.S_IMODE(target.stat().st_mode)
        except OSError:
            mode = 0o644
    with replacing(target, ".tmp") as temp:
        with open(temp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, mode)
    return target


def is_temp_name(name: str) -> bool:
    """True for a name :func:`temp_prefix` made (by any process, on any machine)."""
    return _PATTERN.match(name) is not None


def sweep_stale(
    folder: str | os.PathLike[str], *, legacy: Iterable[re.Pattern[str]] = (), now: float | None = None
) -> list[Path]:
    """Remove the stale PromptCut temporaries directly in ``folder`` (see the module's note) and return them.
    ``legacy``: patterns of temporaries named before they carried a pid; one matching in full is removed when
    it is older than a day. Links are removed, never followed. Never raises: a leftover that cannot be removed
    (or a folder that cannot be read) stays, and costs the save nothing."""
    now = time.time() if now is None else now
    patterns = tuple(legacy)
    removed: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        name = entry.name
        if not name.startswith("."):
            continue
        match = _PATTERN.match(name)
        if match is None and not any(p.fullmatch(name) for p in patterns):
            continue
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        age = now - info.st_mtime
        if not (_stale(match, age) if match is not None else age > STALE_AFTER_S):
            continue
        if _remove(Path(entry.path), info):
            removed.append(Path(entry.path))
    return removed


def _stale(match: re.Match[str], age: float) -> bool:
    if match["host"] != _HOST_TAG:
        return age > STALE_AFTER_S
    pid = int(match["pid"])
    alive = pid == os.getpid() or pid_alive(pid)
    return not alive or age > LIVE_PID_TRUSTED_S


def _remove(path: Path, info: os.stat_result) -> bool:
    try:
        if stat.S_ISDIR(info.st_mode):
            shutil.rmtree(path)
        else:
            path.unlink()
    except OSError:
        with contextlib.suppress(OSError):  # what could go, went; the rest stays
            shutil.rmtree(path, ignore_errors=True)
        return not os.path.lexists(path)
    return True
