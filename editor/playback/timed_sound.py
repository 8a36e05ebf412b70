"""A sped-up, slowed or reversed sound for the preview mix, made as the exporter makes it.

The exporter (``editor.render.ffsound``) reads a layer's source range, reverses it (``areverse``) when the
clip plays backwards, and stretches it with ``atempo`` keeping the pitch. Here the same samples go through
the same filters (``editor.media.stretch``) from the same first sample, so playing a voice from its start
gives the exported sound. A jump back, or far ahead, restarts the stretch: from the voice's start when that
is near, else from a little before the wanted sample (WSOLA's splices then fall elsewhere: the sound is the
same, the samples are not).
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from editor.media.audio_decoding import AudioReader
from editor.media.stretch import Stretcher, source_range

# Source samples read at a time (reversed sounds read backwards in blocks of this many).
CHUNK = 16384
# Restarting further than this (seconds of output) into a voice starts the stretch a little before instead.
RESTART_FROM_START = 20
PRE_ROLL = 1
class TimedSound:
    """Output samples of one sped or reversed voice, by position from the voice's first sample."""

    def __init__(self, reader: AudioReader, start: Fraction, frames: int, speed: Fraction, fps: Fraction,
                 rate: int) -> None:
        self.reader = reader
        self.speed = Fraction(speed)
        self.rate = rate
        self.first, self.count = source_range(start, frames, self.speed, fps, rate)
        self.restarts = 0
        self._stretcher: Stretcher | None = None
        self._pos = 0                       # output position of self._buf[0]
        self._buf = np.zeros((0, 2), np.float32)
        self._fed = 0                       # source samples fed so far, from the start of the range
        self._done = False

    def _restart(self, pos: int) -> None:
        self.restarts += 1
        if pos > RESTART_FROM_START * self.rate:
            pos -= PRE_ROLL * self.rate
        else:
            pos = 0
        self._pos = pos
        self._fed = min(self.count, round(pos * abs(self.speed)))
        self._buf = np.zeros((0, 2), np.float32)
        self._stretcher = Stretcher(self.speed, self.rate) if abs(self.speed) != 1 else None
        self._done = False

    def _source(self, n: int) -> np.ndarray:
        """The next ``n`` source samples in playing order."""
        if self.speed > 0:
            block = self.reader.read(self.first + self._fed, n)
        else:
            end = self.first + self.count - self._fed
            block = self.reader.read(end - n, n)[::-1]
        self._fed += n
        return block

    def _more(self) -> None:
        n = min(CHUNK, self.count - self._fed)
        if n <= 0:
            made = self._stretcher.push(None) if self._stretcher is not None else np.zeros((0, 2), np.float32)
            self._done = True
        else:
            block = self._source(n)
            made = self._stretcher.push(block) if self._stretcher is not None else block
        if len(made):
            self._buf = np.concatenate([self._buf, made]) if len(self._buf) else made

    def read(self, pos: int, count: int) -> np.ndarray:
        """``count`` output samples from output position ``pos``: silence where the sound has ended."""
        out = np.zeros((count, 2), np.float32)
        if count <= 0:
            return out
        if not self.restarts or pos < self._pos or \
                pos > self._pos + len(self._buf) + PRE_ROLL * self.rate * 2:
            self._restart(pos)
        while self._pos + len(self._buf) < pos + count and not self._done:
            self._more()
        a = max(0, pos - self._pos)
        part = self._buf[a:a + count]
        out[:len(part)] = part
        if a > 0:
            self._buf = self._buf[a:]
            self._pos += a
        return out
