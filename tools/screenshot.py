"""Remake docs/screenshot.png: the editor window with the demo project, offscreen at 1600x900.

    QT_QPA_PLATFORM=offscreen python tools/screenshot.py [OUTPUT]
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main() -> int:
    from PySide6.QtCore import QEventLoop, QTimer

    from editor.ui.app import application
    from editor.ui.demo import make_demo
    from editor.ui.main_window import MainWindow

    out = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parents[1] / "docs" / "screenshot.png")
    app = application()
    timeline = make_demo(Path(tempfile.mkdtemp(prefix="promptcut-shot-")))
    window = MainWindow(timeline, None)
    window.path = Path("Beach day.promptcut")
    window._update_title()
    window.resize(1600, 900)
    window.show()

    def settle(ms: int) -> None:
        loop = QEventLoop()
        QTimer.singleShot(ms, loop.quit)
        loop.exec()

    settle(200)
    view = window.timeline_view
    view.zoom_to_fit()
    view.set_playhead(270)
    kite = next(c for t in timeline.video_tracks for c in t.clips if c.name == "Kite shot")
    view.select({kite.id})
    clip_ids = [c.id for t in timeline.tracks for c in t.clips]
    for _ in range(100):   # let the viewer's frame and the clips' thumbnails/waveforms arrive from workers
        settle(100)
        art = all(view.art_ready(i) for i in clip_ids if view._art_media(timeline.find(i)[1]) is not None)
        if art and not window.viewer._busy and window.viewer._wanted is None:
            break
    settle(1500)   # the thumbnails across wide clips follow the head ones
    out.parent.mkdir(parents=True, exist_ok=True)
    window.grab().save(str(out))
    print(out)
    window.edits.stack.setClean()
    window.close()
    app.processEvents()
    return 0


if __name__ == "__main__":
    sys.exit(main())
