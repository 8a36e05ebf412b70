"""Probe caching (memory and opt-in disk), content hashes, and the MediaSource a probe makes."""

from __future__ import annotations

import json
import os
import shutil
from fractions import Fraction
from pathlib import Path

import pytest

from editor.media import probe as probe_module
from editor.media import synth
from editor.media.info import MediaError, MediaInfo
from editor.media.probe import clear_probe_cache, content_hash, media_source_from_info, probe
from editor.model import MediaClip, MediaKind, Timeline, TrackKind


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("cache")
    return {
        "color": synth.color_clip(d / "color.mp4", seconds=1.0),
        "rot": synth.rotated_clip(d / "rot.mp4", seconds=1.0, rotation=-90),
        "wav": synth.tone(d / "tone.wav", seconds=1.0),
        "png": synth.still(d / "still.png", size=(64, 48)),
    }


@pytest.fixture(autouse=True)
def fresh_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    clear_probe_cache()
    monkeypatch.delenv("PROMPTCUT_PROBE_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))


def count_probes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []
    real = probe_module._probe_file

    def counting(absolute: str, size: int, shown: str) -> MediaInfo:
        calls.append(absolute)
        return real(absolute, size, shown)

    monkeypatch.setattr(probe_module, "_probe_file", counting)
    return calls


# --- memory cache --------------------------------------------------------------------------------------


def test_second_probe_comes_from_memory(media: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    calls = count_probes(monkeypatch)
    first = probe(media["color"])
    assert probe(media["color"]) is first
    assert probe(str(media["color"])) is first
    assert len(calls) == 1


def test_a_changed_file_is_probed_again(media: dict[str, Path], tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    calls = count_probes(monkeypatch)
    path = tmp_path / "changing.mp4"
    shutil.copy(media["color"], path)
    assert probe(path).has_video
    shutil.copy(media["wav"], path)  # same name, new content: size and mtime differ
    os.utime(path, ns=(1, 1))
    info = probe(path)
    assert not info.has_video and info.has_audio
    assert len(calls) == 2


def test_cache_can_be_bypassed(media: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    calls = count_probes(monkeypatch)
    probe(media["wav"])
    probe(media["wav"], cache=False)
    assert len(calls) == 2


def test_failures_are_not_cached(tmp_path: Path, media: dict[str, Path]) -> None:
    path = tmp_path / "later.mp4"
    with pytest.raises(MediaError):
        probe(path)
    shutil.copy(media["color"], path)
    assert probe(path).has_video


# --- disk cache ----------------------------------------------------------------------------------------


def test_disk_cache_is_off_unless_asked(media: dict[str, Path], tmp_path: Path) -> None:
    probe(media["color"])
    assert not (tmp_path / "xdg").exists()


def test_disk_cache_round_trip(media: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "probe-cache"
    first = probe(media["rot"], disk_cache=folder)
    entries = list(folder.glob("*.json"))
    assert len(entries) == 1
    record = json.loads(entries[0].read_text())
    assert record["key"][0] == os.path.abspath(media["rot"])
    clear_probe_cache()
    calls = count_probes(monkeypatch)
    again = probe(media["rot"], disk_cache=folder)
    assert calls == []
    assert again == first and again is not first
    assert isinstance(again.duration, Fraction) and again.rotation == 90


def test_disk_cache_by_environment(media: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROMPTCUT_PROBE_CACHE", "1")
    probe(media["png"])
    assert len(list((tmp_path / "xdg" / "promptcut" / "probe").glob("*.json"))) == 1
    monkeypatch.setenv("PROMPTCUT_PROBE_CACHE", str(tmp_path / "elsewhere"))
    probe(media["wav"])
    assert len(list((tmp_path / "elsewhere").glob("*.json"))) == 1
    monkeypatch.setenv("PROMPTCUT_PROBE_CACHE", "0")
    probe(media["color"])
    assert len(list((tmp_path / "elsewhere").glob("*.json"))) == 1


def test_a_corrupt_disk_entry_is_a_miss(media: dict[str, Path], tmp_path: Path) -> None:
    folder = tmp_path / "probe-cache"
    first = probe(media["wav"], disk_cache=folder)
    (entry,) = folder.glob("*.json")
    entry.write_text("{not json")
    clear_probe_cache()
    assert probe(media["wav"], disk_cache=folder) == first


def test_an_unwritable_disk_cache_does_not_fail_the_probe(media: dict[str, Path], tmp_path: Path) -> None:
    blocker = tmp_path / "file-not-folder"
    blocker.write_text("")
    assert probe(media["wav"], disk_cache=blocker / "sub").has_audio


def test_media_info_dict_round_trip(media: dict[str, Path]) -> None:
    for path in media.values():
        info = probe(path)
        assert MediaInfo.from_dict(json.loads(json.dumps(info.to_dict()))) == info


# --- content hash --------------------------------------------------------------------------------------


def test_content_hash_follows_content_not_name(media: dict[str, Path], tmp_path: Path) -> None:
    copy = tmp_path / "renamed copy.mp4"
    shutil.copy(media["color"], copy)
    assert content_hash(copy) == content_hash(media["color"])
    assert content_hash(media["wav"]) != content_hash(media["color"])
    assert len(content_hash(copy)) == 64


def test_content_hash_of_a_big_file_reads_both_ends(tmp_path: Path) -> None:
    mib = 1 << 20
    data = bytearray(os.urandom(3 * mib))
    (tmp_path / "a.bin").write_bytes(bytes(data))
    base = content_hash(tmp_path / "a.bin")
    middle = bytearray(data)
    middle[int(1.5 * mib)] ^= 0xFF  # the middle is not hashed (that is the point: it is fast)
    (tmp_path / "b.bin").write_bytes(bytes(middle))
    assert content_hash(tmp_path / "b.bin") == base
    tail = bytearray(data)
    tail[-10] ^= 0xFF
    (tmp_path / "c.bin").write_bytes(bytes(tail))
    assert content_hash(tmp_path / "c.bin") != base
    (tmp_path / "d.bin").write_bytes(bytes(data) + b"x")
    assert content_hash(tmp_path / "d.bin") != base


def test_content_hash_of_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(MediaError, match="no such file"):
        content_hash(tmp_path / "gone.mp4")


# --- MediaSource ---------------------------------------------------------------------------------------


def test_media_sources_of_each_kind(media: dict[str, Path]) -> None:
    video = media_source_from_info(probe(media["color"]), "v")
    assert (video.id, video.kind, video.duration, video.has_video, video.has_audio) == \
        ("v", MediaKind.VIDEO, Fraction(1), True, True)
    assert video.path == os.path.abspath(media["color"]) and video.online
    sound = media_source_from_info(probe(media["wav"]), "a")
    assert (sound.kind, sound.has_video, sound.has_audio) == (MediaKind.AUDIO, False, True)
    image = media_source_from_info(probe(media["png"]), "i", path="pool/still.png")
    assert (image.kind, image.duration, image.width, image.height, image.path) == \
        (MediaKind.IMAGE, None, 64, 48, "pool/still.png")


def test_media_source_of_a_rotated_clip_is_upright(media: dict[str, Path]) -> None:
    source = media_source_from_info(probe(media["rot"]), "r")
    assert (source.width, source.height) == (180, 320)


def test_probed_media_fits_a_timeline(media: dict[str, Path]) -> None:
    tl = Timeline.empty()
    tl.media["v"] = media_source_from_info(probe(media["color"]), "v")
    tl.track(tl.video_tracks[0].id).add(MediaClip("c1", 0, 30, media="v"))
    assert tl.video_tracks[0].kind is TrackKind.VIDEO
    tl.check()
    tl.video_tracks[0].add(MediaClip("c2", 30, 1, source_in=30, media="v"))  # frame 31 of a 30-frame file
    assert tl.problems()
