"""Proxies: small all-intra copies of heavy media, for the preview only (the exporter always reads the
originals).

A proxy is the picture alone, upright (ffmpeg turns rotated phone footage as it decodes), scaled to at most
``LONG_SIDE`` pixels on its long side with square pixels, every frame a keyframe (a jump decodes one small
frame instead of up to a GOP of 1080p), with the original's timestamps kept exactly (``-fps_mode
passthrough -enc_time_base demux``) so the same rule picks the same frame at the same time, VFR included.
Proxies live in the user cache, named by the source's identity (path, size, mtime): an edited or replaced
file gets a new one.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import threading
from collections.abc import Callable
from pathlib import Path

import av

from editor.media.cachefiles import cache_root, file_identity, identity_hash
from editor.media.decoding import open_file
from editor.media.ffmpeg import ffmpeg_exe
from editor.media.info import MediaError, MediaInfo

VERSION = 1
LONG_SIDE = 960
HEAVY_PIXELS = 1920 * 1088          # more than 1080p: 4K and the like
LONG_GOP = 30                       # frames between keyframes beyond which 1080p scrubbing stalls
_HEAVY_CODECS = {"hevc": "HEVC", "h265": "HEVC", "av1": "AV1", "vp9": "VP9", "prores": "ProRes"}


def proxy_file(path: str | os.PathLike[str]) -> Path:
    """Where the proxy of ``path`` lives (MediaError when the file is missing)."""
    return cache_root("proxies") / f"{identity_hash(file_identity(path), VERSION)}.mp4"


def existing_proxy(path: str | os.PathLike[str]) -> Path | None:
    try:
        target = proxy_file(path)
    except MediaError:
        return None
    return target if target.is_file() else None


def keyframe_gap(path: str, packets: int = 400) -> int | None:
    """The longest run of frames between keyframes in the first ``packets`` video packets (demuxing only)."""
    try:
        with open_file(path) as c:
            stream = c.streams.video[0]
            gap = longest = 0
            seen_key = False
            for n, packet in enumerate(c.demux(stream)):
                if n >= packets or packet.size == 0 and packet.pts is None:
                    break
                if packet.is_keyframe:
                    if seen_key:
                        longest = max(longest, gap)
                    seen_key, gap = True, 0
                gap += 1
            return max(longest, gap) if seen_key else None
    except (av.FFmpegError, IndexError, OSError):
        return None


def proxy_reason(info: MediaInfo) -> str | None:
    """Why this media would not play in real time from the original (None: it plays fine): 4K, HEVC/AV1,
    10-bit or HDR, long-GOP 1080p, or an odd size (generated shots at model sizes)."""
    if not info.has_video or info.is_image:
        return None
    w, h = info.width or 0, info.height or 0
    if w * h > HEAVY_PIXELS:
        return f"{w}x{h}"
    codec = _HEAVY_CODECS.get((info.video_codec or "").lower())
    if codec:
        return codec
    fmt = (info.pixel_format or "").lower()
    if "10" in fmt or "12" in fmt:
        return "10-bit"
    if info.is_hdr:
        return "HDR"
    if w % 2 or h % 2:
        return "odd size"
    if w * h >= 1280 * 720:
        gap = keyframe_gap(info.path)
        if gap is not None and gap > LONG_GOP:
            return f"long GOP ({gap} frames)"
    return None


def proxy_size(info: MediaInfo) -> tuple[int, int]:
    """The proxy's size: the upright display size, long side at most LONG_SIDE, even."""
    w, h = info.width or 2, info.height or 2
    sar = info.sample_aspect_ratio
    if sar and sar > 0 and sar != 1:
        w = max(2, round(w * sar))
    if info.rotation in (90, 270):
        w, h = h, w
    scale = min(1.0, LONG_SIDE / max(w, h))
    return max(2, int(w * scale) // 2 * 2), max(2, int(h * scale) // 2 * 2)


def make_proxy(info: MediaInfo, *, progress: Callable[[float], None] | None = None,
               cancel: threading.Event | None = None) -> Path:
    """Make (or find) the proxy of ``info``'s file. Raises MediaError with a one-line reason; a cancelled or
    failed run leaves no file behind."""
    target = proxy_file(info.path)
    if target.is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    part = target.with_name(f".{target.stem}.{os.getpid()}.{threading.get_ident()}.partial.mp4")
    w, h = proxy_size(info)
    args = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-nostats", "-progress", "pipe:1",
            "-y", "-i", "file:" + os.path.abspath(info.path), "-map", "0:v:0", "-an", "-sn", "-dn",
            "-vf", f"scale={w}:{h}:flags=bicubic,setsar=1,format=yuv420p",
            "-c:v", "libx264", "-preset", "ultrafast", "-tune", "fastdecode", "-g", "1", "-crf", "20",
            "-fps_mode", "passthrough", "-enc_time_base", "demux", "-f", "mp4", "file:" + str(part)]
    total = float(info.duration or 0)
    try:
        proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    except OSError as exc:
        raise MediaError(f"{info.path}: cannot make a proxy ({exc.strerror or exc})", path=info.path) from None
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if cancel is not None and cancel.is_set():
                proc.kill()
                break
            if line.startswith("out_time_us=") and progress is not None and total > 0:
                with contextlib.suppress(ValueError):
                    progress(min(1.0, int(line.split("=", 1)[1]) / 1e6 / total))
        err = proc.stderr.read() if proc.stderr else ""
        code = proc.wait()
        if cancel is not None and cancel.is_set():
            raise MediaError(f"{info.path}: proxy cancelled", path=info.path, reason="cancelled")
        if code != 0 or not part.is_file():
            reason = " ".join(err.split())[-200:] or f"ffmpeg exit {code}"
            raise MediaError(f"{info.path}: cannot make a proxy ({reason})", path=info.path, reason=reason)
        os.replace(part, target)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        with contextlib.suppress(OSError):
            part.unlink()
    if progress is not None:
        progress(1.0)
    return target
