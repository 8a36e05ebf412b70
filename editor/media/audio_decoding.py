"""Sound of a media file as float32 stereo at one sample rate, read by sample position: for the player's mix.

The exporter's rules (``editor.render.ffgraph``): the source is resampled to the output rate, a mono source
is copied to both channels (``pan=stereo|c0=c0|c1=c0``), more channels are downmixed to stereo by
libswresample, and past the end of the sound there is silence (``apad``). Positions are samples at the
output rate counted from the file's time zero, so a clip's source-in converts exactly.

A reader keeps its file open and remembers where it is: the next block of a playing timeline decodes on from
there; only a jump backwards or far ahead seeks (to a little before the wanted sample, then decodes forward).
"""

from __future__ import annotations

from fractions import Fraction

import av
import numpy as np

from editor.media.decoding import failure_text, open_file
from editor.media.info import MediaError

# Jumps further ahead than this (in seconds) seek instead of decoding through.
SEEK_AHEAD = 2
# Seek this far before the wanted sample: audio packets are short, but a codec's priming needs a margin.
PRE_ROLL = Fraction(1, 5)


class AudioReader:
    """One open sound stream. Not thread-safe: one reader per playing voice."""

    def __init__(self, path: str, rate: int = 48000) -> None:
        self.path = path
        self.rate = rate
        try:
            self.container = open_file(path)
            self.stream = self.container.streams.audio[0]
        except (av.FFmpegError, IndexError, OSError) as exc:
            text = failure_text(exc)
            raise MediaError(f"{path}: cannot decode its sound ({text})", path=path, reason=text) from None
        self.stream.thread_type = "AUTO"
        self.mono = (self.stream.codec_context.layout.nb_channels or 2) == 1
        self.time_base = Fraction(self.stream.time_base or Fraction(1, self.rate))
        start = self.container.start_time
        self.origin = Fraction(start, 1_000_000) if start is not None else Fraction(0)
        self.seeks = 0
        self._pos = 0                                    # sample index of self._buf[0]
        self._buf = np.zeros((0, 2), np.float32)
        self._frames = None                              # decode iterator after the last seek
        self._resampler: av.AudioResampler | None = None
        self._ended = True

    def close(self) -> None:
        self.container.close()

    def read(self, start: int, count: int) -> np.ndarray:
        """``count`` samples (rows of [left, right]) from sample ``start``: silence before 0 and past the end."""
        out = np.zeros((count, 2), np.float32)
        if count <= 0:
            return out
        lo = max(0, start)
        if self._frames is None or lo < self._pos or lo > self._pos + len(self._buf) + SEEK_AHEAD * self.rate:
            self._seek(lo)
        while self._pos + len(self._buf) < start + count and not self._ended:
            self._decode_more()
        # Keep what the next read needs; drop what lies before this block.
        a, b = max(0, start - self._pos), max(0, start + count - self._pos)
        part = self._buf[a:b]
        at = self._pos + a - start
        out[at:at + len(part)] = part
        if a > 0:
            self._buf = self._buf[a:]
            self._pos += a
        return out

    def _seek(self, sample: int) -> None:
        self.seeks += 1
        target = max(Fraction(0), Fraction(sample, self.rate) - PRE_ROLL)
        ticks = int((target + self.origin) / self.time_base)
        try:
            self.container.seek(ticks, stream=self.stream, backward=True, any_frame=False)
        except av.FFmpegError:
            self.container.seek(0)
        self._frames = self.container.decode(self.stream)
        self._resampler = av.AudioResampler(format="flt", layout="mono" if self.mono else "stereo", rate=self.rate)
        self._buf = np.zeros((0, 2), np.float32)
        self._pos = None  # set from the first decoded frame's time
        self._ended = False
        self._decode_more()
        if self._pos is None:
            self._pos = sample

    def _decode_more(self) -> None:
        try:
            frame = next(self._frames)
        except StopIteration:
            frame = None
        except av.FFmpegError:
            frame = None   # a damaged tail: silence from here
        if frame is None:
            self._ended = True
            self._append(self._resampler.resample(None) if self._resampler else [])
            return
        if self._pos is None:
            t = (frame.pts * self.time_base - self.origin) if frame.pts is not None else Fraction(0)
            self._pos = round(t * self.rate)
        self._append(self._resampler.resample(frame))

    def _append(self, frames) -> None:
        for f in frames:
            arr = f.to_ndarray().reshape(-1, 1 if self.mono else 2).astype(np.float32, copy=False)
            if self.mono:
                arr = np.repeat(arr, 2, axis=1)
            self._buf = np.concatenate([self._buf, arr]) if len(self._buf) else arr
