"""Autosave to a separate recovery file, and recovery after a crash.

A modified document is written a few seconds after the edits stop (``quiet_ms``, 3 s: a crash loses seconds of
work, not a minute) and, as a backstop during long unbroken editing, every ``interval`` (60 s). The project is
serialised on the GUI thread (a snapshot) and written atomically on a worker thread to
``<recovery>/<key>.promptcut``, with a ``.json`` sidecar naming the original file, the time and the writing
process. The key is the SHA-1 of the project's absolute path, or
``untitled-<uuid>`` for a project never saved. The user's own file is never written here. The recovery copy
is deleted after a successful save and on a clean close; one left behind by a crash is offered on reopen and
on the welcome screen (:func:`recoverable_projects`).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from PySide6.QtCore import QObject, QTimer

from editor.model import Timeline
from generation.paths import user_cache_dir, user_state_dir

DEFAULT_INTERVAL_MS = 60_000
QUIET_MS = 3_000
RECOVERY_SUFFIX = ".promptcut"
SIDECAR_SUFFIX = ".json"


def recovery_dir() -> Path:
    """Where recovery copies are written: ``$PROMPTCUT_RECOVERY``, else ``<user state>/recovery``
    (``~/.local/state/promptcut/recovery`` on Linux): a cache cleaner must not take unsaved work."""
    override = os.environ.get("PROMPTCUT_RECOVERY")
    if override:
        return Path(override)
    return user_state_dir() / "recovery"


def recovery_dirs() -> list[Path]:
    """Where recovery copies are looked for: :func:`recovery_dir`, then ``<user cache>/recovery``, where
    versions before the state folder wrote them (a crash just before an update still gets its work back)."""
    first = recovery_dir()
    if os.environ.get("PROMPTCUT_RECOVERY"):
        return [first]
    old = user_cache_dir() / "recovery"
    return [first] if old == first else [first, old]


def key_for(path: str | os.PathLike[str]) -> str:
    return hashlib.sha1(os.path.abspath(os.fspath(path)).encode("utf-8")).hexdigest()


def recovery_path_for(path: str | os.PathLike[str]) -> Path:
    return recovery_dir() / f"{key_for(path)}{RECOVERY_SUFFIX}"


def sidecar_of(recovery: Path) -> Path:
    return recovery.with_suffix(SIDECAR_SUFFIX)


def read_sidecar(recovery: Path) -> dict[str, Any]:
    try:
        data = json.loads(sidecar_of(recovery).read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def delete_recovery(recovery: Path) -> None:
    for p in (recovery, sidecar_of(recovery)):
        with contextlib.suppress(OSError):
            p.unlink()


def _pid_alive(pid: object) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def find_recovery(project: str | os.PathLike[str]) -> Path | None:
    """The recovery copy a crash left for ``project``: newer than the project file, not being written by
    another live process."""
    name = recovery_path_for(project).name
    found = [rec for rec in (folder / name for folder in recovery_dirs()) if _crash_left(rec, project)]
    return max(found, key=lambda rec: rec.stat().st_mtime, default=None)


def _crash_left(rec: Path, project: str | os.PathLike[str]) -> bool:
    if not rec.is_file():
        return False
    info = read_sidecar(rec)
    pid = info.get("pid")
    if pid != os.getpid() and _pid_alive(pid):
        return False  # another running editor is autosaving it
    try:
        project_mtime = Path(project).stat().st_mtime
    except OSError:
        return True  # the project is gone: the copy is all there is
    saved_at = info.get("time") if isinstance(info.get("time"), (int, float)) else rec.stat().st_mtime
    return saved_at > project_mtime


def untitled_recoveries() -> list[Path]:
    """Recovery copies of never-saved projects whose process is gone (a crash), newest first."""
    found = []
    for rec in _listed(f"untitled-*{RECOVERY_SUFFIX}"):
        pid = read_sidecar(rec).get("pid")
        if pid == os.getpid() or _pid_alive(pid):
            continue
        found.append(rec)
    return sorted(found, key=lambda p: p.stat().st_mtime, reverse=True)


def _listed(pattern: str) -> list[Path]:
    """The files matching ``pattern`` in every recovery folder that exists."""
    return [rec for folder in recovery_dirs() if folder.is_dir() for rec in folder.glob(pattern)]


@dataclass(frozen=True)
class Recoverable:
    """A project whose editor went away with unsaved changes: its file, the recovery copy, when it was written."""

    project: Path
    recovery: Path
    saved_at: float


def recoverable_projects() -> list[Recoverable]:
    """Every saved project with a recovery copy a crash left (see :func:`find_recovery`), newest first. Copies of
    never-saved projects are not here: :func:`untitled_recoveries` lists those."""
    found = []
    for rec in _listed(f"*{RECOVERY_SUFFIX}"):
        info = read_sidecar(rec)
        original = info.get("original")
        if rec.name.startswith("untitled-") or not isinstance(original, str) or not original:
            continue
        if info.get("pid") == os.getpid():
            continue   # this editor's own copy of what it has open: no crash left it
        if find_recovery(original) != rec:
            continue   # a stray file, or a copy that is older than the project / still being written
        saved_at = info.get("time")
        found.append(Recoverable(Path(original), rec, saved_at if isinstance(saved_at, (int, float))
                                 else rec.stat().st_mtime))
    return sorted(found, key=lambda r: r.saved_at, reverse=True)


def load_recovery(recovery: Path) -> tuple[Timeline, dict]:
    """The timeline and metadata of a recovery copy (media paths are stored absolute)."""
    from editor.project import ProjectError, from_dict

    try:
        data = json.loads(recovery.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise ProjectError(str(recovery), f"damaged recovery file ({exc})") from None
    loaded = from_dict(data, None, source=str(recovery), check_media=True)
    return loaded.timeline, dict(getattr(loaded, "metadata", None) or {})


def _atomic_write(target: Path, blob: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
    try:
        with open(tmp, "wb") as f:
            f.write(blob)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()


def _write_pair(recovery: Path, blob: bytes, sidecar: bytes) -> None:
    _atomic_write(recovery, blob)
    _atomic_write(sidecar_of(recovery), sidecar)


class AutosaveDocument(Protocol):
    """What the autosaver reads of the document it keeps safe (the main window is one)."""

    path: Path | None
    metadata: dict
    read_only: bool

    @property
    def timeline(self) -> Timeline: ...

    @property
    def modified(self) -> bool: ...


class Autosaver(QObject):
    """Writes ``document`` to its recovery file ``quiet_ms`` after the last edit (call :meth:`edited` on each
    one) and every ``interval_ms`` while it is modified."""

    def __init__(self, document: AutosaveDocument, parent: QObject | None = None,
                 interval_ms: int = DEFAULT_INTERVAL_MS, quiet_ms: int = QUIET_MS) -> None:
        super().__init__(parent)
        self.document = document
        self.untitled_key = f"untitled-{uuid.uuid4()}"
        self.written: set[Path] = set()   # recovery files this session owns (deleted on save / clean close)
        self.last_error: str | None = None
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="promptcut-autosave")
        self._pending: Future | None = None
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.autosave_now)
        self.timer.start()
        # Restarted by every edit, so it fires once the user pauses: not in the middle of a drag of edits.
        self.quiet = QTimer(self)
        self.quiet.setSingleShot(True)
        self.quiet.setInterval(quiet_ms)
        self.quiet.timeout.connect(self.autosave_now)

    def edited(self, *_ignored: object) -> None:
        """An edit (or undo/redo) happened: write a recovery copy once the edits pause."""
        self.quiet.start()

    def set_interval(self, ms: int) -> None:
        self.timer.setInterval(ms)

    @property
    def recovery_path(self) -> Path:
        path = self.document.path
        if path is None:
            return recovery_dir() / f"{self.untitled_key}{RECOVERY_SUFFIX}"
        return recovery_path_for(path)

    def autosave_now(self) -> bool:
        """Snapshot now (GUI thread), write in the background; False when there is nothing to save."""
        w = self.document
        if not w.modified or getattr(w, "read_only", False):
            return False
        from editor.project import encode, to_dict

        target = self.recovery_path
        if w.path is not None and os.path.abspath(target) == os.path.abspath(w.path):
            return False  # never over the user's file
        try:
            blob = encode(to_dict(w.timeline, None, w.metadata))
        except (TypeError, ValueError) as exc:
            self.last_error = str(exc)
            return False
        sidecar = json.dumps({"original": str(Path(w.path).absolute()) if w.path else None,
                              "time": time.time(), "pid": os.getpid()}).encode("utf-8")
        self.written.add(target)
        self._pending = self._executor.submit(_write_pair, target, blob, sidecar)
        self._pending.add_done_callback(self._done)
        return True

    def _done(self, future: Future) -> None:
        exc = future.exception()
        self.last_error = None if exc is None else str(exc)

    def wait(self) -> None:
        """Block until the last write has finished."""
        pending = self._pending
        if pending is not None:
            with contextlib.suppress(Exception):
                pending.result()

    def adopt(self, recovery: Path) -> None:
        """Own a recovery file left by a crash (deleted with ours on save / clean close)."""
        self.written.add(recovery)

    def discard(self) -> None:
        """Delete every recovery file this session wrote or adopted."""
        self.wait()
        for rec in list(self.written):
            delete_recovery(rec)
        self.written.clear()

    def shutdown(self, discard: bool = True) -> None:
        self.timer.stop()
        self.quiet.stop()
        if discard:
            self.discard()
        else:
            self.wait()
        self._executor.shutdown(wait=True)
