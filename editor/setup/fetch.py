"""Downloading one model's files from its index entry into the models folder: resumable, every file checked.

Files arrive in ``<models>/.partial/<id>/`` (a file being written ends in ``.part``); each finished file's size
and sha256 are checked before it is kept. When every file is there the folder is moved to ``<models>/<id>`` in
one rename, so a half-downloaded model is never found as installed. Setting ``stop`` pauses: what arrived is
kept and the next :func:`fetch_model` resumes from it (an http ``Range`` request; a seek for local files).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from editor.setup.index import IndexEntry, SetupError

PARTIAL = ".partial"


class FetchPaused(Exception):
    """``stop`` was set: the download stopped where it stood and can be resumed."""


class ChecksumMismatch(SetupError):
    """A file arrived with the wrong size or sha256; it was deleted, and downloading again fetches it anew."""


@dataclass(frozen=True)
class FetchProgress:
    done_bytes: int               # over the whole model, resumed bytes included
    total_bytes: int
    current_file: str
    seconds_left: float | None    # None until a rate is known


Progress = Callable[[FetchProgress], None]


def fetch_model(entry: IndexEntry, models_root: Path, *, progress: Progress | None = None,
                stop: threading.Event | None = None, timeout_s: float = 30.0) -> Path:
    """Download ``entry`` into ``models_root`` and return the model's folder. Already installed: returns it at
    once. Raises FetchPaused (stop was set), ChecksumMismatch, NoNetwork, or SetupError (one line: no space
    left, the folder not writable, the source refused a file)."""
    raise NotImplementedError


def partial_bytes(entry: IndexEntry, models_root: Path) -> int:
    """How much of ``entry`` a paused or interrupted download left (0: none)."""
    raise NotImplementedError


def discard_partial(entry: IndexEntry, models_root: Path) -> None:
    """Forget a paused download: remove ``<models>/.partial/<id>``."""
    raise NotImplementedError
