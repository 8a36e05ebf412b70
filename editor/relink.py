"""Relinking offline media: find each missing file in a folder by name, then confirm it is the same media.

``find_candidates(timeline, folder)`` searches ``folder`` recursively for files named as each offline pool
entry (case-insensitively) and confirms a candidate by what a probe says about it: the same kind, sound
and picture, the same size, and a duration within one frame of the project's. The project format keeps no
content hash of its media, so when a ``hashes`` mapping (media id -> ``content_hash``) is given, a
candidate must match it too. ``relink_commands(matches, timeline)`` gives the ``ReplaceMedia`` commands for
the confirmed matches (one ``Group`` makes them one undo step).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from editor.media.info import MediaError
from editor.media.probe import content_hash, media_source_from_info, probe
from editor.model import Command, Group, MediaSource, Timeline
from editor.model.commands import ReplaceMedia

__all__ = ["Match", "find_candidates", "relink_command"]


@dataclass(frozen=True)
class Match:
    """A file found for an offline media entry; ``confirmed`` says it is the same media, ``reason`` why (not)."""

    media_id: str
    old_path: str
    new_path: str
    confirmed: bool
    reason: str
    media: MediaSource | None = None   # the refreshed pool entry (new path, probed facts) when confirmed


def _index(folder: Path) -> dict[str, list[Path]]:
    """Every file under ``folder`` by lower-cased name (sorted paths, so results do not depend on the disk)."""
    found: dict[str, list[Path]] = {}
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        for name in sorted(files):
            found.setdefault(name.casefold(), []).append(Path(root) / name)
    return found


def _compare(old: MediaSource, new: MediaSource, fps: Fraction) -> str | None:
    """Why ``new`` is not the media ``old`` described, or None when the facts agree."""
    if new.kind != old.kind:
        return f"is {new.kind.value}, the project had {old.kind.value}"
    if new.has_video != old.has_video or new.has_audio != old.has_audio:
        return "has different streams (picture/sound)"
    if old.width and old.height and (new.width, new.height) != (old.width, old.height):
        return f"is {new.width}x{new.height}, the project had {old.width}x{old.height}"
    if old.duration is not None and new.duration is not None and abs(new.duration - old.duration) > 1 / fps:
        return f"lasts {float(new.duration):.3f} s, the project had {float(old.duration):.3f} s"
    if (old.duration is None) != (new.duration is None):
        return "duration differs"
    return None


def _check(old: MediaSource, candidate: Path, fps: Fraction, expected_hash: str | None) -> Match:
    def match(confirmed: bool, reason: str, media: MediaSource | None = None) -> Match:
        return Match(old.id, old.path, str(candidate), confirmed, reason, media)

    try:
        info = probe(candidate)
    except MediaError as exc:
        return match(False, f"cannot be read: {exc.reason or exc}")
    fresh = media_source_from_info(info, old.id, str(candidate))
    why = _compare(old, fresh, fps)
    if why is not None:
        return match(False, f"same name but {why}")
    if expected_hash is not None:
        try:
            if content_hash(candidate) != expected_hash:
                return match(False, "same name but different content (hash differs)")
        except MediaError as exc:
            return match(False, f"cannot be read: {exc.reason or exc}")
        return match(True, "same name and content hash", fresh)
    return match(True, "same name, kind, size and duration", fresh)


def find_candidates(timeline: Timeline, folder: str | os.PathLike[str], *,
                    hashes: Mapping[str, str] | None = None) -> list[Match]:
    """For each offline media entry, the best file under ``folder`` with its name (any case): the first
    confirmed candidate, else the first one found (unconfirmed, with the reason). Entries with no file of
    that name are left out. ``hashes``: media id -> ``content_hash`` recorded earlier, checked when given."""
    index = _index(Path(folder))
    fps = timeline.settings.fps
    matches: list[Match] = []
    for media in timeline.offline_media():
        candidates = index.get(media.name.casefold(), [])
        best: Match | None = None
        for candidate in candidates:
            result = _check(media, candidate, fps, (hashes or {}).get(media.id))
            if result.confirmed:
                best = result
                break
            best = best or result
        if best is not None:
            matches.append(best)
    return matches


def relink_command(matches: Iterable[Match]) -> Command | None:
    """One undoable command relinking every confirmed match, or None when none is confirmed."""
    parts = [ReplaceMedia(m.media) for m in matches if m.confirmed and m.media is not None]
    if not parts:
        return None
    return Group(f"Relink {len(parts)} media", parts)
