"""The compositor's own rules: placeholders, offline slates, hidden tracks, exact trims, decoder reuse."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from render_support import place_clip, timeline

from editor.model import GeneratedClip, GenerationSpec, Settings
from editor.render.compositor import CARD_BG, Compositor, offline_slate, placeholder_card


def test_pending_generated_segment_shows_placeholder_card(media):
    tl = timeline()
    tl.video_tracks[0].clips.append(GeneratedClip(id="g1", start=0, duration=10, spec=GenerationSpec("a red fox")))
    frame = Compositor(tl).frame(3, 180, 320)
    assert frame.shape == (320, 180, 3) and frame.dtype == np.uint8
    assert np.array_equal(frame, placeholder_card("a red fox", 180, 320))
    assert frame.std() > 0      # text is drawn on the card


def test_offline_media_shows_slate(media, tmp_path):
    tl = timeline()
    clip = place_clip(tl, 0, media["red"], 0, 10)
    mid = clip.media_id()
    tl.media[mid] = type(tl.media[mid])(**{**tl.media[mid].__dict__, "path": str(tmp_path / "gone.mp4")})
    frame = Compositor(tl).frame(0, 180, 320)
    assert np.array_equal(frame, offline_slate(str(tmp_path / "gone.mp4"), 180, 320))


def test_hidden_track_is_not_drawn(media):
    tl = timeline(video_tracks=2)
    place_clip(tl, 0, media["red"], 0, 10)
    place_clip(tl, 1, media["blue"], 0, 10)
    comp = Compositor(tl)
    assert comp.frame(2, 90, 160)[80, 45, 2] > 200
    tl.video_tracks[1].hidden = True
    assert comp.frame(2, 90, 160)[80, 45, 0] > 200


def test_gap_is_black(media):
    tl = timeline()
    place_clip(tl, 0, media["red"], 10, 5)
    assert not Compositor(tl).frame(3, 90, 160).any()


def test_exact_source_trims(media):
    """Frame j of a clip shows source frame source_in + j (luma 16 + 3n, full-range RGB 3n * 255 / 219)."""
    tl = timeline(Settings(width=160, height=90, fps=Fraction(30)))
    place_clip(tl, 0, media["indexed"], 0, 10, source_in=7)
    place_clip(tl, 0, media["indexed"], 10, 12, source_in=41)
    place_clip(tl, 0, media["indexed"], 22, 5, source_in=0)
    comp = Compositor(tl)
    got = [round(comp.frame(i, 160, 90).mean() * 219 / 765) for i in range(27)]
    assert got == [*range(7, 17), *range(41, 53), *range(0, 5)]
    # Sequential playback decoded on: one open, a seek per jump only.
    assert comp.decoders.opens == 1
    assert next(iter(comp.decoders._decoders.values())).seeks <= 3
    # Stepping backwards still lands exactly.
    assert round(comp.frame(5, 160, 90).mean() * 219 / 765) == 12


def test_a_long_failure_on_the_card_wraps_at_a_readable_size():
    """A failure's reason is long: it wraps onto more lines at the text's size instead of shrinking to a
    line of dots."""
    def ink_rows(card) -> int:
        return int((np.abs(card.astype(int) - CARD_BG).sum(axis=2) > 150)[10:-10, 10:-10].any(axis=1).sum())

    short = placeholder_card("a kite", 540, 960, title="Failed")
    long = placeholder_card("a kite", 540, 960, title="Failed: the model could not run: CUDA out of memory "
                                                       "while denoising step 3 of 12")
    assert ink_rows(long) >= ink_rows(short) + 2 * 30, "the long title takes lines of its own"


# --- the plan's layers, one frame at a time ----------------------------------------------------------------

from dataclasses import replace  # noqa: E402

from editor.model import Fit  # noqa: E402
from editor.model.clips import TextClip  # noqa: E402
from editor.model.effects import Transform, Transition, TransitionKind  # noqa: E402
from editor.model.keyframes import Curve, Key  # noqa: E402
from editor.model.text import PRESETS  # noqa: E402
from editor.render.plan import build_plan, layers_at  # noqa: E402


def changed(tl, clip, **changes):
    """Replace ``clip`` on its track with a copy carrying ``changes``."""
    for track in tl.video_tracks:
        if any(c.id == clip.id for c in track.clips):
            track.remove(clip.id)
            new = replace(clip, **changes)
            track.add(new)
            return new
    raise KeyError(clip.id)


def effects_timeline(media):
    """A dissolve, a dip to black, a 2x clip, a reversed one, a keyframed transform and a title over it all."""
    tl = timeline(video_tracks=2)
    a = place_clip(tl, 0, media["indexed"], 0, 20, source_in=10)
    b = place_clip(tl, 0, media["red"], 20, 10, source_in=5)
    changed(tl, b, transition=Transition.aligned(TransitionKind.DISSOLVE, 8))
    c = place_clip(tl, 0, media["indexed"], 30, 10)
    changed(tl, c, speed=Fraction(2), transition=Transition.aligned(TransitionKind.DIP_BLACK, 6))
    d = place_clip(tl, 0, media["indexed"], 40, 10, source_in=5)
    changed(tl, d, reverse=True, fade_out=4)
    e = place_clip(tl, 1, media["blue"], 5, 20, fit=Fit.FIT)
    changed(tl, e, transform=Transform(x=Curve(0.0, (Key(0, -0.2), Key(19, 0.2))), scale=Curve(0.5),
                                       rotation=Curve(15.0), opacity=Curve(1.0, (Key(0, 0.2), Key(19, 1.0)))))
    tl.video_tracks[1].add(TextClip(id="t1", start=28, duration=10, text="Hi 👋 مرحبا", style=PRESETS["Centred title"]))
    tl.check()
    return tl, a


def test_layers_at_are_the_plans_layers_frame_by_frame(media):
    tl, _ = effects_timeline(media)
    plan = build_plan(tl, tl.fps, 48000, merge=False)
    for seg in plan.segments:
        for f in range(seg.frame, seg.end_frame):
            want = [(x.media_id, x.track, x.order, x.fit, x.still, x.source_time(f - seg.frame - x.offset, tl.fps),
                     x.clip_frame_at(f - seg.frame - x.offset), x.timing.speed, x.transform, x.envelope, x.tint,
                     x.tint_amount, x.title)
                    for x in seg.layers if x.offset <= f - seg.frame < x.end]
            got = [(x.media_id, x.track, x.order, x.fit, x.still, x.source_time(0, tl.fps), x.clip_frame_at(0),
                    x.timing.speed, x.transform, x.envelope, x.tint, x.tint_amount, x.title) for x in layers_at(tl, f)]
            assert got == want, f"frame {f}"


def grey_index(frame: np.ndarray) -> float:
    """The indexed clip's frame number from a flat grey picture (Y = 16 + 3n: RGB 3.49n less about 2 after
    the encoder's rounding, measured), read in a corner (the title is in the middle)."""
    return (float(frame[4, 4].astype(float).mean()) + 2) / (3 * 255 / 219)


@pytest.fixture(scope="module")
def effects(media):
    tl, _ = effects_timeline(media)
    return tl, Compositor(tl)


def test_speed_and_reverse_show_the_planned_source_frames(effects):
    tl, comp = effects
    for index in (33, 35, 38):            # 2x from source frame 0: frame 2k at clip frame k (after the dip)
        assert grey_index(comp.frame(index, 90, 160)) == pytest.approx(2 * (index - 30), abs=0.4)
    for index in (40, 43):                # reversed 5..14: 14 first
        assert grey_index(comp.frame(index, 90, 160)) == pytest.approx(14 - (index - 40), abs=0.4)


def test_dissolve_midpoint_is_half_of_each(effects, media):
    tl, comp = effects
    tl.video_tracks[1].hidden = True
    try:
        mid = comp.frame(20, 90, 160)[80, 45].astype(int)
        before = comp.frame(15, 90, 160)[80, 45].astype(int)
    finally:
        tl.video_tracks[1].hidden = False
    grey = 16 + 3 * 30   # the outgoing clip runs on into its handle: source frame 30 at frame 20
    grey_rgb = (grey - 16) * 255 / 219
    assert mid[0] == pytest.approx((grey_rgb + 255) / 2, abs=6)     # red over grey at half opacity
    assert mid[1] == pytest.approx(grey_rgb / 2, abs=6)
    assert before[0] == before[1]                                     # not yet started: grey


def test_dip_to_black_is_black_at_the_cut(effects):
    tl, comp = effects
    # A 6-frame dip centred on the cut at 30: red goes two thirds of the way to black by frame 29.
    assert comp.frame(30, 90, 160)[4, 4].max() <= 3
    assert comp.frame(29, 90, 160)[4, 4].tolist() == pytest.approx([85, 0, 0], abs=4)


def test_keyframed_transform_moves_scales_and_fades(effects):
    _, comp = effects
    early, late = comp.frame(6, 90, 160), comp.frame(23, 90, 160)
    # Blue moves from left of centre to right of centre, at 0.2 then nearly full opacity.
    def blue_x(f):
        xs = np.nonzero((f[:, :, 2].astype(int) - f[:, :, 0]) > 20)[1]
        return xs.mean()
    assert blue_x(early) < 45 < blue_x(late)
    assert early[:, :, 2].max() < 130 < late[:, :, 2].max()


def test_title_is_drawn_once_and_scaled(effects):
    tl, comp = effects
    tl.video_tracks[0].hidden = True
    try:
        full = comp.frame(32, 180, 320)
        half = comp.frame(33, 90, 160)
        again = comp.frame(34, 90, 160)
    finally:
        tl.video_tracks[0].hidden = False
    assert comp.title_renders == 1
    assert full.max() > 200 and half.max() > 200 and np.array_equal(half, again)


def test_fit_over_blur_has_a_dimmed_blurred_copy_around_the_picture(media):
    tl = timeline()
    clip = place_clip(tl, 0, media["red"], 0, 10, fit=Fit.BLUR)
    frame = Compositor(tl).frame(2, 90, 160)
    top, middle = frame[5, 45].astype(int), frame[80, 45].astype(int)
    assert middle[0] > 240 and 130 < top[0] < 170 and top[1] < 10     # red at 0.6: ~153
    changed(tl, clip, fit=Fit.FIT)
    assert Compositor(tl).frame(2, 90, 160)[5, 45].max() == 0


def test_webm_with_alpha_shows_the_layer_below_through_its_transparent_part(media, tmp_path):
    """VP9 alpha (decoded through libvpx: FFmpeg's own vp9 decoder drops it)."""
    import subprocess

    from editor.media.ffmpeg import ffmpeg_exe

    path = tmp_path / "alpha.webm"
    subprocess.run([ffmpeg_exe(), "-y", "-loglevel", "error", "-f", "lavfi", "-i",
                    "color=c=green@0.0:s=180x320:d=1,format=rgba,"
                    "drawbox=x=60:y=120:w=60:h=80:c=green@1.0:t=fill:replace=1",
                    "-c:v", "libvpx-vp9", "-pix_fmt", "yuva420p", "-auto-alt-ref", "0", str(path)], check=True)
    tl = timeline(video_tracks=2)
    place_clip(tl, 0, media["red"], 0, 20)
    place_clip(tl, 1, path, 0, 20)
    comp = Compositor(tl)
    for index in (0, 12):
        frame = comp.frame(index, 90, 160)
        assert frame[10, 10].tolist() == pytest.approx([255, 0, 0], abs=12)     # red through the clear part
        assert frame[80, 45, 1] > 100 and frame[80, 45, 0] < 40                  # the opaque green box
