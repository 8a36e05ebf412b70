"""Frames -> a high-quality H.264 MP4 at the model's native fps, plus a JSON sidecar; both written atomically.

The MP4 goes to a temporary file in the destination folder and is renamed into place only after ffmpeg
succeeds, so a reader never sees a partial file. The sidecar is written after the video: a sidecar next to a
video means the take is complete. Conforming to the timeline's fps and size happens later, at placement.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import subprocess
import tempfile
import time
from collections.abc import Mapping
from fractions import Fraction
from importlib import metadata as _metadata
from pathlib import Path
from typing import Any

import numpy as np

from .errors import GenerationError
from .ffmpeg import find_ffmpeg
from .leftovers import mkstemp_beside, replacing, sweep_stale
from .request import GenerationResult

SIDECAR_FORMAT = "promptcut.generation"
SIDECAR_VERSION = 1
DEFAULT_CRF = 14  # visually lossless for generated footage; it is re-encoded again at export
DEFAULT_PRESET = "medium"
AUDIO_RATE = 48000  # the take's sound is stored as AAC at 48 kHz (ffmpeg resamples the model's rate)
AUDIO_BITRATE = "192k"


def sidecar_path(video: str | os.PathLike[str]) -> Path:
    return Path(video).with_suffix(".json")


def _fps_arg(fps: int | float | Fraction) -> str:
    f = Fraction(fps).limit_denominator(1001000) if not isinstance(fps, int) else Fraction(fps)
    if f <= 0:
        raise ValueError(f"fps must be positive, got {fps}")
    return f"{f.numerator}/{f.denominator}"


def _temp_beside(path: Path, suffix: str) -> Path:
    """A new hidden temporary beside ``path``, named as ``generation.leftovers`` says (recognisable, with its pid);
    the caller has swept what a killed writer left in that folder."""
    fd, name = mkstemp_beside(path, f".partial{suffix}")
    os.close(fd)
    return Path(name)


def write_video(
    frames: np.ndarray,
    path: str | os.PathLike[str],
    fps: int | float | Fraction,
    *,
    crf: int = DEFAULT_CRF,
    preset: str = DEFAULT_PRESET,
    ffmpeg: str | None = None,
    audio: np.ndarray | None = None,
    audio_rate: int | None = None,
) -> Path:
    """Encode ``(T, H, W, 3)`` uint8 RGB frames to ``path`` (H.264, yuv420p, bt709 tags, +faststart).

    ``audio`` (float32 ``(samples, channels)`` at ``audio_rate`` Hz) is muxed in as AAC at 48 kHz in the same
    write, padded with silence or cut to the picture's length so the take's sound and picture end together."""
    arr = np.asarray(frames)
    if arr.ndim != 4 or arr.shape[-1] != 3 or arr.shape[0] < 1:
        raise ValueError(f"frames must be (T, H, W, 3) with T >= 1, got {arr.shape}")
    if arr.dtype != np.uint8:
        raise ValueError(f"frames must be uint8, got {arr.dtype}")
    t, h, w, _ = arr.shape
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    exe = ffmpeg or find_ffmpeg()
    sound = None if audio is None else _fit_audio(audio, audio_rate, t, fps)
    sweep_stale(out.parent)
    with replacing(out, f".partial{out.suffix or '.mp4'}") as tmp:
        raw = _temp_beside(out, ".f32") if sound is not None else None
        try:
            if sound is not None and raw is not None:
                raw.write_bytes(np.ascontiguousarray(sound, dtype="<f4").tobytes())
            cmd = _command(exe, (w, h), fps, crf, preset, sound, audio_rate, raw, tmp)
            _encode(cmd, arr, out.name)
        finally:
            if raw is not None:
                raw.unlink(missing_ok=True)
    return out


def _command(exe: str, size: tuple[int, int], fps: int | float | Fraction, crf: int, preset: str,
             sound: np.ndarray | None, audio_rate: int | None, raw: Path | None, tmp: Path) -> list[str]:
    """The ffmpeg command reading RGB frames from stdin (and ``sound`` from ``raw``) and writing ``tmp``."""
    w, h = size
    sound_in: list[str] = []
    sound_out = ["-an"]
    if sound is not None and raw is not None:
        channels = sound.shape[1]
        sound_in = ["-f", "f32le", "-ar", str(audio_rate), "-ac", str(channels), "-i", str(raw)]
        sound_out = ["-map", "0:v:0", "-map", "1:a:0", "-c:a", "aac", "-b:a", AUDIO_BITRATE, "-ar", str(AUDIO_RATE)]
    return [
        exe,
        "-hide_banner",
        "-loglevel",
        "error",
        "-y",
        "-f",
        "rawvideo",
        "-pix_fmt",
        "rgb24",
        "-s",
        f"{w}x{h}",
        "-r",
        _fps_arg(fps),
        "-i",
        "pipe:0",
        *sound_in,
        # RGB -> limited-range BT.709 YUV with the matrix we tag (swscale defaults to BT.601); even sides.
        "-vf",
        "pad=ceil(iw/2)*2:ceil(ih/2)*2,scale=out_color_matrix=bt709:out_range=tv,format=yuv420p,"
        "setparams=colorspace=bt709:color_primaries=bt709:color_trc=bt709:range=tv",
        "-c:v",
        "libx264",
        "-preset",
        preset,
        "-crf",
        str(crf),
        "-pix_fmt",
        "yuv420p",
        "-colorspace",
        "bt709",
        "-color_primaries",
        "bt709",
        "-color_trc",
        "bt709",
        "-color_range",
        "tv",
        "-movflags",
        "+faststart",
        *sound_out,
        "-f",
        "mp4",
        str(tmp),
    ]


def _encode(cmd: list[str], arr: np.ndarray, name: str) -> None:
    """Run ffmpeg's ``cmd`` with ``arr``'s frames on its stdin; GenerationError with ffmpeg's last line when it
    fails or stops reading."""
    # Frames go in through stdin; stderr goes to a file so a chatty ffmpeg can never block the pipe.
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=err)
        assert proc.stdin is not None
        broken = False
        try:
            for frame in arr:
                proc.stdin.write(np.ascontiguousarray(frame).tobytes())
        except BrokenPipeError:
            broken = True
        finally:
            try:
                proc.stdin.close()
            except BrokenPipeError:
                broken = True
        rc = proc.wait()
        err.seek(0)
        log = err.read().decode("utf-8", "replace").strip()
    if rc != 0 or broken:
        tail = log.splitlines()[-1] if log else f"exit status {rc}"
        raise GenerationError(f"ffmpeg could not write {name}: {tail}", kind="write")


def _fit_audio(audio: np.ndarray, rate: int | None, frames: int, fps: int | float | Fraction) -> np.ndarray:
    """Sound as float32 ``(samples, channels)`` in [-1, 1], exactly as long as ``frames`` at ``fps``."""
    arr = np.asarray(audio, dtype=np.float32)
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2 or arr.shape[1] < 1 or arr.shape[1] > 8:
        raise ValueError(f"audio must be (samples, channels), got {arr.shape}")
    if not rate or rate <= 0:
        raise ValueError(f"audio needs a positive sample rate, got {rate}")
    samples = round(frames * rate / Fraction(fps).limit_denominator(1001000))
    if len(arr) < samples:
        arr = np.concatenate([arr, np.zeros((samples - len(arr), arr.shape[1]), np.float32)])
    return np.clip(np.nan_to_num(arr[:samples]), -1.0, 1.0)


def write_json_atomic(path: str | os.PathLike[str], data: Mapping[str, Any]) -> Path:
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    sweep_stale(out.parent)
    with replacing(out, ".partial.json") as tmp:
        tmp.write_text(json.dumps(data, indent=2, sort_keys=False, default=_json_default) + "\n", encoding="utf-8")
    return out


def _json_default(value: Any) -> Any:
    if isinstance(value, Fraction):
        return f"{value.numerator}/{value.denominator}"
    if isinstance(value, (np.integer, np.floating)):
        return value.item()
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    raise TypeError(f"not JSON-serialisable: {type(value).__name__}")


def _versions() -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for dist in ("promptcut", "diffusers", "transformers", "torch"):
        try:
            out[dist] = _metadata.version(dist)
        except _metadata.PackageNotFoundError:
            out[dist] = None
    return out


def write_result(
    result: GenerationResult,
    path: str | os.PathLike[str],
    *,
    crf: int = DEFAULT_CRF,
    preset: str = DEFAULT_PRESET,
    extra: Mapping[str, Any] | None = None,
) -> tuple[Path, Path]:
    """Write the take: ``path`` (MP4 at the model's native fps) and its sidecar (``path`` with ``.json``).

    ``extra`` is merged into the sidecar (a job id, the spec hash, ...). Returns (video, sidecar).
    """
    t0 = time.perf_counter()
    video = write_video(
        result.frames, path, result.fps, crf=crf, preset=preset, audio=result.audio, audio_rate=result.audio_rate
    )
    encode_s = time.perf_counter() - t0
    meta = result.metadata()
    sidecar: dict[str, Any] = {
        "format": SIDECAR_FORMAT,
        "version": SIDECAR_VERSION,
        "created": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        "video": {
            "file": video.name,
            "width": result.width,
            "height": result.height,
            "frames": result.num_frames,
            "fps": result.fps,
            "seconds": result.num_frames / result.fps,
            "codec": "h264",
            "pix_fmt": "yuv420p",
            "color": "bt709",
            "crf": crf,
        },
        **meta,
        "timings": {**meta["timings"], "encode_s": encode_s},
        "software": _versions(),
    }
    if result.audio is not None:
        sidecar["audio"] = {
            "codec": "aac",
            "rate": AUDIO_RATE,
            "source_rate": result.audio_rate,
            "channels": int(np.asarray(result.audio).reshape(len(result.audio), -1).shape[1]),
            "seconds": result.num_frames / result.fps,
        }
    if extra:
        sidecar.update(extra)
    return video, write_json_atomic(sidecar_path(video), sidecar)
