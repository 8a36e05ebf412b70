"""What the exported sound holds, decoded back: tones where clips sound, silence in gaps, levels, sync."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
import render_decode as d
from render_support import place_clip, timeline

from editor.model import Settings
from editor.render import export, resolve_settings

TONE_RMS = 0.125 / np.sqrt(2)   # ffmpeg's sine source: amplitude 1/8 (what a mono source holds)


def source_rms(path) -> float:
    """RMS of a source's own sound (synth's stereo files hold the mono sine upmixed at -3 dB)."""
    samples, rate = d.audio(path)
    return d.rms(samples, rate, 0.1, 0.9)


def run(tl, path, **overrides):
    tl.check()
    return export(tl, path, resolve_settings(tl, **overrides))


def test_clip_sound_and_silent_gaps_exact_length(media, tmp_path):
    tl = timeline()
    place_clip(tl, 0, media["red"], 0, 30)
    place_clip(tl, 0, media["green_silent"], 30, 15)   # picture without sound
    place_clip(tl, 0, media["blue"], 60, 30)           # after a 15-frame gap
    result = run(tl, tmp_path / "sound.mp4")
    samples, rate = d.audio(result.path)
    assert rate == 48000 and samples.shape == (2, 90 * 1600)
    assert d.rms(samples, rate, 0.05, 0.95) == pytest.approx(source_rms(media["red"]), rel=0.05)
    assert d.rms(samples, rate, 1.05, 1.45) < 1e-3
    assert d.rms(samples, rate, 1.55, 1.95) < 1e-3
    assert d.rms(samples, rate, 2.05, 2.95) == pytest.approx(source_rms(media["blue"]), rel=0.05)


def test_mono_44k_on_audio_track_is_resampled_to_48k_stereo(media, tmp_path):
    tl = timeline()
    place_clip(tl, 0, media["green_silent"], 0, 45)
    place_clip(tl, 0, media["tone44"], 0, 45, audio=True)
    result = run(tl, tmp_path / "mono.mp4")
    info = d.stream_info(result.path)
    assert (info.sample_rate, info.channels) == (48000, 2)
    samples, rate = d.audio(result.path)
    assert samples.shape[1] == 45 * 1600
    left, right = (d.rms(samples[i:i + 1], rate, 0.1, 1.4) for i in (0, 1))
    # A mono source plays at full level on both sides (not the -3 dB of ffmpeg's default upmix).
    assert left == pytest.approx(source_rms(media["tone44"]), rel=0.05) == pytest.approx(TONE_RMS, rel=0.05)
    assert right == pytest.approx(left, rel=0.01)
    spectrum = np.abs(np.fft.rfft(samples[0, 4800:52800]))
    assert np.argmax(spectrum) * rate / 48000 == pytest.approx(1000, abs=2)


def test_two_tones_mix_without_level_drop(media, tmp_path):
    tl = timeline(audio_tracks=2)
    place_clip(tl, 0, media["green_silent"], 0, 30)
    place_clip(tl, 0, media["tone_a"], 0, 30, audio=True)
    place_clip(tl, 1, media["tone_b"], 0, 15, audio=True)
    result = run(tl, tmp_path / "mix.mp4")
    samples, rate = d.audio(result.path)
    both = d.rms(samples, rate, 0.05, 0.45)
    one = d.rms(samples, rate, 0.55, 0.95)
    assert one == pytest.approx(source_rms(media["tone_a"]), rel=0.05)
    assert both == pytest.approx(one * np.sqrt(2), rel=0.05)   # uncorrelated tones: powers add, no halving


def test_muted_track_is_silent_and_clip_volume_scales(media, tmp_path):
    tl = timeline(audio_tracks=2)
    place_clip(tl, 0, media["green_silent"], 0, 60)
    place_clip(tl, 0, media["tone_a"], 0, 30, audio=True, volume=0.5)
    place_clip(tl, 0, media["tone_a"], 30, 30, audio=True)
    place_clip(tl, 1, media["tone_b"], 0, 60, audio=True)
    tl.audio_tracks[1].muted = True
    result = run(tl, tmp_path / "levels.mp4")
    samples, rate = d.audio(result.path)
    half, full = d.rms(samples, rate, 0.05, 0.95), d.rms(samples, rate, 1.05, 1.95)
    assert full == pytest.approx(source_rms(media["tone_a"]), rel=0.05)
    assert d.db(half) - d.db(full) == pytest.approx(-6.02, abs=0.5)
    spectrum = np.abs(np.fft.rfft(samples[0, 48000:96000]))
    assert spectrum[660] < spectrum[440] / 100   # nothing of the muted 660 Hz tone


def test_track_volume_and_video_clip_sound_mix(media, tmp_path):
    tl = timeline()
    place_clip(tl, 0, media["red"], 0, 30, volume=0.5)
    tl.video_tracks[0].volume = 0.5        # 0.5 x 0.5: -12 dB
    result = run(tl, tmp_path / "trackvol.mp4")
    samples, rate = d.audio(result.path)
    level = d.db(d.rms(samples, rate, 0.05, 0.95)) - d.db(source_rms(media["red"]))
    assert level == pytest.approx(-12.04, abs=0.5)


def _pairs(flashes, beeps):
    assert len(flashes) == len(beeps), (flashes, beeps)
    return [b - f for f, b in zip(flashes, beeps, strict=True)]


def test_av_sync_of_trimmed_clip_after_a_gap(media, tmp_path):
    """Flash and beep at every source second; the clip starts 10 frames into its source after a 13-frame gap.

    synth.flash_beep_clip gates its beep per 1024-sample audio frame, so its beeps start 3-8 ms after its
    flashes; the export must keep exactly the source's own offsets, so they are measured from the source.
    """
    tl = timeline()
    place_clip(tl, 0, media["flash"], 13, 100, source_in=10)
    result = run(tl, tmp_path / "sync.mp4")
    flashes, beeps = d.flash_times(result.path), d.beep_times(result.path)
    shift = (13 - 10) / 30
    expected_flashes = [t + shift for t in d.flash_times(media["flash"]) if 10 / 30 <= t < 110 / 30]
    expected_beeps = [t + shift for t in d.beep_times(media["flash"]) if 10 / 30 <= t < 110 / 30]
    assert len(flashes) == 3
    assert flashes == pytest.approx(expected_flashes, abs=1e-3)
    assert beeps == pytest.approx(expected_beeps, abs=1e-3)
    assert all(abs(x) <= 1 / 30 for x in _pairs(flashes, beeps))


def test_av_sync_holds_over_many_segments_at_ntsc_rate(media, tmp_path):
    """Twelve cuts of the flash clip with odd gaps at 30000/1001: every flash and beep still line up."""
    tl = timeline(Settings(width=96, height=64, fps=Fraction(30000, 1001)))
    cursor = 0
    starts = []
    for k in range(12):
        cursor += 7 + k % 3                      # gaps of 7..9 frames
        place_clip(tl, 0, media["flash"], cursor, 20, source_in=25 + (k % 2) * 30)   # a flash 5 frames in
        starts.append(cursor + 5)
        cursor += 20
    result = run(tl, tmp_path / "ntsc.mp4")
    total = result.frames
    samples, rate = d.audio(result.path)
    assert samples.shape[1] == round(Fraction(total) / Fraction(30000, 1001) * 48000)
    flashes, beeps = d.flash_times(result.path), d.beep_times(result.path)
    assert len(flashes) == 12
    assert all(abs(x) <= 1001 / 30000 for x in _pairs(flashes, beeps))
    fps = Fraction(30000, 1001)
    assert flashes == pytest.approx([float(s / fps) for s in starts], abs=1e-3)


def test_sound_only_timeline_has_black_picture(media, tmp_path):
    tl = timeline(video_tracks=1, audio_tracks=1)
    place_clip(tl, 0, media["tone44"], 0, 30, audio=True)
    result = run(tl, tmp_path / "radio.mp4")
    assert result.frames == 30
    assert np.abs(d.rgb_at(result.path, 0.5)).max() < 4
    samples, rate = d.audio(result.path)
    assert d.rms(samples, rate, 0.1, 0.9) == pytest.approx(source_rms(media["tone44"]), rel=0.05)


def test_hidden_track_is_heard_not_seen_and_muted_track_seen_not_heard(media, tmp_path):
    tl = timeline(video_tracks=2, audio_tracks=0)
    place_clip(tl, 0, media["red"], 0, 30)
    place_clip(tl, 1, media["blue"], 0, 30)
    tl.video_tracks[0].muted = True     # red: seen, not heard
    tl.video_tracks[1].hidden = True    # blue: heard (660 Hz), not seen
    result = run(tl, tmp_path / "flags.mp4")
    assert np.abs(d.rgb_at(result.path, 0.5, d.CENTRE) - [255, 0, 0]).max() < 24
    samples, _ = d.audio(result.path)
    spectrum = np.abs(np.fft.rfft(samples[0, :48000]))     # 1 s: 1 Hz per bin
    assert np.argmax(spectrum) == 660
    assert spectrum[440] < spectrum[660] / 100


def test_a_linked_pair_is_heard_once_from_its_audio_clip(media, tmp_path):
    from editor.model.commands import Place, Unlink

    tl = timeline()
    picture = place_clip(tl, 0, media["red"], 0, 30)
    tl.video_tracks[0].clips.clear()     # only to put the red media in the pool: Place puts the pair
    Place(tl.video_tracks[0], picture, 0, sound_track=tl.audio_tracks[0]).apply(tl)
    tl.check()
    alone = run(tl, tmp_path / "pair.mp4")
    samples, rate = d.audio(alone.path)
    # Picture and sound both playing would double the level (+6 dB): the pair is heard at the source's level.
    assert d.rms(samples, rate, 0.05, 0.95) == pytest.approx(source_rms(media["red"]), rel=0.05)
    Unlink(picture.id).apply(tl)         # unlinked, the picture stays silent: still heard once
    samples, rate = d.audio(run(tl, tmp_path / "unlinked.mp4").path)
    assert d.rms(samples, rate, 0.05, 0.95) == pytest.approx(source_rms(media["red"]), rel=0.05)


def test_a_hidden_track_with_only_a_detached_picture_reads_nothing_from_it():
    from editor.model.commands import Place
    from editor.model.testing import clip, video
    from editor.model.testing import timeline as model_timeline
    from editor.render.plan import media_used

    tl = model_timeline(1, 1, media=[video("cam", 300)])
    Place("V1", clip("cam", 0, 30, clip_id="v"), 0, sound_track="A1").apply(tl)
    tl.track("V1").hidden = True
    tl.track("A1").muted = True
    assert media_used(tl) == []
