"""The editor's log file: what the window, the CLI and the exporter did, with warnings and errors and their
tracebacks, in a rotating file in the user log folder (never in the user's face).

The folder is ``$PROMPTCUT_LOG_DIR`` if set, else platformdirs' user log folder for "promptcut"; the generator
worker writes its own ``generator.log`` beside ours (see ``generation.log_files``, which holds the one rule).
Standard library only at import: the CLI imports this before every command.
"""

from __future__ import annotations

import logging
from pathlib import Path
from types import TracebackType

from generation import log_files

__all__ = ["LOG_DIR_ENV", "LOG_NAME", "describe_internal_error", "log_dir", "log_path", "logger", "setup_logging",
           "stop_logging"]

LOG_DIR_ENV = log_files.LOG_DIR_ENV
LOG_NAME = "promptcut.log"

logger = logging.getLogger("promptcut")

_installed: Path | None = None   # the file the handler writes, once one is installed


def log_dir() -> Path:
    """The user log folder: ``$PROMPTCUT_LOG_DIR`` if set, else platformdirs' ``user_log_dir("promptcut")``."""
    return log_files.log_dir()


def log_path() -> Path:
    """The current log file (the newest of the rotated set)."""
    return log_dir() / LOG_NAME


def setup_logging(component: str) -> Path:
    """Log this process to the rotating file (5 files of 2 MiB at most), each line naming ``component``
    ("cli", "window", ...). Calling again replaces the handler, so a changed folder or component takes effect.
    Returns the log file; where it cannot be opened, nothing is logged and the program runs on."""
    global _installed
    path = log_path()
    _installed = path if log_files.install_file_handler(path, component) else None
    return path


def describe_internal_error(exc: BaseException, tb: TracebackType | None = None, *, where: str = "") -> str:
    """Write ``exc``'s full traceback to the log and return the one line for the user, naming the log file.

    Where no log file is open (set-up failed or never ran), the line says how to see the traceback instead.
    """
    first = " ".join((str(exc).strip().splitlines() or [""])[0].split())
    summary = f"{type(exc).__name__}: {first}" if first else type(exc).__name__
    context = f" in {where}" if where else ""
    logger.error("internal error%s: %s", context, summary, exc_info=(type(exc), exc, tb or exc.__traceback__))
    if _installed is not None and _installed.exists():
        return f"internal error: {summary} (details in {_installed})"
    return f"internal error: {summary} (run with PROMPTCUT_DEBUG=1 for details)"


def stop_logging() -> None:
    """Close the log file (tests; nothing else needs it: the handler closes at exit)."""
    global _installed
    log_files.remove_file_handler()
    _installed = None
