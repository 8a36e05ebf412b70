"""The gain curves and the time-stretch the preview and the exporter share: numbers and ffmpeg expressions
from one definition, and atempo's factors."""

from __future__ import annotations

import math
import subprocess
from fractions import Fraction

import numpy as np
import pytest

from editor.media.ffmpeg import ffmpeg_exe
from editor.media.sound_gain import curve_values, gain_expr, gain_values
from editor.media.stretch import Stretcher, source_range, tempo_chain, tempo_factors
from editor.model.keyframes import Curve, Ease, Key

RATE = 48000
CURVE = Curve(0.0, (Key(-3, -40.0, Ease.EASE_IN), Key(5, -6.0, Ease.EASE_OUT), Key(9, 0.0, Ease.EASE_IN_OUT),
                    Key(14, -12.0, Ease.HOLD), Key(16, 3.0), Key(20, -96.0)))


def test_curve_values_are_the_curves_own_values_everywhere():
    frames = np.concatenate([np.linspace(-6, 24, 601), [k.frame for k in CURVE.keys]])
    expected = [CURVE.at(float(f)) for f in frames]
    assert np.allclose(curve_values(CURVE, frames), expected, atol=1e-12)
    assert np.allclose(curve_values(Curve(0.25), frames), 0.25)


def test_the_ffmpeg_expression_gives_the_same_gain_at_every_sample():
    envelope = Curve(1.0, (Key(0, 0.0), Key(6, 1.0), Key(18, 1.0), Key(24, 0.0)))
    frame = "(-3+t*30)"                  # clip frame -3 at the first sample, 30 frames a second
    expr = gain_expr(0.5, CURVE, envelope, frame)
    raw = subprocess.run([ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i",
                          f"aevalsrc='{expr}':s={RATE}:d=1", "-f", "f64le", "-"], capture_output=True, check=True)
    from_ffmpeg = np.frombuffer(raw.stdout, np.float64)
    assert len(from_ffmpeg) == RATE
    ours = gain_values(0.5, CURVE, envelope, -3 + np.arange(RATE) * 30 / RATE)
    assert np.max(np.abs(from_ffmpeg - ours)) < 1e-9
    assert ours.max() > 0.4 and ours.min() == 0


@pytest.mark.parametrize("speed, factors", [(Fraction(2), [2.0]), (Fraction(4), [2.0, 2.0]), (Fraction(1), []),
                                            (Fraction(-3, 2), [1.5]), (Fraction(1, 10), [0.5, 0.5, 0.5, 0.8]),
                                            (Fraction(10), [2.0, 2.0, 2.0, 1.25])])
def test_tempo_factors_stay_in_atempos_best_range_and_multiply_to_the_speed(speed, factors):
    got = tempo_factors(speed)
    assert got == pytest.approx(factors)
    assert math.prod(got) == pytest.approx(float(abs(speed)))
    assert tempo_chain(speed) == ",".join(f"atempo={f:.17g}" for f in got)


def test_a_frozen_sound_has_no_tempo():
    with pytest.raises(ValueError):
        tempo_factors(Fraction(0))


def test_source_ranges_forward_read_on_reversed_stop_at_the_files_start():
    assert source_range(Fraction(1), 30, Fraction(2), Fraction(30), RATE) == (RATE, round(2.2 * RATE))
    assert source_range(Fraction(2), 30, Fraction(-1), Fraction(30), RATE) == (RATE, RATE)
    assert source_range(Fraction(1, 2), 30, Fraction(-1), Fraction(30), RATE) == (0, RATE // 2)


def test_stretching_keeps_the_pitch_and_changes_the_length():
    t = np.arange(2 * RATE) / RATE
    tone = np.repeat((0.1 * np.sin(2 * np.pi * 1000 * t)).astype(np.float32)[:, None], 2, axis=1)
    s = Stretcher(Fraction(2), RATE)
    out = np.concatenate([s.push(tone[i:i + 4096]) for i in range(0, len(tone), 4096)] + [s.push(None)])
    assert abs(len(out) - RATE) < RATE // 50
    part = out[RATE // 10:RATE // 10 + RATE // 2, 0]
    assert np.argmax(np.abs(np.fft.rfft(part))) * RATE / len(part) == pytest.approx(1000, abs=3)


def test_hundreds_of_keys_make_an_expression_ffmpeg_accepts():
    levels = Curve(0.0, tuple(Key(i, -3.0 * (i % 4)) for i in range(400)))
    expr = gain_expr(1.0, levels, Curve(1.0), "(t*30)")
    raw = subprocess.run([ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i",
                          f"aevalsrc='{expr}':s={RATE}:d=2", "-f", "f64le", "-"], capture_output=True, check=True)
    from_ffmpeg = np.frombuffer(raw.stdout, np.float64)
    ours = gain_values(1.0, levels, Curve(1.0), np.arange(2 * RATE) * 30 / RATE)
    assert np.max(np.abs(from_ffmpeg - ours)) < 1e-9
