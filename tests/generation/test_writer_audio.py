"""The take's sound: a result with audio is one MP4 with an AAC stream as long as its picture (real ffmpeg,
probed with PyAV); results without sound are unchanged."""

from __future__ import annotations

import dataclasses
import json

import av
import numpy as np
import pytest

from generation.writer import AUDIO_RATE, sidecar_path, write_result, write_video


def frames(n: int = 24, size: int = 32) -> np.ndarray:
    return np.random.default_rng(0).integers(0, 256, (n, size, size, 3), dtype=np.uint8)


def tone(seconds: float, rate: int, channels: int = 2, hz: float = 440.0) -> np.ndarray:
    t = np.arange(round(seconds * rate)) / rate
    wave = (0.5 * np.sin(2 * np.pi * hz * t)).astype(np.float32)
    return np.repeat(wave[:, None], channels, axis=1)


def probe(path) -> dict:
    with av.open(str(path)) as c:
        out = {"video": len(c.streams.video), "audio": len(c.streams.audio)}
        if c.streams.audio:
            a = c.streams.audio[0]
            samples = 0
            peak = 0.0
            for frame in c.decode(a):
                arr = frame.to_ndarray()
                samples += frame.samples
                peak = max(peak, float(np.abs(arr).max()))
            out.update(codec=a.codec_context.name, rate=a.rate, channels=a.channels, samples=samples, peak=peak)
    with av.open(str(path)) as c:  # a second pass: the audio pass read the whole file
        out["frames"] = sum(1 for _ in c.decode(video=0))
    return out


@pytest.mark.parametrize("rate,seconds", [(16000, 0.5), (24000, 1.2), (48000, 1.0)])
def test_audio_is_muxed_resampled_and_fitted_to_the_picture(tmp_path, rate, seconds):
    # 24 frames at 24 fps = 1 s of picture: shorter sound is padded, longer is cut.
    path = write_video(frames(), tmp_path / "take.mp4", 24, audio=tone(seconds, rate), audio_rate=rate)
    info = probe(path)
    assert info["video"] == 1 and info["audio"] == 1 and info["frames"] == 24
    assert info["codec"] == "aac" and info["rate"] == AUDIO_RATE and info["channels"] == 2
    # AAC adds priming/padding of at most a couple of 1024-sample frames.
    assert abs(info["samples"] - AUDIO_RATE) <= 2 * 1024
    assert info["peak"] > 0.2  # the tone survived, not silence


def test_mono_sound_and_no_temp_files_left(tmp_path):
    write_video(frames(12), tmp_path / "m.mp4", 24, audio=tone(0.5, 16000, channels=1)[:, 0], audio_rate=16000)
    assert probe(tmp_path / "m.mp4")["channels"] == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.mp4"]


def test_bad_audio_is_refused_before_anything_is_written(tmp_path):
    with pytest.raises(ValueError, match="sample rate"):
        write_video(frames(), tmp_path / "x.mp4", 24, audio=tone(1, 16000), audio_rate=None)
    assert list(tmp_path.iterdir()) == []


def test_video_only_results_have_no_audio_stream(backend, tmp_path):
    from generation.request import GenerationRequest

    result = backend.generate(GenerationRequest(model="tiny-ltx", prompt="a fox", seed=1, num_frames=9))
    assert result.audio is None
    video, sidecar = write_result(result, tmp_path / "plain.mp4")
    assert probe(video)["audio"] == 0
    assert json.loads(sidecar.read_text()).get("audio") is None

    # The same result with sound: one file, an audio stream of the picture's duration, the sidecar says so.
    sound = tone(result.num_frames / result.fps, 24000)
    video2, sidecar2 = write_result(dataclasses.replace(result, audio=sound, audio_rate=24000), tmp_path / "s.mp4")
    info = probe(video2)
    assert info["audio"] == 1 and info["frames"] == result.num_frames
    assert abs(info["samples"] - round(result.num_frames / result.fps * AUDIO_RATE)) <= 2 * 1024
    data = json.loads(sidecar_path(video2).read_text())
    assert data["audio"]["codec"] == "aac" and data["audio"]["source_rate"] == 24000
    assert data["audio"]["channels"] == 2 and data["audio"]["seconds"] == pytest.approx(9 / 24)
