"""A take's folder keeps no half-written files from a killed generator: the next take written there removes
them, and leaves those of a writer that is still running."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np

from generation.leftovers import temp_prefix
from generation.writer import write_video


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_the_next_take_removes_what_a_killed_writer_left_and_keeps_a_live_ones(tmp_path):
    folder = tmp_path / "ab"
    folder.mkdir()
    mine = temp_prefix("abcd.mp4")
    dead = folder / (mine.replace(f"-{os.getpid()}-", f"-{_dead_pid()}-") + "x1.partial.mp4")
    dead.write_bytes(b"half a take")
    live = folder / (mine + "x2.partial.mp4")   # this process: still writing
    live.write_bytes(b"being written")
    frames = np.zeros((5, 16, 16, 3), dtype=np.uint8)
    out = write_video(frames, folder / "abcd.mp4", 16)
    assert out.is_file()
    assert not dead.exists() and live.exists()
