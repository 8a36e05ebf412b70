"""Locating the ffmpeg binary: ``$PROMPTCUT_FFMPEG``, then ``ffmpeg`` on PATH, then the imageio-ffmpeg wheel's.

In the desktop bundle the bundle's own ffmpeg (``bin/ffmpeg`` beside the executable, else the imageio-ffmpeg
binary inside it) comes before PATH: it is the build the bundle was tested with, whatever the system carries.

The one finder for the whole program: ``generation`` may not import the editor, so the editor imports this.
"""

from __future__ import annotations

import os
import shutil

from .child_python import bundle_folder


class FFmpegNotFound(RuntimeError):
    pass


def _wheel_ffmpeg() -> str | None:
    try:
        import imageio_ffmpeg

        return imageio_ffmpeg.get_ffmpeg_exe()
    except (ImportError, RuntimeError):   # RuntimeError: the package is there, its binary is not
        return None


def _bundle_ffmpeg() -> str | None:
    folder = bundle_folder()
    if folder is None:
        return None
    own = folder / "bin" / ("ffmpeg.exe" if os.name == "nt" else "ffmpeg")
    return str(own) if own.is_file() else _wheel_ffmpeg()


def find_ffmpeg() -> str:
    override = os.environ.get("PROMPTCUT_FFMPEG")
    if override:
        if not (os.path.isfile(override) and os.access(override, os.X_OK)):
            raise FFmpegNotFound(f"PROMPTCUT_FFMPEG points at {override!r}, which is not an executable")
        return override
    found = _bundle_ffmpeg() or shutil.which("ffmpeg") or _wheel_ffmpeg()
    if found:
        return found
    raise FFmpegNotFound("no ffmpeg found: install ffmpeg or the imageio-ffmpeg package")
