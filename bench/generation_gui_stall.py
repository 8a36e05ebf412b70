"""The longest GUI event-loop stall while the background generator works, against the same window idle.

A 5 ms QTimer records how late each tick runs; the longest delay is the longest time a click or a key would
have waited. Both phases do the same edits (a clip moved every 200 ms, with its repaint and viewer refresh);
the second also queues shots through the prompt box's path and follows them to ready takes, with the tiny
test model on the CPU in the worker process. Target: under 50 ms.

    python bench/generation_gui_stall.py [--shots 4] [--steps 12]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from fractions import Fraction
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


class StallMeter:
    """Ticks every ``interval_ms``; ``delays`` holds how late each tick came (ms)."""

    def __init__(self, interval_ms: int = 5) -> None:
        from PySide6.QtCore import QTimer

        self.interval = interval_ms / 1000
        self.delays: list[float] = []
        self._last = time.perf_counter()
        self.timer = QTimer()
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self._tick)

    def start(self) -> None:
        self.delays.clear()
        self._last = time.perf_counter()
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def _tick(self) -> None:
        now = time.perf_counter()
        self.delays.append(max(0.0, (now - self._last - self.interval) * 1000))
        self._last = now

    def summary(self) -> tuple[float, float]:
        ordered = sorted(self.delays) or [0.0]
        return ordered[-1], ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def run_for(app, seconds: float, step, until=None) -> None:
    """Process events for ``seconds`` (or until ``until()``), calling ``step()`` every 200 ms."""
    end = time.perf_counter() + seconds
    next_step = time.perf_counter()
    while time.perf_counter() < end:
        if until is not None and until():
            return
        if time.perf_counter() >= next_step:
            step()
            next_step += 0.2
        app.processEvents()
        time.sleep(0.001)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shots", type=int, default=4)
    parser.add_argument("--steps", type=int, default=12)
    parser.add_argument("--idle-seconds", type=float, default=8.0)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="promptcut-stall-"))
    for var, sub in (("XDG_CACHE_HOME", "cache"), ("XDG_CONFIG_HOME", "config"), ("XDG_DATA_HOME", "data"),
                     ("PROMPTCUT_MODELS", "models")):
        os.environ.setdefault(var, str(work / sub))
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("PROMPTCUT_DEVICE", "cpu")

    from editor.generate.shots import ShotOptions
    from editor.media import synth
    from editor.media.probe import media_source_from_info, probe
    from editor.model import MediaClip, Settings, Timeline
    from editor.model.commands import Move
    from editor.ui.app import application
    from editor.ui.main_window import MainWindow

    app = application()
    tl = Timeline.empty(Settings(width=360, height=640, fps=Fraction(30)), video_tracks=2)
    for name in ("red", "blue"):
        path = synth.color_clip(work / f"{name}.mp4", name, 2.0, size=(360, 640), tone_hz=None)
        tl.media[name] = media_source_from_info(probe(path), name)
    v1 = tl.video_tracks[0]
    v1.add(MediaClip("r", 0, 30, media="red"))
    for i in range(args.shots):
        v1.add(MediaClip(f"b{i}", 60 + 60 * i, 30, media="blue"))
    mover = MediaClip("mover", 0, 30, media="red")
    tl.video_tracks[1].add(mover)
    tl.check()
    window = MainWindow(tl, work / "stall.promptcut")
    window.ask_save_changes = lambda: "discard"
    window.resize(1400, 800)
    window.show()
    app.processEvents()
    flip = [0]

    def edit() -> None:
        flip[0] ^= 1
        window.edits.do(Move("mover", None, 10 * flip[0]))
        window.timeline_view.set_playhead(45 + flip[0])

    meter = StallMeter()
    meter.start()
    run_for(app, args.idle_seconds, edit)
    meter.stop()
    idle_max, idle_p99 = meter.summary()

    meter.start()
    queue_block: list[float] = []
    t0 = time.perf_counter()
    for i in range(args.shots):
        t = time.perf_counter()
        asked = window.shots.queue.request(v1.id, 30 + 60 * i, 30, ShotOptions(
            f"shot {i}", model="tiny-wan", steps=args.steps))
        queue_block.append((time.perf_counter() - t) * 1000)
        assert asked, window.shots.queue.notices
        app.processEvents()

    def all_ready() -> bool:
        shots = [c for _, c in window.timeline.clips() if c.id.startswith("g")]
        return len(shots) == args.shots and all(window.shots.queue.status(c).state == "ready" for c in shots)

    run_for(app, 900, edit, until=all_ready)
    generating_s = time.perf_counter() - t0
    meter.stop()
    gen_max, gen_p99 = meter.summary()
    ready = sum(window.shots.queue.status(c).state == "ready" for _, c in window.timeline.clips()
                if c.id.startswith("g"))
    window.edits.stack.setClean()
    window.close()

    print(f"{ready}/{args.shots} tiny-wan shots ({args.steps} steps, CPU worker) ready in {generating_s:.1f} s")
    print(f"event-loop stall, idle with edits:       max {idle_max:.1f} ms, p99 {idle_p99:.1f} ms")
    print(f"event-loop stall, while generating:      max {gen_max:.1f} ms, p99 {gen_p99:.1f} ms  (target < 50 ms)")
    print(f"asking for one shot (the GUI thread's part; planning runs beside it): median "
          f"{statistics.median(queue_block):.1f} ms, max {max(queue_block):.1f} ms")
    if idle_max > 0:
        print(f"ratio, longest stall generating / idle: {gen_max / idle_max:.2f}")


if __name__ == "__main__":
    main()
