"""The preview mix: the timeline's sound at any sample, by the exporter's rules.

The sounds come from the render plan (``editor.render.plan``), the same description the exporter's ffmpeg
graph executes: which clips sound (track mute, clip and track volume, the sound of clips on video tracks),
from which source time, from which output sample to which. The exporter mixes them with ``amix`` at
``normalize=0`` (a plain sum); so does this.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np

from editor.media.audio_decoding import AudioReader
from editor.media.info import MediaError
from editor.media.probe import probe
from editor.model import Timeline
from editor.render.plan import build_plan, output_samples


@dataclass(frozen=True)
class Voice:
    """One sound of the plan: output samples [first, end) play the media from ``source`` (a sample index)."""

    path: str
    track: str
    first: int
    end: int
    source: int
    gain: float


def has_sound(timeline: Timeline, media_id: str) -> bool:
    """What the exporter asks the probe: does this file really carry a sound stream?"""
    media = timeline.media.get(media_id)
    if media is None or not media.online:
        return False
    try:
        return probe(media.path).has_audio
    except MediaError:
        return False


def voices(timeline: Timeline, rate: int) -> list[Voice]:
    """The plan's sounds as absolute sample ranges, sorted by their first sample."""
    plan = build_plan(timeline, timeline.fps, rate, has_sound=lambda m: has_sound(timeline, m), merge=False)
    out: list[Voice] = []
    open_voice: dict[tuple[str, str], int] = {}   # (track, path) -> index in out of its latest voice
    for seg in plan.segments:
        for s in seg.sounds:
            path = timeline.media[s.media_id].path
            first = output_samples(seg.frame + s.offset, plan.fps, rate)
            end = output_samples(seg.frame + s.end, plan.fps, rate)
            source = round(s.start * rate)
            # Pieces of one clip cut apart by other tracks' edges continue each other: one voice, no seek.
            i = open_voice.get((s.track, path))
            if i is not None:
                v = out[i]
                if v.end == first and v.gain == s.gain and v.source + (v.end - v.first) == source:
                    out[i] = Voice(v.path, v.track, v.first, end, v.source, v.gain)
                    continue
            open_voice[(s.track, path)] = len(out)
            out.append(Voice(path, s.track, first, end, source, s.gain))
    out.sort(key=lambda v: v.first)
    return out


class Mixer:
    """``mix(start, count)``: (count, 2) float32 samples of the timeline from output sample ``start``.

    Readers are kept per (track, file), so a clip playing on decodes on without seeking. A file that cannot
    be decoded is silent (the viewer shows it offline). Thread-safe (one lock)."""

    def __init__(self, timeline: Timeline, rate: int = 48000) -> None:
        self.rate = rate
        self.voices = voices(timeline, rate)
        self._readers: dict[tuple[str, str], AudioReader | None] = {}
        self._lock = threading.Lock()

    def close(self) -> None:
        with self._lock:
            for r in self._readers.values():
                if r is not None:
                    r.close()
            self._readers.clear()

    def reader(self, voice: Voice) -> AudioReader | None:
        key = (voice.track, voice.path)
        if key not in self._readers:
            try:
                self._readers[key] = AudioReader(voice.path, self.rate)
            except MediaError:
                self._readers[key] = None
        return self._readers[key]

    def mix(self, start: int, count: int) -> np.ndarray:
        out = np.zeros((count, 2), np.float32)
        end = start + count
        with self._lock:
            for v in self.voices:
                if v.first >= end:
                    break
                if v.end <= start:
                    continue
                a, b = max(start, v.first), min(end, v.end)
                reader = self.reader(v)
                if reader is None:
                    continue
                block = reader.read(v.source + (a - v.first), b - a)
                if v.gain != 1.0:
                    block = block * np.float32(v.gain)
                out[a - start:b - start] += block
        return out
