"""The timeline's context menus (track headers, gaps, clips) and the gap look-ups they use. A mixin of
``TimelineView``."""

from __future__ import annotations

import bisect
from collections.abc import Callable
from fractions import Fraction

from PySide6.QtCore import QPointF
from PySide6.QtWidgets import QInputDialog, QMenu

from editor.model import Clip, Group, Marker, MediaSource, TextClip, Track, TrackKind
from editor.model.commands import (
    AddTrack,
    AddTransition,
    EditMarker,
    Link,
    Move,
    RemoveTrack,
    SetClipProperties,
    SetSpeed,
    Unlink,
)
from editor.model.effects import IDENTITY, parse_speed
from editor.model.keyframe_edit import TRANSITION_NAMES, default_transition
from editor.model.keyframes import Curve
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

    def _popup(self, entries: list, global_pos) -> None:
        menu = QMenu(self)
        _fill_menu(menu, entries)
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

    def clip_entries(self, clip: Clip) -> list:
        """A clip's menu: clipboard and delete (on the selection, which holds the clip), split where the
        playhead crosses it, Enable (checked while the clip is on), link and unlink, and where its media is."""
        entries: list = [
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
        effects = self.effect_entries(clip)
        entries += [("", None), ("Enable", self.toggle_enabled_selected, clip.enabled)]   # checkable, Shift+E
        for more in (effects, linking, where):
            if more:
                entries += [("", None), *more]
        return entries

    def effect_entries(self, clip: Clip) -> list:
        """Speed ▸, Add transition ▸ (where a clip ends at this one's head), fades and Remove effects. An entry
        whose second item is a list is a submenu."""
        track, _ = self.timeline.find(clip.id)
        entries: list = []
        if not isinstance(clip, TextClip) and clip.media_id() is not None and not self.timeline.is_still(clip):
            speeds: list = [(f"{label}x", lambda s=s: self._do(SetSpeed(clip.id, s)))
                            for label, s in (("0.25", Fraction(1, 4)), ("0.5", Fraction(1, 2)), ("1", Fraction(1)),
                                             ("2", Fraction(2)), ("4", Fraction(4)))]
            speeds += [("Custom…", lambda: self.custom_speed(clip.id)), ("", None),
                       ("Play Forwards" if clip.reverse else "Reverse",
                        lambda: self._do(SetSpeed(clip.id, clip.speed, reverse=not clip.reverse))),
                       ("Unfreeze" if clip.speed == 0 else "Freeze Frame",
                        lambda: self._do(SetSpeed(clip.id, Fraction(1) if clip.speed == 0 else Fraction(0))))]
            entries.append(("Speed", speeds))
        i = track.clips.index(clip)
        if i > 0 and track.clips[i - 1].end == clip.start:
            previous = track.clips[i - 1]
            entries.append(("Add Transition", [
                (name, lambda k=kind: self._do(AddTransition(clip.id, default_transition(
                    previous, clip, k, self.timeline.fps)))) for kind, name in TRANSITION_NAMES.items()]))
        half = max(1, round(float(self.timeline.fps) / 2))
        entries.append(("Fade In", lambda: self._do(SetClipProperties(
            clip.id, fade_in=min(half, clip.duration), label="Fade in"))))
        entries.append(("Fade Out", lambda: self._do(SetClipProperties(
            clip.id, fade_out=min(half, clip.duration), label="Fade out"))))
        if has_effects(clip):
            entries.append(("Remove Effects", lambda: self.remove_effects(clip.id)))
        return entries

    def selection_enabled(self) -> bool:
        """Whether Enable shows checked: every selected clip is enabled (or nothing is selected)."""
        return all(c.enabled for _, c in self.selected_clips())

    def toggle_enabled_selected(self) -> bool:
        """Clip ▸ Enable (Shift+E): disable the selected clips when all are enabled, else enable them all; one
        undo step. A disabled clip stays on the timeline but is neither drawn nor heard."""
        chosen = [c for t, c in self.selected_clips() if not t.locked]
        if not chosen:
            self.message.emit("Select a clip on an unlocked track first")
            return False
        on = not all(c.enabled for c in chosen)
        commands = [SetClipProperties(c.id, enabled=on) for c in chosen if c.enabled != on]
        label = f"{'Enable' if on else 'Disable'} {len(commands)} clip{'s' if len(commands) > 1 else ''}"
        return self._do(Group(label, commands))

    def custom_speed(self, clip_id: str) -> bool:
        text = self.ask_speed()
        if text is None:
            return False
        try:
            speed = parse_speed(text)
        except ValueError as exc:
            self.message.emit(str(exc))
            return False
        return self._do(SetSpeed(clip_id, speed))

    def ask_speed(self) -> str | None:
        """The speed the user typed ("2", "50%", "0.75"), or None when cancelled (tests replace this)."""
        text, ok = QInputDialog.getText(self, "Speed", "Speed (0.1x to 10x, e.g. 2, 0.5 or 50%):", text="1")
        return text if ok else None

    def remove_effects(self, clip_id: str) -> bool:
        """Speed back to 1x forwards, no transform, fades, gain or transition: one undo step."""
        _, clip = self.timeline.find(clip_id)
        commands: list = []
        if clip.retimed or clip.speed == 0:
            commands.append(SetSpeed(clip.id, Fraction(1), reverse=False))
        changes: dict = {k: v for k, v in (("transform", IDENTITY), ("fade_in", 0), ("fade_out", 0),
                                           ("gain", Curve(0.0))) if getattr(clip, k) != v}
        if clip.interpolation:
            changes["interpolation"] = ""
        if changes:
            commands.append(SetClipProperties(clip.id, **changes))
        if clip.transition is not None:
            commands.append(AddTransition(clip.id, None))
        if not commands:
            return False
        return self._do(Group("Remove effects", commands))

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


def has_effects(clip: Clip) -> bool:
    """Whether Remove Effects has anything to remove."""
    return (clip.retimed or clip.speed == 0 or clip.interpolation != "" or clip.transform != IDENTITY
            or bool(clip.fade_in or clip.fade_out) or clip.gain != Curve(0.0) or clip.transition is not None)


def _fill_menu(menu: QMenu, entries: list) -> None:
    """(text, callback) entries as actions; (text, None) as separators; (text, [entries]) as submenus;
    (text, callback, checked) as a checkable action."""
    for text, callback, *checked in entries:
        if callback is None:
            menu.addSeparator()
        elif isinstance(callback, list):
            _fill_menu(menu.addMenu(text), callback)
        else:
            action = menu.addAction(text)
            if checked:
                action.setCheckable(True)
                action.setChecked(bool(checked[0]))
            action.triggered.connect(lambda _=False, cb=callback: cb())
