"""The timeline's context menus (track headers, gaps, clips) and the gap look-ups they use. A mixin of
``TimelineView``."""

from __future__ import annotations

import bisect
from collections.abc import Callable

from PySide6.QtCore import QPointF
from PySide6.QtWidgets import QInputDialog, QMenu

from editor.model import Clip, Group, Marker, MediaSource, Track, TrackKind
from editor.model.commands import AddTrack, EditMarker, Link, Move, RemoveTrack, Unlink
from editor.model.time import timecode
from editor.ui.media_bin import reveal_in_file_manager
from editor.ui.timeline_style import HEADER_W


class TimelineMenus:
    """``TimelineView``'s context menus (mixed into the widget)."""

    def gap_at(self, pos: QPointF) -> tuple[str, int, int] | None:
        """(track id, start, end) of the empty stretch of a video track under ``pos``. After the last clip the
        gap runs to the end of the picture, or five seconds when the track is empty there."""
        track = self.track_at(pos.y())
        if track is None or track.kind is not TrackKind.VIDEO or track.locked or self.clip_at(pos) is not None:
            return None
        return self.gap_around(track, self.frame_at(pos.x()))

    def gap_between(self, track: Track, frame: int) -> tuple[str, int, int] | None:
        """(track id, start, end) of the empty stretch at ``frame`` that a later clip ends; None in a clip or
        after the last one."""
        if track.clip_at(frame) is not None:
            return None
        i = bisect.bisect_right(self.starts(track), frame)
        if i >= len(track.clips):
            return None
        start = track.clips[i - 1].end if i > 0 else 0
        return (track.id, start, track.clips[i].start) if track.clips[i].start > start else None

    def gap_around(self, track: Track, frame: int) -> tuple[str, int, int] | None:
        """Like ``gap_between``, and after the last clip up to the end of the picture (five seconds where the
        track is empty there): where a generated shot can go."""
        if track.clip_at(frame) is not None:
            return None
        between = self.gap_between(track, frame)
        if between is not None:
            return between
        start = track.clips[-1].end if track.clips else 0
        picture = max((t.end for t in self.timeline.video_tracks), default=0)
        end = picture if picture > frame else frame + int(5 * self.timeline.fps)
        if start < frame - int(10 * self.timeline.fps):
            start = frame   # far past the last clip: start where the user asked, not at the old end
        return (track.id, start, end) if end > start else None

    def header_entries(self, track: Track) -> list[tuple[str, Callable[[], object] | None]]:
        """The track header's menu: add tracks (beside this one), remove this one (undoable)."""
        kind = track.kind
        same = self.timeline.video_tracks if kind is TrackKind.VIDEO else self.timeline.audio_tracks
        index = same.index(track)
        where = "Above" if kind is TrackKind.VIDEO else "Below"
        return [(f"Add {kind.value.title()} Track {where}", lambda: self._do(AddTrack(kind, index + 1))),
                ("Add Video Track" if kind is TrackKind.AUDIO else "Add Audio Track",
                 lambda: self._do(AddTrack(TrackKind.AUDIO if kind is TrackKind.VIDEO else TrackKind.VIDEO))),
                ("", None),
                (f"Delete Track {track.name or track.id}" + (f" and its {len(track.clips)} clips" if track.clips
                                                             else ""), lambda: self._do(RemoveTrack(track.id)))]

    def _popup(self, entries: list[tuple[str, Callable[[], object] | None]], global_pos) -> None:
        menu = QMenu(self)
        for text, callback in entries:
            if callback is None:
                menu.addSeparator()
            else:
                menu.addAction(text).triggered.connect(lambda _=False, cb=callback: cb())
        self.context_menu = menu   # kept so tests can find and trigger its actions
        menu.popup(global_pos)

    def contextMenuEvent(self, event) -> None:  # noqa: N802
        pos = QPointF(event.pos())
        track = self.track_at(pos.y())
        if track is not None and pos.x() < HEADER_W:
            self._popup(self.header_entries(track), event.globalPos())
            return
        if track is None or pos.x() < HEADER_W:
            return
        hit = self.clip_at(pos)
        clip = hit[1] if hit is not None else None
        if clip is not None and clip.id not in self.selected:
            self.select({clip.id})
        frame = self.frame_at(pos.x())
        entries = list(self.context_entries(track, clip, frame)) if self.context_entries is not None else []
        if clip is not None:   # the clip's own edits first, then what the window adds (a generated shot's)
            entries = [*self.clip_entries(clip), *([("", None)] if entries else []), *entries]
        gap = self.gap_between(track, frame) if clip is None else None
        if gap is not None:
            entries = [("Close Gap", lambda: self.close_gap(gap[0], gap[1], gap[2])), *([("", None)] if entries
                                                                                       else []), *entries]
        if entries:
            self._popup(entries, event.globalPos())

    def clip_entries(self, clip: Clip) -> list[tuple[str, Callable[[], object] | None]]:
        """A clip's menu: clipboard and delete (on the selection, which holds the clip), split where the
        playhead crosses it, link and unlink, and where its media is."""
        entries: list[tuple[str, Callable[[], object] | None]] = [
            ("Cut", self.cut_selected), ("Copy", self.copy_selected), ("Delete", self.delete_selected),
            ("Ripple Delete", lambda: self.delete_selected(ripple=True))]
        if clip.start < self.playhead < clip.end:
            entries.append(("Split at Playhead", self.split_at_playhead))
        linking: list[tuple[str, Callable[[], object] | None]] = []
        if clip.link is not None:
            linking.append(("Unlink", lambda: self._do(Unlink(clip.id))))
        to_link = self.linkable_selection()
        if to_link:
            linking.append(("Link", lambda: self._do(Link([c.id for c in to_link]))))
        media = self.timeline.media.get(clip.media_id() or "")
        where: list[tuple[str, Callable[[], object] | None]] = []
        if media is not None:
            where = [("Reveal in Bin", lambda: self.reveal_in_bin.emit(media.id)),
                     ("Reveal in File Manager", lambda: self.reveal_file(media))]
        for more in (linking, where):
            if more:
                entries += [("", None), *more]
        return entries

    def linkable_selection(self) -> list[Clip]:
        """The selected clips when Link applies to them: two or more, on different tracks, not one group yet."""
        chosen = self.selected_clips()
        tracks = {t.id for t, _ in chosen}
        links = {c.link for _, c in chosen}
        if len(chosen) < 2 or len(tracks) < len(chosen) or (len(links) == 1 and None not in links):
            return []
        return [c for _, c in chosen]

    def reveal_file(self, media: MediaSource) -> bool:
        ok, text = reveal_in_file_manager(media.path)
        if not ok:
            self.message.emit(text)
        return ok

    def close_gap(self, track_id: str, start: int, end: int) -> bool:
        """Ripple the clips after an empty stretch of a track back over it (one undo step)."""
        track = self.timeline.track(track_id)
        later = sorted((c for c in track.clips if c.start >= end), key=lambda c: c.start)
        if not later or track.clips_in(start, end):
            return False
        by = end - start
        return self._do(Group("Close gap", [Move(c.id, None, c.start - by) for c in later]))

    def rename_marker(self, marker: Marker) -> bool:
        name = self.ask_marker_name(marker)
        if name is None or name == marker.name:
            return False
        return self._do(EditMarker(marker, name=name))

    def ask_marker_name(self, marker: Marker) -> str | None:
        """The marker's new name, or None when the user cancels (tests replace this)."""
        name, ok = QInputDialog.getText(self, "Marker", f"Name of the marker at "
                                        f"{timecode(marker.frame, self.timeline.fps)}:", text=marker.name)
        return name.strip() if ok else None
