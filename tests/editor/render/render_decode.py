"""Reading exported files back with PyAV: stream facts, what is on screen where and when, sound levels.

Helpers for the render tests (not a test module). Regions are (x0, y0, x1, y1) as fractions of the frame.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

Region = tuple[float, float, float, float]
WHOLE: Region = (0.0, 0.0, 1.0, 1.0)
CENTRE: Region = (0.4, 0.4, 0.6, 0.6)
TOP: Region = (0.3, 0.05, 0.7, 0.2)
BOTTOM: Region = (0.3, 0.8, 0.7, 0.95)
CORNER: Region = (0.02, 0.02, 0.12, 0.08)


@dataclass(frozen=True)
class StreamInfo:
    video_codec: str
    profile: str | None
    pix_fmt: str
    width: int
    height: int
    frames: int                  # from the container index
    fps: Fraction | None
    duration: Fraction | None    # video stream seconds
    color_primaries: int
    color_trc: int
    colorspace: int
    color_range: int
    audio_codec: str | None
    audio_profile: str | None
    sample_rate: int | None
    channels: int | None
    audio_duration: Fraction | None


def stream_info(path: str | Path) -> StreamInfo:
    with av.open(str(path)) as c:
        v = c.streams.video[0]
        cc = v.codec_context
        a = c.streams.audio[0] if c.streams.audio else None
        vdur = v.duration * v.time_base if v.duration is not None else None
        adur = a.duration * a.time_base if a is not None and a.duration is not None else None
        return StreamInfo(
            video_codec=cc.name, profile=cc.profile, pix_fmt=cc.pix_fmt, width=cc.width, height=cc.height,
            frames=v.frames, fps=Fraction(v.average_rate) if v.average_rate else None, duration=vdur,
            color_primaries=int(cc.color_primaries), color_trc=int(cc.color_trc), colorspace=int(cc.colorspace),
            color_range=int(cc.color_range),
            audio_codec=a.codec_context.name if a else None, audio_profile=a.codec_context.profile if a else None,
            sample_rate=a.codec_context.sample_rate if a else None, channels=a.codec_context.channels if a else None,
            audio_duration=adur,
        )


def top_level_boxes(path: str | Path) -> list[str]:
    """The MP4's top-level box types, in file order (faststart puts 'moov' before 'mdat')."""
    boxes = []
    with open(path, "rb") as fh:
        while True:
            header = fh.read(8)
            if len(header) < 8:
                break
            size = int.from_bytes(header[:4], "big")
            kind = header[4:8].decode("latin-1")
            if size == 1:
                size = int.from_bytes(fh.read(8), "big")
                fh.seek(size - 16, 1)
            elif size == 0:
                boxes.append(kind)
                break
            else:
                fh.seek(size - 8, 1)
            boxes.append(kind)
    return boxes


def _region_mean(rgb: np.ndarray, region: Region) -> np.ndarray:
    h, w = rgb.shape[:2]
    x0, y0, x1, y1 = region
    part = rgb[int(y0 * h):max(int(y1 * h), int(y0 * h) + 1), int(x0 * w):max(int(x1 * w), int(x0 * w) + 1)]
    return part.reshape(-1, 3).mean(axis=0)


def frame_means(path: str | Path, regions: list[Region] | None = None) -> tuple[list[float], np.ndarray]:
    """(frame times, array [frames, regions, 3] of mean RGB) for every decoded frame."""
    regions = regions or [WHOLE]
    times, means = [], []
    with av.open(str(path)) as c:
        for frame in c.decode(video=0):
            rgb = frame.to_ndarray(format="rgb24")
            times.append(float(frame.time))
            means.append([_region_mean(rgb, r) for r in regions])
    return times, np.array(means)


def rgb_at(path: str | Path, seconds: float, region: Region = WHOLE) -> np.ndarray:
    """Mean RGB of ``region`` in the frame shown at ``seconds``."""
    with av.open(str(path)) as c:
        best = None
        for frame in c.decode(video=0):
            if frame.time is not None and frame.time <= seconds + 1e-6:
                best = frame
            else:
                break
        assert best is not None, f"no frame at {seconds} s"
        return _region_mean(best.to_ndarray(format="rgb24"), region)


def audio(path: str | Path) -> tuple[np.ndarray, int]:
    """All decoded sound as float32 [channels, samples] from t=0 to the stream's end, and the sample rate.

    Frames are placed by their timestamps; the encoder's trailing padding (past the stream's declared
    duration) is cut off, as players do.
    """
    chunks: list[tuple[int, np.ndarray]] = []
    rate = 0
    with av.open(str(path)) as c:
        stream = c.streams.audio[0]
        declared = stream.duration * stream.time_base if stream.duration is not None else None
        for frame in c.decode(stream):
            rate = frame.sample_rate
            raw = frame.to_ndarray()
            data = raw.astype(np.float32)
            if np.issubdtype(raw.dtype, np.integer):
                data /= float(np.iinfo(raw.dtype).max) + 1
            if not frame.format.is_planar:
                data = data.reshape(-1, len(frame.layout.channels)).T
            start = round(frame.time * rate) if frame.time is not None else (chunks[-1][0] + chunks[-1][1].shape[1])
            chunks.append((start, data))
    if not chunks:
        return np.zeros((2, 0), np.float32), rate
    end = max(s + d.shape[1] for s, d in chunks)
    if declared is not None:
        end = min(end, round(declared * rate))
    out = np.zeros((chunks[0][1].shape[0], max(0, end)), np.float32)
    for start, data in chunks:
        a, b = max(0, start), min(end, start + data.shape[1])
        if b > a:
            out[:, a:b] = data[:, a - start:b - start]
    return out, rate


def rms(samples: np.ndarray, rate: int, t0: float, t1: float) -> float:
    part = samples[:, int(t0 * rate):int(t1 * rate)]
    return float(np.sqrt(np.mean(np.square(part)))) if part.size else 0.0


def db(value: float) -> float:
    return 20 * np.log10(max(value, 1e-12))


def flash_times(path: str | Path, threshold: float = 128.0) -> list[float]:
    """Times of frames that turn bright after a dark one (the flashes of synth.flash_beep_clip)."""
    times, means = frame_means(path)
    bright = means[:, 0, :].mean(axis=1) > threshold
    return [t for i, t in enumerate(times) if bright[i] and (i == 0 or not bright[i - 1])]


def beep_times(path: str | Path, window: float = 0.002, threshold: float = 0.05) -> list[float]:
    """Onsets of sound after silence (the beeps of synth.flash_beep_clip), to within ``window`` seconds."""
    samples, rate = audio(path)
    mono = np.abs(samples).max(axis=0)
    n = max(1, int(window * rate))
    blocks = mono[: len(mono) // n * n].reshape(-1, n).max(axis=1)
    loud = blocks > threshold
    onsets = []
    for i in range(len(loud)):
        if loud[i] and (i == 0 or not loud[i - 1]):
            # refine to the first loud sample in the block
            start = i * n
            first = int(np.argmax(mono[start:start + n] > threshold))
            onsets.append((start + first) / rate)
    return onsets


def luma_means(path: str | Path) -> list[float]:
    """Mean of the raw Y plane of every frame (no colour conversion)."""
    out = []
    with av.open(str(path)) as c:
        for frame in c.decode(video=0):
            plane = frame.planes[0]
            y = np.frombuffer(plane, np.uint8).reshape(-1, plane.line_size)[: frame.height, : frame.width]
            out.append(float(y.mean()))
    return out
