"""Format migrations: pure functions that turn a version-N document into a version-N+1 one, chained.

Each migration takes the parsed JSON of one version and returns that of the next; the runner deep-copies
its input first (a migration may edit what it is given) and stamps ``format_version`` after each step.
To change the format:

1. bump ``FORMAT_VERSION`` in ``editor.project.format`` and change the reader and writer there;
2. register ``@migration(N)`` here, turning format N into N+1 (only plain dict/list work, no model types,
   so old migrations keep working as the model changes);
3. add a fixture file of format N under ``tests/editor/project/fixtures/`` and a test that loads it.

Format 0 was the pre-release development layout: ``settings.fps`` as a decimal string or number
("29.97", meaning 30000/1001), ``video_tracks``/``audio_tracks`` as two lists of tracks without a
``kind``, and no ``app_version`` or ``metadata``.
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Callable
from typing import Any

from editor.model.time import format_rate, parse_rate

Document = dict[str, Any]
Migration = Callable[[Document], Document]

MIGRATIONS: dict[int, Migration] = {}

# How a format-0 rate may be written: "30", "29.97", "30000/1001". Anything else (an exponent above all:
# Fraction("1e100000000") computes a hundred-million-digit number and never returns) is refused unread.
_RATE_TEXT = re.compile(r"\d{1,9}(\.\d{1,9})?|\d{1,12}/\d{1,12}")


class MigrationError(ValueError):
    """A document that no chain of migrations can bring up to date."""


def migration(from_version: int, registry: dict[int, Migration] | None = None) -> Callable[[Migration], Migration]:
    """Register a function migrating format ``from_version`` to ``from_version + 1``."""
    table = MIGRATIONS if registry is None else registry

    def register(fn: Migration) -> Migration:
        if from_version in table:
            raise ValueError(f"a migration from format {from_version} is already registered")
        table[from_version] = fn
        return fn

    return register


def migrate(data: Document, target: int, registry: dict[int, Migration] | None = None) -> tuple[Document, list[int]]:
    """Bring ``data`` from its ``format_version`` up to ``target``. Returns the new document and the versions
    it passed through (empty when it was already current). The input is never modified."""
    table = MIGRATIONS if registry is None else registry
    version = data["format_version"]
    steps: list[int] = []
    if version >= target:
        return data, steps
    data = copy.deepcopy(data)
    while version < target:
        step = table.get(version)
        if step is None:
            raise MigrationError(f"no conversion from format {version} to {version + 1}")
        try:
            data = step(data)
        except MigrationError:
            raise
        except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
            raise MigrationError(f"cannot convert from format {version}: {type(exc).__name__}: {exc}") from None
        if not isinstance(data, dict):
            raise MigrationError(f"the conversion from format {version} gave no document")
        version += 1
        data["format_version"] = version
        steps.append(version)
    return data, steps


def _shown(value: object) -> str:
    try:
        text = repr(value)
    except ValueError:   # an integer past 4300 digits has no text (int_max_str_digits)
        return "a number too long to show"
    return text if len(text) <= 40 else text[:37] + "..."


@migration(0)
def migrate_v0_to_v1(data: Document) -> Document:
    """Format 0 -> 1: exact fps string, one ``tracks`` list with kinds, ``app_version`` and ``metadata``."""
    settings = data.get("settings")
    if isinstance(settings, dict) and "fps" in settings:
        fps = settings["fps"]
        if isinstance(fps, bool) or not isinstance(fps, (str, int, float)):
            raise MigrationError(f"settings.fps is not a number: {_shown(fps)}")
        if (isinstance(fps, float) and not math.isfinite(fps)) or (isinstance(fps, int) and not 0 < fps <= 1000):
            raise MigrationError(f"settings.fps is not a frame rate: {_shown(fps)}")
        text = repr(fps) if isinstance(fps, float) else str(fps)
        if not _RATE_TEXT.fullmatch(text.strip()):
            raise MigrationError(f"settings.fps is not a frame rate: {_shown(fps)}")
        # parse_rate knows the broadcast rates: "29.97" is 30000/1001, never the float.
        settings["fps"] = format_rate(parse_rate(text.strip()))
    tracks: list[Any] = []
    for key, kind in (("video_tracks", "video"), ("audio_tracks", "audio")):
        group = data.pop(key, [])
        if not isinstance(group, list):
            raise MigrationError(f"{key} is not a list")
        for track in group:
            if not isinstance(track, dict):
                raise MigrationError(f"a track in {key} is not an object")
            tracks.append({**track, "kind": kind})
    data["tracks"] = tracks
    data.setdefault("app_version", None)
    data.setdefault("metadata", {})
    return data


@migration(1)
def migrate_v1_to_v2(data: Document) -> Document:
    """Format 1 -> 2 adds clip effects (speed, transform, fades, gain, transitions), text clips and the
    track flags ``solo`` and ``captions``, all optional with defaults that mean what format 1 meant: a
    format 1 document is a valid format 2 one as it is."""
    return data
