"""One writer per project: a QLockFile ``<project>.lock`` beside the project file.

Held for as long as the project is open (``setStaleLockTime(0)``: never stale by age, as Qt recommends for
long-held document locks). A lock whose process is gone (a crash) is stale and is taken over. Anyone else
gets the project read-only, or not at all.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QLockFile


def lock_path_for(project: str | os.PathLike[str]) -> Path:
    p = Path(os.path.abspath(os.fspath(project)))
    return p.with_name(p.name + ".lock")


class ProjectLock:
    def __init__(self, project: str | os.PathLike[str], timeout_ms: int = 100) -> None:
        self.project = Path(project)
        self.path = lock_path_for(project)
        self.timeout_ms = timeout_ms
        self._lock = QLockFile(str(self.path))
        self._lock.setStaleLockTime(0)

    def acquire(self) -> bool:
        """True when this process now holds the lock (a stale lock from a dead process is removed first)."""
        if self._lock.isLocked():
            return True
        if not self.path.parent.is_dir():
            return True  # nothing to lock next to; the open will fail on its own
        if self._lock.tryLock(self.timeout_ms):
            return True
        stale = self._lock.error() == QLockFile.LockError.LockFailedError and self._holder_dead()
        return stale and self._lock.removeStaleLockFile() and self._lock.tryLock(self.timeout_ms)

    def _holder_dead(self) -> bool:
        pid, host, _app = self._lock.getLockInfo()   # PySide6: (pid, host, app); pid 0 when unreadable
        if not pid:
            return False
        from socket import gethostname

        from PySide6.QtCore import QSysInfo

        if host and host not in (gethostname(), QSysInfo.machineHostName()):
            return False  # another machine's process: cannot tell
        if pid == os.getpid():
            return False
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        except OSError:
            return False
        return False

    def holder(self) -> str:
        """Who holds it, for the message: 'process 123 on host'."""
        pid, host, app = self._lock.getLockInfo()
        if not pid:
            return "another program"
        return f"{app or 'PromptCut'} (process {pid}{' on ' + host if host else ''})"

    @property
    def locked(self) -> bool:
        return self._lock.isLocked()

    def release(self) -> None:
        if self._lock.isLocked():
            self._lock.unlock()
