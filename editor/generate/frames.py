"""Conditioning images from the timeline: the previous clip's last frame and the next clip's first frame.

Frames are decoded with PyAV and written as PNG into a cache folder, named by the content of the media file
(``editor.media.probe.content_hash``) and the source time, so asking twice gives the same path (and the same
job hash), and a changed file gives a new one. Stills are read as they are; rotated phone footage is turned
upright with the rotation the prober reports (PyAV does not auto-rotate, the ffmpeg CLI does).

The frame shown at a timeline frame is the last source frame whose timestamp is at or before the source
time that timeline frame plays (``source_in + offset`` frames at the timeline rate), which is what a
frame-rate conversion that holds frames shows.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from fractions import Fraction
from pathlib import Path

from editor.media.info import MediaError, MediaInfo
from editor.media.probe import content_hash, probe
from editor.model import Clip, Timeline

from .pending import PendingSegment

_EPSILON = Fraction(1, 1000)   # timestamps within a millisecond of the wanted time count as at it


class FrameError(Exception):
    """A frame that could not be read; one line naming the file."""


def source_seconds(timeline: Timeline, clip: Clip, frame: int) -> Fraction:
    """The source time (seconds from the media's start) that ``clip`` shows at timeline ``frame``."""
    return Fraction(clip.source_in + (frame - clip.start)) / timeline.fps


def extract_frame(path: str | os.PathLike[str], seconds: Fraction | float, cache_dir: str | os.PathLike[str], *,
                  info: MediaInfo | None = None) -> Path:
    """The picture ``path`` shows at ``seconds`` (upright, RGB) as a PNG in ``cache_dir``; cached by content."""
    shown = os.fspath(path)
    try:
        info = info or probe(shown)
        digest = content_hash(shown)
    except MediaError as exc:
        raise FrameError(str(exc)) from None
    if not info.has_video:
        raise FrameError(f"{shown}: has no picture to take a frame from")
    t = Fraction(0) if info.is_image else max(Fraction(0), Fraction(seconds))
    name = hashlib.sha256(f"{digest}:{t.numerator}/{t.denominator}".encode()).hexdigest()[:24]
    folder = Path(cache_dir)
    out = folder / f"frame-{name}.png"
    if out.is_file():
        return out
    rgb = _decode_rgb(shown, t, info)
    folder.mkdir(parents=True, exist_ok=True)
    _write_png(rgb, out)
    return out


def _decode_rgb(path: str, seconds: Fraction, info: MediaInfo):
    import av
    import numpy as np

    try:
        with av.open(path) as container:
            stream = container.streams.video[0]
            frame = None
            if info.is_image:
                frame = next(container.decode(stream), None)
            else:
                frame = _frame_at(container, stream, seconds + (info.start_time or 0))
            if frame is None:
                raise FrameError(f"{path}: no picture at {float(seconds):.3f} s")
            rgb = frame.to_ndarray(format="rgb24")
    except FrameError:
        raise
    except (av.error.FFmpegError, OSError, StopIteration, IndexError) as exc:
        raise FrameError(f"{path}: cannot decode a frame ({' '.join(str(exc).split())})") from None
    if info.rotation:
        rgb = np.ascontiguousarray(np.rot90(rgb, k=-(info.rotation // 90)))   # negative k turns clockwise
    return rgb


def _frame_at(container, stream, target: Fraction):
    """The last frame at or before ``target`` (seconds on the stream's clock); the first frame if none is."""
    if target > 0 and stream.time_base:
        with contextlib.suppress(Exception):   # a file without an index still decodes from the start
            container.seek(int(target / stream.time_base), stream=stream, backward=True, any_frame=False)
    best = None
    for frame in container.decode(stream):
        if frame.pts is None or frame.time_base is None:
            best = best or frame
            continue
        at = Fraction(frame.pts) * Fraction(frame.time_base)
        if at <= target + _EPSILON:
            best = frame
        else:
            if best is None:   # seeked past it (or the stream starts late): the first frame shown
                best = frame
            break
    return best


def _write_png(rgb, out: Path) -> None:
    import av

    height, width = rgb.shape[:2]
    codec = av.CodecContext.create("png", "w")
    codec.width, codec.height, codec.pix_fmt = width, height, "rgb24"
    packets = codec.encode(av.VideoFrame.from_ndarray(rgb, format="rgb24")) + codec.encode(None)
    data = b"".join(bytes(p) for p in packets)
    fd, temp = tempfile.mkstemp(prefix=f".{out.stem}.", suffix=".partial.png", dir=out.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temp, out)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


def conditioning_images(timeline: Timeline, segment: PendingSegment, cache_dir: str | os.PathLike[str]
                        ) -> tuple[Path | None, Path | None, list[str]]:
    """(first image, last image, notes) for a segment: its neighbours' edge frames, extracted into
    ``cache_dir``. A neighbour whose frame cannot be read is skipped with a note, never an error."""
    notes: list[str] = []
    first = last = None
    clip = segment.clip
    for which, neighbour, frame in (("previous", segment.previous, clip.start - 1),
                                    ("next", segment.next, clip.end)):
        if neighbour is None:
            continue
        media = timeline.media[neighbour.media_id() or ""]
        try:
            image = extract_frame(media.path, source_seconds(timeline, neighbour, frame), cache_dir)
        except FrameError as exc:
            notes.append(f"the {which} clip's frame is not used: {exc}")
            continue
        if which == "previous":
            first = image
        else:
            last = image
    return first, last, notes
