"""The hidden work an export writes beside its output, and the sweep of what a killed export left there.

An export renders into a hidden folder ``.NAME.promptcut-tmp-HOST-PID-XXXX.export`` beside the output and joins
into the hidden file ``.NAME.promptcut-tmp-HOST-PID-XXXX.partial.mp4`` before the final rename (names from
``generation.leftovers``). Both are removed when the export ends, however it ends, unless its process is killed:
the next export into that folder removes the stale ones (their process gone), never those of an export running
now, and the old-style ``.STEM.XXXXXXXX.export`` / ``.partial.mp4`` ones of this output once they are a day old.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from generation.leftovers import sweep_stale

__all__ = ["PARTIAL_SUFFIX", "WORK_SUFFIX", "partial_beside", "sweep_export_leftovers"]

WORK_SUFFIX = ".export"
PARTIAL_SUFFIX = ".partial.mp4"


def partial_beside(work: Path) -> Path:
    """The hidden file an export joins into, beside its work folder and named after it."""
    return work.with_name(work.name.removesuffix(WORK_SUFFIX) + PARTIAL_SUFFIX)


def sweep_export_leftovers(output: str | os.PathLike[str]) -> list[Path]:
    """Remove the stale work folders and partial files killed exports left beside ``output``; returns them."""
    output = Path(output)
    stem = re.escape(output.stem[:60])  # how exports named their temporaries before they carried a pid
    legacy = re.compile(rf"\.{stem}\.[a-z0-9_]{{8}}(?:{re.escape(WORK_SUFFIX)}|{re.escape(PARTIAL_SUFFIX)})")
    return sweep_stale(output.parent, legacy=[legacy])
