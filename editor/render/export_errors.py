"""What an export raises, and the small helpers its parts share for cancelling and tidying up."""

from __future__ import annotations

import threading
from pathlib import Path


class ExportError(Exception):
    """An export that cannot be done; the message is one line for the user."""


class ExportCancelled(ExportError):
    """The export was cancelled (the cancel event was set)."""




def os_reason(exc: OSError) -> str:
    if isinstance(exc, PermissionError):
        return "permission denied"
    return (exc.strerror or str(exc)).lower()

def remove_file(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass
    except OSError:
        pass

def check_cancel(cancel: threading.Event | None) -> None:
    if cancel is not None and cancel.is_set():
        raise ExportCancelled("export cancelled")
