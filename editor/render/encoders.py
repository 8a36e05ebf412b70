"""Which video encoder to use: software x264/x265 always; hardware ones only when they really work here.

A hardware encoder counts as available only when ``ffmpeg -encoders`` lists it AND a one-frame test encode
succeeds (the wheel's ffmpeg lists NVENC even on machines without an NVIDIA GPU). Results are cached per
process. Anything else falls back to libx264 (libx265 for ``hevc_*``) with a note for the caller to print.
"""

from __future__ import annotations

import functools
import subprocess

from editor.media.ffmpeg import FFmpegNotFound, ffmpeg_exe
from editor.render.procs import meaningful_error

SOFTWARE = ("libx264", "libx265")
HARDWARE = ("h264_nvenc", "hevc_nvenc", "h264_qsv", "hevc_qsv", "h264_vaapi", "hevc_vaapi")
ALIASES = {"x264": "libx264", "h264": "libx264", "avc": "libx264", "x265": "libx265", "h265": "libx265",
           "hevc": "libx265", "nvenc": "h264_nvenc", "qsv": "h264_qsv", "vaapi": "h264_vaapi"}
VAAPI_DEVICE = "/dev/dri/renderD128"


def family(encoder: str) -> str:
    """'h264' or 'hevc'."""
    return "hevc" if encoder in ("libx265",) or encoder.startswith("hevc_") else "h264"


def is_hardware(encoder: str) -> bool:
    return encoder in HARDWARE


@functools.cache
def _listed_encoders() -> frozenset[str]:
    try:
        done = subprocess.run([ffmpeg_exe(), "-hide_banner", "-nostdin", "-encoders"],
                              capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError, FFmpegNotFound):
        return frozenset()
    names = set()
    for line in done.stdout.splitlines():
        parts = line.split()
        if len(parts) >= 2 and len(parts[0]) == 6 and parts[0][0] in "VAS":
            names.add(parts[1])
    return frozenset(names)


def hardware_input_args(encoder: str) -> list[str]:
    """Global arguments a hardware encoder needs before the inputs (a device for VAAPI)."""
    return ["-vaapi_device", VAAPI_DEVICE] if encoder.endswith("_vaapi") else []


def hardware_upload_filter(encoder: str) -> str:
    """Filters that end a graph feeding a hardware encoder (VAAPI takes frames in GPU memory)."""
    return ",format=nv12,hwupload" if encoder.endswith("_vaapi") else ""


@functools.cache
def probe_encoder(encoder: str) -> tuple[bool, str]:
    """(works, reason): a one-frame test encode of a small black frame. Cached."""
    if encoder not in _listed_encoders():
        return False, "not in this ffmpeg build"
    graph = "color=c=black:s=256x256:r=30:d=0.1,format=yuv420p" + hardware_upload_filter(encoder)
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", *hardware_input_args(encoder),
           "-f", "lavfi", "-i", graph, "-frames:v", "1", "-c:v", encoder, "-f", "null", "-"]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError) as exc:
        return False, str(exc)
    if done.returncode == 0:
        return True, ""
    return False, meaningful_error(done.stderr) or f"test encode failed (exit {done.returncode})"


def available_encoders() -> list[str]:
    """Encoders that work here: the software ones in this build, then hardware ones that pass a test encode."""
    listed = _listed_encoders()
    found = [e for e in SOFTWARE if e in listed]
    found += [e for e in HARDWARE if probe_encoder(e)[0]]
    return found


def choose_encoder(requested: str | None) -> tuple[str, str | None]:
    """(encoder to use, note or None). Unknown names raise ValueError; unusable hardware falls back."""
    name = (requested or "libx264").strip().lower()
    name = ALIASES.get(name, name)
    if name in SOFTWARE:
        return name, None
    if name not in HARDWARE:
        raise ValueError(f"unknown encoder {requested!r} (choose from: {', '.join((*SOFTWARE, *HARDWARE))})")
    works, reason = probe_encoder(name)
    if works:
        return name, None
    fallback = "libx265" if family(name) == "hevc" else "libx264"
    return fallback, f"{name} is not usable here ({reason}); using {fallback} instead"
