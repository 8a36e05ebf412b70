"""Timeline clip art (thumbnails, waveforms loaded off the GUI thread) and copy/paste with real key events."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from ui_support import shown

from editor.media import synth
from editor.model import Timeline
from editor.ui.main_window import MainWindow


@pytest.fixture(scope="module")
def media_files(tmp_path_factory) -> list[Path]:
    folder = tmp_path_factory.mktemp("art-media")
    return [synth.color_clip(folder / "red.mp4", "red", seconds=2), synth.tone(folder / "tone.m4a", seconds=2)]


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))   # fresh disk caches for the art
    w = shown(qtbot, MainWindow(Timeline.empty(video_tracks=1, audio_tracks=1)))
    yield w
    w.timeline_view.art.shutdown()


def _place(window, qtbot, media_files):
    tl = window.timeline
    view = window.timeline_view
    window.bin.import_paths([str(p) for p in media_files])
    qtbot.waitUntil(lambda: window.bin.count() == 2, timeout=10000)
    by_name = {m.name: m.id for m in tl.media.values()}
    view.set_zoom(4.0, 0)
    assert view.place_media(by_name["red.mp4"], tl.video_tracks[0], 0)
    tl.check()
    assert view.place_media(by_name["tone.m4a"], tl.audio_tracks[0], 0)
    tl.check()
    return tl.video_tracks[0].clips[0], tl.audio_tracks[0].clips[0]


def test_thumbnails_and_waveforms_load_off_thread(window, qtbot, media_files) -> None:
    view = window.timeline_view
    red, tone = _place(window, qtbot, media_files)
    view.repaint()
    qtbot.waitUntil(lambda: view.art_ready(red.id) and view.art_ready(tone.id), timeout=15000)
    qtbot.waitUntil(lambda: not view.art.busy(), timeout=15000)
    image = view.grab().toImage()
    r = view.clip_rect(red.id)
    colour = image.pixelColor(r.left() + 20, r.top() + 20)     # inside the head thumbnail, above the sound strip
    assert colour.red() > 150 and colour.green() < 90 and colour.blue() < 90, colour.name()
    # the tone's waveform (lavfi's sine peaks at 1/8): a light band several pixels tall about the middle
    t = view.clip_rect(tone.id)
    base = image.pixelColor(t.left() + 40, t.bottom() - 3).lightness()
    column = [image.pixelColor(t.left() + 40, y) for y in range(t.top() + 4, t.bottom() - 2)]
    assert sum(1 for c in column if c.lightness() > base + 30) >= 3


def test_copy_paste_at_playhead_and_undo(window, qtbot, media_files) -> None:
    tl = window.timeline
    view = window.timeline_view
    red, _tone = _place(window, qtbot, media_files)
    v1 = tl.video_tracks[0]
    view.setFocus()
    qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=view.clip_rect(red.id).center())
    assert view.selected == {red.id}
    qtbot.keyClick(view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    view.set_playhead(120)
    qtbot.keyClick(view, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    tl.check()
    assert len(v1.clips) == 2
    pasted = v1.clips[1]
    assert pasted.id != red.id and pasted.media_id() == red.media_id()
    assert (pasted.start, pasted.duration, pasted.source_in) == (120, red.duration, red.source_in)
    assert view.selected == {pasted.id}
    qtbot.keyClick(view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    tl.check()
    assert [c.id for c in v1.clips] == [red.id]
