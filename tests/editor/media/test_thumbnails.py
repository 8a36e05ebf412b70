"""Thumbnails: upright, aspect kept, the right picture at a time, cached on disk by file identity."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import numpy as np
import pytest

from editor.media import synth
from editor.media import thumbnails as thumbs
from editor.media.info import MediaError
from editor.media.thumbnails import ThumbnailCache, default_cache_dir, thumbnail, thumbnails_for


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("thumbs")
    return {
        "red": synth.color_clip(d / "red.mp4", "red", seconds=1.0, tone_hz=None),
        "rot": synth.rotated_clip(d / "rot.mp4", seconds=1.0),
        "flash": synth.flash_beep_clip(d / "flash.mov", seconds=3),
        "still": synth.still(d / "still.png", "yellow", size=(400, 200)),
        "wav": synth.tone(d / "tone.wav", seconds=0.5),
    }


def mean_rgb(arr: np.ndarray) -> np.ndarray:
    return arr.reshape(-1, 3).mean(axis=0)


def test_red_clip_is_red_with_height_and_aspect(media: dict[str, Path]) -> None:
    arr = thumbnail(media["red"], 0.5, 90)
    assert arr.shape == (90, 160, 3) and arr.dtype == np.uint8
    r, g, b = mean_rgb(arr)
    assert r > 230 and g < 25 and b < 25
    assert thumbnail(media["red"], 0.5, 45).shape == (45, 80, 3)


def test_rotated_clip_is_upright_portrait(media: dict[str, Path]) -> None:
    arr = thumbnail(media["rot"], 0.2, 64)
    assert arr.shape == (64, 36, 3)  # coded 320x180, shown turned: portrait
    top, bottom = mean_rgb(arr[:24]), mean_rgb(arr[-24:])
    assert top[2] > 200 and top[0] < 40      # blue half on top (see synth.rotated_clip)
    assert bottom[0] > 200 and bottom[2] < 40


def test_still(media: dict[str, Path]) -> None:
    arr = thumbnail(media["still"], 3.0, 50)
    assert arr.shape == (50, 100, 3)
    r, g, b = mean_rgb(arr)
    assert r > 230 and g > 230 and b < 25


def test_times_pick_different_pictures(media: dict[str, Path]) -> None:
    white, black = thumbnail(media["flash"], 0.0, 60), thumbnail(media["flash"], 0.5, 60)
    assert white.mean() > 240 and black.mean() < 15
    # In any order, with one open: flashes at the start of each second, black between; past the end: last frame.
    got = thumbnails_for(media["flash"], [2.0, 0.5, 1.0, 0.0, 1.5, 99.0], 60)
    assert [round(float(a.mean())) > 128 for a in got] == [True, False, True, True, False, False]
    assert thumbnails_for(media["flash"], [], 60) == []


def test_cache_hit_does_not_decode(media: dict[str, Path], tmp_path: Path) -> None:
    cache = ThumbnailCache(tmp_path / "c")
    before = thumbs.decode_count
    first = cache.get(media["red"], 0.5, 72)
    assert thumbs.decode_count == before + 1
    entry = cache.entry_path(media["red"], 0.5, 72)
    assert entry.is_file() and entry.suffix == ".png"
    stamp = entry.stat().st_mtime_ns
    again = cache.get(media["red"], 0.5004, 72)  # same millisecond
    assert thumbs.decode_count == before + 1
    np.testing.assert_array_equal(first, again)
    assert entry.stat().st_mtime_ns == stamp
    # Another cache object over the same folder hits too; another height or time misses.
    ThumbnailCache(tmp_path / "c").get(media["red"], 0.5, 72)
    assert thumbs.decode_count == before + 1
    cache.get(media["red"], 0.5, 36)
    cache.get(media["red"], 0.6, 72)
    assert thumbs.decode_count == before + 3


def test_get_many_decodes_only_misses(media: dict[str, Path], tmp_path: Path) -> None:
    cache = ThumbnailCache(tmp_path)
    cache.get(media["flash"], 1.0, 40)
    before = thumbs.decode_count
    got = cache.get_many(media["flash"], [0.0, 1.0, 0.5, 0.5], 40)
    assert thumbs.decode_count == before + 2
    assert [a.mean() > 128 for a in got] == [True, True, False, False]
    assert len(list(tmp_path.glob("*.png"))) == 3


def test_modified_file_misses(media: dict[str, Path], tmp_path: Path) -> None:
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(media["red"].read_bytes())
    cache = ThumbnailCache(tmp_path / "c")
    cache.get(clip, 0.1, 30)
    before = thumbs.decode_count
    st = clip.stat()
    os.utime(clip, ns=(st.st_atime_ns, st.st_mtime_ns + 2_000_000_000))
    cache.get(clip, 0.1, 30)
    assert thumbs.decode_count == before + 1
    assert len(list((tmp_path / "c").glob("*.png"))) == 2


def test_concurrent_gets_agree_and_write_one_file(media: dict[str, Path], tmp_path: Path) -> None:
    cache = ThumbnailCache(tmp_path / "c")
    results: list[np.ndarray] = []
    errors: list[BaseException] = []
    start = threading.Barrier(4)
    before = thumbs.decode_count

    def work() -> None:
        try:
            start.wait()
            results.append(cache.get(media["rot"], 0.5, 48))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(results) == 4
    for arr in results[1:]:
        np.testing.assert_array_equal(arr, results[0])
    assert thumbs.decode_count == before + 1
    assert [p.name for p in (tmp_path / "c").iterdir()] == [cache.entry_path(media["rot"], 0.5, 48).name]


def test_default_cache_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert default_cache_dir() == tmp_path / "promptcut" / "thumbs"
    assert ThumbnailCache().folder == tmp_path / "promptcut" / "thumbs"


def test_bad_files_raise_media_error(media: dict[str, Path], tmp_path: Path) -> None:
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(b"not a video at all" * 100)
    cut = synth.truncated_copy(media["red"], tmp_path / "cut.mp4", 0.4)
    cache = ThumbnailCache(tmp_path / "c")
    for bad in (tmp_path / "missing.mp4", junk, cut, media["wav"]):
        for call in (lambda p: thumbnail(p, 0, 32), lambda p: cache.get(p, 0, 32)):
            with pytest.raises(MediaError) as err:
                call(bad)
            message = str(err.value)
            assert str(bad) in message and "\n" not in message
    assert not (tmp_path / "c").exists() or not list((tmp_path / "c").iterdir())
    with pytest.raises(ValueError):
        thumbnail(media["red"], 0, 0)


def test_a_relative_name_with_a_colon_is_read_as_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Without the file-only protocol, ffmpeg would take "clip:" for a protocol name.
    synth.color_clip(tmp_path / "clip: 'ñ' [1] 100%.mp4", "red", seconds=1.0, tone_hz=None)
    monkeypatch.chdir(tmp_path)
    picture = thumbnail("clip: 'ñ' [1] 100%.mp4", 0.5, 36)
    r, g, b = picture.reshape(-1, 3).mean(axis=0)
    assert r > 200 and g < 60 and b < 60
