"""The text engine: literal text, emoji in colour, shaped right-to-left scripts, layout, looks, and the cache."""

from __future__ import annotations

import os
from dataclasses import replace

import numpy as np
import pytest
from PIL import Image

from editor.model.text import FONT_FAMILIES, PRESETS, TextStyle, outside_safe_zone
from editor.render import text as engine
from editor.render.text import font_dir, font_paths, render_text, shaping_available, text_box, text_image

W, H = 270, 480
PLAIN = TextStyle(size=0.06, max_width=0.95)


def ink(pixels: np.ndarray) -> int:
    return int((pixels[..., 3] > 0).sum())


def colourful(pixels: np.ndarray) -> int:
    """Opaque pixels that are clearly not grey (so neither white text nor a black outline)."""
    rgb = pixels[..., :3].astype(int)
    return int(((pixels[..., 3] > 200) & (rgb.max(axis=2) - rgb.min(axis=2) > 80)).sum())


def ink_columns(pixels: np.ndarray, rows: slice = slice(None)) -> tuple[int, int]:
    cols = np.flatnonzero((pixels[rows, :, 3] > 0).any(axis=0))
    return int(cols[0]), int(cols[-1])


# ---- fonts -----------------------------------------------------------------------------------------------------

def test_every_font_the_engine_names_is_shipped_with_a_licence():
    files = font_paths()
    names = set(engine._FONT_FILES.values()) | {n for pair in engine._FALLBACKS for n in pair} | {engine.EMOJI_FONT}
    assert names <= set(files), names - set(files)
    assert {family for family, _, _ in engine._FONT_FILES} == set(FONT_FAMILIES)
    licences = [p.name for p in font_dir().iterdir() if p.name.startswith("LICENSE")]
    assert {"LICENSE-Inter.txt", "LICENSE-Noto.txt", "LICENSE-TwemojiMozilla.txt"} <= set(licences)
    total = sum(p.stat().st_size for p in files.values())
    assert total < 5_000_000   # keep the repository small


def test_coverage_reads_the_cmaps():
    assert ord("A") in engine.coverage("Inter-Regular.otf")
    assert 0x0645 in engine.coverage("NotoSansArabic-Regular.ttf")      # ARABIC LETTER MEEM
    assert 0x05E9 in engine.coverage("NotoSansHebrew-Regular.ttf")      # HEBREW LETTER SHIN
    assert 0x1F600 in engine.coverage(engine.EMOJI_FONT)                # WOFF: zlib tables
    assert 0x0645 not in engine.coverage("Inter-Regular.otf")


def test_shaping_is_available():
    assert shaping_available(), "Pillow has no raqm/FriBiDi: install libfribidi0 (tools/system-packages.sh)"


# ---- literal text, emoji, scripts --------------------------------------------------------------------------------

def test_a_title_with_quotes_symbols_emoji_and_arabic_renders_each_part():
    title = "' : % \\ \" {} $ 😀 مرحبا"
    whole = render_text(title, PLAIN, W, H)
    assert whole.shape == (H, W, 4) and whole.dtype == np.uint8
    for part in ("'", ":", "%", "\\", '"', "{}", "$", "😀", "مرحبا"):
        assert ink(render_text(part, PLAIN, W, H)) > 0, part
    assert ink(whole) > ink(render_text("' : % \\ \"", PLAIN, W, H))


def test_emoji_keep_their_own_colours():
    emoji = render_text("😀", PLAIN, W, H)
    text = render_text("Hi", PLAIN, W, H)
    assert colourful(emoji) > 50
    assert colourful(text) == 0


def test_emoji_sequences_stay_one_glyph():
    single = text_box("👍", PLAIN, W, H)
    toned = text_box("👍🏽", PLAIN, W, H)
    family = text_box("👨‍👩‍👧", PLAIN, W, H)
    width = single[2] - single[0]
    assert abs((toned[2] - toned[0]) - width) <= 2
    assert (family[2] - family[0]) < 2 * width


def test_arabic_is_joined():
    word = "مرحبا"
    joined = text_box(word, PLAIN, W, H)
    letters = [text_box(letter, PLAIN, W, H) for letter in word]
    assert joined[2] - joined[0] < sum(b[2] - b[0] for b in letters)


def test_right_to_left_text_is_ordered_right_to_left():
    # The emoji is the only coloured thing: where it lands shows the order of the runs.
    def emoji_side(text: str) -> str:
        pixels = render_text(text, PLAIN, W, H)
        rgb = pixels[..., :3].astype(int)
        coloured = np.flatnonzero(((pixels[..., 3] > 200) & (rgb.max(axis=2) - rgb.min(axis=2) > 80)).any(0))
        left, right = ink_columns(pixels)
        return "left" if coloured.mean() < (left + right) / 2 else "right"

    assert emoji_side("abc 😀") == "right"
    assert emoji_side("שלום 😀") == "left"
    assert emoji_side("مرحبا 😀") == "left"
    assert emoji_side("😀 مرحبا") == "right"


def test_mixed_line_keeps_latin_words_in_reading_order():
    lines, _ = engine._layout("Hello مرحبا world", PLAIN, 2000, 480)
    texts = [run.text for run in lines[0].runs if run.text.strip()]
    assert texts == ["Hello", "مرحبا", "world"]
    lines, _ = engine._layout("مرحبا Hello world", PLAIN, 2000, 480)
    texts = [run.text for run in lines[0].runs if run.text.strip()]
    assert texts == ["Hello world", "مرحبا"]   # the Latin phrase is one left-to-right run, on the left


def test_empty_and_blank_text_give_a_transparent_canvas():
    for text in ("", "   ", "\n", "\x00"):
        pixels = render_text(text, PLAIN, W, H)
        assert pixels.shape == (H, W, 4) and ink(pixels) == 0
        assert text_box(text, PLAIN, W, H) is None


def test_control_characters_do_not_break_rendering():
    assert ink(render_text("tab\there\x07\r\nnext", PLAIN, W, H)) > 0


# ---- layout ------------------------------------------------------------------------------------------------------

def test_newline_makes_a_second_line():
    one = text_box("Title", PLAIN, W, H)
    two = text_box("Title\nTitle", PLAIN, W, H)
    assert (two[3] - two[1]) > 1.6 * (one[3] - one[1])


def test_long_text_wraps_within_max_width():
    style = replace(PLAIN, max_width=0.5)
    text = "one two three four five six seven"
    box = text_box(text, style, W, H)
    assert box[2] - box[0] <= 0.5 * W + 0.1 * style.size * H
    assert (box[3] - box[1]) > 2 * (text_box("one", style, W, H)[3] - text_box("one", style, W, H)[1])


def test_line_spacing_spreads_lines():
    tight = text_box("a\nb", replace(PLAIN, line_spacing=1.0), W, H)
    loose = text_box("a\nb", replace(PLAIN, line_spacing=2.0), W, H)
    assert loose[3] - loose[1] > tight[3] - tight[1] + 0.5 * PLAIN.size * H


def test_alignment_moves_the_short_line():
    text = "ab\nlonger line"
    positions = {}
    for align in ("left", "center", "right"):
        pixels = render_text(text, replace(PLAIN, align=align), W, H)
        box = text_box(text, replace(PLAIN, align=align), W, H)
        first_line = slice(box[1], (box[1] + box[3]) // 2 - 4)
        positions[align] = ink_columns(pixels, first_line)
    assert positions["left"][0] < positions["center"][0] < positions["right"][0]
    assert positions["left"][1] < positions["center"][1] < positions["right"][1]


def test_anchor_places_the_block_centre():
    for x, y in ((0.3, 0.3), (0.7, 0.6)):
        box = text_box("Hello", replace(PLAIN, x=x, y=y), W, H)
        assert abs((box[0] + box[2]) / 2 - x * W) < 4
        assert abs((box[1] + box[3]) / 2 - y * H) < 0.4 * PLAIN.size * H


def test_size_is_relative_to_canvas_height():
    small = text_box("Hello", PLAIN, W, H)
    large = text_box("Hello", PLAIN, 2 * W, 2 * H)
    assert abs((large[2] - large[0]) - 2 * (small[2] - small[0])) <= 4


def test_text_off_the_canvas_is_clipped_not_an_error():
    pixels = render_text("A very long title", replace(PLAIN, x=0.0, y=0.0), W, H)
    assert ink(pixels) > 0
    box = text_box("A very long title", replace(PLAIN, x=0.0, y=0.0), W, H)
    assert box[0] == 0 and box[1] == 0


# ---- looks -------------------------------------------------------------------------------------------------------

def test_outline_is_drawn_in_its_colour_around_the_fill():
    style = replace(PLAIN, color="#FFFFFFFF", outline_color="#FF0000FF", outline_width=0.15)
    pixels = render_text("Hi", style, W, H)
    red = (pixels[..., 0] > 200) & (pixels[..., 1] < 60) & (pixels[..., 2] < 60) & (pixels[..., 3] > 200)
    white = (pixels[..., :3].min(axis=2) > 230) & (pixels[..., 3] > 200)
    assert red.sum() > 50 and white.sum() > 50
    plain = render_text("Hi", replace(style, outline_width=0.0), W, H)
    assert ((plain[..., 0] > 200) & (plain[..., 1] < 60) & (plain[..., 3] > 200)).sum() == 0
    assert ink(pixels) > ink(plain)


def test_box_fills_its_rounded_rectangle():
    style = replace(PLAIN, box_color="#0000FFFF", box_padding=0.4, box_radius=0.0)
    pixels = render_text("Hi", style, W, H)
    x0, y0, x1, y1 = text_box("Hi", style, W, H)
    inside = pixels[y0:y1, x0:x1]
    assert (inside[..., 3] == 255).all()
    assert tuple(inside[0, 0]) == (0, 0, 255, 255) and tuple(inside[-1, -1]) == (0, 0, 255, 255)
    rounded = replace(style, box_radius=0.5)
    rx0, ry0, _, _ = text_box("Hi", rounded, W, H)
    assert render_text("Hi", rounded, W, H)[ry0, rx0, 3] == 0   # the corner is cut


def test_shadow_is_offset_and_soft():
    style = replace(PLAIN, shadow_color="#000000FF", shadow_offset=(0.2, 0.2), shadow_blur=0.2)
    with_shadow = text_box("Hi", style, W, H)
    without = text_box("Hi", PLAIN, W, H)
    assert with_shadow[2] > without[2] and with_shadow[3] > without[3]
    alpha = render_text("Hi", style, W, H)[..., 3]
    assert ((alpha > 0) & (alpha < 200)).sum() > 50


def test_pixels_are_straight_alpha():
    # A half-transparent colour keeps its full RGB; only alpha says how much shows.
    pixels = render_text("H", replace(PLAIN, color="#FF800080", size=0.2), W, H)
    solid = pixels[pixels[..., 3] == 128]
    assert len(solid) > 20
    assert (solid[:, 0] == 255).all() and (solid[:, 1] == 128).all()


def test_every_family_and_style_renders():
    for family in FONT_FAMILIES:
        for bold in (False, True):
            for italic in (False, True):
                style = replace(PLAIN, font=family, bold=bold, italic=italic)
                assert ink(render_text("Ag", style, W, H)) > 0


# ---- presets and the safe zone -----------------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(PRESETS))
def test_presets_stay_inside_the_safe_zone(name):
    text = "Two short lines\nof a title" if name != "Caption" else "and this is where it gets good"
    box = text_box(text, PRESETS[name], W, H)
    assert outside_safe_zone(box, W, H) is None, (name, box)


def test_safe_zone_flags_text_low_or_right():
    low = text_box("Buy now", replace(PLAIN, y=0.9), W, H)
    assert "bottom" in outside_safe_zone(low, W, H)
    right = text_box("Buy", replace(PLAIN, x=0.95), W, H)
    assert "right" in outside_safe_zone(right, W, H)


# ---- the PNG cache -----------------------------------------------------------------------------------------------

def test_text_image_writes_once_per_content(tmp_path):
    style = PRESETS["Caption"]
    first = text_image("Hello 😀", style, W, H, tmp_path)
    stamp = first.stat().st_mtime_ns
    os.utime(first, ns=(stamp - 10**9, stamp - 10**9))
    again = text_image("Hello 😀", style, W, H, tmp_path)
    assert again == first and again.stat().st_mtime_ns == stamp - 10**9   # not rewritten
    assert [p.name for p in tmp_path.iterdir()] == [first.name]            # no temporary left behind
    with Image.open(first) as image:
        assert image.mode == "RGBA" and image.size == (W, H)
        assert (np.asarray(image) == render_text("Hello 😀", style, W, H)).all()
    assert text_image("Hello 😀", replace(style, color="#FF0000FF"), W, H, tmp_path) != first
    assert text_image("Hello", style, W, H, tmp_path) != first
    assert text_image("Hello 😀", style, W + 2, H, tmp_path) != first


def test_text_image_of_empty_text_is_a_transparent_png(tmp_path):
    path = text_image("", PLAIN, W, H, tmp_path / "new" / "cache")
    with Image.open(path) as image:
        assert image.size == (W, H) and image.getchannel("A").getbbox() is None


def test_hostile_lengths_stay_within_the_canvas():
    # Thousands of lines and a 5000-character word: wrapped and clipped, drawn in bounded time and memory.
    many_lines = "\n".join(["line"] * 3000)
    pixels = render_text(many_lines, PLAIN, W, H)
    assert ink(pixels) > 0 and text_box(many_lines, PLAIN, W, H)[1] == 0
    word = "W" * 5000
    box = text_box(word, replace(PLAIN, y=0.0), W, H)
    assert box is not None and box[2] - box[0] <= PLAIN.max_width * W + PLAIN.size * H
    assert text_box("far away", replace(PLAIN, y=1.0), W, H) is not None   # half a line still shows
