"""Fixtures for the exporter tests: synthetic media made once per session.

The helper modules beside this file (render_support, render_decode) are imported by plain name: with
``--import-mode=importlib`` test folders are not on sys.path, so this conftest puts its own folder there.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from render_support import alpha_png, hdr_bars, indexed_clip, odd_clip  # noqa: E402

from editor.media import synth  # noqa: E402


@pytest.fixture(scope="session")
def media(tmp_path_factory) -> dict[str, Path]:
    """Every source file the render tests use, made once."""
    d = tmp_path_factory.mktemp("render-media")
    return {
        "red": synth.color_clip(d / "red.mp4", "red", 2.0, size=(320, 180), tone_hz=440),
        "blue": synth.color_clip(d / "blue.mp4", "blue", 2.0, size=(320, 180), tone_hz=660),
        "green_silent": synth.color_clip(d / "green.mp4", "green", 2.0, size=(320, 180), tone_hz=None),
        "yellow_sq": synth.color_clip(d / "yellow_sq.mp4", "yellow", 2.0, size=(120, 120), tone_hz=None),
        "odd": odd_clip(d / "odd.mp4"),
        "rot_ccw": synth.rotated_clip(d / "rot90.mp4", 1.0, rotation=90),
        "rot_cw": synth.rotated_clip(d / "rotm90.mp4", 1.0, rotation=-90),
        "vfr": synth.vfr_clip(d / "vfr.mp4", seconds=3.0),
        "hdr": synth.hdr_clip(d / "hdr.mp4", 1.0),
        "pq_bars": hdr_bars(d / "pq.mp4", "smpte2084"),
        "hlg_bars": hdr_bars(d / "hlg.mp4", "arib-std-b67"),
        "still": synth.still(d / "still.png", "yellow", size=(400, 400)),
        "alpha": alpha_png(d / "alpha.png"),
        "flash": synth.flash_beep_clip(d / "flash.mp4", seconds=4),
        "tone44": synth.tone(d / "tone44.m4a", hz=1000, seconds=2.0, sample_rate=44100, channels=1),
        "tone_a": synth.tone(d / "tone_a.wav", hz=440, seconds=2.0, sample_rate=48000, channels=2),
        "tone_b": synth.tone(d / "tone_b.wav", hz=660, seconds=2.0, sample_rate=48000, channels=2),
        "indexed": indexed_clip(d / "indexed.mp4"),
    }
