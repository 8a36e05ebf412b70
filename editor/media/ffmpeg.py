"""Where the ffmpeg binary comes from: a system ffmpeg when present, else the imageio-ffmpeg wheel's."""

from __future__ import annotations

import functools
import os
import shutil


class FFmpegNotFound(RuntimeError):
    pass


@functools.cache
def ffmpeg_exe() -> str:
    """Path of the ffmpeg to run. PROMPTCUT_FFMPEG overrides; then PATH; then the bundled wheel."""
    override = os.environ.get("PROMPTCUT_FFMPEG")
    if override:
        if not (os.path.isfile(override) and os.access(override, os.X_OK)):
            raise FFmpegNotFound(f"PROMPTCUT_FFMPEG points at {override!r}, which is not an executable")
        return override
    system = shutil.which("ffmpeg")
    if system:
        return system
    try:
        import imageio_ffmpeg
    except ImportError:
        raise FFmpegNotFound("no ffmpeg found: install ffmpeg or the imageio-ffmpeg package") from None
    return imageio_ffmpeg.get_ffmpeg_exe()
