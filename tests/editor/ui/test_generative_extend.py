"""Generative extend in the real window: drag a recorded clip's tail 2 s past its media, accept the offer,
the tiny LTX model generates the extension through a real worker, and the export plays the clip's own frames
up to its last one and the extension's after it."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from ui_support import generated, shown

from editor.generate.extend import extension_mode
from editor.media import synth
from editor.media.probe import media_source_from_info, probe
from editor.model import MediaClip, Settings, Timeline
from editor.render.export import export
from editor.render.settings import resolve_settings
from editor.ui.main_window import MainWindow
from generation.models import get_model

CANVAS = Settings(width=128, height=64, fps=Fraction(24))  # tiny-ltx's native 128x64 at its own 24 fps
WAIT_MS = 240_000


@pytest.fixture(scope="module")
def counted(tmp_path_factory) -> Path:
    """48 frames (2 s) whose grey level says the frame number (Y = 16 + 4n), lossless."""
    return synth.indexed_clip(
        tmp_path_factory.mktemp("extend ui") / "counted.mp4", frames=48, fps=24, size=(128, 64), step=4
    )


def frames_of(path) -> np.ndarray:
    with av.open(str(path)) as container:
        return np.stack([f.to_ndarray(format="rgb24") for f in container.decode(video=0)]).astype(np.float64)


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = float(np.mean((a - b) ** 2))
    return 99.0 if mse == 0 else 10 * np.log10(255.0**2 / mse)


def test_drag_a_tail_past_its_media_generate_the_extension_and_export_it(qtbot, counted, tmp_path) -> None:
    tl = Timeline.empty(CANVAS)
    tl.media["m"] = media_source_from_info(probe(counted), "m")
    tl.video_tracks[0].add(MediaClip("c", 0, 48, media="m"))
    w = shown(qtbot, MainWindow(tl, tmp_path / "cut.promptcut"))
    view = w.timeline_view
    view.set_zoom(8.0, 0)
    top, h = view.row_of(w.timeline.video_tracks[0].id)
    y = top + h // 2
    x_end = int(view.x_of(48))

    # Drag the tail edge 2 s (48 frames) past the media's end: the trim holds at the media's end, the rest
    # shows as the extension's ghost while the button is down.
    qtbot.mousePress(view, Qt.MouseButton.LeftButton, pos=QPoint(x_end - 2, y))
    for x in range(x_end - 2, x_end + 48 * 8 - 2 + 1, 16):
        qtbot.mouseMove(view, QPoint(x, y))
    qtbot.mouseMove(view, QPoint(x_end + 48 * 8 - 2, y))
    assert view._drag is not None and (view._drag.preview_end, view._drag.extend) == (48, 48)
    assert view.drop_preview == (w.timeline.video_tracks[0].id, 48, 96)
    qtbot.mouseRelease(view, Qt.MouseButton.LeftButton, pos=QPoint(x_end + 48 * 8 - 2, y))
    assert view.drop_preview is None
    assert w.timeline.find("c")[1].end == 48  # the recorded clip still ends where its media does

    offer = view.extend_offer
    assert offer is not None and offer.isVisible()
    assert offer.generate_button.text() == "Generate 2.0 s extension"
    ids = [offer.model.itemData(i) for i in range(offer.model.count())]
    assert "tiny-ltx" in ids  # only models that can extend are offered
    assert all(extension_mode(get_model(i), "tail")[0] is not None for i in ids)
    assert ids.index("tiny-ltx") < ids.index("tiny-wan")  # those that continue a video first
    offer.model.setCurrentIndex(offer.model.findData("tiny-ltx"))
    qtbot.mouseClick(offer.generate_button, Qt.MouseButton.LeftButton)
    assert offer.error.text() == ""

    qtbot.waitUntil(lambda: len(generated(w)) == 1, timeout=60_000)
    (ext,) = generated(w)
    assert (ext.start, ext.end) == (48, 96) and ext.name == "Extension of counted.mp4"
    assert ext.spec.model == "tiny-ltx" and ext.spec.prefix_video
    qtbot.waitUntil(lambda: w.shots.queue.status_by_id(ext.id).state == "ready", timeout=WAIT_MS)
    ext = w.timeline.find(ext.id)[1]
    take = frames_of(w.timeline.media[ext.media_id()].path)

    out = tmp_path / "extended.mp4"
    export(w.timeline, out, resolve_settings(w.timeline, size=(128, 64), crf=4))
    got = frames_of(out)
    assert len(got) == 96
    recorded = frames_of(counted)
    for n in (0, 24, 47):  # the recorded clip's own frames, up to its last real one
        assert psnr(got[n], recorded[n]) > 35, n
    last = recorded[47]
    for n in range(48, 96):  # then the extension's frames: the take's, not the clip's last one, not black
        assert psnr(got[n], take[n - 48]) > 30, n
        assert got[n].mean() > 8, n
        assert psnr(got[n], last) < psnr(got[n], take[n - 48]) - 3, n


def test_a_recorded_clip_offers_extend_with_ai_in_its_context_menu(window, qtbot):
    from editor.model.testing import clip, timeline, video

    tl = timeline(media=[video("cam", frames=100)])
    tl.video_tracks[0].add(clip("cam", 0, 50, clip_id="a"))
    window.set_document(tl, None)
    track = tl.video_tracks[0]
    entries = dict(window.shots.context_entries(track, tl.find("a")[1], 10))
    assert entries["Extend with AI… (2 s after)"] is not None
    assert entries["Extend with AI… (2 s before)"] is None  # the clip starts at 0: nothing before it
    entries["Extend with AI… (2 s after)"]()
    offer = window.timeline_view.extend_offer
    assert offer is not None
    offer.reject()
