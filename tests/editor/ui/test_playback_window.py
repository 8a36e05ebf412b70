"""Playing the cut in the window: pictures follow the sound, which reaches a real (null) audio device.

The window is driven with real key and mouse events; the sound is captured from the PulseAudio null sink's
monitor, so what is checked is what a listener would hear."""

from __future__ import annotations

import time
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from ui_support import shown

from editor.media import synth
from editor.media.probe import media_source_from_info, probe
from editor.model import MediaClip, Settings, Timeline, new_id
from editor.model.commands import SetTrackFlags
from editor.ui.main_window import MainWindow

RATE = 48000
SETTINGS = Settings(width=360, height=640, fps=Fraction(30), sample_rate=RATE)


@pytest.fixture(scope="module")
def media(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("playback-media")
    return {"flash": synth.flash_beep_clip(d / "flash.mp4", seconds=6, size=(320, 240)),
            "clicks": synth.click_track(d / "clicks.wav", seconds=8, first=0.5, level=0.5),
            "red": synth.color_clip(d / "red.mp4", "red", 8.0, size=(320, 180), tone_hz=None)}


def add(tl: Timeline, path: Path, start: int, duration: int, *, audio: bool = False, track: int = 0) -> MediaClip:
    mid = next((m for m, s in tl.media.items() if s.path == str(path)), None)
    if mid is None:
        mid = new_id("m")
        tl.media[mid] = media_source_from_info(probe(path), mid, str(path))
    clip = MediaClip(id=new_id("c"), start=start, duration=duration, media=mid)
    (tl.audio_tracks if audio else tl.video_tracks)[track].add(clip)
    return clip


@pytest.fixture
def playing_window(qtbot, media, null_sink):
    """A window on a timeline with a picture on V1 and a click every second (from 0.5 s) on A1."""
    tl = Timeline.empty(SETTINGS, video_tracks=1, audio_tracks=1)
    add(tl, media["red"], 0, 210)
    add(tl, media["clicks"], 0, 210, audio=True)
    tl.check()
    w = shown(qtbot, MainWindow(tl))
    yield w
    w.stop()
    w.viewer.close_player()


def recorded(sink, path: Path):
    rec = sink.record(path)
    time.sleep(0.2)
    return rec


def clicks_in(path: Path, rec) -> list[int]:
    rec.terminate()
    rec.wait(5)
    left = np.fromfile(path, np.float32).reshape(-1, 2)[:, 0]
    loud = np.flatnonzero(np.abs(left) > 0.3)
    found: list[int] = []
    for i in loud:
        if not found or i - found[-1] > RATE // 10:
            found.append(int(i))
    return found


def test_space_plays_with_sound_and_the_playhead_follows(playing_window, qtbot, null_sink, tmp_path):
    w = playing_window
    rec = recorded(null_sink, tmp_path / "space.f32")
    qtbot.keyClick(w.timeline_view, Qt.Key.Key_Space)
    assert w.play_speed == 1
    qtbot.wait(2300)
    qtbot.keyClick(w.timeline_view, Qt.Key.Key_K)
    clicks = clicks_in(tmp_path / "space.f32", rec)
    stopped = w.timeline_view.playhead
    assert w.play_speed == 0
    # The clicks (at 0.5 s, 1.5 s, ...) heard are those the playhead passed: picture and sound went together.
    passed = [k for k in range(8) if (k + 0.5) * 30 < stopped - 1]
    assert stopped > 15 and len(clicks) in (len(passed), len(passed) + 1), (stopped, clicks)
    assert len(clicks) >= 1 and all(abs(b - a - RATE) <= RATE // 30 for a, b in zip(clicks, clicks[1:], strict=False))
    assert w.viewer.screen_.image is not None
    red = w.viewer.screen_.image.pixelColor(w.viewer.screen_.image.width() // 2, 10)
    assert red.red() > 200 and red.green() < 60
    qtbot.wait(300)
    assert w.timeline_view.playhead == stopped, "K stops where the sound stopped"


def test_the_speaker_button_mutes_what_arrives(playing_window, qtbot, null_sink, tmp_path):
    w = playing_window
    qtbot.mouseClick(w.viewer.sound_button, Qt.MouseButton.LeftButton)
    assert w.viewer.player.muted
    rec = recorded(null_sink, tmp_path / "muted.f32")
    w.toggle_play()
    qtbot.wait(1800)
    w.stop()
    assert clicks_in(tmp_path / "muted.f32", rec) == []
    assert w.timeline_view.playhead > 0, "muted, the pictures still play"


def test_l_twice_shuttles_at_2x_without_sound_and_j_plays_backwards(playing_window, qtbot, null_sink, tmp_path):
    w = playing_window
    rec = recorded(null_sink, tmp_path / "shuttle.f32")
    qtbot.keyClick(w.timeline_view, Qt.Key.Key_L)
    qtbot.keyClick(w.timeline_view, Qt.Key.Key_L)
    assert w.play_speed == 2
    qtbot.wait(1000)
    player = w.viewer.player
    at, played = player.position(), player.sample_frame(player.heard() - player.run_start)
    assert played > 0 and abs(at - 2 * played) <= 2, f"at 2x, {played} frames of time moved {at}"
    qtbot.keyClick(w.timeline_view, Qt.Key.Key_J)
    assert w.play_speed == -1
    qtbot.wait(600)
    back = w.timeline_view.playhead
    assert back < at, f"J went from {at} to {back}"
    qtbot.keyClick(w.timeline_view, Qt.Key.Key_K)
    assert clicks_in(tmp_path / "shuttle.f32", rec) == [], "no sound off 1x"


def test_loop_over_in_out_repeats_picture_and_sound(playing_window, qtbot, null_sink, tmp_path):
    w = playing_window
    view = w.timeline_view
    view.set_playhead(0)
    qtbot.keyClick(view, Qt.Key.Key_I)
    view.set_playhead(24)
    qtbot.keyClick(view, Qt.Key.Key_O)
    assert (view.mark_in, view.mark_out) == (0, 24)
    qtbot.mouseClick(w.viewer.loop_button, Qt.MouseButton.LeftButton)
    assert w.loop_range() == (0, 24)
    rec = recorded(null_sink, tmp_path / "loop.f32")
    seen: list[int] = []
    view.playhead_changed.connect(seen.append)
    w.toggle_play()
    # Three passes as the playhead saw them (a loaded machine starts the sound later: no fixed wait), then a
    # little more so the last pass's click reaches the sink.
    qtbot.waitUntil(lambda: sum(b < a for a, b in zip(seen, seen[1:], strict=False)) >= 3, timeout=30_000)
    qtbot.wait(400)
    w.stop()
    clicks = clicks_in(tmp_path / "loop.f32", rec)
    assert seen and max(seen) < 24, f"the playhead left the loop: {max(seen)}"
    assert len(clicks) >= 3, clicks
    for a, b in zip(clicks, clicks[1:], strict=False):
        assert abs((b - a) - int(0.8 * RATE)) <= RATE // 30, f"{b - a} samples between passes"


def test_preview_resolution_and_level_meters(playing_window, qtbot):
    w = playing_window
    viewer = w.viewer
    assert viewer.resolution_actions["Half"].isChecked(), "half resolution by default"
    w.timeline_view.set_playhead(10)
    qtbot.waitUntil(lambda: viewer.screen_.image is not None and viewer.screen_.image.width() == 180, timeout=5000)
    viewer.resolution_actions["Full"].trigger()
    qtbot.waitUntil(lambda: viewer.screen_.image.width() == 360, timeout=5000)
    viewer.resolution_actions["Quarter"].trigger()
    qtbot.waitUntil(lambda: viewer.screen_.image.width() == 90, timeout=5000)
    # the canvas keeps its aspect at any viewer size
    rect = viewer.screen_.canvas_rect()
    assert abs(rect.width() / rect.height() - 360 / 640) < 0.01
    levels: list[tuple[float, float]] = []
    w.timeline_view.set_playhead(0)
    w.toggle_play()
    end = time.monotonic() + 2.0
    while time.monotonic() < end:
        qtbot.wait(20)
        levels.append(viewer.meter.levels)
    w.stop()
    assert max(max(pair) for pair in levels) > 0.3, "the meters showed the clicks"


def test_heavy_media_get_a_proxy_in_the_background_and_the_toggle_switches_the_preview(qtbot, media, null_sink,
                                                                                     tmp_path):
    heavy = tmp_path / "phone.mp4"
    synth._run(["-f", "lavfi", "-i", "testsrc2=s=1280x720:r=30:d=4", *synth._x264(gop=60),
                "-keyint_min", "60", "-sc_threshold", "0", str(heavy)])
    tl = Timeline.empty(SETTINGS, video_tracks=1, audio_tracks=1)
    add(tl, heavy, 0, 120)
    w = shown(qtbot, MainWindow(tl))
    try:
        decoders = w.viewer.compositor.decoders
        assert w.viewer.proxy_button.isChecked(), "proxies are on by default"
        # A long-GOP 720p clip would not scrub in real time: its proxy is made without being asked.
        qtbot.waitUntil(lambda: w.proxies.states.get(str(heavy)) is not None
                        and w.proxies.states[str(heavy)].state == "ready", timeout=30000)
        assert w.proxies.states[str(heavy)].reason == "long GOP (60 frames)"
        qtbot.waitUntil(lambda: w.viewer.proxy_button.text() == "Proxy", timeout=2000)   # progress gone
        proxy = w.proxies.proxy_for(probe(heavy)).path
        w.timeline_view.set_playhead(45)
        # (the first frame came from the original: the proxy was not made yet)
        qtbot.waitUntil(lambda: list(decoders._decoders)[-1:] == [proxy], timeout=5000)
        # Playing, the frames come from the proxy too; turning proxies off goes back to the original.
        w.toggle_play()
        qtbot.wait(600)
        assert w.viewer.player.stats.rendered > 5
        qtbot.mouseClick(w.viewer.proxy_button, Qt.MouseButton.LeftButton)
        assert not w.proxies.enabled
        qtbot.waitUntil(lambda: str(heavy) in decoders._decoders, timeout=5000)
        before = w.viewer.player.stats.rendered
        qtbot.wait(600)
        w.stop()
        assert w.viewer.player.stats.rendered > before
        assert list(decoders._decoders)[-1] == str(heavy), "proxies off: the original again"
    finally:
        w.stop()
        w.viewer.close_player()


def test_dragging_the_playhead_plays_a_snippet_unless_scrubbing_is_off(playing_window, qtbot, null_sink, tmp_path):
    w = playing_window
    view = w.timeline_view
    view.set_zoom(4.0, 0)
    x_of = view.x_of
    y = 8                                           # on the ruler
    rec = recorded(null_sink, tmp_path / "scrub.f32")
    qtbot.mousePress(view, Qt.MouseButton.LeftButton, pos=QPoint(int(x_of(5)), y))
    for frame in (10, 15, 20):                      # across the click at 0.5 s (frame 15)
        qtbot.mouseMove(view, QPoint(int(x_of(frame)), y))
        qtbot.wait(60)
    qtbot.mouseRelease(view, Qt.MouseButton.LeftButton, pos=QPoint(int(x_of(20)), y))
    qtbot.wait(400)
    assert clicks_in(tmp_path / "scrub.f32", rec), "the click under the playhead was heard while dragging"
    w.viewer.scrub_action.setChecked(False)
    rec = recorded(null_sink, tmp_path / "no-scrub.f32")
    qtbot.mousePress(view, Qt.MouseButton.LeftButton, pos=QPoint(int(x_of(5)), y))
    for frame in (10, 15, 20):
        qtbot.mouseMove(view, QPoint(int(x_of(frame)), y))
        qtbot.wait(60)
    qtbot.mouseRelease(view, Qt.MouseButton.LeftButton, pos=QPoint(int(x_of(20)), y))
    qtbot.wait(400)
    assert clicks_in(tmp_path / "no-scrub.f32", rec) == []
    assert view.playhead == 20


def test_without_a_sound_device_the_viewer_says_so_and_plays_pictures(qtbot, media, monkeypatch):
    monkeypatch.setenv("PROMPTCUT_AUDIO", "none")
    tl = Timeline.empty(SETTINGS, video_tracks=1, audio_tracks=1)
    add(tl, media["red"], 0, 90)
    add(tl, media["clicks"], 0, 90, audio=True)
    w = shown(qtbot, MainWindow(tl))
    try:
        w.toggle_play()
        qtbot.wait(500)
        assert w.viewer.note_label.isVisible()
        assert "sound is off" in w.viewer.note_label.text()
        assert w.viewer.screen_.image is not None and w.timeline_view.playhead > 0
    finally:
        w.stop()
        w.viewer.close_player()


def test_the_viewer_bar_gives_up_its_facts_before_its_controls(qtbot):
    from editor.ui.viewer import Viewer

    viewer = Viewer()
    qtbot.addWidget(viewer)
    viewer.show_frame(Timeline.empty(SETTINGS), 0)
    viewer.resize(900, 400)
    viewer.show()
    qtbot.waitExposed(viewer)
    for label in (viewer.duration, viewer.canvas_label):
        qtbot.waitUntil(lambda label=label: label.width() >= label.sizeHint().width(), timeout=2000)
    assert viewer.minimumSizeHint().width() <= 600, "a docked queue leaves the viewer narrow"
    viewer.resize(300, 400)                     # as narrow as it goes
    qtbot.waitUntil(lambda: viewer.canvas_label.width() < viewer.canvas_label.sizeHint().width(), timeout=2000)
    for button in (*viewer.buttons.values(), viewer.loop_button, viewer.sound_button, viewer.proxy_button):
        assert button.width() >= button.sizeHint().width() - 1, "controls keep their size"
    viewer.close_player()


def test_playing_again_keeps_the_players_snapshot_until_the_timeline_changes(playing_window, qtbot):
    w = playing_window
    w.toggle_play()
    qtbot.wait(300)
    w.stop()
    first = w.viewer.player.timeline
    w.toggle_play()                                    # nothing changed: same snapshot, readers and frames kept
    assert w.viewer.player.timeline is first
    w.stop()
    assert w.edits.do(SetTrackFlags(w.timeline.audio_tracks[0].id, muted=True))     # an edit
    w.toggle_play()
    assert w.viewer.player.timeline is not first and w.viewer.player.timeline.audio_tracks[0].muted
    w.stop()
