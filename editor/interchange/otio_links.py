"""Linked clips in OpenTimelineIO: a clip's ``link`` and ``sound_detached`` ride in its promptcut metadata
(OTIO has no notion of linked clips), and an import unlinks groups that did not arrive whole."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from editor.model import Clip, Timeline, TrackKind


def link_meta(clip: Clip) -> dict[str, Any]:
    """The metadata keys for ``clip``'s link (none for an unlinked clip with its own sound)."""
    meta: dict[str, Any] = {}
    if clip.link is not None:
        meta["link"] = clip.link
    if clip.sound_detached:
        meta["sound_detached"] = True
    return meta


def read_link(meta: dict[str, Any], kind: TrackKind) -> dict[str, Any]:
    """``link`` and ``sound_detached`` for a clip read from ``meta`` onto a track of ``kind``; anything odd
    reads as unlinked (a foreign tool may have copied or edited the metadata)."""
    link = meta.get("link")
    return {"link": link if isinstance(link, str) and link else None,
            "sound_detached": meta.get("sound_detached") is True and kind is TrackKind.VIDEO}


def settle_links(timeline: Timeline, warn: Callable[[str], None]) -> None:
    """Unlink what cannot stay linked after an import: a clip whose partners were left out (or edited away in
    another tool), and the extra clips of a group on one track."""
    groups: dict[str, list[tuple[int, int, Clip]]] = {}   # link -> (track index, clip index, clip)
    tracks = timeline.tracks
    for ti, track in enumerate(tracks):
        seen: set[str] = set()
        for ci, clip in enumerate(track.clips):
            if clip.link is None:
                continue
            if clip.link in seen:
                warn(f"clip {clip.name or clip.id!r} on {track.name}: a second clip of its link group on one track; "
                     f"unlinked")
                track.clips[ci] = clip.moved(link=None)
                continue
            seen.add(clip.link)
            groups.setdefault(clip.link, []).append((ti, ci, clip))
    for members in groups.values():
        if len(members) == 1:
            ti, ci, clip = members[0]
            warn(f"clip {clip.name or clip.id!r} on {tracks[ti].name}: its linked clips are missing; unlinked")
            tracks[ti].clips[ci] = clip.moved(link=None)
