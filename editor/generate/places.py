"""Where generated media, the job store and conditioning frames live on disk.

A document at ``/path/cut.promptcut`` (or ``/path/cut.otio``) keeps them beside it, in
``/path/cut.media/generated/`` (takes and their JSON sidecars, the job store ``jobs.sqlite``) and
``/path/cut.media/generated/frames/`` (conditioning images). Headless one-offs (``promptcut generate``) and
timelines without a file use the user cache: ``$XDG_CACHE_HOME/promptcut/generated/``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from editor.archive.collect import media_folder
from generation.paths import user_cache_dir

__all__ = ["STORE_NAME", "GenerationPlaces", "media_folder", "places_for"]

STORE_NAME = "jobs.sqlite"


@dataclass(frozen=True)
class GenerationPlaces:
    output_dir: Path    # takes (MP4 + JSON sidecar)
    store_path: Path    # the SQLite job store (queue and cache)
    frames_dir: Path    # conditioning images

    def make(self) -> GenerationPlaces:
        for folder in (self.output_dir, self.store_path.parent, self.frames_dir):
            folder.mkdir(parents=True, exist_ok=True)
        return self


def places_for(document: str | os.PathLike[str] | None) -> GenerationPlaces:
    """The folders for a document (None: the user cache)."""
    base = media_folder(document) / "generated" if document is not None else user_cache_dir() / "generated"
    return GenerationPlaces(output_dir=base, store_path=base / STORE_NAME, frames_dir=base / "frames")
