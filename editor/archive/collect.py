"""STUB (foundation): the collect helper fills this in. The signatures are the contract."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from editor.model import Timeline


@dataclass
class CollectResult:
    copied: list[Path] = field(default_factory=list)     # files copied into the project's media folder
    notes: list[str] = field(default_factory=list)       # one line each: what could not be collected, and why


def adopt_cached_takes(timeline: Timeline, project_path: str | os.PathLike[str]) -> list[str]:
    """Move generated takes that live in the user cache (made before the project had a file) into
    ``NAME.media/generated/`` and point the pool at them (in place). Returns notes. Called on save."""
    raise NotImplementedError


def collect_project(timeline: Timeline, project_path: str | os.PathLike[str]) -> CollectResult:
    """Copy every media file the project uses that lives outside ``NAME.media/`` into it and relink (in
    place: the caller saves)."""
    raise NotImplementedError
