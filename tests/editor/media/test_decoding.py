"""The frame-accurate decoder: which frame it gives, and what a jump costs."""

from __future__ import annotations

from fractions import Fraction

import pytest

from editor.media import synth
from editor.media.decoding import VideoDecoder

FPS = 30


@pytest.fixture(scope="module")
def gop30(tmp_path_factory):
    """3 s of a moving pattern with a keyframe every 30 frames (as phones write, if shorter)."""
    path = tmp_path_factory.mktemp("decoding") / "gop30.mp4"
    synth._run(["-f", "lavfi", "-i", f"testsrc2=s=160x90:r={FPS}:d=3", *synth._x264(gop=30),
                "-keyint_min", "30", "-sc_threshold", "0", str(path)])
    return path


def at(frame: int) -> Fraction:
    """The bound the compositor passes for the frame shown at ``frame``: half a frame after it."""
    return Fraction(frame, FPS) + Fraction(1, 2 * FPS)


def test_a_jump_into_a_clip_decodes_from_the_keyframe_before_the_wanted_frame(gop30):
    """Not from the keyframe before the clip's first frame: a clip starting at frame 5, asked for frame 50,
    decodes 30..50 (21 frames), not 0..50."""
    dec = VideoDecoder(str(gop30))
    frame = dec.frame_at(at(50), not_before=Fraction(5, FPS))
    assert round(frame.pts * dec.time_base * FPS) == 50
    assert dec.decoded <= 23, f"decoded {dec.decoded} frames for one jump"


def test_the_frame_before_the_clip_start_is_never_shown(gop30):
    dec = VideoDecoder(str(gop30))
    # The rule would give frame 44 for this bound; the clip starts at frame 45, so frame 45 it is.
    frame = dec.frame_at(at(44), not_before=Fraction(45, FPS))
    assert round(frame.pts * dec.time_base * FPS) == 45


def test_playing_on_decodes_each_frame_once(gop30):
    dec = VideoDecoder(str(gop30))
    for n in range(10, 70):
        frame = dec.frame_at(at(n), not_before=Fraction(10, FPS))
        assert round(frame.pts * dec.time_base * FPS) == n
    assert dec.seeks == 1
    assert dec.decoded <= 70 - 0 + 2
