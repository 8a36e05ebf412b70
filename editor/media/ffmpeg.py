"""Where the ffmpeg binary comes from: PROMPTCUT_FFMPEG, then a system ffmpeg, then the imageio-ffmpeg wheel's.

The finder itself lives in ``generation.ffmpeg`` because ``generation`` may not import the editor; the editor
shares it (and caches the answer) so both sides always run the same binary.
"""

from __future__ import annotations

import functools

from generation.ffmpeg import FFmpegNotFound, find_ffmpeg

__all__ = ["FFmpegNotFound", "ffmpeg_exe"]


@functools.cache
def ffmpeg_exe() -> str:
    return find_ffmpeg()
