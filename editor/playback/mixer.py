"""The preview mix: the timeline's sound at any sample, by the exporter's rules.

The sounds come from the render plan (``editor.render.plan``), the same description the exporter's ffmpeg
graph executes: which clips sound (track mute, clip and track volume, the sound of clips on video tracks),
from which source time, from which output sample to which. The exporter mixes them with ``amix`` at
``normalize=0`` (a plain sum); so does this.

Each sound's gain is the plan's ``SoundLayer.gain_at`` per sample (keyframed levels, fades, crossfades),
computed by ``editor.media.sound_gain`` from the same definition as the exporter's expression. A sped,
slowed or reversed sound goes through the exporter's own filters (``editor.playback.timed_sound``); a freeze
frame is silent, as exported.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from editor.media.audio_decoding import AudioReader
from editor.media.info import MediaError
from editor.media.probe import probe
from editor.media.sound_gain import animated, gain_values
from editor.model import Timeline
from editor.playback.timed_sound import TimedSound
from editor.render.plan import SoundLayer, build_plan, output_samples


@dataclass(frozen=True)
class Voice:
    """One sound of the plan: output samples [first, end) play the media from ``source`` (a sample index)."""

    path: str
    track: str
    first: int
    end: int
    source: int
    gain: float                       # the constant gain (when ``layer``'s gain is not animated)
    layer: SoundLayer | None = None   # the plan's layer it began with: gain curves, timing
    fps: Fraction = Fraction(0)       # the plan's frame rate

    @property
    def timed(self) -> bool:
        """Sped, slowed or reversed: read through the exporter's filters."""
        return self.layer is not None and self.layer.timing.speed != 1

    def gains(self, a: int, b: int, rate: int) -> np.ndarray | float:
        """Gain of output samples [a, b): per sample when animated, counted from the voice's first sample in
        clip frames, as the exporter counts them."""
        layer = self.layer
        if layer is None or not animated(layer.levels, layer.envelope):
            return self.gain
        t = layer.timing
        frames = float(t.clip_frame) + np.arange(a - self.first, b - self.first, dtype=np.float64) * \
            float(self.fps * t.rate) / rate
        return gain_values(layer.gain, layer.levels, layer.envelope, frames).astype(np.float32)[:, None]


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
    """The plan's sounds as absolute sample ranges, sorted by their first sample. The plan is made as the
    exporter makes it (merged segments), so a sped sound restarts its stretch where the export's does."""
    plan = build_plan(timeline, timeline.fps, rate, has_sound=lambda m: has_sound(timeline, m))
    out: list[Voice] = []
    open_voice: dict[tuple[str, str], int] = {}   # (track, path) -> index in out of its latest voice
    for seg in plan.segments:
        for s in seg.sounds:
            if s.timing.speed == 0:
                continue                           # a freeze frame is silent
            path = timeline.media[s.media_id].path
            first = output_samples(seg.frame + s.offset, plan.fps, rate)
            end = output_samples(seg.frame + s.end, plan.fps, rate)
            source = round(s.start * rate)
            gain = s.gain_at(0)
            # Pieces of one sound cut apart by other tracks' edges continue each other: one voice, no seek.
            i = open_voice.get((s.track, path))
            if i is not None and s.timing.speed == 1:
                v = out[i]
                same_gain = (not animated(s.levels, s.envelope) and not v.timed and v.gain == gain
                             and (v.layer is None or not animated(v.layer.levels, v.layer.envelope))) or \
                    (v.layer is not None and v.layer.timing.clip_id == s.timing.clip_id and not v.timed
                     and (v.layer.levels, v.layer.envelope, v.layer.gain) == (s.levels, s.envelope, s.gain))
                if v.end == first and same_gain and v.source + (v.end - v.first) == source:
                    out[i] = Voice(v.path, v.track, v.first, end, v.source, v.gain, v.layer, v.fps)
                    continue
            open_voice[(s.track, path)] = len(out)
            out.append(Voice(path, s.track, first, end, source, gain, s, plan.fps))
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
        self._timed: dict[int, TimedSound | None] = {}     # by index in self.voices
        self._lock = threading.Lock()

    def close(self) -> None:
        with self._lock:
            for r in self._readers.values():
                if r is not None:
                    r.close()
            self._readers.clear()
            for t in self._timed.values():
                if t is not None:
                    t.reader.close()
            self._timed.clear()

    def reader(self, voice: Voice) -> AudioReader | None:
        key = (voice.track, voice.path)
        if key not in self._readers:
            try:
                self._readers[key] = AudioReader(voice.path, self.rate)
            except MediaError:
                self._readers[key] = None
        return self._readers[key]

    def timed(self, n: int) -> TimedSound | None:
        """Voice ``n``'s own stretch (its own reader: it reads its range in its own order)."""
        if n not in self._timed:
            v = self.voices[n]
            try:
                reader = AudioReader(v.path, self.rate)
            except MediaError:
                self._timed[n] = None
            else:
                layer = v.layer
                self._timed[n] = TimedSound(reader, layer.start, layer.frames, layer.timing.speed, v.fps, self.rate)
        return self._timed[n]

    def mix(self, start: int, count: int) -> np.ndarray:
        out = np.zeros((count, 2), np.float32)
        end = start + count
        with self._lock:
            for n, v in enumerate(self.voices):
                if v.first >= end:
                    break
                if v.end <= start:
                    continue
                a, b = max(start, v.first), min(end, v.end)
                if v.timed:
                    timed = self.timed(n)
                    if timed is None:
                        continue
                    block = timed.read(a - v.first, b - a)
                else:
                    reader = self.reader(v)
                    if reader is None:
                        continue
                    block = reader.read(v.source + (a - v.first), b - a)
                gain = v.gains(a, b, self.rate)
                if not isinstance(gain, float) or gain != 1.0:
                    block = block * (gain if not isinstance(gain, float) else np.float32(gain))
                out[a - start:b - start] += block
        return out
