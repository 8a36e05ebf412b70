"""Who runs a job: the owner tokens the job store writes on running jobs, and whether an owner is still alive.

An owner is ``host/pid/token``, one per open :class:`generation.jobs.JobStore`. A runner is alive while its
process runs and its store is open; on another host (no pid to ask) while it reported within 10 minutes. The
store uses this to put jobs left running by a runner that is gone back in the queue, and never takes a job from
a live one.
"""

from __future__ import annotations

import os
import socket
import sys
import threading
import uuid

__all__ = ["HOST", "forget_owner", "new_owner", "owner_alive", "pid_alive", "register_owner"]

HOST = socket.gethostname()
_STALE_HEARTBEAT_S = 600.0  # a running job whose owner is on another host and silent this long is interrupted
_open_owners: set[str] = set()  # owner tokens of the stores open in this process (a live pid may hold dead ones)
_open_owners_lock = threading.Lock()


def new_owner() -> str:
    """A fresh owner token for a store opened in this process."""
    return f"{HOST}/{os.getpid()}/{uuid.uuid4().hex[:8]}"


def register_owner(owner: str) -> None:
    """``owner``'s store is open: its running jobs are alive."""
    with _open_owners_lock:
        _open_owners.add(owner)


def forget_owner(owner: str) -> None:
    """``owner``'s store closed: jobs it left running count as interrupted."""
    with _open_owners_lock:
        _open_owners.discard(owner)


def pid_alive(pid: int) -> bool:
    """True if ``pid`` runs (a zombie counts as gone)."""
    if pid <= 0:
        return False
    if sys.platform == "win32":  # os.kill(pid, 0) there sends Ctrl+C to the process group: ask Windows instead
        return _windows_pid_alive(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
            return f.read().rsplit(")", 1)[-1].split()[0] != "Z"
    except OSError:
        return True  # no /proc (macOS): os.kill said it exists


def _windows_pid_alive(pid: int) -> bool:
    import ctypes

    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined,unused-ignore]
    handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
    if not handle:
        return ctypes.get_last_error() == 5  # type: ignore[attr-defined,unused-ignore]  # access denied: it runs
    try:
        code = ctypes.c_ulong()
        if not kernel32.GetExitCodeProcess(handle, ctypes.byref(code)):
            return True
        return code.value == 259  # STILL_ACTIVE
    finally:
        kernel32.CloseHandle(handle)


def owner_alive(owner: str | None, heartbeat: float | None, now: float) -> bool:
    if not owner:
        return False
    host, _, rest = owner.partition("/")
    pid_text, _, _token = rest.partition("/")
    if host != HOST:
        return heartbeat is not None and now - heartbeat < _STALE_HEARTBEAT_S
    try:
        pid = int(pid_text)
    except ValueError:
        return False
    if pid == os.getpid():
        with _open_owners_lock:
            return owner in _open_owners
    return pid_alive(pid)
