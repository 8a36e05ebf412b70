"""STUB (foundation): the collect helper fills this in. The signatures are the contract."""

from __future__ import annotations

import os
from pathlib import Path

from editor.model import Timeline

ARCHIVE_SUFFIX = ".zip"


class ArchiveError(Exception):
    """One line: why an archive cannot be written or opened."""


def write_archive(timeline: Timeline, project_path: str | os.PathLike[str], archive_path: str | os.PathLike[str],
                  metadata: dict | None = None) -> list[str]:
    """One zip: the project, every media file it uses, its generated takes and the fonts its titles use,
    with relative paths inside. Returns notes (what was left out and why). ArchiveError, one line."""
    raise NotImplementedError


def is_project_archive(path: str | os.PathLike[str]) -> bool:
    """True when ``path`` is a zip written by ``write_archive`` (it holds our manifest)."""
    raise NotImplementedError


def open_archive(archive_path: str | os.PathLike[str], destination: str | os.PathLike[str] | None = None) -> Path:
    """Unpack an archive safely (``editor.safe_io.extract_zip``) into ``destination`` (default: a new folder
    beside the archive named after it) and return the project file inside. ArchiveError, one line."""
    raise NotImplementedError
