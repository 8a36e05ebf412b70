"""Live previews in the real window: a tiny-model shot with enough steps to send several pictures, drawn on
its clip in the timeline and over its card in the viewer while it generates."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QImage, QPainter
from test_generated_shots import WAIT_MS, colours, make_window, prompt_in_gap, timeline_with_gaps  # noqa: F401

from editor.ui.preview_art import fit_rect, load_preview, paint_clip_preview

SCREENSHOT = Path("/tmp/i10/previews.png")


def pixels(image: QImage) -> np.ndarray:
    image = image.convertToFormat(QImage.Format.Format_RGB888)
    arr = np.frombuffer(image.constBits(), np.uint8, image.bytesPerLine() * image.height())
    return arr.reshape(image.height(), image.bytesPerLine())[:, : image.width() * 3].reshape(
        image.height(), image.width(), 3).astype(np.float32)


def test_previews_show_on_the_clip_and_the_viewer_card_while_it_generates(qtbot, colours, tmp_path) -> None:  # noqa: F811
    w = make_window(qtbot, timeline_with_gaps(colours), tmp_path / "cut.promptcut")
    clip = prompt_in_gap(qtbot, w, 20, "a lighthouse in a storm", steps=48)
    w.timeline_view.set_playhead(20)
    view = w.timeline_view
    top, h = view.row_of(w.timeline.video_tracks[0].id)
    x0, x1 = view.x_of(clip.start), view.x_of(clip.end)
    area = QRectF(x0, top + 2, x1 - x0, h - 4).adjusted(1, 4, -1, -1)   # where the clip's pictures go
    band = slice(int(area.center().y()) - 3, int(area.center().y()) + 3)  # clear of the name and the bar
    cols = slice(int(area.left()) + 2, int(area.right()) - 2)
    found: dict[str, object] = {}
    previews: set[str] = set()

    def previewed() -> bool:
        status = w.shots.queue.status_by_id(clip.id)
        if status.state == "ready":
            raise AssertionError(f"the shot finished before a preview was drawn; previews seen: {previews}")
        if status.state != "generating" or not status.preview:
            return False
        previews.add(status.preview)
        image = load_preview(status.preview)
        if image is None:
            return False
        shot = view.grab().toImage()
        # What the clip area must show: the preview, repeated as the clip's thumbnails.
        expected = QImage(shot.size(), QImage.Format.Format_RGB32)
        expected.fill(QColor("black"))
        p = QPainter(expected)
        paint_clip_preview(p, area, image)
        p.end()
        got, want = pixels(shot)[band, cols], pixels(expected)[band, cols]
        if np.abs(got - want).mean() > 6:   # the file was replaced between the two: try again
            return False
        found["clip"] = (got, status.preview, image)
        w.viewer.show_frame(w.timeline, 20)
        found["card"] = w.viewer.screen_.card_preview
        screen = w.viewer.screen_.grab().toImage()
        if found["card"] is None:
            return False
        drawn = found["card"][0]   # (a newer preview than the clip's when the worker wrote one in between)
        rect = fit_rect(w.viewer.screen_.canvas_rect(), drawn.width(), drawn.height())
        c = rect.center()
        found["viewer"] = (pixels(screen)[int(c.y()) - 4 : int(c.y()) + 4, int(c.x()) - 4 : int(c.x()) + 4],
                           pixels(drawn)[drawn.height() // 2 - 2 : drawn.height() // 2 + 2,
                                         drawn.width() // 2 - 2 : drawn.width() // 2 + 2])
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        w.grab().save(str(SCREENSHOT))
        return True

    qtbot.waitUntil(previewed, timeout=WAIT_MS)
    got, path, image = found["clip"]
    assert path.endswith(".preview.jpg") and image.width() <= 256 and image.height() <= 256
    assert got.std() > 3  # a picture, not the flat placeholder under its hatch
    card = found["card"]
    assert card is not None and card[0].size() == image.size()   # the viewer's card shows the preview
    assert "Generating" in card[1] or "%" in card[1]
    on_screen, in_picture = found["viewer"]
    assert np.abs(on_screen.mean(axis=(0, 1)) - in_picture.mean(axis=(0, 1))).max() < 25
    qtbot.waitUntil(lambda: w.shots.queue.status_by_id(clip.id).state == "ready", timeout=WAIT_MS)
    assert not Path(path).exists()   # the worker removed its preview with the job
    assert w.viewer._card_preview(w.timeline, 20) is None   # the take shows now, not the preview
