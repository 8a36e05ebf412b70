"""What the listener hears: the player's mix through the real audio library into a PulseAudio null sink,
captured from the sink's monitor. Clicks in the music must arrive where the timeline puts them."""

from __future__ import annotations

import time
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from editor.media import synth
from editor.media.probe import media_source_from_info, probe
from editor.model import MediaClip, Settings, Timeline, new_id
from editor.playback.engine import Player
from editor.playback.output import DeviceOutput, SilentOutput, open_output

RATE = 48000
FRAME = RATE // 30          # one frame at 30 fps, in samples: the tolerance the issue sets
SETTINGS = Settings(width=180, height=320, fps=Fraction(30), sample_rate=RATE)


@pytest.fixture(scope="module")
def clicks(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("clicks")
    return {"loud": synth.click_track(d / "loud.wav", seconds=6, first=0.5, level=0.5),
            "soft": synth.click_track(d / "soft.wav", seconds=6, first=0.0, level=0.2)}


def add(tl: Timeline, path: Path, track: int, start: int, duration: int, source_in: int = 0,
        volume: float = 1.0) -> MediaClip:
    mid = next((m for m, s in tl.media.items() if s.path == str(path)), None)
    if mid is None:
        mid = new_id("m")
        tl.media[mid] = media_source_from_info(probe(path), mid, str(path))
    clip = MediaClip(id=new_id("c"), start=start, duration=duration, source_in=source_in, volume=volume, media=mid)
    tl.audio_tracks[track].add(clip)
    return clip


def black(_timeline: Timeline, _frame: int) -> np.ndarray:
    return np.zeros((32, 18, 3), np.uint8)


def record_play(sink, tmp_path: Path, tl: Timeline, seconds: float, *, frame: int = 0, speed: int = 1,
                loop: tuple[int, int] | None = None, moved: list[int] | None = None) -> np.ndarray:
    """Play ``tl`` for ``seconds`` while recording the sink; the recording's left channel. ``moved`` receives
    the position the player reached."""
    out = tmp_path / f"rec{time.monotonic_ns()}.f32"
    rec = sink.record(out)
    time.sleep(0.3)
    player = Player(black, DeviceOutput(RATE))
    try:
        player.load(tl)
        player.play(frame, speed, loop)
        time.sleep(seconds)
        if moved is not None:     # where it got to, and how many frames of sound the device played meanwhile
            moved += [player.position(), player.sample_frame(player.heard() - player.run_start)]
        player.stop()
        time.sleep(0.2)
    finally:
        player.close()
        rec.terminate()
        rec.wait(5)
    return np.fromfile(out, np.float32).reshape(-1, 2)[:, 0]


def onsets(signal: np.ndarray, threshold: float) -> list[tuple[int, float]]:
    """(first sample, peak) of each burst above ``threshold``."""
    loud = np.flatnonzero(np.abs(signal) > threshold)
    found: list[tuple[int, float]] = []
    for i in loud:
        if not found or i - found[-1][0] > RATE // 10:
            found.append((int(i), float(np.abs(signal[i:i + 200]).max())))
    return found


def test_clicks_arrive_a_second_apart_and_each_track_at_its_place(null_sink, clicks, tmp_path):
    tl = Timeline.empty(SETTINGS, video_tracks=1, audio_tracks=2)
    # Loud clicks every second from 0.5 s into the file; the clip starts at frame 10 with 5 frames trimmed off
    # its head, so they fall at 10/30 - 5/30 + 0.5 = 2/3 s, 5/3 s, 8/3 s on the timeline.
    add(tl, clicks["loud"], 0, start=10, duration=110, source_in=5)
    # Soft clicks from the start of their file, placed at 1.25 s: 0.25 s ... wait: 1.25 s, 2.25 s.
    add(tl, clicks["soft"], 1, start=37, duration=40)       # 37/30 s = 1.2333 s
    tl.check()
    heard = record_play(null_sink, tmp_path, tl, 3.3)
    loud = [i for i, peak in onsets(heard, 0.35) if peak > 0.4]
    soft = [i for i, peak in onsets(heard, 0.1) if 0.12 < peak < 0.3]
    assert len(loud) == 3, f"loud clicks at {loud}"
    assert len(soft) == 2, f"soft clicks at {soft}"
    for a, b in zip(loud, loud[1:], strict=False):
        assert abs((b - a) - RATE) <= FRAME, f"loud clicks {b - a} samples apart"
    assert abs((soft[1] - soft[0]) - RATE) <= FRAME
    # Across tracks: the first soft click (37/30 s) comes 17/30 s after the first loud one (2/3 s).
    expected = round(Fraction(37, 30) * RATE - Fraction(2, 3) * RATE)
    assert abs((soft[0] - loud[0]) - expected) <= FRAME, f"{soft[0] - loud[0]} samples, expected {expected}"


def test_mute_and_volume_change_what_arrives(null_sink, clicks, tmp_path):
    tl = Timeline.empty(SETTINGS, video_tracks=1, audio_tracks=2)
    add(tl, clicks["loud"], 0, start=0, duration=90, volume=0.5)
    add(tl, clicks["soft"], 1, start=0, duration=90)
    tl.audio_tracks[1].muted = True
    heard = record_play(null_sink, tmp_path, tl, 2.2)
    found = onsets(heard, 0.1)
    assert found, "nothing arrived"
    peaks = [p for _, p in found]
    # Only the loud track sounds (its clicks at 0.5 s and 1.5 s), at half its level.
    assert len(found) == 2, found
    assert all(0.22 <= p <= 0.28 for p in peaks), peaks


def test_a_loop_repeats_its_range_in_sound(null_sink, clicks, tmp_path):
    tl = Timeline.empty(SETTINGS, video_tracks=1, audio_tracks=1)
    add(tl, clicks["loud"], 0, start=0, duration=150)
    # Loop over frames 0..24 (0.8 s): the click at 0.5 s comes round every 0.8 s.
    heard = record_play(null_sink, tmp_path, tl, 3.0, loop=(0, 24))
    found = [i for i, _ in onsets(heard, 0.35)]
    assert len(found) >= 3, found
    for a, b in zip(found, found[1:], strict=False):
        assert abs((b - a) - int(0.8 * RATE)) <= FRAME, f"{b - a} samples between loop passes"


def test_shuttle_faster_than_1x_is_silent_and_moves_faster(null_sink, clicks, tmp_path):
    tl = Timeline.empty(SETTINGS, video_tracks=1, audio_tracks=1)
    add(tl, clicks["loud"], 0, start=0, duration=180)
    moved: list[int] = []
    heard = record_play(null_sink, tmp_path, tl, 1.0, speed=2, moved=moved)
    assert np.abs(heard).max() < 0.01, "sound at 2x (muted as Premiere does)"
    position, played = moved
    assert played > 0 and abs(position - 2 * played) <= 2, f"at 2x, {played} frames of time moved {position}"


def test_no_audio_device_plays_pictures_with_a_note(monkeypatch, clicks):
    monkeypatch.setenv("PROMPTCUT_AUDIO", "none")
    output = open_output(RATE)
    assert isinstance(output, SilentOutput) and output.note
    tl = Timeline.empty(SETTINGS)
    add(tl, clicks["loud"], 0, start=0, duration=60)
    player = Player(black, output)
    try:
        player.load(tl)
        player.play(0)
        time.sleep(0.5)
        played = player.sample_frame(player.heard() - player.run_start)
        assert played > 0 and abs(player.position() - played) <= 1, "the clock runs without a device"
    finally:
        player.close()


def test_an_unreachable_sound_server_is_a_note_not_an_error(monkeypatch):
    monkeypatch.delenv("PROMPTCUT_AUDIO", raising=False)
    monkeypatch.setenv("PULSE_SERVER", "unix:/nonexistent/pulse-socket")
    output = open_output(RATE)     # whatever this machine has besides: never an exception
    try:
        assert isinstance(output, DeviceOutput | SilentOutput)
        if isinstance(output, SilentOutput):
            assert "\n" not in output.note and "playing pictures without sound" in output.note
    finally:
        output.close()


def test_a_sound_server_that_dies_while_playing_leaves_the_pictures_playing(clicks, tmp_path, monkeypatch):
    from editor.playback.testing import NullSink

    sink = NullSink(tmp_path / "doomed")
    monkeypatch.setenv("PULSE_SERVER", sink.server)
    monkeypatch.delenv("PROMPTCUT_AUDIO", raising=False)
    tl = Timeline.empty(SETTINGS)
    add(tl, clicks["loud"], 0, start=0, duration=150)
    player = Player(black, open_output(RATE))
    try:
        assert isinstance(player.output, DeviceOutput)
        player.load(tl)
        player.play(0)
        time.sleep(0.5)
        sink.close()                                  # the sound server goes away mid-playback
        stuck_at = player.position()
        end = time.monotonic() + 3
        while time.monotonic() < end and player.position() < stuck_at + 30:
            player.poll()
            time.sleep(0.01)
        assert player.position() >= stuck_at + 30, "the clock froze with the device"
        assert "stopped answering" in player.note and player.playing
    finally:
        player.close()
        sink.close()
