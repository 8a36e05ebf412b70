"""Locating the ffmpeg binary: ``$PROMPTCUT_FFMPEG``, then ``ffmpeg`` on PATH, then the imageio-ffmpeg wheel's.

The one finder for the whole program: ``generation`` may not import the editor, so the editor imports this.
"""

from __future__ import annotations

import os
import shutil


class FFmpegNotFound(RuntimeError):
    pass


def find_ffmpeg() -> str:
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
