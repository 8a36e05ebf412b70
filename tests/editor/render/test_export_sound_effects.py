"""The exported sound follows the clips' effects: speed keeps the pitch (time-stretched, not resampled),
reverse plays the sound backwards, a freeze frame is silent, fades and gain keyframes shape the level, a
dissolve between two sound clips crossfades them, and a solo track is all that sounds."""

from __future__ import annotations

import subprocess
from fractions import Fraction

import numpy as np
import pytest
import render_decode as d
from render_support import place_clip, timeline

from editor.media import synth
from editor.media.ffmpeg import ffmpeg_exe
from editor.model.commands.effects import AddTransition, SetSpeed
from editor.model.commands.properties import SetClipProperties
from editor.model.commands.structure import SetTrackFlags
from editor.model.effects import Transition, TransitionKind
from editor.model.keyframes import Curve, Key
from editor.render import export, resolve_settings

RATE = 48000
AMP = 0.125 / np.sqrt(2)        # ffmpeg's sine source (amplitude 1/8) upmixed to stereo at -3 dB
TONE_RMS = AMP / np.sqrt(2)


@pytest.fixture(scope="module")
def tones(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sound-effects")
    rising = folder / "rising.wav"   # 440 Hz for a second, then 880 Hz: which way it plays is audible
    subprocess.run([ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                    f"aevalsrc='0.125*sin(2*PI*if(lt(t,1),440,880)*t)':s={RATE}:d=2", "-ac", "2",
                    "-c:a", "pcm_s16le", str(rising)], check=True)
    return {
        "k1": synth.tone(folder / "k1.wav", hz=1000, seconds=3.0, sample_rate=RATE, channels=2),
        "a": synth.tone(folder / "a.wav", hz=440, seconds=3.0, sample_rate=RATE, channels=2),
        "b": synth.tone(folder / "b.wav", hz=660, seconds=3.0, sample_rate=RATE, channels=2),
        "rising": rising,
    }


def exported(tl, tmp_path) -> np.ndarray:
    tl.check()
    result = export(tl, tmp_path / "out.mp4", resolve_settings(tl, size=(180, 320)))
    samples, rate = d.audio(result.path)
    assert rate == RATE
    return samples


def peak_hz(samples: np.ndarray, t0: float, t1: float) -> float:
    part = samples[0, int(t0 * RATE):int(t1 * RATE)]
    spectrum = np.abs(np.fft.rfft(part * np.hanning(len(part))))
    return float(np.argmax(spectrum)) * RATE / len(part)


def level(samples: np.ndarray, t0: float, t1: float, hz: float) -> float:
    """Amplitude of the ``hz`` component between t0 and t1 (``AMP`` for a whole tone)."""
    part = samples[0, int(t0 * RATE):int(t1 * RATE)].astype(np.float64)
    t = np.arange(len(part)) / RATE
    return 2 * abs(np.mean(part * np.exp(-2j * np.pi * hz * t)))


@pytest.mark.parametrize("speed, seconds", [(Fraction(2), 1.0), (Fraction(1, 2), 4.0), (Fraction(4), 0.5)])
def test_a_sped_sound_lasts_its_new_length_at_its_own_pitch(tones, tmp_path, speed, seconds):
    tl = timeline()
    clip = place_clip(tl, 0, tones["k1"], 0, 60, audio=True)    # 2 s of a 1 kHz tone
    SetSpeed(clip.id, speed).apply(tl)
    samples = exported(tl, tmp_path)
    assert samples.shape[1] == round(seconds * RATE)
    assert peak_hz(samples, 0.05, seconds - 0.05) == pytest.approx(1000, abs=3)
    assert d.rms(samples, RATE, 0.05, seconds - 0.05) == pytest.approx(TONE_RMS, rel=0.05)


def test_a_reversed_sound_plays_backwards(tones, tmp_path):
    tl = timeline()
    clip = place_clip(tl, 0, tones["rising"], 0, 60, audio=True)
    SetSpeed(clip.id, Fraction(1), reverse=True).apply(tl)
    samples = exported(tl, tmp_path)
    assert peak_hz(samples, 0.1, 0.9) == pytest.approx(880, abs=3)
    assert peak_hz(samples, 1.1, 1.9) == pytest.approx(440, abs=3)


def test_a_freeze_frame_is_silent(tones, tmp_path):
    tl = timeline()
    clip = place_clip(tl, 0, tones["k1"], 0, 30, audio=True)
    place_clip(tl, 0, tones["a"], 30, 30, audio=True)
    SetSpeed(clip.id, Fraction(0), ripple=False).apply(tl)
    samples = exported(tl, tmp_path)
    assert d.rms(samples, RATE, 0.0, 1.0) < 1e-4
    assert d.rms(samples, RATE, 1.05, 1.95) == pytest.approx(TONE_RMS, rel=0.05)


def test_a_fade_in_ramps_the_level_up_and_a_fade_out_down(tones, tmp_path):
    tl = timeline()
    clip = place_clip(tl, 0, tones["a"], 0, 60, audio=True)
    SetClipProperties(clip.id, fade_in=30, fade_out=15).apply(tl)
    samples = exported(tl, tmp_path)
    for t in (0.25, 0.5, 0.75):                       # fade in over the first second: linear gain t / 1 s
        assert level(samples, t - 1 / 44, t + 1 / 44, 440) == pytest.approx(AMP * t, abs=0.004)
    assert level(samples, 1.05, 1.45, 440) == pytest.approx(AMP, rel=0.02)
    assert level(samples, 1.75 - 1 / 44, 1.75 + 1 / 44, 440) == pytest.approx(AMP * 0.5, abs=0.004)
    assert d.rms(samples, RATE, 1.995, 2.0) < 0.004


def test_gain_keys_ramp_from_silence_to_full_level_in_decibels(tones, tmp_path):
    tl = timeline()
    clip = place_clip(tl, 0, tones["a"], 0, 60, audio=True)
    SetClipProperties(clip.id, gain=Curve(0.0, (Key(0, -96.0), Key(30, 0.0)))).apply(tl)
    samples = exported(tl, tmp_path)
    assert level(samples, 0.0, 0.02, 440) < 1e-4
    for t in (0.5, 0.75):                              # -96 dB -> 0 dB over a second, linear in dB
        expected = AMP * 10 ** (-96 * (1 - t) / 20)
        assert d.db(level(samples, t - 1 / 44, t + 1 / 44, 440)) == pytest.approx(d.db(expected), abs=1.0)
    assert level(samples, 1.1, 1.9, 440) == pytest.approx(AMP, rel=0.02)


def test_a_dissolve_between_two_sounds_crossfades_them(tones, tmp_path):
    tl = timeline()
    place_clip(tl, 0, tones["a"], 0, 45, audio=True)
    second = place_clip(tl, 0, tones["b"], 45, 45, source_in=30, audio=True)
    AddTransition(second.id, Transition.aligned(TransitionKind.DISSOLVE, 30, "centre")).apply(tl)
    samples = exported(tl, tmp_path)
    assert samples.shape[1] == 90 * 1600
    assert level(samples, 0.1, 0.9, 440) == pytest.approx(AMP, rel=0.02)      # before: the first alone
    assert level(samples, 0.1, 0.9, 660) < 0.002
    # At the cut (1.5 s) both sound at half level: the crossfade runs 1 s .. 2 s.
    assert level(samples, 1.5 - 1 / 44, 1.5 + 1 / 44, 440) == pytest.approx(AMP / 2, abs=0.004)
    assert level(samples, 1.5 - 1 / 44, 1.5 + 1 / 44, 660) == pytest.approx(AMP / 2, abs=0.004)
    assert level(samples, 1.25 - 1 / 44, 1.25 + 1 / 44, 440) > level(samples, 1.25 - 1 / 44, 1.25 + 1 / 44, 660)
    assert level(samples, 2.1, 2.9, 660) == pytest.approx(AMP, rel=0.02)      # after: the second alone
    assert level(samples, 2.1, 2.9, 440) < 0.002


def test_a_solo_track_is_all_that_sounds(tones, tmp_path):
    tl = timeline(audio_tracks=2)
    place_clip(tl, 0, tones["a"], 0, 30, audio=True)
    place_clip(tl, 1, tones["b"], 0, 30, audio=True)
    SetTrackFlags(tl.audio_tracks[1], solo=True).apply(tl)
    samples = exported(tl, tmp_path)
    assert level(samples, 0.1, 0.9, 660) == pytest.approx(AMP, rel=0.02)
    assert level(samples, 0.1, 0.9, 440) < 0.002
