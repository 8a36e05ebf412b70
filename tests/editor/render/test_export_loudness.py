"""Loudness normalisation on export (EBU R128): the file's loudness, measured independently with ffmpeg's
ebur128 on the exported file, is the target; the true peak stays under -1 dBTP; the sound stays 48 kHz and
exactly as long as the picture; with normalisation off the levels are the mix's own."""

from __future__ import annotations

import math
import re
import subprocess
from pathlib import Path

import numpy as np
import pytest
import render_decode as d
from render_support import place_clip, timeline

from editor.media.ffmpeg import ffmpeg_exe
from editor.render import export, resolve_settings
from editor.render.loudness import Loudness
from editor.render.presets import PRESETS

SECONDS = 3
FRAMES = SECONDS * 30
PEAK_TOLERANCE = 0.3   # dB: AAC may lift a true peak a little above what loudnorm held it to


def make_source(path: Path, audio: str | None) -> Path:
    """A 180x320 grey clip with the given lavfi audio source as stereo AAC (or no sound at all)."""
    args = [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-nostdin", "-y",
            "-f", "lavfi", "-i", f"color=c=gray:s=180x320:r=30:d={SECONDS}"]
    if audio is not None:
        # Both channels at the source's full level (ffmpeg's own mono upmix is 3 dB down).
        args += ["-f", "lavfi", "-i", audio, "-af", "pan=stereo|c0=c0|c1=c0", "-c:a", "aac", "-b:a", "256k",
                 "-shortest"]
    args += ["-c:v", "libx264", "-preset", "ultrafast", str(path)]
    subprocess.run(args, check=True, capture_output=True)
    return path


def sine(gain_db: float) -> str:
    # ffmpeg's sine has amplitude 1/8 (-18 dBFS); on both channels a 1 kHz sine reads about its peak in LUFS.
    return f"sine=frequency=1000:sample_rate=48000:duration={SECONDS},volume={gain_db}dB"


@pytest.fixture(scope="module")
def sources(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("loudness-media")
    return {
        "quiet": make_source(folder / "quiet.mp4", sine(-17)),    # about -35 LUFS
        "loud": make_source(folder / "loud.mp4", sine(12)),       # about -6 LUFS
        # A soft tone with short bursts 40 dB above it: a gain up to -14 LUFS would push them past 0 dBTP.
        "peaky": make_source(folder / "peaky.mp4", f"aevalsrc=0.005*sin(2*PI*1000*t)+0.5*lt(mod(t\\,0.5)\\,0.003)"
                                                   f"*sin(2*PI*2000*t):s=48000:d={SECONDS}"),
        "hush": make_source(folder / "hush.mp4", f"anullsrc=r=48000:cl=stereo:d={SECONDS}"),   # a silent track
        "mute": make_source(folder / "mute.mp4", None),                                     # no sound track
    }


def ebur128(path: Path) -> tuple[float, float]:
    """(integrated LUFS, true peak dBTP) of a file's first sound track, read off ffmpeg's ebur128 summary."""
    done = subprocess.run([ffmpeg_exe(), "-hide_banner", "-nostats", "-nostdin", "-i", str(path), "-map", "0:a:0",
                           "-af", "ebur128=peak=true", "-f", "null", "-"], capture_output=True, text=True, check=True)
    summary = done.stderr[done.stderr.rindex("Summary:"):]
    integrated = float(re.search(r"I:\s+(-?[\d.]+) LUFS", summary).group(1))
    peak = re.search(r"Peak:\s+(-?inf|-?[\d.]+) dBFS", summary).group(1)
    return integrated, float(peak)


def tiktok(tl, **overrides):
    return resolve_settings(tl, "tiktok", size="180x320", **overrides)


def one_clip(path: Path):
    tl = timeline()
    place_clip(tl, 0, path, 0, FRAMES)
    tl.check()
    return tl


@pytest.mark.parametrize("name, level", [("quiet", -35.0), ("loud", -6.0)])
def test_tiktok_export_lands_at_minus_14_lufs_under_minus_1_dbtp(sources, tmp_path, name, level):
    tl = one_clip(sources[name])
    result = export(tl, tmp_path / f"{name}.mp4", tiktok(tl))
    integrated, peak = ebur128(result.path)
    assert integrated == pytest.approx(-14.0, abs=1.0)
    assert peak <= -1.0 + PEAK_TOLERANCE
    info = d.stream_info(result.path)
    assert (info.sample_rate, info.channels) == (48000, 2)
    samples, rate = d.audio(result.path)
    assert samples.shape == (2, FRAMES * 1600)   # normalising keeps the sound exactly as long as the picture
    loud = result.loudness
    assert loud is not None and loud.target == -14.0 and loud.mode == "linear"   # a steady tone: a plain gain
    assert loud.input_lufs == pytest.approx(level, abs=1.5)
    assert loud.output_lufs == pytest.approx(integrated, abs=0.1)
    assert loud.output_true_peak == pytest.approx(peak, abs=0.1)
    assert loud.describe() == (f"Loudness: {loud.input_lufs:.1f} LUFS in, {loud.output_lufs:.1f} LUFS out, "
                               f"true peak {loud.output_true_peak:.1f} dBTP")
    assert result.summary() == [loud.describe()]


def test_peaks_far_above_the_body_are_held_under_the_ceiling(sources, tmp_path):
    tl = one_clip(sources["peaky"])
    source_lufs, source_peak = ebur128(sources["peaky"])
    assert source_peak - source_lufs > 14   # a gain to -14 LUFS alone would put the peaks over 0 dBTP
    result = export(tl, tmp_path / "peaky.mp4", tiktok(tl))
    integrated, peak = ebur128(result.path)
    assert peak <= -1.0 + PEAK_TOLERANCE
    assert source_lufs < integrated <= -14.0 + 1.0   # turned up, as far as the ceiling lets it
    assert result.loudness is not None and result.loudness.mode == "dynamic"
    assert result.loudness.output_lufs == pytest.approx(integrated, abs=0.1)
    short = result.loudness.shortfall()
    assert (short is not None) == (integrated < -15.0)   # a target missed by more than 1 LU is said so
    assert [n for n in result.notes if n.startswith("loudness reached")] == ([short] if short else [])


def test_loudness_off_leaves_the_levels_as_mixed(sources, tmp_path):
    tl = one_clip(sources["quiet"])
    source_lufs, _ = ebur128(sources["quiet"])
    off = export(tl, tmp_path / "off.mp4", tiktok(tl, loudness=None))
    project = export(tl, tmp_path / "project.mp4", resolve_settings(tl))   # the project's settings: off too
    for result in (off, project):
        assert result.settings.loudness is None and result.loudness is None and result.summary() == []
        integrated, _ = ebur128(result.path)
        assert integrated == pytest.approx(source_lufs, abs=0.3)


def test_another_target_is_reached(sources, tmp_path):
    tl = one_clip(sources["loud"])
    result = export(tl, tmp_path / "minus23.mp4", resolve_settings(tl, loudness=-23))
    integrated, _ = ebur128(result.path)
    assert integrated == pytest.approx(-23.0, abs=1.0)
    assert result.loudness is not None and result.loudness.target == -23.0


@pytest.mark.parametrize("name", ["hush", "mute"])
def test_a_silent_timeline_exports_silence_without_error(sources, tmp_path, name):
    tl = one_clip(sources[name])
    result = export(tl, tmp_path / f"{name}.mp4", tiktok(tl))
    samples, rate = d.audio(result.path)
    assert rate == 48000 and samples.shape == (2, FRAMES * 1600)
    assert np.abs(samples).max() < 1e-4   # nothing was turned up
    assert result.loudness == Loudness(-14.0)
    assert not result.loudness.normalized
    assert result.summary() == ["Loudness: the sound is silent, nothing to normalise"]


def test_short_video_presets_normalise_to_minus_14_and_the_others_do_not():
    tl = timeline()
    for name, preset in PRESETS.items():
        expected = -14.0 if name in ("tiktok", "reels", "shorts") else None
        assert preset.loudness == expected
        assert resolve_settings(tl, name).loudness == expected
    assert resolve_settings(tl).loudness is None
    assert "loudness -14 LUFS" in resolve_settings(tl, "reels").describe()


@pytest.mark.parametrize("given, expected", [(-16, -16.0), ("-16", -16.0), ("-16.5 LUFS", -16.5), (None, None),
                                             ("off", None), ("OFF", None), (-70, -70.0), (-5, -5.0)])
def test_a_loudness_override_replaces_the_presets(given, expected):
    assert resolve_settings(timeline(), "tiktok", loudness=given).loudness == expected
    assert resolve_settings(timeline(), "youtube", loudness=given).loudness == expected


@pytest.mark.parametrize("bad", [-90, -4.9, 0, "loud", "", math.nan, math.inf, True])
def test_a_bad_loudness_is_a_one_line_error(bad):
    with pytest.raises(ValueError) as caught:
        resolve_settings(timeline(), "tiktok", loudness=bad)
    message = str(caught.value)
    assert "\n" not in message and "loudness" in message and "LUFS" in message
