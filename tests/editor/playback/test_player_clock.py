"""The player's clock and pictures, without a sound device (the silent output keeps the real pace): what is
shown follows the sound; late frames are skipped and counted, never the sound."""

from __future__ import annotations

import time
from fractions import Fraction

import numpy as np
import pytest

from editor.media import synth
from editor.media.probe import media_source_from_info, probe
from editor.model import MediaClip, Settings, Timeline, new_id
from editor.playback.engine import Player
from editor.playback.output import SilentOutput

SETTINGS = Settings(width=180, height=320, fps=Fraction(30), sample_rate=48000)


@pytest.fixture(scope="module")
def cut(tmp_path_factory) -> Timeline:
    d = tmp_path_factory.mktemp("clock")
    path = synth.click_track(d / "clicks.wav", seconds=6)
    tl = Timeline.empty(SETTINGS, video_tracks=1, audio_tracks=1)
    mid = new_id("m")
    tl.media[mid] = media_source_from_info(probe(path), mid, str(path))
    tl.audio_tracks[0].add(MediaClip(id=new_id("c"), start=0, duration=150, media=mid))
    return tl


def frame_number(_timeline: Timeline, frame: int) -> np.ndarray:
    return np.full((4, 4, 3), frame % 256, np.uint8)


def run(player: Player, seconds: float) -> list[int]:
    shown: list[int] = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        due, frame, image = player.poll()
        if image is not None:
            assert int(image[0, 0, 0]) == frame % 256, "the picture is the frame it says it is"
            assert frame <= due or player.speed < 0 or player.ended
            shown.append(frame)
        time.sleep(0.004)
    return shown


def test_playing_shows_every_frame_in_order_from_the_play_position(cut):
    player = Player(frame_number, SilentOutput())
    try:
        player.load(cut)
        player.warm()
        time.sleep(0.2)
        player.play(60)
        shown = run(player, 1.0)
        assert shown[0] == 60, "the first frame is where play started, not the paused position before it"
        assert all(b > a for a, b in zip(shown, shown[1:], strict=False))
        # Every frame shown or counted as dropped (a starved poller on a busy machine may skip one or two).
        assert len(shown) + player.stats.dropped == shown[-1] - 60 + 1
        assert player.stats.dropped <= 3 and len(shown) >= 20
    finally:
        player.close()


def test_a_slow_picture_is_skipped_and_counted_while_the_clock_keeps_time(cut):
    def slow(timeline, frame):
        time.sleep(0.08)                  # 12 frames a second at most
        return frame_number(timeline, frame)

    player = Player(slow, SilentOutput())
    try:
        player.load(cut)
        player.play(0)
        shown = run(player, 1.5)
        heard_frames = player.sample_frame(player.heard() - player.run_start)
        assert abs(player.position() - heard_frames) <= 1, "the position is the sound's, whatever the pictures"
        # Every frame that came due was shown or counted as dropped; a picture taking 80 ms drops most.
        assert abs(len(shown) + player.stats.dropped - (shown[-1] + 1)) <= 1
        assert player.stats.dropped > len(shown)
        assert shown == sorted(shown)
        assert player.stats.underruns == 0
    finally:
        player.close()


def test_the_end_of_the_timeline_stops_on_its_last_frame(cut):
    player = Player(frame_number, SilentOutput())
    try:
        player.load(cut)
        player.play(135)
        shown = run(player, 0.8)
        assert player.ended and not player.playing
        assert shown[-1] == 149
        assert player.position() == 150 or player.position() == 149
    finally:
        player.close()


def test_loop_keeps_the_pictures_inside_the_range(cut):
    player = Player(frame_number, SilentOutput())
    try:
        player.load(cut)
        player.play(10, loop=(10, 25))
        shown = run(player, 1.3)
        assert min(shown) == 10 and max(shown) == 24
        assert shown.count(10) >= 2, "came round again"
    finally:
        player.close()
