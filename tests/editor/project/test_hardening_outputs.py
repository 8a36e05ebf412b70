"""An output path that is a FIFO, a device or a link to one is refused by the project save, the exporter and
the CLI, in one line, and the node is left as it was: a save or an export never replaces a device node."""

from __future__ import annotations

import os
import stat
import subprocess
from fractions import Fraction
from pathlib import Path

import pytest
from project_examples import example

from editor.cli import main
from editor.media.ffmpeg import ffmpeg_exe
from editor.media.probe import media_source_from_info, probe
from editor.model import MediaClip, Settings, Timeline, Track, TrackKind
from editor.project import ProjectError, save_project
from editor.render import ExportError, export, resolve_settings

pytestmark = [pytest.mark.timeout(300),
              pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")]


def is_fifo(path: Path) -> bool:
    return stat.S_ISFIFO(os.lstat(path).st_mode)


def small_timeline(tmp_path: Path) -> Timeline:
    media = tmp_path / "src.mp4"
    subprocess.run([ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=64x36:rate=30:duration=0.5",
                    "-pix_fmt", "yuv420p", "-c:v", "libx264", str(media)], check=True)
    tl = Timeline(settings=Settings(width=64, height=36, fps=Fraction(30)))
    tl.media["m"] = media_source_from_info(probe(media), "m")
    tl.video_tracks = [Track("V1", TrackKind.VIDEO, clips=[MediaClip("c", 0, 15, media="m")])]
    tl.check()
    return tl


def test_save_project_refuses_a_fifo_and_a_link_to_a_device(tmp_path: Path) -> None:
    fifo = tmp_path / "film.promptcut"
    os.mkfifo(fifo)
    with pytest.raises(ProjectError, match=r"film\.promptcut: not saved: is a FIFO \(named pipe\)"):
        save_project(example(), fifo)
    assert is_fifo(fifo)
    if Path("/dev/null").exists():
        link = tmp_path / "null.promptcut"
        link.symlink_to("/dev/null")
        with pytest.raises(ProjectError, match="not saved: is a device"):
            save_project(example(), link)
        assert link.is_symlink() and stat.S_ISCHR(os.stat(link).st_mode)
    assert not [p.name for p in tmp_path.iterdir() if p.name not in ("film.promptcut", "null.promptcut")]


def test_export_refuses_a_fifo_before_rendering(tmp_path: Path) -> None:
    tl = small_timeline(tmp_path)
    fifo = tmp_path / "out.mp4"
    os.mkfifo(fifo)
    with pytest.raises(ExportError, match=r"cannot write to .*out\.mp4: it is a FIFO"):
        export(tl, fifo, resolve_settings(tl))
    assert is_fifo(fifo)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.mp4", "src.mp4"]   # nothing rendered beside it


def test_the_cli_says_one_line_for_a_fifo_output_and_a_fifo_input(tmp_path: Path,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    tl = small_timeline(tmp_path)
    project = save_project(tl, tmp_path / "film.promptcut")
    fifo = tmp_path / "out.mp4"
    os.mkfifo(fifo)
    assert main(["export", str(project), "-o", str(fifo), "-y", "-q"]) != 0
    err = capsys.readouterr().err.strip()
    assert err.startswith("promptcut: error: ") and "FIFO" in err and "\n" not in err, err
    assert is_fifo(fifo)

    fifo_in = tmp_path / "in.promptcut"
    os.mkfifo(fifo_in)
    assert main(["convert", str(fifo_in), str(tmp_path / "out.otio")]) != 0
    err = capsys.readouterr().err.strip()
    assert err.startswith("promptcut: error: ") and "FIFO" in err and "\n" not in err, err
