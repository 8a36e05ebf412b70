"""The preview's effect drawing (editor.render.compose_effects): geometry, blending, tints, the blur backdrop."""

from __future__ import annotations

import numpy as np
import pytest

from editor.render.compose_effects import (
    Geometry,
    affine,
    blend_over,
    blurred_backdrop,
    premultiplied_resize,
    tint,
    warp,
)

W, H = 90, 160


def solid(w: int, h: int, colour: tuple[int, int, int]) -> np.ndarray:
    out = np.empty((h, w, 3), np.uint8)
    out[:] = colour
    return out


def on_canvas(drawn, canvas=None) -> np.ndarray:
    canvas = np.zeros((H, W, 3), np.uint8) if canvas is None else canvas
    rgb, alpha, x, y = drawn
    blend_over(canvas, rgb, alpha, x, y)
    return canvas


def covered(canvas: np.ndarray) -> tuple[int, int, int, int]:
    """(x0, y0, x1, y1) of the non-black pixels."""
    ys, xs = np.nonzero(canvas.max(axis=2) > 127)
    return int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1


def test_identity_geometry_maps_the_fitted_box_onto_itself():
    m = affine(Geometry(), (10, 20, 40, 60), (W, H))
    assert np.allclose(m @ [0, 0, 1], [10, 20]) and np.allclose(m @ [1, 1, 1], [50, 80])


def test_move_is_in_canvas_fractions_and_rotation_is_clockwise():
    m = affine(Geometry(x=0.5, y=-0.25), (0, 0, W, H), (W, H))
    assert np.allclose(m @ [0, 0, 1], [W / 2, -H / 4])
    turned = affine(Geometry(rotation=90), (0, 0, 100, 100), (100, 100))
    # Clockwise on screen (y down): the top-left corner goes to the top-right.
    assert np.allclose(turned @ [0, 0, 1], [100, 0])


def test_half_scale_picture_sits_centred_at_half_size():
    drawn = warp(solid(W, H, (255, 255, 255)), Geometry(scale=0.5), (0, 0, W, H), (W, H))
    # 22.5..67.5 across: the half-covered pixels at the sides go either way.
    assert covered(on_canvas(drawn)) == pytest.approx((W / 4, H / 4, W * 3 / 4, H * 3 / 4), abs=0.5)


def test_moved_picture_is_clipped_by_the_canvas():
    drawn = warp(solid(W, H, (255, 255, 255)), Geometry(x=0.5), (0, 0, W, H), (W, H))
    assert covered(on_canvas(drawn)) == (W // 2, 0, W, H)
    assert warp(solid(W, H, (255, 255, 255)), Geometry(x=1.5), (0, 0, W, H), (W, H)) is None


def test_crop_cuts_the_source_sides_and_the_rest_stays_in_place():
    drawn = warp(solid(W, H, (255, 255, 255)), Geometry(crop_left=0.5, crop_bottom=0.25), (0, 0, W, H), (W, H))
    assert covered(on_canvas(drawn)) == (W // 2, 0, W, H * 3 // 4)


def test_rotation_by_90_degrees_swaps_the_box_about_the_centre():
    pic = solid(40, 20, (255, 255, 255))
    pic[:, :20] = (255, 0, 0)     # left half red
    canvas = on_canvas(warp(pic, Geometry(rotation=90), (25, 70, 40, 20), (W, H)))
    x0, y0, x1, y1 = covered(canvas)
    assert (x1 - x0, y1 - y0) == (20, 40)
    assert (x0 + x1) / 2 == pytest.approx(45, abs=1) and (y0 + y1) / 2 == pytest.approx(80, abs=1)
    # Clockwise: the red left half is now on top.
    assert canvas[y0 + 5, (x0 + x1) // 2, 1] < 50 and canvas[y1 - 5, (x0 + x1) // 2, 1] > 200


def test_warped_edges_are_soft_and_keep_their_colour():
    canvas = solid(W, H, (0, 0, 255))
    rgb, alpha, x, y = warp(solid(W, H, (255, 0, 0)), Geometry(scale=0.5, rotation=30), (0, 0, W, H), (W, H))
    assert 0 < alpha.min() < 255 or alpha.min() == 0
    assert np.any((alpha > 0) & (alpha < 255))        # antialiased edge
    edge = (alpha > 20) & (alpha < 235)
    assert np.all(rgb[edge][:, 0] > 240)             # straight colour at the edge: no black fringe
    blend_over(canvas, rgb, alpha, x, y)
    assert canvas[H // 2, W // 2].tolist() == [255, 0, 0] and canvas[2, 2].tolist() == [0, 0, 255]


@pytest.mark.parametrize("opacity", [0.0, 0.25, 0.5, 1.0])
def test_opacity_mixes_over_what_is_below(opacity):
    canvas = solid(W, H, (0, 0, 200))
    blend_over(canvas, solid(W, H, (200, 0, 0)), None, 0, 0, opacity)
    assert canvas[5, 5].tolist() == pytest.approx([200 * opacity, 0, 200 * (1 - opacity)], abs=1)


def test_alpha_and_opacity_multiply():
    canvas = solid(4, 4, (0, 0, 0))
    alpha = np.full((4, 4), 128, np.uint8)
    blend_over(canvas, solid(4, 4, (255, 255, 255)), alpha, 0, 0, 0.5)
    assert canvas[0, 0, 0] == pytest.approx(255 * 128 / 255 * 0.5, abs=1)


def test_blend_outside_the_canvas_draws_only_the_overlap():
    canvas = solid(10, 10, (0, 0, 0))
    blend_over(canvas, solid(6, 6, (255, 255, 255)), None, 7, -3)
    assert canvas[:3, 7:].min() == 255 and canvas[3:, :].max() == 0 and canvas[:, :7].max() == 0


@pytest.mark.parametrize("colour, amount, expected", [
    ("#000000", 0.0, [100, 150, 200]), ("#000000", 0.5, [50, 75, 100]), ("#000000", 1.0, [0, 0, 0]),
    ("#ffffff", 0.5, [178, 202, 228]), ("", 1.0, [100, 150, 200]),
])
def test_tint_mixes_toward_the_colour(colour, amount, expected):
    assert tint(solid(2, 2, (100, 150, 200)), colour, amount)[0, 0].tolist() == pytest.approx(expected, abs=1)


def test_blur_backdrop_is_smooth_and_darkened():
    pic = solid(W, H, (200, 200, 200))
    pic[:, : W // 2] = (0, 0, 0)
    out = blurred_backdrop(pic, sigma=8, dim=0.5)
    assert out.shape == pic.shape
    row = out[H // 2, :, 0].astype(int)
    assert row[-1] == pytest.approx(100, abs=2) and row[0] <= 2      # far from the edge: only darkened
    assert np.abs(np.diff(row)).max() <= 12                           # the hard edge is now a ramp
    assert 20 < row[W // 2] < 80


def test_premultiplied_resize_keeps_edge_colours():
    rgba = np.zeros((40, 40, 4), np.uint8)
    rgba[10:30, 10:30] = (255, 0, 0, 255)
    small = premultiplied_resize(rgba, 15, 15)
    edge = (small[:, :, 3] > 20) & (small[:, :, 3] < 235)
    assert edge.any() and np.all(small[edge][:, 0] > 240)
