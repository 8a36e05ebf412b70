"""The exported picture follows the render plan's effects, decoded back with PyAV: titles, dissolves, dips,
fades, keyframed opacity, fit-over-blur, speed, reverse, freeze, keyframed position, rotation, WebM alpha."""

from __future__ import annotations

import sys
from dataclasses import replace
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
import render_decode as d
from render_support import place_clip, timeline

sys.path.insert(0, str(Path(__file__).parent))
from effects_media import effects_media  # noqa: E402

from editor.model import Fit, new_id  # noqa: E402
from editor.model.clips import TextClip  # noqa: E402
from editor.model.effects import Transform, Transition, TransitionKind  # noqa: E402
from editor.model.keyframes import Curve, Key  # noqa: E402
from editor.model.text import TextStyle  # noqa: E402
from editor.render import export, resolve_settings  # noqa: E402
from editor.render.plan import build_plan  # noqa: E402
from editor.render.text import text_box  # noqa: E402

RED = np.array([255, 0, 0])
BLUE = np.array([0, 0, 255])
GREEN = np.array([0, 128, 0])
BLACK = np.array([0, 0, 0])


@pytest.fixture(scope="module")
def media(tmp_path_factory) -> dict[str, Path]:
    return effects_media(tmp_path_factory.mktemp("effects-media"))


def put(tl, track: int, path, start: int, duration: int, source_in: int = 0, **fields):
    """A clip placed on a video track with its effect fields set."""
    clip = place_clip(tl, track, path, start, duration, source_in=source_in, fit=fields.pop("fit", Fit.FILL))
    clips = tl.video_tracks[track].clips
    changed = replace(clip, **fields)
    clips[clips.index(clip)] = changed
    return changed


def run(tl, path) -> Path:
    tl.check()
    return export(tl, path, resolve_settings(tl, None, loudness=None)).path


def frames(path) -> list[np.ndarray]:
    with av.open(str(path)) as c:
        return [f.to_ndarray(format="rgb24").astype(float) for f in c.decode(video=0)]


def centre(frame: np.ndarray) -> np.ndarray:
    h, w = frame.shape[:2]
    return frame[h * 2 // 5:h * 3 // 5, w * 2 // 5:w * 3 // 5].reshape(-1, 3).mean(axis=0)


def near(rgb, colour, tol: float = 24) -> bool:
    return bool(np.abs(np.asarray(rgb, float) - colour).max() <= tol)


def shown_index(path) -> list[int]:
    """The source frame each exported frame shows, for the indexed clip (Y = 16 + 3 n, flat)."""
    return [round((y - 16) / 3) for y in d.luma_means(path)]


def expected_index(tl, fps=Fraction(30)) -> list[int]:
    """The plan's rule: output frame i shows the source frame at or before ``layer.source_time(i)``."""
    out = []
    for seg in build_plan(tl, fps, 48000).segments:
        (layer,) = seg.layers
        out += [int(layer.source_time(i, fps) * 30 + Fraction(1, 1000)) for i in range(layer.frames)]
    return out


def test_a_title_with_quotes_escapes_emoji_and_arabic_renders_in_its_box(tmp_path):
    text = "It's 1:2 100% \\ \"q\" 🔥 مرحبا"
    style = TextStyle()
    tl = timeline()
    tl.video_tracks[0].add(TextClip(id=new_id("t"), start=0, duration=10, text=text, style=style))
    out = run(tl, tmp_path / "title.mp4")
    pics = frames(out)
    assert len(pics) == 10
    x0, y0, x1, y1 = text_box(text, style, 180, 320)
    inside = pics[5][int(y0):int(y1) + 1, int(x0):int(x1) + 1]
    assert inside.max() > 150                                   # text drawn
    outside = pics[5].copy()
    outside[int(y0):int(y1) + 1, int(x0):int(x1) + 1] = 0
    assert outside.max() < 40                                   # and nothing elsewhere


def test_a_dissolve_midpoint_is_the_even_mix_of_both_clips(media, tmp_path):
    tl = timeline()
    put(tl, 0, media["red"], 0, 30)
    put(tl, 0, media["blue"], 30, 30, source_in=15, transition=Transition.aligned(TransitionKind.DISSOLVE, 10))
    pics = frames(run(tl, tmp_path / "dissolve.mp4"))
    assert len(pics) == 60
    assert near(centre(pics[20]), RED) and near(centre(pics[40]), BLUE)
    mix = (pics[20] + pics[40]) / 2
    assert np.abs(pics[30] - mix).max() <= 16                   # per pixel
    assert centre(pics[27])[0] > centre(pics[30])[0] > centre(pics[33])[0]   # red fades under blue


def test_a_dip_to_black_is_black_at_its_midpoint(media, tmp_path):
    tl = timeline()
    put(tl, 0, media["red"], 0, 30)
    put(tl, 0, media["blue"], 30, 30, transition=Transition.aligned(TransitionKind.DIP_BLACK, 10))
    pics = frames(run(tl, tmp_path / "dip.mp4"))
    assert near(centre(pics[30]), BLACK, 6)
    assert 40 < centre(pics[27])[0] < 215                       # on its way down
    assert near(centre(pics[20]), RED) and near(centre(pics[40]), BLUE)


def test_a_fade_in_ramps_up_from_black(media, tmp_path):
    tl = timeline()
    put(tl, 0, media["red"], 0, 20, fade_in=10)
    reds = [centre(p)[0] for p in frames(run(tl, tmp_path / "fade.mp4"))]
    assert reds[0] < 8 and reds[12] > 240
    assert all(a < b for a, b in zip(reds[:10], reds[1:11], strict=False))
    assert reds[5] == pytest.approx(255 * 0.5, abs=16)


def test_keyframed_opacity_follows_its_keys(media, tmp_path):
    tl = timeline(video_tracks=2)
    put(tl, 0, media["blue"], 0, 30)
    opacity = Curve(1.0, (Key(0, 0.0), Key(20, 1.0)))
    put(tl, 1, media["red"], 0, 30, transform=Transform(opacity=opacity))
    pics = frames(run(tl, tmp_path / "opacity.mp4"))
    for i in (0, 10, 20):
        a = opacity.at(i)
        assert np.abs(centre(pics[i]) - (a * RED + (1 - a) * BLUE)).max() <= 20, i


def detail(pixels: np.ndarray) -> float:
    """Mean difference between horizontal neighbours: sharp edges make it large, a blur small."""
    return float(np.abs(np.diff(pixels, axis=1)).mean())


def test_fit_over_blur_fills_above_and_below_with_a_blurred_darker_copy(media, tmp_path):
    tl = timeline()
    put(tl, 0, media["detailed"], 0, 5, fit=Fit.BLUR)
    pic = frames(run(tl, tmp_path / "blur.mp4"))[2]
    top, middle, bottom = pic[10:100], pic[140:180], pic[220:310]   # the 16:9 picture fits in rows ~109..210
    for band in (top, bottom):
        assert band.mean() > 15                       # not black
        assert detail(band) < detail(middle) / 3      # blurred
        assert band.mean() < middle.mean()            # darkened


@pytest.mark.parametrize("speed, duration", [(Fraction(2), 30), (Fraction(1, 2), 40)])
def test_speed_changes_length_and_shows_the_planned_source_frames(media, tmp_path, speed, duration):
    tl = timeline()
    put(tl, 0, media["indexed"], 0, duration, source_in=4, speed=speed)
    out = run(tl, tmp_path / "speed.mp4")
    shown = shown_index(out)
    assert len(shown) == duration                 # 2x: 60 source frames in 30; 0.5x: 20 in 40
    assert shown == expected_index(tl)
    assert shown[:4] == ([4, 6, 8, 10] if speed == 2 else [4, 4, 5, 5])


def test_reverse_shows_the_range_backwards(media, tmp_path):
    tl = timeline()
    put(tl, 0, media["indexed"], 0, 20, source_in=10, reverse=True)
    shown = shown_index(run(tl, tmp_path / "reverse.mp4"))
    assert shown == expected_index(tl)
    assert shown[0] > shown[-1] and all(a - b == 1 for a, b in zip(shown, shown[1:], strict=False))


def test_a_freeze_frame_holds_its_frame(media, tmp_path):
    tl = timeline()
    put(tl, 0, media["indexed"], 0, 15, source_in=12, speed=Fraction(0))
    shown = shown_index(run(tl, tmp_path / "freeze.mp4"))
    assert shown == [12] * 15


def _red_centroid_x(frame: np.ndarray) -> float:
    mask = (frame[:, :, 0] > 128) & (frame[:, :, 2] < 100)
    return float(np.nonzero(mask)[1].mean()) / frame.shape[1]


def test_a_keyframed_position_moves_the_picture(media, tmp_path):
    tl = timeline()
    x = Curve(0.0, (Key(0, -0.25), Key(20, 0.25)))
    put(tl, 0, media["red"], 0, 25, transform=Transform(x=x, scale=Curve(0.3)))
    pics = frames(run(tl, tmp_path / "move.mp4"))
    assert [_red_centroid_x(pics[i]) for i in (0, 10, 20, 24)] == pytest.approx([0.25, 0.5, 0.75, 0.75], abs=0.02)


def test_rotation_90_turns_the_picture_clockwise_about_its_centre(media, tmp_path):
    tl = timeline()
    put(tl, 0, media["halves"], 0, 5, fit=Fit.FIT, transform=Transform(rotation=Curve(90.0)))
    pic = frames(run(tl, tmp_path / "rotate.mp4"))[2]
    rows, cols = np.nonzero(pic.max(axis=2) > 60)
    # The fitted band, 180 x 101 about the canvas centre (90, 159.5), stands on end: 101 wide, 180 tall.
    assert cols.max() - cols.min() + 1 == pytest.approx(101, abs=3)
    assert rows.max() - rows.min() + 1 == pytest.approx(180, abs=3)
    assert (cols.min() + cols.max()) / 2 == pytest.approx(90, abs=3)      # 4:2:0 colour edges bleed a pixel or two
    assert (rows.min() + rows.max()) / 2 == pytest.approx(159.5, abs=3)
    # Clockwise: the left (red) half is now on top, the right (blue) half below.
    assert near(pic[110, 90], RED, 40) and near(pic[210, 90], BLUE, 40)


def test_a_webm_with_alpha_shows_the_clip_below_through_its_transparent_half(media, tmp_path):
    tl = timeline(video_tracks=2)
    put(tl, 0, media["red"], 0, 10)
    put(tl, 1, media["webm"], 0, 10)
    pic = frames(run(tl, tmp_path / "alpha.mp4"))[5]
    left = pic[100:220, 10:80].reshape(-1, 3).mean(axis=0)
    right = pic[100:220, 100:170].reshape(-1, 3).mean(axis=0)
    assert near(left, RED) and near(right, GREEN)
