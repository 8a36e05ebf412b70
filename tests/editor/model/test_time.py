"""Exact time: rates, frames <-> seconds, timecode."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from editor.model.time import format_rate, frames_to_seconds, parse_rate, seconds_arg, seconds_to_frames, timecode

RATES = [Fraction(24), Fraction(25), Fraction(30), Fraction(60), Fraction(24000, 1001), Fraction(30000, 1001),
         Fraction(60000, 1001), Fraction(16), Fraction(15, 2)]


@pytest.mark.parametrize(("text", "rate"), [
    ("29.97", Fraction(30000, 1001)), ("23.976", Fraction(24000, 1001)), ("23.98", Fraction(24000, 1001)),
    ("59.94", Fraction(60000, 1001)), ("30000/1001", Fraction(30000, 1001)), ("30", Fraction(30)),
    (" 25 ", Fraction(25)), ("12.5", Fraction(25, 2)), (24, Fraction(24)), (Fraction(48), Fraction(48)),
    (29.97, Fraction(30000, 1001)), (25.0, Fraction(25)),
])
def test_parse_rate(text, rate):
    assert parse_rate(text) == rate
    assert isinstance(parse_rate(text), Fraction)


@pytest.mark.parametrize("text", ["", "abc", "0", "-30", "1/0", "30/0", "nan", "1001", "0/1"])
def test_parse_rate_refuses(text):
    with pytest.raises(ValueError, match="frame rate"):
        parse_rate(text)


def test_format_rate_round_trips():
    for rate in RATES:
        assert parse_rate(format_rate(rate)) == rate
    assert format_rate(Fraction(30000, 1001)) == "30000/1001"
    assert format_rate(Fraction(30)) == "30"


@given(st.integers(-10**7, 10**7), st.sampled_from(RATES))
def test_frames_seconds_round_trip_exactly(frames, rate):
    assert seconds_to_frames(frames_to_seconds(frames, rate), rate) == frames


@given(st.integers(0, 10**6), st.sampled_from(RATES))
def test_float_seconds_land_on_the_right_frame(frames, rate):
    # a decoder reports float seconds: float noise must not drop a frame
    assert seconds_to_frames(float(frames / rate), rate) == frames


def test_seconds_to_frames_floors_partial_frames():
    assert seconds_to_frames(Fraction(1, 2), Fraction(30)) == 15
    assert seconds_to_frames(Fraction(1, 61), Fraction(30)) == 0
    assert seconds_to_frames(Fraction(59, 60), Fraction(30)) == 29
    assert seconds_to_frames(1, Fraction(30000, 1001)) == 29
    assert seconds_to_frames(Fraction(1001, 1000), Fraction(30000, 1001)) == 30
    assert seconds_to_frames(10, Fraction(30000, 1001)) == 299
    assert seconds_to_frames(0.1, Fraction(30)) == 3


def test_frames_to_seconds_is_exact():
    assert frames_to_seconds(30, Fraction(30000, 1001)) == Fraction(1001, 1000)
    assert frames_to_seconds(1, Fraction(24)) == Fraction(1, 24)


def test_seconds_arg():
    assert seconds_arg(Fraction(1001, 1000)) == "1.001000"
    assert seconds_arg(Fraction(1, 3)) == "0.333333"
    assert seconds_arg(0) == "0.000000"


@pytest.mark.parametrize(("frames", "rate", "text"), [
    (0, Fraction(30), "00:00:00:00"), (29, Fraction(30), "00:00:00:29"), (30, Fraction(30), "00:00:01:00"),
    (30 * 3661 + 5, Fraction(30), "01:01:01:05"), (24, Fraction(24000, 1001), "00:00:01:00"),
    (1800, Fraction(30000, 1001), "00:01:00:00"), (-31, Fraction(30), "-00:00:01:01"),
    (25 * 60 * 60 * 25, Fraction(25), "25:00:00:00"),
])
def test_timecode(frames, rate, text):
    assert timecode(frames, rate) == text


@given(st.integers(0, 10**7), st.sampled_from(RATES))
def test_timecode_fields(frames, rate):
    hh, mm, ss, ff = (int(x) for x in timecode(frames, rate).split(":"))
    nominal = round(rate)
    assert 0 <= mm < 60 and 0 <= ss < 60 and 0 <= ff < nominal
    assert ((hh * 60 + mm) * 60 + ss) * nominal + ff == frames
