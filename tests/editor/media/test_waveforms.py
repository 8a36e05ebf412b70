"""Waveforms: min/max peaks of the mono mix, cached on disk by file identity and bucket count."""

from __future__ import annotations

import os
import subprocess
import threading
from pathlib import Path

import numpy as np
import pytest

from editor.media import synth
from editor.media import waveforms as waves
from editor.media.ffmpeg import ffmpeg_exe
from editor.media.info import MediaError
from editor.media.waveforms import WaveformCache, default_cache_dir, waveform

# ffmpeg's sine source has an amplitude of 1/8.
SINE_AMPLITUDE = 0.125


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("waves")
    silent = d / "silent.wav"
    subprocess.run([ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-nostdin", "-y", "-f", "lavfi", "-i",
                    "anullsrc=r=44100:cl=stereo", "-t", "1", "-c:a", "pcm_s16le", str(silent)], check=True)
    return {
        "wav": synth.tone(d / "tone.wav", seconds=1.0),
        "aac": synth.color_clip(d / "clip.mp4", seconds=1.0),
        "mute": synth.color_clip(d / "mute.mp4", seconds=1.0, tone_hz=None),
        "silent": silent,
    }


def test_tone_peaks_near_its_amplitude(media: dict[str, Path]) -> None:
    w = waveform(media["wav"], 40)
    assert w.shape == (40, 2) and w.dtype == np.float32
    np.testing.assert_allclose(w[:, 0], -SINE_AMPLITUDE, atol=0.002)
    np.testing.assert_allclose(w[:, 1], SINE_AMPLITUDE, atol=0.002)
    # Stereo AAC in a video: the codec rings a little, the peaks stay close.
    w = waveform(media["aac"], 20)
    assert np.all(np.abs(w[1:-1] - [-SINE_AMPLITUDE, SINE_AMPLITUDE]) < 0.015)
    assert np.all((w >= -1) & (w <= 1))


def test_silence_is_flat(media: dict[str, Path]) -> None:
    w = waveform(media["silent"], 30)
    assert w.shape == (30, 2)
    assert np.abs(w).max() < 1e-4


def test_one_bucket_and_more_buckets_than_samples(media: dict[str, Path]) -> None:
    w = waveform(media["wav"], 1)
    assert w.shape == (1, 2) and w[0, 0] < -0.12 and w[0, 1] > 0.12
    assert waveform(media["wav"], 100_000).shape == (100_000, 2)


def test_cache_hit_does_not_decode(media: dict[str, Path], tmp_path: Path) -> None:
    cache = WaveformCache(tmp_path / "c")
    before = waves.decode_count
    first = cache.get(media["wav"], 64)
    entry = cache.entry_path(media["wav"], 64)
    assert entry.is_file() and entry.suffix == ".npy"
    stamp = entry.stat().st_mtime_ns
    np.testing.assert_array_equal(cache.get(media["wav"], 64), first)
    np.testing.assert_array_equal(WaveformCache(tmp_path / "c").get(media["wav"], 64), first)
    assert waves.decode_count == before + 1 and entry.stat().st_mtime_ns == stamp
    assert cache.get(media["wav"], 32).shape == (32, 2)  # the bucket count is in the key
    assert waves.decode_count == before + 2


def test_modified_file_misses(media: dict[str, Path], tmp_path: Path) -> None:
    copy = tmp_path / "copy.wav"
    copy.write_bytes(media["wav"].read_bytes())
    cache = WaveformCache(tmp_path / "c")
    cache.get(copy, 16)
    st = copy.stat()
    os.utime(copy, ns=(st.st_atime_ns, st.st_mtime_ns + 2_000_000_000))
    before = waves.decode_count
    cache.get(copy, 16)
    assert waves.decode_count == before + 1
    assert len(list((tmp_path / "c").glob("*.npy"))) == 2


def test_concurrent_gets_agree_and_write_one_file(media: dict[str, Path], tmp_path: Path) -> None:
    cache = WaveformCache(tmp_path / "c")
    results: list[np.ndarray] = []
    start = threading.Barrier(4)
    before = waves.decode_count

    def work() -> None:
        start.wait()
        results.append(cache.get(media["aac"], 50))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 4
    for arr in results[1:]:
        np.testing.assert_array_equal(arr, results[0])
    assert waves.decode_count == before + 1
    assert [p.name for p in (tmp_path / "c").iterdir()] == [cache.entry_path(media["aac"], 50).name]


def test_default_cache_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert default_cache_dir() == tmp_path / "promptcut" / "waveforms"


def test_bad_files_raise_media_error(media: dict[str, Path], tmp_path: Path) -> None:
    junk = tmp_path / "junk.wav"
    junk.write_bytes(b"\x00\x01garbage" * 200)
    cut = synth.truncated_copy(media["aac"], tmp_path / "cut.mp4", 0.4)
    cache = WaveformCache(tmp_path / "c")
    for bad in (tmp_path / "missing.wav", junk, cut, media["mute"]):
        for call in (lambda p: waveform(p, 10), lambda p: cache.get(p, 10)):
            with pytest.raises(MediaError) as err:
                call(bad)
            message = str(err.value)
            assert str(bad) in message and "\n" not in message
    with pytest.raises(MediaError, match="has no audio"):
        waveform(media["mute"], 10)
    with pytest.raises(ValueError):
        waveform(media["wav"], 0)
