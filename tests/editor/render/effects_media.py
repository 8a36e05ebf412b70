"""Tiny sources for the exporter's effect tests (not a test module): flat colours with handles, a clip whose
frames say their number, a detailed landscape picture, a VP9 WebM with a transparent half."""

from __future__ import annotations

import subprocess
from pathlib import Path

from render_support import indexed_clip

from editor.media import synth
from editor.media.ffmpeg import ffmpeg_exe


def _ffmpeg(*args: str) -> None:
    subprocess.run([ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-nostdin", "-y", *args],
                   check=True, capture_output=True)


def detailed(path: Path, size: tuple[int, int] = (320, 180)) -> Path:
    """A landscape test pattern (lots of detail, so a blurred copy differs from it)."""
    w, h = size
    _ffmpeg("-f", "lavfi", "-i", f"testsrc2=s={w}x{h}:r=30:d=1", "-c:v", "libx264", "-preset", "ultrafast",
            "-pix_fmt", "yuv420p", str(path))
    return path


def halves(path: Path, size: tuple[int, int] = (320, 180)) -> Path:
    """A landscape picture, red on the left half, blue on the right."""
    w, h = size
    _ffmpeg("-f", "lavfi", "-i", f"color=c=blue:s={w}x{h}:r=30:d=1,drawbox=x=0:y=0:w={w // 2}:h={h}:c=red:t=fill",
            "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(path))
    return path


def webm_alpha(path: Path, size: tuple[int, int] = (180, 320)) -> Path:
    """VP9 with alpha: the left half transparent, the right half opaque green."""
    w, h = size
    _ffmpeg("-f", "lavfi", "-i", f"color=c=green:s={w}x{h}:r=30:d=1,format=rgba,"
                                 f"drawbox=x=0:y=0:w={w // 2}:h={h}:c=black@0.0:t=fill:replace=1",
            "-c:v", "libvpx-vp9", "-pix_fmt", "yuva420p", "-auto-alt-ref", "0", "-deadline", "realtime",
            "-cpu-used", "8", str(path))
    return path


def effects_media(folder: Path) -> dict[str, Path]:
    return {
        "red": synth.color_clip(folder / "red.mp4", "red", 2.0, size=(180, 320), tone_hz=None),
        "blue": synth.color_clip(folder / "blue.mp4", "blue", 2.0, size=(180, 320), tone_hz=None),
        "indexed": indexed_clip(folder / "indexed.mp4", frames=72, size=(96, 64)),
        "detailed": detailed(folder / "detailed.mp4"),
        "halves": halves(folder / "halves.mp4"),
        "webm": webm_alpha(folder / "alpha.webm"),
    }
