"""TextStyle: data round trips, hostile dicts are refused in one line, presets and the safe-zone rule."""

import dataclasses
import json
import math

import pytest

from editor.model.text import (
    DEFAULT_CAPTION_STYLE,
    FONT_FAMILIES,
    PRESETS,
    SAFE_ZONE,
    TextStyle,
    outside_safe_zone,
    parse_color,
)


def test_round_trip_through_json_gives_an_equal_style():
    style = TextStyle(font="Noto Sans", size=0.05, color="#ff00807f", bold=True, italic=True,
                      outline_color="#000000FF", outline_width=0.1, shadow_color="#00000080",
                      shadow_offset=(0.05, -0.1), shadow_blur=0.2, box_color="#20202080", box_padding=0.5,
                      box_radius=0.3, align="right", line_spacing=1.4, x=0.3, y=0.7, max_width=0.6)
    again = TextStyle.from_dict(json.loads(json.dumps(style.to_dict())))
    assert again == style
    assert hash(again) == hash(style)
    assert again.color == "#FF00807F"   # normalised to upper case


def test_defaults_and_presets_round_trip():
    for style in (TextStyle(), *PRESETS.values()):
        assert TextStyle.from_dict(style.to_dict()) == style


def test_missing_keys_take_defaults_and_six_digit_colours_are_opaque():
    style = TextStyle.from_dict({"color": "#102030"})
    assert style.color == "#102030FF"
    assert style.size == TextStyle().size
    assert parse_color("#10203040") == (16, 32, 48, 64)


def test_replace_validates_too():
    assert dataclasses.replace(TextStyle(), align="left").align == "left"
    with pytest.raises(ValueError):
        dataclasses.replace(TextStyle(), size=float("nan"))


HOSTILE = [
    ("not a dict", ["size", 1]),
    ("unknown key", {"sizee": 0.1}),
    ("non-string key", {1: 2}),
    ("nan size", {"size": float("nan")}),
    ("infinite x", {"x": math.inf}),
    ("huge size", {"size": 1e9}),
    ("zero size", {"size": 0}),
    ("negative outline", {"outline_width": -1}),
    ("string number", {"size": "0.1"}),
    ("bool as number", {"size": True}),
    ("int as bool", {"bold": 1}),
    ("bad colour", {"color": "red"}),
    ("short colour", {"color": "#FFF"}),
    ("colour with junk", {"color": "#FFFFFFFF; drop"}),
    ("colour not str", {"box_color": 0xFFFFFF}),
    ("unknown font", {"font": "Comic Sans"}),
    ("font path", {"font": "../../etc/passwd"}),
    ("bad align", {"align": "justify"}),
    ("offset scalar", {"shadow_offset": 3}),
    ("offset triple", {"shadow_offset": [0, 0, 0]}),
    ("offset nan", {"shadow_offset": [0, float("nan")]}),
    ("offset string", {"shadow_offset": "00"}),
    ("x outside canvas", {"x": 1.5}),
    ("absurd blur", {"shadow_blur": 100}),
    ("tiny wrap width", {"max_width": 0}),
    ("line spacing", {"line_spacing": 0}),
    ("huge text value", {"color": "#" + "F" * 10_000}),
]


@pytest.mark.parametrize("data", [d for _, d in HOSTILE], ids=[name for name, _ in HOSTILE])
def test_hostile_dicts_raise_a_one_line_value_error(data):
    with pytest.raises(ValueError) as caught:
        TextStyle.from_dict(data)
    message = str(caught.value)
    assert message and "\n" not in message and len(message) < 200


def test_families_are_the_shipped_ones():
    assert "Inter" in FONT_FAMILIES and "Noto Sans" in FONT_FAMILIES


def test_presets_include_the_named_three_and_caption_is_bold_white_with_black_outline():
    assert {"Centred title", "Lower third", "Caption"} <= set(PRESETS)
    caption = DEFAULT_CAPTION_STYLE
    assert caption.bold and caption.color == "#FFFFFFFF"
    assert caption.has_outline and parse_color(caption.outline_color)[:3] == (0, 0, 0)
    left, top, right, bottom = SAFE_ZONE
    assert 0.5 < caption.y < bottom   # low on the screen, above the covered bottom


def test_safe_zone_flags_bottom_and_right_and_accepts_the_middle():
    w, h = 1080, 1920
    bottom = outside_safe_zone((300, int(0.82 * h), 700, int(0.9 * h)), w, h)
    assert bottom and "bottom" in bottom and "\n" not in bottom
    right = outside_safe_zone((int(0.5 * w), 800, int(0.95 * w), 900), w, h)
    assert right and "right" in right
    top = outside_safe_zone((300, 10, 700, 100), w, h)
    assert top and "top" in top
    assert outside_safe_zone((200, 600, 800, 1000), w, h) is None
    assert outside_safe_zone(None, w, h) is None
