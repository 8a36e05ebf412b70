"""The promptcut command, run as a user runs it: a separate process, real files, real ffmpeg."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from fractions import Fraction
from pathlib import Path

import av
import opentimelineio as otio
import pytest

from editor.media import synth
from editor.media.probe import media_source_from_info, probe
from editor.model import MediaClip, Settings, Timeline
from editor.project import save_project

SMALL = Settings(width=180, height=320, fps=Fraction(30), sample_rate=48000)


def promptcut(*args: str, cwd: Path | None = None, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("PROMPTCUT_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "editor.cli", *args], capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=timeout)


def assert_one_line_error(done: subprocess.CompletedProcess[str], *fragments: str) -> None:
    assert done.returncode != 0, done
    assert "Traceback" not in done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, done.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def frame_count(path: Path) -> int:
    with av.open(str(path)) as container:
        return sum(1 for _ in container.decode(video=0))


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("media")
    return {
        "red": synth.color_clip(folder / "red.mp4", "red", seconds=1.0),
        "blue": synth.color_clip(folder / "blue.mp4", "blue", seconds=1.0),
        "odd": synth.color_clip(folder / "it's: 100% [ñ] \"x\".mp4", "green", seconds=1.0),
        "long": synth.pattern_clip(folder / "long.mp4", seconds=12.0, size=(640, 360)),
    }


def two_clip_project(folder: Path, first: Path, second: Path, settings: Settings = SMALL) -> Path:
    """first for 15 frames, a 15-frame gap, then second for 15 frames."""
    tl = Timeline.empty(settings)
    for media_id, path in (("m1", first), ("m2", second)):
        tl.media[media_id] = media_source_from_info(probe(path), media_id)
    track = tl.video_tracks[0]
    track.add(MediaClip(id="c1", start=0, duration=15, media="m1"))
    track.add(MediaClip(id="c2", start=30, duration=15, media="m2"))
    tl.check()
    project = folder / "cut.promptcut"
    save_project(tl, project)
    return project


def test_help_lists_every_command() -> None:
    done = promptcut("--help")
    assert done.returncode == 0
    for command in ("open", "export", "presets", "probe", "convert"):
        assert command in done.stdout


def test_startup_imports_nothing_heavy() -> None:
    code = ("import sys, editor.cli; heavy = {'av', 'numpy', 'opentimelineio', 'torch', 'PySide6'} & "
            "set(sys.modules); print(sorted(heavy))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.strip() == "[]"


def test_presets_lists_the_short_video_formats() -> None:
    done = promptcut("presets")
    assert done.returncode == 0
    for name in ("tiktok", "reels", "shorts"):
        line = next(line for line in done.stdout.splitlines() if line.startswith(name))
        assert "1080x1920" in line
    assert "1920x1080" in done.stdout and "1080x1080" in done.stdout


def test_probe_describes_a_file(media: dict[str, Path]) -> None:
    done = promptcut("probe", str(media["odd"]), "--json")
    assert done.returncode == 0, done.stderr
    info = json.loads(done.stdout)
    assert info["has_video"] is True and info["has_audio"] is True
    assert (info["width"], info["height"]) == (320, 180)


def test_probe_of_a_missing_file_is_one_line(tmp_path: Path) -> None:
    assert_one_line_error(promptcut("probe", str(tmp_path / "nope.mp4")), "nope.mp4")


def test_probe_of_a_truncated_file_is_one_line(tmp_path: Path, media: dict[str, Path]) -> None:
    broken = synth.truncated_copy(media["red"], tmp_path / "broken.mp4", 0.3)
    assert_one_line_error(promptcut("probe", str(broken)), "broken.mp4")


def test_export_of_a_project_has_the_timeline_frame_count(tmp_path: Path, media: dict[str, Path]) -> None:
    project = two_clip_project(tmp_path, media["red"], media["blue"])
    out = tmp_path / "out.mp4"
    done = promptcut("export", str(project), "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert frame_count(out) == 45


def test_export_with_odd_names_for_media_and_output(tmp_path: Path, media: dict[str, Path]) -> None:
    project = two_clip_project(tmp_path, media["odd"], media["red"])
    out = tmp_path / "fïnal: \"cut\" 100% [v2] it's.mp4"
    done = promptcut("export", str(project), "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert frame_count(out) == 45


def test_export_of_an_otio_made_elsewhere(tmp_path: Path, media: dict[str, Path]) -> None:
    rate = 30
    track = otio.schema.Track(kind=otio.schema.TrackKind.Video)
    for path in (media["red"], media["blue"]):
        track.append(otio.schema.Clip(
            name=path.stem,
            media_reference=otio.schema.ExternalReference(target_url=path.as_uri()),
            source_range=otio.opentime.TimeRange(otio.opentime.RationalTime(0, rate),
                                                 otio.opentime.RationalTime(15, rate)),
        ))
        if path == media["red"]:
            track.append(otio.schema.Gap(duration=otio.opentime.RationalTime(10, rate)))
    timeline = otio.schema.Timeline()
    timeline.tracks.append(track)
    source = tmp_path / "made elsewhere.otio"
    otio.adapters.write_to_file(timeline, str(source))
    out = tmp_path / "from-otio.mp4"
    done = promptcut("export", str(source), "-o", str(out), "--size", "180x320", "--fps", "30")
    assert done.returncode == 0, done.stderr
    assert frame_count(out) == 40


def test_unknown_preset_is_one_line(tmp_path: Path, media: dict[str, Path]) -> None:
    project = two_clip_project(tmp_path, media["red"], media["blue"])
    done = promptcut("export", str(project), "-o", str(tmp_path / "x.mp4"), "--preset", "vhs")
    assert_one_line_error(done, "vhs")
    assert not (tmp_path / "x.mp4").exists()


def test_missing_media_is_named(tmp_path: Path) -> None:
    doomed = synth.color_clip(tmp_path / "doomed clip.mp4", "red", seconds=1.0)
    project = two_clip_project(tmp_path, doomed, doomed)
    doomed.unlink()
    done = promptcut("export", str(project), "-o", str(tmp_path / "x.mp4"))
    assert_one_line_error(done, "doomed clip.mp4")
    assert not (tmp_path / "x.mp4").exists()


@pytest.mark.parametrize("content", [b"", b"{not json", b"[1, 2, 3]", b'{"format": "promptcut-project"}',
                                     "\u00ff\u00fe garbage".encode("latin-1")])
def test_garbage_project_is_one_line(tmp_path: Path, content: bytes) -> None:
    project = tmp_path / "bad.promptcut"
    project.write_bytes(content)
    assert_one_line_error(promptcut("export", str(project), "-o", str(tmp_path / "x.mp4")), "bad.promptcut")


@pytest.mark.parametrize("content", [b"", b"{not json", b'{"OTIO_SCHEMA": "Nonsense.1"}', b"[]"])
def test_garbage_otio_is_one_line(tmp_path: Path, content: bytes) -> None:
    source = tmp_path / "bad.otio"
    source.write_bytes(content)
    assert_one_line_error(promptcut("export", str(source), "-o", str(tmp_path / "x.mp4")), "bad.otio")


def test_unwritable_output_is_one_line(tmp_path: Path, media: dict[str, Path]) -> None:
    project = two_clip_project(tmp_path, media["red"], media["blue"])
    done = promptcut("export", str(project), "-o", str(tmp_path / "no such folder" / "x.mp4"))
    assert_one_line_error(done, "no such folder")


def test_existing_output_needs_overwrite(tmp_path: Path, media: dict[str, Path]) -> None:
    project = two_clip_project(tmp_path, media["red"], media["blue"])
    out = tmp_path / "taken.mp4"
    out.write_bytes(b"keep me")
    assert_one_line_error(promptcut("export", str(project), "-o", str(out)), "taken.mp4")
    assert out.read_bytes() == b"keep me"


def test_convert_round_trips_through_otio(tmp_path: Path, media: dict[str, Path]) -> None:
    from editor.project import load_project

    project = two_clip_project(tmp_path, media["red"], media["blue"])
    assert promptcut("convert", str(project), str(tmp_path / "cut.otio")).returncode == 0
    done = promptcut("convert", str(tmp_path / "cut.otio"), str(tmp_path / "back.promptcut"))
    assert done.returncode == 0, done.stderr
    original = load_project(project).timeline
    back = load_project(tmp_path / "back.promptcut").timeline
    assert [(c.start, c.duration, c.source_in) for _, c in back.clips()] == \
        [(c.start, c.duration, c.source_in) for _, c in original.clips()]
    assert back.settings == original.settings


def test_without_a_display_the_editor_says_so_in_one_line() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    done = subprocess.run([sys.executable, "-m", "editor.cli"], capture_output=True, text=True, env=env,
                          timeout=60)
    assert_one_line_error(done, "display")


def test_open_starts_the_window_with_the_project(tmp_path: Path, media: dict[str, Path]) -> None:
    project = two_clip_project(tmp_path, media["red"], media["blue"])
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.Popen([sys.executable, "-m", "editor.cli", "open", str(project)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        # The window's event loop keeps running: a crash or a failure to open would end the process.
        with pytest.raises(subprocess.TimeoutExpired):
            proc.wait(timeout=8)
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=30)
    assert "Traceback" not in err
    assert "error" not in err.lower()


def test_ctrl_c_during_export_cancels_and_leaves_nothing(tmp_path: Path, media: dict[str, Path]) -> None:
    tl = Timeline.empty(Settings(width=1080, height=1920, fps=Fraction(30)))
    tl.media["m"] = media_source_from_info(probe(media["long"]), "m")
    tl.video_tracks[0].add(MediaClip(id="c", start=0, duration=360, media="m"))
    project = tmp_path / "long.promptcut"
    save_project(tl, project)
    out = tmp_path / "cancelled.mp4"
    # A terminal's Ctrl+C reaches the whole foreground process group, ffmpeg children included.
    proc = subprocess.Popen([sys.executable, "-m", "editor.cli", "export", str(project), "-o", str(out),
                             "--encoder-preset", "slow"],
                            stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True, start_new_session=True)
    assert proc.stderr is not None
    deadline = time.monotonic() + 120
    seen = ""
    while "exporting" not in seen and time.monotonic() < deadline:
        seen += proc.stderr.readline()
    assert "exporting" in seen, seen
    time.sleep(1.0)
    os.killpg(proc.pid, signal.SIGINT)
    _, rest = proc.communicate(timeout=60)
    assert proc.returncode == 130, seen + rest
    assert "Traceback" not in seen + rest
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["long.promptcut"]


@pytest.mark.parametrize(("flag", "value", "says"), [("--seconds", "-1", "must be more than 0"),
                                                     ("--seconds", "abc", "not a number"),
                                                     ("--guidance", "-1", "must be 0 or more"),
                                                     ("--steps", "0", "must be 1 or more")])
def test_generate_refuses_bad_numbers_in_one_line(tmp_path: Path, flag: str, value: str, says: str) -> None:
    done = promptcut("generate", "a fox", "-o", str(tmp_path / "x.mp4"), flag, value)
    assert_one_line_error(done, flag, says)
    assert not (tmp_path / "x.mp4").exists()
