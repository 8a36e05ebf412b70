"""The media side of the OTIO import: the promptcut media pool, media references to pool entries (paths
resolved, kinds guessed from the file's extension, missing media at a path no file can have), and media
lengths made to cover every clip that plays them. Mixed into the importer (``otio_import``)."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import replace
from fractions import Fraction
from typing import Any

import opentimelineio as otio

from editor.interchange.otio_common import (
    DRIVE_PATH,
    URL_SCHEME,
    file_exists,
    nowhere_path,
    our_meta,
    read_fraction,
    to_seconds,
    url_to_path,
)
from editor.model import Clip, MediaClip, MediaKind, MediaSource, Timeline, Track, TrackKind, new_id

STILL_EXTENSIONS = frozenset({"png", "jpg", "jpeg", "webp", "bmp", "tif", "tiff"})   # not gif: often animated
AUDIO_EXTENSIONS = frozenset({"wav", "mp3", "aac", "m4a", "flac", "ogg", "oga", "opus", "aif", "aiff", "wma"})


class MediaImport:
    """Media for the OTIO importer: it provides ``meta`` (the timeline's promptcut metadata), ``base_dir``,
    ``fps``, ``warn`` and ``_frame``; this keeps the pool and its look-ups."""

    meta: dict[str, Any]
    base_dir: str | None
    fps: Fraction
    warn: Callable[[str], None]
    _frame: Callable[[Fraction], int]

    def _init_media(self) -> None:
        self.media: dict[str, MediaSource] = {}
        self.pool_written: dict[str, str] = {}       # media id from our metadata -> path as written
        self.by_path: dict[str, str] = {}            # resolved path -> media id
        self.guessed: set[str] = set()               # media made from references (duration is a guess)

    def load_pool(self) -> None:
        pool = self.meta.get("media")
        if not isinstance(pool, dict):
            return
        for media_id, raw in pool.items():
            try:
                written = url_to_path(str(raw["url"]))
                kind = MediaKind(raw["kind"])
                duration = read_fraction(raw.get("duration"))
                if raw.get("duration") is not None and duration is None:
                    raise ValueError(f"bad duration {raw.get('duration')!r}")
                resolved = self.resolve(written)
                media = MediaSource(
                    id=media_id,
                    path=resolved,
                    kind=kind,
                    duration=duration,
                    has_video=bool(raw["has_video"]),
                    has_audio=bool(raw["has_audio"]),
                    width=int(raw.get("width", 0)),
                    height=int(raw.get("height", 0)),
                    online=file_exists(resolved),
                )
            except (KeyError, ValueError, TypeError) as exc:
                self.warn(f"media pool entry {media_id!r} is unreadable ({exc}); skipped")
                continue
            self.media[media_id] = media
            self.pool_written[media_id] = written
            self.by_path.setdefault(resolved, media_id)

    def resolve(self, written: str) -> str:
        if self.base_dir is not None and written and not os.path.isabs(written) and not DRIVE_PATH.match(written):
            return os.path.normpath(os.path.join(self.base_dir, written))
        return written

    def _source_in(self, trim_start: Fraction, available: otio.opentime.TimeRange | None, where: str) -> int:
        offset = trim_start - (to_seconds(available.start_time) if available is not None else 0)
        source_in = self._frame(offset)
        if source_in < 0:
            self.warn(f"{where} starts before its media; its source in was set to 0")
            source_in = 0
        return source_in

    def _media_clip(
        self, ref: Any, track: Track, common: dict[str, Any], trim_start: Fraction, where: str, name: str
    ) -> Clip | None:
        available = None
        if isinstance(ref, otio.schema.ExternalReference):
            media_id = self._external_media(ref, track, where)
            if media_id is None:
                return None
            available = ref.available_range
        else:
            if isinstance(ref, otio.schema.MissingReference):
                self.warn(f"{where} has no media (MissingReference); kept on offline media")
            else:
                kind = ref.schema_name() if ref is not None else "no reference"
                self.warn(f"{where}: {kind} is not supported; kept on offline media")
            meta_id = our_meta(ref).get("media_id") if ref is not None else None
            if isinstance(meta_id, str) and meta_id in self.media and self._fits(self.media[meta_id], track):
                media_id = meta_id
            else:
                media_id = self._missing_media(name, track, ref)
            available = getattr(ref, "available_range", None)
        source_in = self._source_in(trim_start, available, where)
        if self.media[media_id].kind is MediaKind.IMAGE:
            source_in = 0   # a still has no time of its own
        return MediaClip(**common, source_in=source_in, media=media_id)

    def _missing_media(self, name: str, track: Track, ref: Any) -> str:
        media_id = new_id("m")
        video = track.kind is TrackKind.VIDEO
        duration = None
        available = getattr(ref, "available_range", None)
        if available is not None:
            duration = to_seconds(available.duration)
        self.media[media_id] = MediaSource(
            id=media_id,
            path=nowhere_path(name),
            kind=MediaKind.VIDEO if video else MediaKind.AUDIO,
            duration=duration,
            has_video=video,
            has_audio=True,
            online=False,
        )
        self.guessed.add(media_id)
        return media_id

    def _external_media(
        self, ref: otio.schema.ExternalReference, track: Track, where: str, wanted_id: str | None = None
    ) -> str | None:
        url = ref.target_url or ""
        if not url:
            self.warn(f"{where}: media reference without a URL; kept on offline media")
            return self._missing_media(ref.name, track, ref)
        if URL_SCHEME.match(url) and not url.lower().startswith("file:") and not DRIVE_PATH.match(url):
            self.warn(f"{where}: remote media {url!r} is not supported; kept as offline media")
        written = url_to_path(url)
        resolved = self.resolve(written)
        meta_id = our_meta(ref).get("media_id", wanted_id)
        media_id: str | None = None
        if isinstance(meta_id, str) and self.pool_written.get(meta_id) == written:
            media_id = meta_id
        elif resolved in self.by_path:
            media_id = self.by_path[resolved]
        if media_id is None:
            media_id = self._new_media(ref, written, resolved, meta_id)
        media = self.media[media_id]
        if not self._fits(media, track):
            what = "no sound" if track.kind is TrackKind.AUDIO else "no picture"
            self.warn(f"{where}: {media.name!r} has {what} for a {track.kind.value} track; left out")
            return None
        return media_id

    def _new_media(self, ref: otio.schema.ExternalReference, written: str, resolved: str, meta_id: Any) -> str:
        media_id = meta_id if isinstance(meta_id, str) and meta_id and meta_id not in self.media else new_id("m")
        ext = _extension(written)
        kind = (
            MediaKind.IMAGE if ext in STILL_EXTENSIONS else MediaKind.AUDIO if ext in AUDIO_EXTENSIONS
            else MediaKind.VIDEO
        )
        duration = None
        available = ref.available_range
        if available is not None and kind is not MediaKind.IMAGE:
            duration = to_seconds(available.duration)
        self.media[media_id] = MediaSource(
            id=media_id,
            path=resolved,
            kind=kind,
            duration=duration,
            has_video=kind is not MediaKind.AUDIO,
            has_audio=kind is not MediaKind.IMAGE,
            online=file_exists(resolved),
        )
        self.by_path[resolved] = media_id
        self.guessed.add(media_id)
        return media_id

    @staticmethod
    def _fits(media: MediaSource, track: Track) -> bool:
        return media.has_audio if track.kind is TrackKind.AUDIO else media.has_video

    def _fit_media_durations(self, timeline: Timeline) -> None:
        """Media must cover every clip that plays it: a missing or short duration becomes a lower bound."""
        needed: dict[str, int] = {}
        for _, clip in timeline.clips():
            media_id = clip.media_id()
            if media_id is not None:
                needed[media_id] = max(needed.get(media_id, 0), clip.source_in + clip.source_frames)
        for media_id, frames in needed.items():
            media = timeline.media[media_id]
            if media.kind is MediaKind.IMAGE:
                continue
            have = media.duration_frames(self.fps)
            if have is not None and have >= frames:
                continue
            if media.duration is None and media_id not in self.guessed:
                continue   # unknown length in our own pool: unbounded, leave it as it was
            if have is not None:
                self.warn(f"media {media.name!r} is shorter than its clips in the file; its length was extended")
            timeline.media[media_id] = replace(media, duration=Fraction(frames) / self.fps)


def _extension(path: str) -> str:
    name = path.replace("\\", "/").rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""
