"""Conditioning images from the timeline: the previous clip's last frame and the next clip's first frame.

Frames are decoded with PyAV and written as PNG into a cache folder, named by the content of the media file
(``editor.media.probe.content_hash``) and the source time, so asking twice gives the same path (and the same
job hash), and a changed file gives a new one. Stills are read as they are; rotated phone footage is turned
upright with the rotation the prober reports (PyAV does not auto-rotate, the ffmpeg CLI does).

The frame shown at a timeline frame is the last source frame whose timestamp is at or before the source
time that timeline frame plays (``source_in + offset`` frames at the timeline rate), which is what a
frame-rate conversion that holds frames shows.

Conditioning frames are taken *as the canvas shows them* (``canvas_frame``): the neighbour alone is drawn by
the viewer's compositor at its edge frame, with its fit (a letterboxed Fit keeps its bars, a Fill its crop) and
its transform, without its fades or transition (continuity wants the picture, not the dip), then scaled to the
size the model generates at (the canvas aspect: the planner picks the model's native size nearest it). Each
frame's *source descriptor* ("<media id>@<source frame>/<fit>[/<transform>]") is recorded on the shot's spec
(``first_source`` / ``last_source``): when it no longer matches what the neighbour shows, the neighbour was
moved, trimmed or replaced (``editor.generate.continuity``).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from dataclasses import dataclass, field, replace
from fractions import Fraction
from pathlib import Path

from editor.media.info import MediaError, MediaInfo
from editor.media.probe import content_hash, probe
from editor.model import Clip, Timeline
from editor.model.effects import IDENTITY
from generation.leftovers import replacing, sweep_stale

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
    sweep_stale(out.parent)
    with replacing(out, ".partial.png") as temp:
        temp.write_bytes(data)


def source_descriptor(timeline: Timeline, clip: Clip, frame: int) -> str:
    """Where the picture ``clip`` shows at timeline ``frame`` comes from, and how it is framed:
    "<media id>@<source frame>/<fit>", plus a digest of the transform when it has one."""
    at = clip.source_frame(frame - clip.start)
    text = f"{clip.media_id()}@{at.numerator if at.denominator == 1 else at}/{clip.fit.value}"
    if clip.transform != IDENTITY:
        text += "/" + hashlib.sha256(repr(clip.transform).encode()).hexdigest()[:8]
    return text


def output_size(timeline: Timeline, model: str | None) -> tuple[int, int]:
    """The size a conditioning frame is written at: the model's native size nearest the canvas aspect (the
    size the planner will generate at), else the canvas's."""
    canvas = (timeline.settings.width, timeline.settings.height)
    if model:
        with contextlib.suppress(Exception):   # an unknown model: the planner says so; the canvas size meanwhile
            from generation.models import get_model, native_size

            info = get_model(model)
            if info.fixed_size or info.sizes:
                size = native_size(info, canvas)
                return size.width, size.height
    return canvas


def canvas_frame(timeline: Timeline, clip: Clip, frame: int, cache_dir: str | os.PathLike[str], *,
                 size: tuple[int, int] | None = None) -> Path:
    """``clip``'s picture at timeline ``frame`` as the canvas shows it (alone, without fades), at ``size``
    (default: the canvas; see ``_scaled``), as a PNG in ``cache_dir``; cached by the media's
    content, the descriptor and the sizes."""
    media = timeline.media.get(clip.media_id() or "")
    if media is None:
        raise FrameError(f"{clip.id}: has no media to take a frame from")
    try:   # the compositor would draw an offline slate: an unreadable file is said, not conditioned on
        info = probe(media.path)
        digest = content_hash(media.path)
    except MediaError as exc:
        raise FrameError(str(exc)) from None
    if not info.has_video:
        raise FrameError(f"{media.path}: has no picture to take a frame from")
    cw, ch = timeline.settings.width, timeline.settings.height
    w, h = size or (cw, ch)
    key = f"{digest}:{source_descriptor(timeline, clip, frame)}:{cw}x{ch}:{w}x{h}"
    out = Path(cache_dir) / f"canvas-{hashlib.sha256(key.encode()).hexdigest()[:24]}.png"
    if out.is_file():
        return out
    rgb = _scaled(_alone(timeline, clip, frame, cw, ch), w, h)
    out.parent.mkdir(parents=True, exist_ok=True)
    _write_png(rgb, out)
    return out


def _alone(timeline: Timeline, clip: Clip, frame: int, width: int, height: int):
    """The compositor's picture of ``clip`` by itself on an empty canvas at ``frame``."""
    from editor.render.compositor import Compositor

    solo = Timeline.empty(timeline.settings, video_tracks=1, audio_tracks=0)
    solo.media = dict(timeline.media)
    solo.video_tracks[0].add(clip.moved(fade_in=0, fade_out=0, transition=None, link=None))
    compositor = Compositor(solo)
    try:
        return compositor.frame(frame, width, height)
    except (MediaError, OSError, ValueError) as exc:
        raise FrameError(f"{clip.id}: cannot draw its frame ({' '.join(str(exc).split())})") from None
    finally:
        compositor.close()


def _scaled(rgb, width: int, height: int):
    """The canvas picture ``rgb`` as a width x height frame that, filled onto the canvas (the generated clip's
    default fit: scaled to cover, centre-cropped), shows the canvas again: the canvas is padded to the frame's
    aspect with its own edge pixels (never cropped, or the shot's first frame would jump by a zoom), then
    scaled (bicubic)."""
    import numpy as np
    from PIL import Image

    h, w = rgb.shape[:2]
    if (w, h) == (width, height):
        return rgb
    if w * height > h * width:    # the frame is taller than the canvas: rows above and below
        extra = round(w * height / width) - h
        pad = ((extra // 2, extra - extra // 2), (0, 0), (0, 0))
    else:                          # wider: columns left and right
        extra = round(h * width / height) - w
        pad = ((0, 0), (extra // 2, extra - extra // 2), (0, 0))
    padded = np.pad(rgb, pad, mode="edge") if extra > 0 else rgb
    img = Image.fromarray(np.ascontiguousarray(padded)).resize((width, height), Image.Resampling.BICUBIC)
    return np.ascontiguousarray(np.asarray(img))


@dataclass(frozen=True)
class ConditioningFrames:
    """A segment's conditioning frames, where each came from (``source_descriptor``), and notes."""

    first: Path | None = None
    last: Path | None = None
    first_source: str = ""
    last_source: str = ""
    notes: list[str] = field(default_factory=list)


def conditioning_frames(timeline: Timeline, segment: PendingSegment, cache_dir: str | os.PathLike[str], *,
                        model: str | None = None) -> ConditioningFrames:
    """The segment's neighbours' edge frames as the canvas shows them, at ``model``'s generating size (see
    ``output_size``), extracted into ``cache_dir``. A neighbour whose frame cannot be read is skipped with a
    note, never an error."""
    got = ConditioningFrames()
    size = output_size(timeline, model)
    clip = segment.clip
    for which, neighbour, frame in (("previous", segment.previous, clip.start - 1),
                                    ("next", segment.next, clip.end)):
        if neighbour is None:
            continue
        try:
            image = canvas_frame(timeline, neighbour, frame, cache_dir, size=size)
        except FrameError as exc:
            got.notes.append(f"the {which} clip's frame is not used: {exc}")
            continue
        source = source_descriptor(timeline, neighbour, frame)
        got = replace(got, first=image, first_source=source) if which == "previous" else replace(
            got, last=image, last_source=source)
    return got


def conditioning_images(timeline: Timeline, segment: PendingSegment, cache_dir: str | os.PathLike[str], *,
                        model: str | None = None) -> tuple[Path | None, Path | None, list[str]]:
    """(first image, last image, notes): ``conditioning_frames`` without the source descriptors."""
    got = conditioning_frames(timeline, segment, cache_dir, model=model)
    return got.first, got.last, got.notes
