"""Timeline builders and media makers for the exporter tests (imported by the tests and conftest)."""

from __future__ import annotations

import subprocess
from fractions import Fraction
from pathlib import Path

from editor.media.ffmpeg import ffmpeg_exe
from editor.media.probe import media_source_from_info, probe
from editor.media.synth import indexed_clip  # noqa: F401 - the render tests import it from here
from editor.model import Fit, MediaClip, Settings, Timeline, new_id

SMALL = Settings(width=180, height=320, fps=Fraction(30), sample_rate=48000)


def alpha_png(path: Path, size: tuple[int, int] = (180, 320)) -> Path:
    """A transparent PNG with an opaque green box in its middle third."""
    w, h = size
    subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-nostdin", "-y",
         "-f", "lavfi", "-i", f"color=c=black@0.0:s={w}x{h},format=rgba,"
                              f"drawbox=x={w // 3}:y={h // 3}:w={w // 3}:h={h // 3}:c=green@1.0:t=fill:replace=1",
         "-frames:v", "1", "-update", "1", str(path)],
        check=True, capture_output=True)
    return path


def timeline(settings: Settings = SMALL, video_tracks: int = 1, audio_tracks: int = 1) -> Timeline:
    return Timeline.empty(settings, video_tracks=video_tracks, audio_tracks=audio_tracks)


def add_media(tl: Timeline, path: Path | str, media_id: str | None = None) -> str:
    """Probe ``path`` and put it in the pool; returns its id."""
    media_id = media_id or new_id("m")
    tl.media[media_id] = media_source_from_info(probe(path), media_id, str(path))
    return media_id


def place_clip(tl: Timeline, track: int, path: Path | str, start: int, duration: int, *, source_in: int = 0,
               fit: Fit = Fit.FILL, volume: float = 1.0, audio: bool = False, media_id: str | None = None) -> MediaClip:
    """Add a clip of ``path`` (probed into the pool if new) to video track ``track`` (or audio, with audio=True)."""
    for mid, m in tl.media.items():
        if m.path == str(path):
            media_id = mid
            break
    else:
        media_id = add_media(tl, path, media_id)
    clip = MediaClip(id=new_id("c"), start=start, duration=duration, source_in=source_in, fit=fit, volume=volume,
                     media=media_id)
    (tl.audio_tracks if audio else tl.video_tracks)[track].add(clip)
    return clip


def odd_clip(path: Path, size: tuple[int, int] = (321, 241), seconds: float = 1.0, color: str = "magenta") -> Path:
    """An odd-sized clip (x264 4:2:0 refuses odd sizes, so 4:4:4 as screen recorders write)."""
    w, h = size
    subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-nostdin", "-y",
         "-f", "lavfi", "-i", f"color=c={color}:s={w}x{h}:r=30:d={seconds}",
         "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv444p", str(path)],
        check=True, capture_output=True)
    return path


def hdr_bars(path: Path, transfer: str = "smpte2084", size: tuple[int, int] = (96, 64)) -> Path:
    """10-bit HEVC BT.2020 HDR (PQ or HLG) of three bars, red | grey | white, mastered properly (SDR white at
    the BT.2408 reference of 203 nits), unlike synth.hdr_clip, whose SDR code values are only tagged as PQ."""
    w, h = size
    third = w // 3
    graph = (f"color=c=white:s={w}x{h}:r=30:d=1,drawbox=x=0:y=0:w={third}:h={h}:c=red:t=fill,"
             f"drawbox=x={third}:y=0:w={third}:h={h}:c=gray:t=fill,format=gbrpf32le,"
             f"zscale=tin=bt709:min=bt709:pin=bt709:rin=tv:t={transfer}:p=bt2020:m=bt2020nc:r=tv:npl=203,"
             "format=yuv420p10le")
    subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-nostdin", "-y", "-f", "lavfi", "-i", graph,
         "-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "log-level=error",
         "-color_primaries", "bt2020", "-color_trc", transfer, "-colorspace", "bt2020nc", "-tag:v", "hvc1",
         str(path)],
        check=True, capture_output=True)
    return path
