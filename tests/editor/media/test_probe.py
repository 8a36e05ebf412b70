"""probe() on real files made by editor.media.synth: what it reads, and how it refuses bad input."""

from __future__ import annotations

import os
import shutil
import subprocess
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from editor.media import synth
from editor.media.ffmpeg import ffmpeg_exe
from editor.media.info import MediaError, MediaInfo
from editor.media.probe import probe


def permissions_enforced() -> bool:
    """False for root (or a process with CAP_DAC_OVERRIDE), which reads and writes regardless of modes."""
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        probe_file = Path(d) / "locked"
        probe_file.write_text("x")
        probe_file.chmod(0)
        try:
            probe_file.read_text()
        except PermissionError:
            return True
        finally:
            probe_file.chmod(0o600)
    return False


def ffmpeg(*args: str) -> None:
    subprocess.run([ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-nostdin", "-y", *args], check=True)


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("probe")
    m = {
        "color": synth.color_clip(d / "color.mp4"),
        "ntsc": synth.color_clip(d / "ntsc.mp4", fps=Fraction(30000, 1001), tone_hz=None, seconds=1.0),
        "pattern": synth.pattern_clip(d / "pattern.mp4"),
        "vfr": synth.vfr_clip(d / "vfr.mp4"),
        "rot90": synth.rotated_clip(d / "rot90.mp4", rotation=90),
        "rot-90": synth.rotated_clip(d / "rot-90.mp4", rotation=-90),
        "rot180": synth.rotated_clip(d / "rot180.mp4", rotation=180),
        "wav": synth.tone(d / "tone.wav"),
        "m4a": synth.tone(d / "tone.m4a", sample_rate=48000, channels=2),
        "png": synth.still(d / "still.png"),
        "jpg": synth.still(d / "still.jpg", size=(640, 360)),
        "hdr": synth.hdr_clip(d / "hdr.mp4"),
    }
    ffmpeg("-i", str(m["png"]), str(d / "still.webp"))
    m["webp"] = d / "still.webp"
    # Containers with millisecond timestamps and B-frames: constant rate must not look variable.
    ffmpeg("-f", "lavfi", "-i", "testsrc2=s=160x120:r=30000/1001:d=3", "-c:v", "libx264", "-preset", "fast",
           "-bf", "3", str(d / "bframes.mkv"))
    m["mkv"] = d / "bframes.mkv"
    ffmpeg("-i", str(m["mkv"]), "-c", "copy", str(d / "bframes.mp4"))  # millisecond jitter, now in an MP4
    m["bframes.mp4"] = d / "bframes.mp4"
    ffmpeg("-i", str(m["vfr"]), "-c", "copy", str(d / "vfr.mkv"))
    m["vfr.mkv"] = d / "vfr.mkv"
    # Long enough (1500 frames) that only the start and end of the index are sampled.
    ffmpeg("-f", "lavfi", "-i", "testsrc2=s=64x64:r=30:d=50", "-c:v", "libx264", "-preset", "ultrafast",
           str(d / "long.mp4"))
    m["long"] = d / "long.mp4"
    ffmpeg("-filter_complex", "color=s=64x64:r=30:d=22[a];color=s=64x64:r=15:d=6[b];color=s=64x64:r=30:d=22[c];"
           "[a][b][c]concat=n=3:v=1:a=0,settb=1/90000[v]", "-map", "[v]", "-fps_mode", "vfr",
           "-video_track_timescale", "90000", "-c:v", "libx264", "-preset", "ultrafast", str(d / "midvfr.mp4"))
    m["midvfr"] = d / "midvfr.mp4"
    ffmpeg("-i", str(m["wav"]), "-i", str(m["jpg"]), "-map", "0", "-map", "1", "-c:a", "libmp3lame", "-c:v", "copy",
           "-disposition:v", "attached_pic", str(d / "cover.mp3"))
    m["cover.mp3"] = d / "cover.mp3"
    ffmpeg("-i", str(m["pattern"]), "-c", "copy", "-movflags", "+faststart", str(d / "faststart.mp4"))
    m["faststart"] = d / "faststart.mp4"
    ffmpeg("-i", str(m["pattern"]), "-c", "copy", str(d / "pattern.mkv"))
    m["pattern.mkv"] = d / "pattern.mkv"
    return m


# --- what it reads -------------------------------------------------------------------------------------


def test_video_with_sound(media: dict[str, Path]) -> None:
    info = probe(media["color"])
    assert isinstance(info, MediaInfo)
    assert info.path == os.path.abspath(media["color"])
    assert info.has_video and info.has_audio and not info.is_image
    assert info.duration == Fraction(2) and isinstance(info.duration, Fraction)
    assert info.fps == Fraction(30) and isinstance(info.fps, Fraction)
    assert info.frame_count == 60
    assert (info.width, info.height, info.rotation) == (320, 180, 0)
    assert (info.video_codec, info.pixel_format) == ("h264", "yuv420p")
    assert (info.audio_codec, info.sample_rate, info.channels) == ("aac", 48000, 2)
    assert not info.variable_frame_rate
    assert not info.is_hdr
    assert info.size == media["color"].stat().st_size
    assert info.start_time == 0


def test_ntsc_rate_and_duration_are_exact(media: dict[str, Path]) -> None:
    info = probe(media["ntsc"])
    assert info.fps == Fraction(30000, 1001)
    assert info.frame_count == 30
    assert info.duration == Fraction(30 * 1001, 30000)
    assert not info.has_audio


@pytest.mark.parametrize("name", ["color", "ntsc", "pattern", "rot90", "hdr", "mkv", "pattern.mkv", "faststart",
                                  "bframes.mp4", "long"])
def test_constant_rate_is_not_called_variable(media: dict[str, Path], name: str) -> None:
    assert not probe(media[name]).variable_frame_rate


@pytest.mark.parametrize("name", ["vfr", "vfr.mkv", "midvfr"])
def test_variable_frame_rate_is_detected(media: dict[str, Path], name: str) -> None:
    info = probe(media[name])
    assert info.variable_frame_rate
    assert info.fps is not None and 15 < info.fps < 30  # the average of 30 and 15 fps stretches


def test_long_clip_counts(media: dict[str, Path]) -> None:
    info = probe(media["long"])
    assert (info.frame_count, info.duration, info.fps) == (1500, 50, 30)


@pytest.mark.parametrize(("name", "clockwise"), [("color", 0), ("rot90", 270), ("rot-90", 90), ("rot180", 180)])
def test_rotation_is_the_clockwise_turn_to_upright(media: dict[str, Path], name: str, clockwise: int) -> None:
    info = probe(media[name])
    assert info.rotation == clockwise
    assert (info.width, info.height) == (320, 180)  # the coded size
    upright = (180, 320) if clockwise in (90, 270) else (320, 180)
    assert (info.display_width, info.display_height) == upright


@pytest.mark.parametrize("name", ["rot90", "rot-90", "rot180"])
def test_rotation_matches_what_the_ffmpeg_cli_shows(media: dict[str, Path], name: str) -> None:
    """The CLI autorotates, PyAV does not: turning PyAV's frame by probe().rotation must give the CLI's."""
    info = probe(media[name])
    raw = subprocess.run([ffmpeg_exe(), "-v", "error", "-i", str(media[name]), "-frames:v", "1", "-f", "rawvideo",
                          "-pix_fmt", "rgb24", "-"], capture_output=True, check=True).stdout
    shown = np.frombuffer(raw, np.uint8).reshape(info.display_height, info.display_width, 3)
    with av.open(str(media[name])) as container:
        coded = next(container.decode(video=0)).to_ndarray(format="rgb24")
    turned = np.rot90(coded, k=-info.rotation // 90)  # negative k turns clockwise
    assert turned.shape == shown.shape
    assert np.abs(turned.astype(int) - shown.astype(int)).mean() < 4
    if name == "rot-90":  # synth's own description: turned 90 degrees clockwise, the red half is on top
        assert shown[5, info.display_width // 2, 0] > 200 and shown[5, info.display_width // 2, 2] < 60


def test_audio_only_wav(media: dict[str, Path]) -> None:
    info = probe(media["wav"])
    assert (info.has_video, info.has_audio, info.is_image) == (False, True, False)
    assert info.duration == Fraction(2)
    assert (info.audio_codec, info.sample_rate, info.channels) == ("pcm_s16le", 44100, 1)
    assert info.fps is None and info.video_codec is None and info.frame_count is None
    assert (info.width, info.height) == (0, 0)


def test_audio_only_aac(media: dict[str, Path]) -> None:
    info = probe(media["m4a"])
    assert (info.has_video, info.has_audio) == (False, True)
    assert (info.audio_codec, info.sample_rate, info.channels) == ("aac", 48000, 2)
    assert abs(info.duration - 2) < Fraction(1, 20)


def test_cover_art_does_not_make_an_mp3_a_video(media: dict[str, Path]) -> None:
    info = probe(media["cover.mp3"])
    assert (info.has_video, info.has_audio, info.is_image) == (False, True, False)
    assert info.audio_codec == "mp3"


@pytest.mark.parametrize(("name", "size", "codec"), [("png", (400, 400), "png"), ("jpg", (640, 360), "mjpeg"),
                                                      ("webp", (400, 400), "webp")])
def test_still_images(media: dict[str, Path], name: str, size: tuple[int, int], codec: str) -> None:
    info = probe(media[name])
    assert info.is_image and info.has_video and not info.has_audio
    assert info.duration is None and info.fps is None
    assert (info.width, info.height) == size
    assert info.video_codec == codec
    assert info.frame_count == 1
    assert not info.variable_frame_rate
    assert info.pixel_format


def test_exif_orientation_of_a_jpeg(tmp_path: Path) -> None:
    image = pytest.importorskip("PIL.Image")
    exif = image.Exif()
    exif[0x0112] = 6  # "rotate 90 clockwise to display"
    image.new("RGB", (320, 180), "red").save(tmp_path / "phone.jpg", exif=exif)
    info = probe(tmp_path / "phone.jpg")
    assert info.is_image and info.rotation == 90
    assert (info.display_width, info.display_height) == (180, 320)


def test_hdr_colour_tags(media: dict[str, Path]) -> None:
    info = probe(media["hdr"])
    assert info.video_codec == "hevc"
    assert info.pixel_format == "yuv420p10le"
    assert (info.color_transfer, info.color_primaries, info.color_space) == ("smpte2084", "bt2020", "bt2020nc")
    assert info.is_hdr


def test_sdr_colour_tags_of_unspecified_files_are_none(media: dict[str, Path]) -> None:
    info = probe(media["color"])
    assert info.color_transfer is None and info.color_primaries is None


def test_mkv_without_frame_count(media: dict[str, Path]) -> None:
    info = probe(media["mkv"])
    assert info.fps == Fraction(30000, 1001)
    assert info.frame_count is None  # matroska does not declare it
    assert abs(info.duration - 3) < Fraction(1, 10)


ODD_NAMES = [
    "clip: 'ñ' [1] 100%.mp4",
    'quote "double" and \'single\'.mp4',
    "spaces  and\ttab.mp4",
    "percent %d %s %%.mp4",
    "colon:at:start.mp4",
    "file:looks-like-a-url.mp4",
    "ünïcödé 日本語 🎬.mp4",
    "-starts-with-dash.mp4",
    "brackets [x] {y} (z).mp4",
]


@pytest.mark.parametrize("name", ODD_NAMES)
def test_odd_file_names(media: dict[str, Path], tmp_path: Path, name: str) -> None:
    odd = tmp_path / name
    shutil.copy(media["color"], odd)
    info = probe(odd)
    assert info.path == os.path.abspath(odd)
    assert info.duration == 2 and info.has_audio


def test_odd_image_name_is_not_a_sequence_pattern(media: dict[str, Path], tmp_path: Path) -> None:
    odd = tmp_path / "img%03d 100%.png"
    shutil.copy(media["png"], odd)
    assert probe(odd).is_image


def test_relative_path(media: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(media["color"].parent)
    info = probe("color.mp4")
    assert info.path == str(media["color"].resolve())


# --- what it refuses -----------------------------------------------------------------------------------


def assert_refused(path: Path, *reason: str) -> MediaError:
    with pytest.raises(MediaError) as caught:
        probe(path)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{path}: "), message
    for part in reason:
        assert part in message, message
    assert "Traceback" not in message and "av.error" not in message
    return caught.value


def test_missing_file(tmp_path: Path) -> None:
    err = assert_refused(tmp_path / "gone.mp4", "no such file")
    assert err.reason == "no such file" and err.path == str(tmp_path / "gone.mp4")


def test_missing_folder(tmp_path: Path) -> None:
    assert_refused(tmp_path / "no" / "where.mp4", "no such file")


def test_empty_file(tmp_path: Path) -> None:
    (tmp_path / "empty.mp4").write_bytes(b"")
    assert_refused(tmp_path / "empty.mp4", "file is empty")


def test_a_folder(tmp_path: Path) -> None:
    (tmp_path / "folder.mp4").mkdir()
    assert_refused(tmp_path / "folder.mp4", "is a folder")


@pytest.mark.parametrize(("name", "content"), [
    ("notes.txt", b"shopping: eggs, milk\n"),
    ("fake.mp4", b"this is not really a video\n" * 50),
    ("fake.png", b"not an image either"),
    ("fake.jpg", b"\x00" * 3000),
    ("noise.bin", bytes(np.random.default_rng(1).integers(0, 256, 65536, dtype=np.uint8))),
])
def test_not_media(tmp_path: Path, name: str, content: bytes) -> None:
    (tmp_path / name).write_bytes(content)
    assert_refused(tmp_path / name, "not a media file")


def test_truncated_mp4_without_its_index(media: dict[str, Path], tmp_path: Path) -> None:
    broken = synth.truncated_copy(media["color"], tmp_path / "broken.mp4")
    assert_refused(broken, "file is truncated or damaged", "moov")


def test_mp4_cut_off_at_ninety_percent(media: dict[str, Path], tmp_path: Path) -> None:
    broken = synth.truncated_copy(media["pattern"], tmp_path / "ninety.mp4", keep_fraction=0.9)
    assert_refused(broken, "file is truncated or damaged")


def test_truncated_mp4_whose_index_is_at_the_front(media: dict[str, Path], tmp_path: Path) -> None:
    """Opens fine (the index is whole) but the data stops halfway: the index says where it should be."""
    broken = synth.truncated_copy(media["faststart"], tmp_path / "half.mp4", keep_fraction=0.5)
    with av.open(str(broken)) as container:  # ffmpeg itself opens it without complaint
        assert container.streams.video[0].frames == 60
    assert_refused(broken, "file is truncated or damaged", "index expects")


def test_truncated_matroska(media: dict[str, Path], tmp_path: Path) -> None:
    broken = synth.truncated_copy(media["pattern.mkv"], tmp_path / "half.mkv", keep_fraction=0.5)
    assert_refused(broken, "file is truncated or damaged", "of a declared 2.0")


def test_truncated_image(media: dict[str, Path], tmp_path: Path) -> None:
    broken = synth.truncated_copy(media["png"], tmp_path / "half.png", keep_fraction=0.5)
    assert_refused(broken, "file is truncated or damaged")


def test_truncated_mp3_with_its_length_in_the_header(media: dict[str, Path], tmp_path: Path) -> None:
    broken = synth.truncated_copy(media["cover.mp3"], tmp_path / "half.mp3", keep_fraction=0.5)
    assert_refused(broken, "file is truncated or damaged")


@pytest.mark.skipif(not permissions_enforced(), reason="this user reads any file (root)")
def test_unreadable_file(media: dict[str, Path], tmp_path: Path) -> None:
    locked = tmp_path / "locked.mp4"
    shutil.copy(media["color"], locked)
    locked.chmod(0)
    try:
        assert_refused(locked, "permission denied")
    finally:
        locked.chmod(0o644)


def test_odd_name_in_an_error(tmp_path: Path) -> None:
    assert_refused(tmp_path / "clip: 'ñ' [1] 100%.mp4", "no such file")


def test_media_source_keeps_a_content_hash_only_when_given(tmp_path: Path) -> None:
    from editor.media.probe import content_hash, media_source_from_info

    clip = synth.color_clip(tmp_path / "c.mp4", seconds=0.5)
    assert media_source_from_info(probe(clip), "m").content_hash is None   # probing alone reads no bytes for it
    digest = content_hash(clip)
    assert media_source_from_info(probe(clip), "m", content_hash=digest).content_hash == digest
