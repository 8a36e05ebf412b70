"""Fixtures for the generation glue: a hermetic generator environment and colour media made once.

Every model and cache lookup points at session temp folders (no hub, no user cache); the tiny test models are
built there on first use by whoever needs them (a worker process or the planner's checks).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))   # shot_support, imported by plain name (--import-mode=importlib)

from editor.media import synth


@pytest.fixture(scope="session")
def colours(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("generate-media")
    return {
        "red": synth.color_clip(d / "red.mp4", "red", 1.0, size=(160, 90), tone_hz=None),
        "blue": synth.color_clip(d / "blue.mp4", "blue", 1.0, size=(160, 90), tone_hz=None),
        "green": synth.color_clip(d / "green.mp4", "green", 1.0, size=(160, 90), tone_hz=None),
        "yellow_png": synth.still(d / "yellow.png", "yellow", size=(64, 64)),
        "rot_cw": synth.rotated_clip(d / "rotm90.mp4", 1.0, rotation=-90),
    }
