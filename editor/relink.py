"""Relinking offline media: find each missing file in a folder by name, then confirm it is the same media.

``find_candidates(timeline, folder)`` searches ``folder`` recursively for files named as each offline pool
entry (case-insensitively) and confirms a candidate by what a probe says about it: the same kind, sound
and picture, the same size, and a duration within one frame of the project's. When the content hash of the
media is known (``MediaSource.content_hash``, recorded on import and kept in the project file; else a
``hashes`` mapping, media id -> ``content_hash``, given by the caller) the candidate must match it too: a
same-named file with different content is refused. Matching stays by name: a renamed copy is not looked for.
A confirmed match's ``media`` carries the hash of the file it was matched to, so the next relink can
confirm by it. ``relink_command(matches)`` gives one undoable command relinking the confirmed matches.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path

from editor.media.info import MediaError
from editor.media.probe import content_hash, media_source_from_info, probe
from editor.model import Command, Group, MediaSource, Timeline
from editor.model.commands import ReplaceMedia

__all__ = ["Match", "find_candidates", "media_hashes", "relink_command"]


@dataclass(frozen=True)
class Match:
    """A file found for an offline media entry; ``confirmed`` says it is the same media, ``reason`` why (not)."""

    media_id: str
    old_path: str
    new_path: str
    confirmed: bool
    reason: str
    media: MediaSource | None = None   # the refreshed pool entry (new path, probed facts) when confirmed
    content_hash: str | None = None    # the candidate's content hash, when it was computed
    others: tuple[str, ...] = ()       # other files of that name that also fit the facts (when ambiguous)


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
    def match(confirmed: bool, reason: str, media: MediaSource | None = None, digest: str | None = None) -> Match:
        return Match(old.id, old.path, str(candidate), confirmed, reason, media, digest)

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
            digest = content_hash(candidate)
        except MediaError as exc:
            return match(False, f"cannot be read: {exc.reason or exc}")
        if digest != expected_hash:
            return match(False, "same name but different content (content hash differs from the one recorded)",
                         digest=digest)
        return match(True, "same name and content hash", replace(fresh, content_hash=digest), digest)
    return match(True, "same name, kind, size and duration", fresh)


def _with_hash(m: Match) -> Match:
    """A facts-only confirmed match with the candidate's hash recorded (in the match and its media)."""
    if not m.confirmed or m.media is None or m.content_hash is not None:
        return m
    try:
        digest = content_hash(m.new_path)
    except MediaError:
        return m    # it probed but cannot be hashed now: relink it anyway, without a hash
    return replace(m, content_hash=digest, media=replace(m.media, content_hash=digest))


def _settle(fitting: list[Match]) -> Match:
    """Several files of one name fit the facts and no hash was recorded: hash them; identical copies confirm
    the first, files that differ in content are ambiguous (unconfirmed)."""
    hashed: list[Match] = []
    for m in fitting:
        try:
            digest = content_hash(m.new_path)
            media = None if m.media is None else replace(m.media, content_hash=digest)
            hashed.append(replace(m, content_hash=digest, media=media))
        except MediaError as exc:
            hashed.append(replace(m, confirmed=False, reason=f"cannot be read: {exc.reason or exc}", media=None))
    readable = [m for m in hashed if m.confirmed]
    if not readable:
        return hashed[0]
    first = readable[0]
    others = tuple(m.new_path for m in readable[1:])
    if len({m.content_hash for m in readable}) == 1:
        reason = f"{first.reason}; {len(readable)} identical copies (same content hash)" if others else first.reason
        return replace(first, reason=reason, others=others)
    return replace(first, confirmed=False, media=None, others=others,
                   reason=f"is ambiguous: {len(readable)} files of that name fit kind, size and duration but differ "
                          "in content, and the project keeps no content hash to tell which")


def find_candidates(timeline: Timeline, folder: str | os.PathLike[str], *,
                    hashes: Mapping[str, str] | None = None) -> list[Match]:
    """For each offline media entry, the best file under ``folder`` with its name (any case): the first
    confirmed candidate, else the first one found (unconfirmed, with the reason). Entries with no file of
    that name are left out. The expected content hash is the entry's own ``content_hash``, else
    ``hashes[media id]`` (recorded earlier by the caller); when there is one a candidate must have it. Without
    one, several files that fit the facts are told apart by their hashes (see the module notes)."""
    index = _index(Path(folder))
    fps = timeline.settings.fps
    matches: list[Match] = []
    for media in timeline.offline_media():
        candidates = index.get(media.name.casefold(), [])
        expected = media.content_hash if media.content_hash is not None else (hashes or {}).get(media.id)
        results: list[Match] = []
        for candidate in candidates:
            result = _check(media, candidate, fps, expected)
            results.append(result)
            if result.confirmed and expected is not None:
                break    # the recorded hash decides: the first file with it is the media
        fitting = [r for r in results if r.confirmed]
        if len(fitting) > 1:
            matches.append(_settle(fitting))
        elif fitting:
            matches.append(_with_hash(fitting[0]))
        elif results:
            matches.append(results[0])
    return matches


def media_hashes(timeline: Timeline, media_ids: Iterable[str] | None = None) -> dict[str, str]:
    """media id -> ``content_hash`` for the online pool entries (all, or ``media_ids``) that can be read now:
    what to keep while the files are there, to pass to ``find_candidates(hashes=...)`` later."""
    wanted = set(media_ids) if media_ids is not None else None
    out: dict[str, str] = {}
    for media in timeline.media.values():
        if not media.online or (wanted is not None and media.id not in wanted):
            continue
        try:
            out[media.id] = content_hash(media.path)
        except MediaError:
            continue
    return out


def relink_command(matches: Iterable[Match]) -> Command | None:
    """One undoable command relinking every confirmed match, or None when none is confirmed."""
    parts = [ReplaceMedia(m.media) for m in matches if m.confirmed and m.media is not None]
    if not parts:
        return None
    return Group(f"Relink {len(parts)} media", parts)
