"""Voice effects in numpy: a time stretch that keeps the pitch, a pitch shift that keeps the length, and
silence trimming (on speech: see test_speech_espeak)."""

from __future__ import annotations

import numpy as np
import pytest

from generation.audio import voice_effects

RATE = 24000


def tone(hz: float, seconds: float = 1.0, rate: int = RATE) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (0.5 * np.sin(2 * np.pi * hz * t)).astype(np.float32)


def peak_hz(samples: np.ndarray, rate: int = RATE) -> float:
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples))))
    return float(np.argmax(spectrum) * rate / len(samples))


@pytest.mark.parametrize("rate", [0.5, 1.5, 2.0])
def test_a_time_stretch_changes_the_length_and_keeps_the_pitch(rate):
    stretched = voice_effects.time_stretch(tone(220), rate, RATE)
    assert len(stretched) == round(RATE / rate)
    assert peak_hz(stretched) == pytest.approx(220, abs=2)
    assert np.abs(stretched).max() == pytest.approx(0.5, abs=0.05)  # grains add up without a level change


@pytest.mark.parametrize("shift", [-7, 4, 12])
def test_a_pitch_shift_moves_a_tone_by_semitones_and_keeps_its_length(shift):
    moved = voice_effects.pitch_shift(tone(220), shift, RATE)
    assert len(moved) == RATE and moved.dtype == np.float32
    assert peak_hz(moved) == pytest.approx(220 * 2 ** (shift / 12), rel=0.02)


def test_stereo_stays_stereo():
    both = np.stack([tone(220), tone(330)], axis=1)
    moved = voice_effects.pitch_shift(both, 12, RATE)
    assert moved.shape == both.shape
    assert peak_hz(moved[:, 0]) == pytest.approx(440, rel=0.02) and peak_hz(moved[:, 1]) == pytest.approx(660, rel=0.02)


def test_silence_is_trimmed_to_the_edge_kept():
    sound = np.concatenate([np.zeros(RATE), tone(220, 0.5), np.zeros(RATE)])
    trimmed = voice_effects.trim_silence(sound, RATE, edge_s=0.05)
    assert abs(len(trimmed) - (RATE // 2 + 2 * int(0.05 * RATE))) <= 2  # the tone and 50 ms either side
    assert len(voice_effects.trim_silence(np.zeros(RATE), RATE)) == 0


def test_nonsense_settings_are_refused():
    with pytest.raises(ValueError):
        voice_effects.time_stretch(tone(220), 0.0, RATE)
    with pytest.raises(ValueError):
        voice_effects.pitch_shift(tone(220), float("nan"), RATE)
