"""Open a 5,000-clip timeline in the window (construct + first paint) and time an edit plus its repaint.

    QT_QPA_PLATFORM=offscreen python bench/ui_scale.py
"""

from __future__ import annotations

import os
import statistics
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main() -> None:
    from editor.model.commands import Move
    from editor.model.testing import clip, timeline, video
    from editor.ui.app import application
    from editor.ui.main_window import MainWindow

    app = application()
    tl = timeline(video_tracks=2, audio_tracks=1, media=[video("cam", frames=100_000)])
    for i in range(5000):
        track = tl.video_tracks[i % 2]
        track.clips.append(clip("cam", (i // 2) * 40, 30, clip_id=f"c{i}"))
    tl.check()
    t0 = time.perf_counter()
    window = MainWindow(tl)
    window.resize(1600, 900)
    window.show()
    view = window.timeline_view
    view.repaint()
    app.processEvents()
    opened = time.perf_counter() - t0
    view.set_zoom(2.0, 50_000)
    times = []
    for n in range(50):
        cid = f"c{2500 + 2 * n}"
        c = tl.find(cid)[1]
        t = time.perf_counter()
        window.edits.do(Move(cid, None, c.start + 5))
        view.repaint()
        times.append(time.perf_counter() - t)
    print(f"5,000 clips: open (construct + first paint) {opened * 1000:.0f} ms")
    print(f"edit + repaint: median {statistics.median(times) * 1000:.1f} ms, max {max(times) * 1000:.1f} ms")
    window.edits.stack.setClean()
    window.close()


if __name__ == "__main__":
    main()
