"""What the exported picture shows, decoded back with PyAV: sources, gaps, layers, fits, trims, odd media."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
import render_decode as d
from render_support import place_clip, timeline

from editor.model import Fit, Settings
from editor.render import export, resolve_settings

RED = np.array([255, 0, 0])
BLUE = np.array([0, 0, 255])
GREEN = np.array([0, 128, 0])
YELLOW = np.array([255, 255, 0])
BLACK = np.array([0, 0, 0])


def near(rgb, colour, tol: float = 24) -> bool:
    return bool(np.abs(np.asarray(rgb, float) - colour).max() <= tol)


def run(tl, path, **overrides):
    tl.check()
    return export(tl, path, resolve_settings(tl, **overrides))


def test_sources_in_order_with_black_gap_exact_frames(media, tmp_path):
    tl = timeline()
    place_clip(tl, 0, media["red"], 0, 30)
    place_clip(tl, 0, media["blue"], 45, 30, source_in=15)
    result = run(tl, tmp_path / "out.mp4")
    assert result.frames == 75
    times, means = d.frame_means(result.path, [d.CENTRE])
    assert len(times) == 75
    assert times == pytest.approx([i / 30 for i in range(75)], abs=1e-4)   # constant rate, no holes
    colours = means[:, 0]
    assert all(near(c, RED) for c in colours[:30])
    assert all(near(c, BLACK, 4) for c in colours[30:45])
    assert all(near(c, BLUE) for c in colours[45:])


def test_stream_facts_small_canvas(media, tmp_path):
    tl = timeline()
    place_clip(tl, 0, media["red"], 0, 20)
    result = run(tl, tmp_path / "facts.mp4")
    info = d.stream_info(result.path)
    assert (info.video_codec, info.profile, info.pix_fmt) == ("h264", "High", "yuv420p")
    assert (info.width, info.height, info.frames, info.fps) == (180, 320, 20, 30)
    assert (info.color_primaries, info.color_trc, info.colorspace, info.color_range) == (1, 1, 1, 1)  # bt709, tv
    assert (info.audio_codec, info.audio_profile, info.sample_rate, info.channels) == ("aac", "LC", 48000, 2)
    assert info.duration == Fraction(20, 30)
    boxes = d.top_level_boxes(result.path)
    assert boxes.index("moov") < boxes.index("mdat")


def test_full_size_tiktok_preset(media, tmp_path):
    tl = timeline(Settings(width=1080, height=1920, fps=Fraction(30)))
    place_clip(tl, 0, media["red"], 0, 15)
    place_clip(tl, 0, media["blue"], 15, 15)
    result = run(tl, tmp_path / "tiktok.mp4", preset="tiktok")
    info = d.stream_info(result.path)
    assert (info.width, info.height, info.frames, info.fps) == (1080, 1920, 30, 30)
    assert (info.video_codec, info.profile, info.pix_fmt, info.audio_codec, info.sample_rate) == \
        ("h264", "High", "yuv420p", "aac", 48000)
    assert (info.color_primaries, info.color_trc, info.colorspace) == (1, 1, 1)
    assert d.top_level_boxes(result.path).index("moov") < d.top_level_boxes(result.path).index("mdat")
    assert near(d.rgb_at(result.path, 0.2, d.CENTRE), RED)
    assert near(d.rgb_at(result.path, 0.8, d.CENTRE), BLUE)


def test_fit_clip_on_upper_track_shows_lower_track_around_it(media, tmp_path):
    tl = timeline(video_tracks=2)
    place_clip(tl, 0, media["red"], 0, 60)                       # 16:9 filling the 9:16 canvas
    place_clip(tl, 1, media["blue"], 0, 30, fit=Fit.FIT)         # a band across the middle
    place_clip(tl, 1, media["yellow_sq"], 30, 30, fit=Fit.CROP)  # 120x120, native size, centred
    result = run(tl, tmp_path / "layers.mp4")
    assert near(d.rgb_at(result.path, 0.5, d.CENTRE), BLUE)
    assert near(d.rgb_at(result.path, 0.5, d.CORNER), RED)
    assert near(d.rgb_at(result.path, 0.5, d.TOP), RED)
    assert near(d.rgb_at(result.path, 1.5, d.CENTRE), YELLOW)
    assert near(d.rgb_at(result.path, 1.5, d.CORNER), RED)


def test_fill_versus_fit_of_landscape_clip_on_portrait_canvas(media, tmp_path):
    tl = timeline()
    place_clip(tl, 0, media["red"], 0, 15, fit=Fit.FILL)
    place_clip(tl, 0, media["red"], 15, 15, fit=Fit.FIT)
    place_clip(tl, 0, media["red"], 30, 15, fit=Fit.STRETCH)
    result = run(tl, tmp_path / "fits.mp4")
    for t in (0.25, 1.25):   # FILL and STRETCH cover the canvas
        assert near(d.rgb_at(result.path, t, d.TOP), RED)
        assert near(d.rgb_at(result.path, t, d.BOTTOM), RED)
    assert near(d.rgb_at(result.path, 0.75, d.TOP), BLACK, 4)     # FIT: bars above and below
    assert near(d.rgb_at(result.path, 0.75, d.BOTTOM), BLACK, 4)
    assert near(d.rgb_at(result.path, 0.75, d.CENTRE), RED)


def test_still_image_and_transparent_png_over_video(media, tmp_path):
    tl = timeline(video_tracks=2)
    place_clip(tl, 0, media["still"], 0, 40)                       # a still for 40 frames
    place_clip(tl, 0, media["blue"], 40, 20)
    place_clip(tl, 1, media["alpha"], 40, 20)                      # transparent but for a green box
    result = run(tl, tmp_path / "still.mp4")
    times, means = d.frame_means(result.path, [d.CENTRE, d.CORNER])
    assert len(times) == 60
    assert all(near(c, YELLOW) for c in means[:40, 0])
    assert all(near(c, GREEN, 30) for c in means[40:, 0])
    assert all(near(c, BLUE) for c in means[40:, 1])


@pytest.mark.parametrize("key, top, bottom", [("rot_cw", RED, BLUE), ("rot_ccw", BLUE, RED)])
def test_phone_footage_is_shown_upright(media, tmp_path, key, top, bottom):
    """synth.rotated_clip: red left half, blue right half, landscape-coded with a display matrix.

    rotation=-90 turns it clockwise (red on top, as its docstring says); the default rotation=90 is the
    counter-clockwise turn ffmpeg reports as 'rotation of 90 degrees', which puts blue on top.
    """
    tl = timeline()
    place_clip(tl, 0, media[key], 0, 15, source_in=8)    # seeked with -ss: still turned upright
    result = run(tl, tmp_path / f"{key}.mp4")
    assert near(d.rgb_at(result.path, 0.2, d.TOP), top)
    assert near(d.rgb_at(result.path, 0.2, d.BOTTOM), bottom)


def test_variable_frame_rate_source_is_conformed(media, tmp_path):
    tl = timeline()
    place_clip(tl, 0, media["vfr"], 0, 85, source_in=2)   # ends 1 frame before the 3 s of media
    result = run(tl, tmp_path / "vfr.mp4")
    info = d.stream_info(result.path)
    assert info.frames == 85 and info.duration == Fraction(85, 30)
    times, means = d.frame_means(result.path, [d.CENTRE])
    assert times == pytest.approx([i / 30 for i in range(85)], abs=1e-4)
    assert all(near(c, GREEN, 30) for c in means[:, 0])
    samples, rate = d.audio(result.path)
    assert samples.shape[1] == 85 * 1600
    assert d.rms(samples, rate, 2.6, 2.8) > 0.05   # the tone runs to the end: nothing drifted off


def test_frame_rate_conversion_gives_exact_count(media, tmp_path):
    tl = timeline(Settings(width=180, height=320, fps=Fraction(30000, 1001)))
    place_clip(tl, 0, media["red"], 0, 47)
    result = run(tl, tmp_path / "rate.mp4", fps=25)
    expected = round(Fraction(47) / Fraction(30000, 1001) * 25)
    info = d.stream_info(result.path)
    assert info.frames == expected and info.fps == 25
    samples, _ = d.audio(result.path)
    assert samples.shape[1] == round(Fraction(expected, 25) * 48000)


def test_hdr_is_tone_mapped_to_8bit_bt709(media, tmp_path):
    """PQ and HLG bars (red | grey | white, white at 203 nits) come out as SDR colours, not washed out.

    Decoded without tone mapping, the PQ red reads about (117, 66, 45) and the white a flat 127 grey.
    """
    tl = timeline(Settings(width=96, height=64, fps=Fraction(30)))
    place_clip(tl, 0, media["pq_bars"], 0, 10, fit=Fit.STRETCH)
    place_clip(tl, 0, media["hlg_bars"], 10, 10, fit=Fit.STRETCH)
    place_clip(tl, 0, media["hdr"], 20, 10, fit=Fit.STRETCH)     # synth's 10-bit HEVC "HDR" pattern
    result = run(tl, tmp_path / "hdr.mp4")
    info = d.stream_info(result.path)
    assert info.pix_fmt == "yuv420p" and (info.color_primaries, info.color_trc, info.colorspace) == (1, 1, 1)
    bars = [(0.03, 0.2, 0.3, 0.8), (0.36, 0.2, 0.63, 0.8), (0.7, 0.2, 0.97, 0.8)]
    _, means = d.frame_means(result.path, [*bars, d.WHOLE])
    for frame in (5, 15):
        red, grey, white, _ = means[frame]
        assert red[0] > 170 and max(red[1], red[2]) < 50, f"red stays red: {red}"
        assert 100 < grey.mean() < 160 and np.ptp(grey) < 15, f"mid grey stays mid grey: {grey}"
        assert white.mean() > 190, f"white stays bright: {white}"
    assert 40 < means[25, 3].mean() < 220


def test_odd_source_size(media, tmp_path):
    tl = timeline()
    place_clip(tl, 0, media["odd"], 0, 20, fit=Fit.FIT)
    result = run(tl, tmp_path / "odd.mp4")
    assert d.stream_info(result.path).frames == 20
    assert near(d.rgb_at(result.path, 0.3, d.CENTRE), np.array([255, 0, 255]))


def test_exact_source_trims(media, tmp_path):
    """Output frame j of a clip shows source frame source_in + j (the source's luma numbers its frames)."""
    tl = timeline(Settings(width=160, height=90, fps=Fraction(30)))
    place_clip(tl, 0, media["indexed"], 0, 10, source_in=7)
    place_clip(tl, 0, media["indexed"], 10, 12, source_in=41)
    place_clip(tl, 0, media["indexed"], 22, 5, source_in=0)
    result = run(tl, tmp_path / "trims.mp4", crf=4)
    got = [round((luma - 16) / 3) for luma in d.luma_means(result.path)]
    assert got == [*range(7, 17), *range(41, 53), *range(0, 5)]


def test_razor_cut_continuations_render_as_one_segment(media, tmp_path):
    tl = timeline()
    for i in range(6):
        place_clip(tl, 0, media["indexed"], i * 10, 10, source_in=i * 10)
    tl.check()
    settings = resolve_settings(tl, size=(160, 90))
    result = export(tl, tmp_path / "razor.mp4", settings)
    assert result.segments == 1
    got = [round((luma - 16) / 3) for luma in d.luma_means(result.path)]
    assert got == list(range(60))


def test_overlay_and_sound_effect_inside_one_clip_land_on_exact_frames(media, tmp_path):
    """An upper-track clip and a sound effect that start and stop inside a lower clip (one merged segment)."""
    tl = timeline(video_tracks=2, audio_tracks=1)
    place_clip(tl, 0, media["red"], 0, 60, volume=0.0)
    place_clip(tl, 1, media["blue"], 17, 12, fit=Fit.FIT, source_in=5, volume=0.0)
    place_clip(tl, 0, media["flash"], 23, 30, source_in=25, audio=True)   # its beep at source 1.0027 s
    result = run(tl, tmp_path / "inside.mp4")
    assert result.segments == 1
    _, means = d.frame_means(result.path, [d.CENTRE, d.CORNER])
    shown = ["B" if near(c, BLUE) else "R" if near(c, RED) else "?" for c in means[:, 0]]
    assert "".join(shown) == "R" * 17 + "B" * 12 + "R" * 31
    assert all(near(c, RED) for c in means[:, 1])
    source_beep = [t for t in d.beep_times(media["flash"]) if 25 / 30 <= t < 55 / 30]
    assert d.beep_times(result.path) == pytest.approx([source_beep[0] + (23 - 25) / 30], abs=1e-3)


def test_hevc_export_with_libx265(media, tmp_path):
    tl = timeline()
    place_clip(tl, 0, media["red"], 0, 20)
    place_clip(tl, 0, media["blue"], 20, 60)     # a long segment and a short one: two runs joined
    result = run(tl, tmp_path / "hevc.mp4", encoder="libx265")
    assert result.runs == 2
    info = d.stream_info(result.path)
    assert (info.video_codec, info.pix_fmt, info.frames) == ("hevc", "yuv420p", 80)
    assert (info.color_primaries, info.color_trc, info.colorspace) == (1, 1, 1)
    assert near(d.rgb_at(result.path, 0.3, d.CENTRE), RED) and near(d.rgb_at(result.path, 2.5, d.CENTRE), BLUE)


def test_picture_in_picture_across_cuts_and_a_gap_below(media, tmp_path):
    """A moving upper clip spanning two cuts and a gap below it renders in one segment, frame-exact."""
    tl = timeline(video_tracks=2, audio_tracks=0)
    place_clip(tl, 0, media["red"], 0, 20)
    place_clip(tl, 0, media["blue"], 30, 30, source_in=3)          # a 10-frame gap before it
    place_clip(tl, 1, media["yellow_sq"], 10, 40, fit=Fit.CROP)    # over the cut, the gap and the next cut
    result = run(tl, tmp_path / "pip.mp4")
    assert result.segments == 1
    _, means = d.frame_means(result.path, [d.CENTRE, d.CORNER])

    def names(colours):
        table = {"R": RED, "B": BLUE, "Y": YELLOW, "K": BLACK}
        return "".join(next((k for k, v in table.items() if near(c, v, 30)), "?") for c in colours)

    assert names(means[:, 1]) == "R" * 20 + "K" * 10 + "B" * 30
    assert names(means[:, 0]) == "R" * 10 + "Y" * 40 + "B" * 10
