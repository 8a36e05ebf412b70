"""OpenTimelineIO bundles: ``.otioz`` (a zip) and ``.otiod`` (a folder) holding a timeline and its media.

STUB (foundation): the bundles helper fills this in. The signatures below are the contract.
"""

from __future__ import annotations

import os

from editor.interchange.otio_common import ImportResult
from editor.model import Timeline


def read_bundle(path: str | os.PathLike[str]) -> ImportResult:
    """Read a .otioz (unpacked safely into a folder beside it) or .otiod; media paths point at the unpacked
    files. InterchangeError, one line."""
    raise NotImplementedError


def write_bundle(timeline: Timeline, path: str | os.PathLike[str], *, name: str | None = None) -> list[str]:
    """Write a .otioz or .otiod holding the timeline and the media files it uses; returns notes.
    InterchangeError, one line."""
    raise NotImplementedError
