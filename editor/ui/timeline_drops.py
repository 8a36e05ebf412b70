"""Dropping media on the timeline: from the bin (placed where it lands, snapped) or files from the file
manager (imported). A mixin of ``TimelineView``."""

from __future__ import annotations

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDropEvent

from editor.model import MediaSource, Track, TrackKind
from editor.model.commands import free_audio_track, place_media
from editor.ui.timeline_style import MEDIA_MIME, SNAP_PX


class TimelineDrops:
    """``TimelineView``'s drag-and-drop target (mixed into the widget)."""

    # --- drops ---------------------------------------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        if event.mimeData().hasFormat(MEDIA_MIME) or event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dragMoveEvent(self, event) -> None:  # noqa: N802
        event.acceptProposedAction()
        self.drop_preview = self._drop_target(event.mimeData(), event.position())
        self.drop_sound_preview = self._sound_target(event.mimeData(), self.drop_preview)
        self.update()

    def dragLeaveEvent(self, event) -> None:  # noqa: N802
        self.drop_preview = self.drop_sound_preview = None
        self.update()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        insert = bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier)
        self.drop_preview = self.drop_sound_preview = None
        if self.drop_mime(event.mimeData(), event.position(), insert=insert):
            event.acceptProposedAction()
        self.update()

    def _drop_target(self, mime: QMimeData, pos: QPointF | QPoint) -> tuple[str, int, int] | None:
        """(track id, start, end) where the bin's media would land: the track under the pointer (or the
        first of the media's kind), the frame under it snapped like a moved clip (to 0, the playhead, marks,
        clip edges). Dropped near 0 with nothing before it on the track, it starts at 0 even with snapping
        off: a first clip a few frames in leaves black frames at the start that nobody wants."""
        if not mime.hasFormat(MEDIA_MIME):
            return None
        media = self.timeline.media.get(bytes(mime.data(MEDIA_MIME).data()).decode())
        if media is None:
            return None
        pos = QPointF(pos)
        track = self._track_for(media, self.track_at(pos.y()))
        if track is None:
            return None
        length = max(1, media.duration_frames(self.timeline.fps) or int(5 * self.timeline.fps))
        start = self.frame_at(pos.x())
        snapped = self._snap_move(start, length, set())
        if snapped is not None:
            start = snapped[0]
        if start > 0 and start * self.px_per_frame <= SNAP_PX and not track.clips_in(0, start):
            start = 0
        return track.id, start, start + length

    def _sound_target(self, mime: QMimeData, target: tuple[str, int, int] | None) -> tuple[str, int, int] | None:
        """Where the sound of a video dropped at ``target`` would land (None: no sound to place apart, or on a
        new audio track)."""
        if target is None:
            return None
        media = self.timeline.media.get(bytes(mime.data(MEDIA_MIME).data()).decode())
        track_id, start, end = target
        if media is None or not (media.has_video and media.has_audio) \
                or self.timeline.track(track_id).kind is not TrackKind.VIDEO:
            return None
        sound = free_audio_track(self.timeline, start, end)
        return None if sound is None else (sound.id, start, end)

    def _track_for(self, media: MediaSource, track: Track | None) -> Track | None:
        want = TrackKind.VIDEO if media.has_video else TrackKind.AUDIO
        if track is not None and track.kind is want:
            return track
        tracks = self.timeline.video_tracks if want is TrackKind.VIDEO else self.timeline.audio_tracks
        return tracks[0] if tracks else None

    def drop_mime(self, mime: QMimeData, pos: QPointF | QPoint, *, insert: bool = False) -> bool:
        """Put the bin's media at ``pos`` (overwrite; ``insert`` pushes later clips right), or import files."""
        pos = QPointF(pos)
        if mime.hasFormat(MEDIA_MIME):
            media_id = bytes(mime.data(MEDIA_MIME).data()).decode()
            target = self._drop_target(mime, pos)
            if target is None:
                return self.place_media(media_id, self.track_at(pos.y()), self.frame_at(pos.x()), insert=insert)
            return self.place_media(media_id, self.timeline.track(target[0]), target[1], insert=insert)
        if mime.hasUrls():
            paths = [u.toLocalFile() for u in mime.urls() if u.isLocalFile()]
            if paths:
                self.media_dropped.emit(paths)
                return True
        return False

    def place_media(self, media_id: str, track: Track | None, frame: int, *, insert: bool = False) -> bool:
        """Put the media at ``frame`` on ``track`` (or the first track of its kind): a video with sound as its
        picture and its sound on an audio track, linked (see ``editor.model.commands.place_media``)."""
        media = self.timeline.media.get(media_id)
        if media is None:
            return False
        track = self._track_for(media, track)
        if track is None:
            self.message.emit(f"No {'video' if media.has_video else 'audio'} track for {media.name}")
            return False
        command, clip = place_media(self.timeline, media, track, frame, insert=insert)
        ok = self._do(command)
        if ok:
            self.select({clip.id})
        return ok

    def insert_media_at_playhead(self, media_id: str) -> bool:
        """Insert the bin's media at the playhead on the first track of its kind (its sound linked on an audio
        track): the bin's double-click and its "Insert at Playhead"."""
        return self.place_media(media_id, None, self.playhead, insert=True)
