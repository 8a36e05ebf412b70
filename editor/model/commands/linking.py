"""Linking clips so that they are edited together (a video's picture and its sound), and unlinking them."""

from __future__ import annotations

from collections.abc import Iterable

from editor.model.clips import Clip
from editor.model.commands.base import Command, EditError, Plan, clip_name, editable_clip, editable_partners
from editor.model.timeline import Timeline, Track, new_id


def one_per_link(clips: Iterable[Clip]) -> list[Clip]:
    """``clips`` with only the first of each link group kept: a command on one of them acts on its whole
    group, so a command per clip would do it twice."""
    seen: set[str] = set()
    out: list[Clip] = []
    for clip in clips:
        if clip.link is not None:
            if clip.link in seen:
                continue
            seen.add(clip.link)
        out.append(clip)
    return out


def _relinked(p: Plan, changes: dict[str, tuple[Track, dict[str, str | None]]]) -> None:
    """Set the ``link`` of clips, grouped by track: {track id: (track, {clip id: link})}."""
    for track, links in changes.values():
        p.set_clips(track, [c.moved(link=links[c.id]) if c.id in links else c for c in track.clips])


class Link(Command):
    """Link clips (two or more, on different tracks) so that moves, trims, splits and deletes act on all of
    them. A clip already linked leaves its old group for the new one (``link_id``)."""

    label = "Link"

    def __init__(self, clip_ids: Iterable[str], *, link_id: str | None = None):
        self.clip_ids = list(clip_ids)
        self.link_id = link_id or new_id("l")

    def plan(self, tl: Timeline, p: Plan) -> None:
        found = [editable_clip(tl, cid) for cid in dict.fromkeys(self.clip_ids)]
        if len(found) < 2:
            raise EditError("select two clips or more to link")
        by_track: dict[str, tuple[Track, dict[str, str | None]]] = {}
        for track, clip in found:
            if track.id in by_track:
                other = next(iter(by_track[track.id][1]))
                raise EditError(f"{clip_name(clip)} and clip {other} are on the same track {track.name or track.id}:"
                                f" linked clips are on different tracks")
            by_track[track.id] = (track, {clip.id: self.link_id})
        _relinked(p, by_track)


class Unlink(Command):
    """Undo a link: the clip and the clips linked to it are edited one by one again. A video's detached sound
    stays detached (its sound is still heard from the audio clip, once)."""

    label = "Unlink"

    def __init__(self, clip_id: str):
        self.clip_id = clip_id

    def plan(self, tl: Timeline, p: Plan) -> None:
        track, clip = editable_clip(tl, self.clip_id)
        if clip.link is None:
            raise EditError(f"{clip_name(clip)} is not linked")
        by_track: dict[str, tuple[Track, dict[str, str | None]]] = {track.id: (track, {clip.id: None})}
        for t, c in editable_partners(tl, clip):
            by_track[t.id] = (t, {c.id: None})
        _relinked(p, by_track)
