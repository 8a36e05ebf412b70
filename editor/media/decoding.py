"""Frame-accurate video decoding with PyAV, for the viewer's compositor and for thumbnails.

Which source frame shows at source time ``t`` follows the exporter's graph (``-ss`` before ``-i``, then
``fps=RATE:start_time=0``): ffmpeg's fps filter rounds each frame's timestamp to the nearest output frame
(halves away from zero) and shows, at output frame n, the last input frame whose rounded time is <= n. For a
frame to be shown at time ``t`` its timestamp must therefore be below ``t + 1/(2*rate)``: ``frame_at`` takes
that bound (``before``). Frames before the clip's own source start are dropped by the exporter's seek, so
``not_before`` selects the first frame at or after it when the rule would otherwise pick an earlier one.

A decoder keeps its file open and remembers where it is: asking for the next frame (playback, stepping
forward) decodes on from there; only a jump backwards or far ahead seeks (to the keyframe before the wanted
time, then decodes forward).
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Iterator
from fractions import Fraction
from typing import Any

import av

from editor.media.info import MediaError

# Jumps further ahead than this seek instead of decoding through (a GOP of typical phone footage).
SEEK_AHEAD = Fraction(2)


def open_file(path: str) -> Any:
    """A PyAV container reading ``path`` as a plain file: the "file:" prefix and a file-only whitelist make
    names with colons, '%' or brackets literal (never a protocol or a pattern)."""
    return av.open("file:" + os.path.abspath(path), container_options={"protocol_whitelist": "file"},
                   metadata_errors="replace")


def failure_text(exc: BaseException) -> str:
    return getattr(exc, "strerror", None) or str(exc) or type(exc).__name__


class VideoDecoder:
    """One open video file. Not thread-safe on its own: ``DecoderPool`` serialises use."""

    def __init__(self, path: str) -> None:
        self.path = path
        try:
            self.container = open_file(path)
            self.stream = self.container.streams.video[0]
        except (av.FFmpegError, IndexError, OSError) as exc:
            text = failure_text(exc)
            raise MediaError(f"{path}: cannot decode a picture (file is truncated or damaged: {text})",
                             path=path, reason=text) from None
        self.stream.thread_type = "AUTO"
        self.time_base = Fraction(self.stream.time_base or Fraction(1, 90000))
        start = self.container.start_time
        self.origin = Fraction(start, 1_000_000) if start is not None else Fraction(0)
        self.seeks = 0
        self.decoded = 0               # frames decoded so far (what a seek costs)
        self._frames: Any = None       # the decode iterator after the last seek
        self._cur: Any = None          # last frame handed out (or the best candidate so far)
        self._next: Any = None         # the frame after it, already decoded (None at the end)
        self._ended = False

    def close(self) -> None:
        self.container.close()

    def _time(self, frame: Any) -> Fraction:
        pts = frame.pts if frame.pts is not None else 0
        return pts * self.time_base - self.origin

    def _pull(self) -> Any:
        if self._ended:
            return None
        try:
            frame = next(self._frames)
            self.decoded += 1
            return frame
        except StopIteration:
            self._ended = True
            return None
        except av.FFmpegError:
            self._ended = True   # a damaged tail: show the last good frame
            return None

    def _seek(self, target: Fraction) -> None:
        self.seeks += 1
        ticks = int((max(Fraction(0), target) + self.origin) / self.time_base)
        try:
            self.container.seek(ticks, stream=self.stream, backward=True, any_frame=False)
        except av.FFmpegError:
            self.container.seek(0)
        self._frames = self._decode()
        self._ended = False
        self._cur = self._pull()
        self._next = self._pull()

    def _decode(self) -> Iterator[Any]:
        """Frames from where the container was just seeked (a subclass may decode them another way)."""
        return self.container.decode(self.stream)

    def frame_at(self, before: Fraction, not_before: Fraction = Fraction(0)) -> Any:
        """The last frame with time < ``before`` (or the first frame at/after ``not_before`` when that one is
        earlier than it); the file's last frame past its end. Raises MediaError when nothing decodes."""
        cur = self._cur
        if cur is None or not (self._time(cur) < before and before - self._time(cur) <= SEEK_AHEAD):
            # Seek to the keyframe before the wanted frame, not before the clip's first frame (``not_before``):
            # from there the frames between the clip's start and the wanted one would all be decoded for
            # nothing (up to a GOP on every scrub into a long clip).
            target = max(before - Fraction(1, 1000), Fraction(0)) if not_before < before else not_before
            self._seek(target)
            if self._cur is not None and self._time(self._cur) > target > 0:
                self._seek(Fraction(0))   # the seek landed past the wanted time (a sparse index): from the start
            if self._cur is None:
                raise MediaError(f"{self.path}: cannot decode a picture (file is truncated or damaged)",
                                 path=self.path, reason="no picture")
        while self._next is not None and self._time(self._next) < before:
            self._cur, self._next = self._next, self._pull()
        if self._time(self._cur) < not_before and self._next is not None:
            return self._next
        return self._cur


class DecoderPool:
    """Open decoders by path, the least recently used closed beyond ``limit``. Thread-safe."""

    def __init__(self, limit: int = 8) -> None:
        self.limit = limit
        self.opens = 0
        self._decoders: OrderedDict[str, VideoDecoder] = OrderedDict()
        self.lock = threading.RLock()

    def get(self, path: str) -> VideoDecoder:
        with self.lock:
            dec = self._decoders.get(path)
            if dec is not None:
                self._decoders.move_to_end(path)
                return dec
            dec = VideoDecoder(path)
            self.opens += 1
            self._decoders[path] = dec
            while len(self._decoders) > self.limit:
                _, old = self._decoders.popitem(last=False)
                old.close()
            return dec

    def close(self) -> None:
        with self.lock:
            for dec in self._decoders.values():
                dec.close()
            self._decoders.clear()
