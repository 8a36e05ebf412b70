"""The MP4 writer and the JSON sidecar: decodable, right frame count and fps, bt709 tags, atomic."""

from __future__ import annotations

import json
import os
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from generation.errors import GenerationError
from generation.ffmpeg import FFmpegNotFound, find_ffmpeg
from generation.request import GenerationRequest
from generation.writer import SIDECAR_FORMAT, sidecar_path, write_result, write_video


def gradient(frames: int = 9, height: int = 64, width: int = 96) -> np.ndarray:
    t = np.arange(frames)[:, None, None]
    y = np.arange(height)[None, :, None]
    x = np.arange(width)[None, None, :]
    out = np.zeros((frames, height, width, 3), dtype=np.uint8)
    out[..., 0] = (x * 255 // max(width - 1, 1)).astype(np.uint8)
    out[..., 1] = (y * 255 // max(height - 1, 1)).astype(np.uint8)
    out[..., 2] = ((t * 25) % 256).astype(np.uint8)
    return out


def decode(path: Path) -> tuple[np.ndarray, av.video.stream.VideoStream, dict]:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        info = {
            "rate": stream.average_rate,
            "codec": stream.codec_context.name,
            "pix_fmt": stream.codec_context.pix_fmt,
            "colorspace": stream.codec_context.colorspace,
            "primaries": stream.codec_context.color_primaries,
            "trc": stream.codec_context.color_trc,
        }
        frames = np.stack([f.to_ndarray(format="rgb24") for f in container.decode(stream)])
    return frames, stream, info


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return float("inf") if mse == 0 else 10 * np.log10(255.0**2 / mse)


def test_writes_a_decodable_h264_with_the_right_count_fps_and_tags(tmp_path):
    frames = gradient()
    out = write_video(frames, tmp_path / "shot.mp4", 24)
    decoded, _, info = decode(out)
    assert decoded.shape == frames.shape
    assert info["rate"] == 24 and info["codec"] == "h264" and info["pix_fmt"] == "yuv420p"
    assert (info["colorspace"], info["primaries"], info["trc"]) == (1, 1, 1)  # 1 = BT.709 in all three tables
    assert psnr(decoded, frames) > 35  # converted with the matrix it is tagged with
    assert sorted(p.name for p in tmp_path.iterdir()) == ["shot.mp4"]


def test_fractional_rates_and_odd_sizes(tmp_path):
    frames = gradient(frames=5, height=33, width=47)
    out = write_video(frames, tmp_path / "ntsc.mp4", Fraction(30000, 1001))
    decoded, _, info = decode(out)
    assert info["rate"] == Fraction(30000, 1001)
    assert decoded.shape[0] == 5 and decoded.shape[1:3] == (34, 48)  # padded to even sides for 4:2:0


def test_a_failed_encode_leaves_no_file_and_keeps_the_old_one(tmp_path):
    target = tmp_path / "shot.mp4"
    target.write_bytes(b"previous take")
    with pytest.raises(GenerationError) as info:
        write_video(gradient(), target, 24, preset="no-such-preset")
    assert info.value.kind == "write" and "shot.mp4" in str(info.value)
    assert target.read_bytes() == b"previous take"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["shot.mp4"]  # no partial file beside it


def test_bad_frames_are_refused_before_anything_is_written(tmp_path):
    with pytest.raises(ValueError):
        write_video(np.zeros((9, 64, 64), dtype=np.uint8), tmp_path / "a.mp4", 24)
    with pytest.raises(ValueError):
        write_video(np.zeros((9, 64, 64, 3), dtype=np.float32), tmp_path / "a.mp4", 24)
    assert list(tmp_path.iterdir()) == []


def test_generated_take_and_sidecar(backend, tmp_path):
    request = GenerationRequest(model="tiny-wan", prompt="a red fox", seed=9, width=64, height=64, num_frames=13)
    result = backend.generate(request)
    video, sidecar = write_result(result, tmp_path / "takes" / "fox.mp4", extra={"job": "j1"})
    assert video == tmp_path / "takes" / "fox.mp4" and sidecar == sidecar_path(video) == video.with_suffix(".json")
    decoded, _, info = decode(video)
    assert decoded.shape == (13, 64, 64, 3) and info["rate"] == 24
    data = json.loads(sidecar.read_text())
    assert data["format"] == SIDECAR_FORMAT and data["version"] == 1 and data["job"] == "j1"
    assert data["video"] == {
        "file": "fox.mp4",
        "width": 64,
        "height": 64,
        "frames": 13,
        "fps": 24,
        "seconds": 13 / 24,
        "codec": "h264",
        "pix_fmt": "yuv420p",
        "color": "bt709",
        "crf": 14,
    }
    assert data["model"] == {
        "id": "tiny-wan",
        "repo": "Wan-AI/Wan2.2-TI2V-5B-Diffusers",
        "revision": "tiny-wan-recipe-1",
        "source": "built-in",
        "pipeline_class": "WanPipeline",
    }
    assert data["spec"]["seed"] == 9 and data["spec"]["prompt"] == "a red fox" and data["spec"]["steps"] == 2
    assert data["request"]["num_frames"] == 13 and data["mode"] == "text_to_video"
    assert {"denoise_s", "decode_s", "total_s", "encode_s"} <= data["timings"].keys()
    assert data["software"]["diffusers"] and data["software"]["torch"]
    assert sorted(p.name for p in video.parent.iterdir()) == ["fox.json", "fox.mp4"]


def test_find_ffmpeg_honours_the_override(monkeypatch, tmp_path):
    real = find_ffmpeg()
    assert os.access(real, os.X_OK)
    monkeypatch.setenv("PROMPTCUT_FFMPEG", real)
    assert find_ffmpeg() == real
    monkeypatch.setenv("PROMPTCUT_FFMPEG", str(tmp_path / "nope"))
    with pytest.raises(FFmpegNotFound, match="PROMPTCUT_FFMPEG"):
        find_ffmpeg()
