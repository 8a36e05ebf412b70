"""`promptcut export --loudness`, run as a user runs it: a separate process, real files, real ffmpeg."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from render_support import place_clip, timeline
from test_export_loudness import FRAMES, ebur128, make_source, sine

from editor.project import save_project


def promptcut(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("PROMPTCUT_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "editor.cli", *args], capture_output=True, text=True, env=env,
                          timeout=300)


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> tuple[Path, Path]:
    """A 180x320 project of one quiet clip (about -35 LUFS); and that clip."""
    folder = tmp_path_factory.mktemp("loudness-cli")
    clip = make_source(folder / "quiet.mp4", sine(-17))
    tl = timeline()
    place_clip(tl, 0, clip, 0, FRAMES)
    tl.check()
    path = folder / "quiet.promptcut"
    save_project(tl, path)
    return path, clip


def export(project: Path, out: Path, *flags: str) -> subprocess.CompletedProcess[str]:
    return promptcut("export", str(project), "-o", str(out), "--preset", "tiktok", "--size", "180x320", "-q",
                     *flags)


def test_tiktok_normalises_by_default_and_prints_the_figures(project, tmp_path):
    out = tmp_path / "default.mp4"
    done = export(project[0], out)
    assert done.returncode == 0, done.stderr
    integrated, peak = ebur128(out)
    assert integrated == pytest.approx(-14.0, abs=1.0) and peak <= -0.7
    lines = [x for x in done.stdout.splitlines() if x.startswith("Loudness:")]
    assert len(lines) == 1
    assert lines[0].startswith("Loudness: -35.") and f", {integrated:.1f} LUFS out, true peak " in lines[0]


@pytest.mark.parametrize("flags", [("--loudness", "-16"), ("--loudness=-16",), ("--loudness", "-16 LUFS")])
def test_loudness_sets_another_target(project, tmp_path, flags):
    out = tmp_path / "minus16.mp4"
    done = export(project[0], out, *flags)
    assert done.returncode == 0, done.stderr
    integrated, _ = ebur128(out)
    assert integrated == pytest.approx(-16.0, abs=1.0)
    assert f"{integrated:.1f} LUFS out" in done.stdout


def test_loudness_off_leaves_the_levels_as_mixed(project, tmp_path):
    out = tmp_path / "off.mp4"
    done = export(project[0], out, "--loudness", "off")
    assert done.returncode == 0, done.stderr
    assert "Loudness" not in done.stdout
    assert ebur128(out)[0] == pytest.approx(ebur128(project[1])[0], abs=0.3)


@pytest.mark.parametrize("value", ["-90", "-2", "loud"])
def test_a_bad_loudness_is_one_line_and_writes_nothing(project, tmp_path, value):
    out = tmp_path / "bad.mp4"
    done = export(project[0], out, f"--loudness={value}")
    assert done.returncode != 0 and "Traceback" not in done.stderr
    lines = [x for x in done.stderr.splitlines() if x.strip()]
    assert len(lines) == 1 and lines[0].startswith("promptcut: error: loudness") and "LUFS" in lines[0], lines
    assert not out.exists()
