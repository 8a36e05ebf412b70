"""An export killed mid-way leaves its hidden work folder (and maybe its partial file) beside the output; the next
export into that folder removes them, never those of an export running now in another process. Real exports in
real processes, real ffmpeg, SIGKILL and SIGSTOP."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest
import render_decode as d
from render_support import place_clip, timeline

from editor.render import export, resolve_settings
from editor.render.leftovers import partial_beside, sweep_export_leftovers
from generation.leftovers import STALE_AFTER_S, TAG, is_temp_name

pytestmark = pytest.mark.skipif(os.name == "nt", reason="SIGKILL and SIGSTOP")

CHILD = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, sys.argv[1])
    from render_support import place_clip, timeline
    from editor.render import export, resolve_settings
    tl = timeline()
    for i in range(8):
        place_clip(tl, 0, sys.argv[2 + i % 2], i * 60, 60)
    export(tl, sys.argv[4], resolve_settings(tl))
    """
)


def start_export(media, out: Path) -> subprocess.Popen:
    args = [sys.executable, "-c", CHILD, str(Path(__file__).parent), str(media["red"]), str(media["blue"]), str(out)]
    return subprocess.Popen(args, stderr=subprocess.DEVNULL)


def work_folders(folder: Path) -> list[Path]:
    return [p for p in folder.iterdir() if p.is_dir() and is_temp_name(p.name) and p.name.endswith(".export")]


def wait_for_work(proc: subprocess.Popen, folder: Path) -> Path:
    """The child's work folder once a segment is in it (the export is under way)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        for work in work_folders(folder):
            if any(work.iterdir()):
                return work
        assert proc.poll() is None, "the export ended before it could be stopped"
        time.sleep(0.02)
    raise AssertionError("the export never started rendering")


def short_export(media, out: Path) -> None:
    tl = timeline()
    place_clip(tl, 0, media["red"], 0, 15)
    export(tl, out, resolve_settings(tl))


def test_an_export_killed_mid_way_is_cleaned_up_by_the_next_export(media, tmp_path):
    out = tmp_path / "film.mp4"
    proc = start_export(media, out)
    try:
        work = wait_for_work(proc, tmp_path)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=60)
    assert work.name.startswith(f".film.mp4.{TAG}-") and work.exists()  # what a killed export leaves
    partial = partial_beside(work)
    partial.write_bytes(b"half a join")  # as if it died while joining
    short_export(media, out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["film.mp4"]
    assert np.abs(d.rgb_at(out, 0.2, d.CENTRE) - [255, 0, 0]).max() < 24


def test_an_export_running_now_in_another_process_keeps_its_work(media, tmp_path):
    running_out = tmp_path / "long.mp4"
    proc = start_export(media, running_out)
    try:
        work = wait_for_work(proc, tmp_path)
        os.kill(proc.pid, signal.SIGSTOP)   # alive, mid-export, while another export runs into the same folder
        try:
            short_export(media, tmp_path / "short.mp4")
            assert work.is_dir() and any(work.iterdir())
        finally:
            os.kill(proc.pid, signal.SIGCONT)
        assert proc.wait(timeout=300) == 0   # it finishes as if nothing happened
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=60)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["long.mp4", "short.mp4"]
    assert d.stream_info(running_out).frames == 480


def test_old_style_leftovers_of_this_output_go_once_a_day_old(tmp_path):
    out = tmp_path / "film.mp4"
    old_work = tmp_path / ".film.ab12cd34.export"
    old_work.mkdir()
    (old_work / "seg0000.mp4").write_bytes(b"x")
    old_partial = tmp_path / ".film.ab12cd34.partial.mp4"
    old_partial.write_bytes(b"x")
    young = tmp_path / ".film.zz99yy88.partial.mp4"
    young.write_bytes(b"x")
    other = tmp_path / ".other.ab12cd34.export"
    other.mkdir()
    day_ago = time.time() - STALE_AFTER_S - 60
    for path in (old_work, old_partial, other):
        os.utime(path, (day_ago, day_ago))
    assert sorted(sweep_export_leftovers(out)) == sorted([old_work, old_partial])
    assert young.exists() and other.exists()
