"""Small builders for tests and examples: media, clips and timelines with readable, fixed ids.

    tl = timeline(media=[video("cam", frames=300), still("logo"), sound("music", frames=900)])
    tl.video_tracks[0].add(clip("cam", 0, 100))

Tracks are named and identified V1, V2, ... and A1, A2, ... (video index 0 is the bottom layer).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from fractions import Fraction

from editor.model.clips import GeneratedClip, GenerationSpec, MediaClip, Take
from editor.model.media import MediaKind, MediaSource
from editor.model.timeline import Settings, Timeline, Track, TrackKind

_counter = itertools.count(1)


def video(media_id: str, frames: int = 300, fps: int | Fraction = 30, *, audio: bool = True,
          online: bool = True) -> MediaSource:
    """A video file lasting ``frames`` frames at ``fps`` (with sound unless ``audio=False``)."""
    return MediaSource(media_id, f"/media/{media_id}.mp4", MediaKind.VIDEO, Fraction(frames) / Fraction(fps),
                       has_video=True, has_audio=audio, width=1920, height=1080, online=online)


def sound(media_id: str, frames: int = 300, fps: int | Fraction = 30) -> MediaSource:
    """An audio-only file lasting ``frames`` frames at ``fps``."""
    return MediaSource(media_id, f"/media/{media_id}.wav", MediaKind.AUDIO, Fraction(frames) / Fraction(fps),
                       has_video=False, has_audio=True)


def still(media_id: str) -> MediaSource:
    """A still image: no duration, any clip length."""
    return MediaSource(media_id, f"/media/{media_id}.png", MediaKind.IMAGE, None, has_video=True,
                       has_audio=False, width=1080, height=1920)


def clip(media_id: str, start: int, duration: int, source_in: int = 0, *, clip_id: str | None = None,
         name: str = "") -> MediaClip:
    return MediaClip(clip_id or f"c{next(_counter)}", start, duration, source_in, name=name, media=media_id)


def generated(start: int, duration: int, prompt: str = "a red kite over the sea", *, clip_id: str | None = None,
              takes: Iterable[Take] = (), active_take: int | None = None, source_in: int = 0) -> GeneratedClip:
    return GeneratedClip(clip_id or f"g{next(_counter)}", start, duration, source_in,
                         spec=GenerationSpec(prompt=prompt, seed=1), takes=tuple(takes), active_take=active_take)


def timeline(video_tracks: int = 2, audio_tracks: int = 1, *, fps: int | Fraction = 30,
             media: Iterable[MediaSource] = ()) -> Timeline:
    """An empty timeline with tracks V1.. and A1.. (ids equal names) and the given media in the pool."""
    tl = Timeline(settings=Settings(fps=Fraction(fps)))
    tl.video_tracks = [Track(f"V{i + 1}", TrackKind.VIDEO, f"V{i + 1}") for i in range(video_tracks)]
    tl.audio_tracks = [Track(f"A{i + 1}", TrackKind.AUDIO, f"A{i + 1}") for i in range(audio_tracks)]
    for m in media:
        tl.media[m.id] = m
    return tl


def spans(tl: Timeline, track_id: str) -> list[tuple[str, int, int, int]]:
    """(clip id, start, end, source_in) for each clip on a track: a compact thing to assert on."""
    return [(c.id, c.start, c.end, c.source_in) for c in tl.track(track_id).clips]
