"""Playback and scrubbing figures on a 1080p long-GOP source (a keyframe every 60 frames), as phones record.

1. Seek latency: the viewer's frame at 50 random positions at half preview resolution (cold positions, warm
   decoders), median and p95, against the peer: bare PyAV seeking and decoding the same source frame.
2. Sustained playback at half resolution: two video tracks (the 1080p clip and a FIT overlay above it) and
   two audio tracks, played by the real player through the real audio library (into a private PulseAudio
   null sink when ``pulseaudio`` is installed, else the silent output that keeps the same pace): frames
   shown per second and dropped frames over the first 20 s, and A/V drift (shown frame's time minus the
   sound clock at the moment it is shown) over the whole run (60 s by default).
3. The same with proxies on (the time to make them is printed too).

    .venv/bin/python bench/playback.py [--seconds 60] [--seeks 50] [--no-proxies]

Targets (issue #8): seek median <= 60 ms; 30 fps with no drops; drift within one frame (33 ms).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import av  # noqa: E402
import numpy as np  # noqa: E402

from editor.media import synth  # noqa: E402
from editor.media.probe import media_source_from_info, probe  # noqa: E402
from editor.media.proxies import make_proxy  # noqa: E402
from editor.model import Fit, MediaClip, Settings, Timeline, new_id  # noqa: E402
from editor.playback.engine import Player  # noqa: E402
from editor.playback.output import open_output  # noqa: E402
from editor.playback.preview import preview_size  # noqa: E402
from editor.playback.proxies import Proxies  # noqa: E402
from editor.render.compositor import Compositor  # noqa: E402

FPS = 30
SETTINGS = Settings(width=1080, height=1920, fps=Fraction(FPS), sample_rate=48000)


def make_media(folder: Path, seconds: int) -> dict[str, Path]:
    phone = folder / "phone1080.mp4"
    synth._run(["-f", "lavfi", "-i", f"testsrc2=s=1920x1080:r={FPS}:d={seconds}",
                "-f", "lavfi", "-i", f"sine=frequency=330:sample_rate=44100:duration={seconds}",
                "-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-pix_fmt", "yuv420p", "-g", "60",
                "-keyint_min", "60", "-sc_threshold", "0", "-c:a", "aac", "-b:a", "128k", str(phone)])
    overlay = folder / "overlay720.mp4"
    synth._run(["-f", "lavfi", "-i", f"testsrc=s=1280x720:r={FPS}:d={seconds}", "-c:v", "libx264",
                "-preset", "veryfast", "-crf", "23", "-pix_fmt", "yuv420p", "-g", "60", str(overlay)])
    music = synth.tone(folder / "music.m4a", hz=440, seconds=seconds, sample_rate=44100, channels=2)
    clicks = synth.click_track(folder / "clicks.wav", seconds=seconds, first=0.0, level=0.3)
    return {"phone": phone, "overlay": overlay, "music": music, "clicks": clicks}


def timeline(media: dict[str, Path], seconds: int) -> Timeline:
    tl = Timeline.empty(SETTINGS, video_tracks=2, audio_tracks=2)
    frames = seconds * FPS
    for key, track, fit, audio in (("phone", 0, Fit.FILL, False), ("overlay", 1, Fit.FIT, False),
                                   ("music", 0, Fit.FILL, True), ("clicks", 1, Fit.FILL, True)):
        mid = new_id("m")
        tl.media[mid] = media_source_from_info(probe(media[key]), mid, str(media[key]))
        clip = MediaClip(id=new_id("c"), start=0, duration=frames, fit=fit, media=mid)
        (tl.audio_tracks if audio else tl.video_tracks)[track].add(clip)
    tl.check()
    return tl


def seek_figures(tl: Timeline, media: dict[str, Path], n: int, proxies: Proxies | None) -> dict[str, float]:
    w, h = preview_size(tl.settings, 0.5)
    comp = Compositor(tl)
    if proxies is not None:
        comp.proxy_for = proxies.proxy_for
    single = tl.copy()                 # the phone clip alone, as the peer decodes it
    single.video_tracks[1].remove(single.video_tracks[1].clips[0].id)
    rng = random.Random(8)
    total = tl.duration
    positions = [rng.randrange(0, total - 1) for _ in range(n)]
    comp.render(single, 0, w, h)      # open the decoder (warm), as the viewer's is after the first frame
    ours = []
    for f in positions:
        t0 = time.perf_counter()
        comp.render(single, f, w, h)
        ours.append(time.perf_counter() - t0)
    comp.close()
    comp = Compositor(tl)              # a fresh cache: the same positions must not hit the first pass's frames
    if proxies is not None:
        comp.proxy_for = proxies.proxy_for
    two = []
    comp.render(tl, 0, w, h)
    for f in positions:
        t0 = time.perf_counter()
        comp.render(tl, f, w, h)
        two.append(time.perf_counter() - t0)
    peer = []
    with av.open(str(media["phone"])) as c:
        stream = c.streams.video[0]
        tb = stream.time_base
        for f in positions:
            t0 = time.perf_counter()
            target = Fraction(f, FPS)
            c.seek(int(target / tb), stream=stream, backward=True)
            for frame in c.decode(stream):
                if frame.pts * tb >= target - Fraction(1, 2 * FPS):
                    frame.to_ndarray(format="rgb24")
                    break
            peer.append(time.perf_counter() - t0)
    comp.close()
    return {"median": statistics.median(ours) * 1000, "p95": float(np.percentile(ours, 95)) * 1000,
            "two_tracks_median": statistics.median(two) * 1000, "peer_median": statistics.median(peer) * 1000}


def playback_figures(tl: Timeline, seconds: float, proxies: Proxies | None, output_note: list[str]) -> dict:
    w, h = preview_size(tl.settings, 0.5)
    comp = Compositor(tl)
    if proxies is not None:
        comp.proxy_for = proxies.proxy_for
    output = open_output()
    output_note[:] = [output.device if not output.note else output.note]
    player = Player(lambda timeline, frame: comp.render(timeline, frame, w, h), output)
    player.load(tl)
    player.warm()
    time.sleep(0.5)
    player.play(0)
    t0 = time.monotonic()
    first20 = None
    heard0 = output.heard()
    while time.monotonic() - t0 < seconds:
        player.poll()
        if first20 is None and time.monotonic() - t0 >= min(20.0, seconds):
            first20 = (player.stats.shown, player.stats.dropped, time.monotonic() - t0)
        time.sleep(0.004)
    elapsed = time.monotonic() - t0
    heard = output.heard() - heard0
    stats = player.stats
    drift = np.abs(np.array(stats.drift_samples, float)) / 48000 * 1000 if stats.drift_samples else np.zeros(1)
    player.close()
    comp.close()
    shown20, dropped20, t20 = first20 or (stats.shown, stats.dropped, elapsed)
    return {"fps20": shown20 / t20, "dropped20": dropped20, "dropped": stats.dropped, "shown": stats.shown,
            "elapsed": elapsed, "drift_max": float(drift.max()), "drift_p99": float(np.percentile(drift, 99)),
            "underruns": stats.underruns, "clock_rate": heard / elapsed / 48000}


def window_figures(tl: Timeline, seconds: float, proxies: bool) -> dict:
    """The same playback in the editor window (the GUI thread paints the frames and moves the playhead)."""
    from PySide6.QtCore import QEventLoop, QTimer

    from editor.ui.app import application
    from editor.ui.main_window import MainWindow

    app = application()
    window = MainWindow(tl)
    window.ask_save_changes = lambda: "discard"
    window.resize(1600, 900)
    window.show()
    if not proxies:
        window.viewer.auto_proxy_action.setChecked(False)
        window.set_proxies(False)

    def settle(ms: int) -> None:
        loop = QEventLoop()
        QTimer.singleShot(ms, loop.quit)
        loop.exec()

    settle(2000)
    window.toggle_play()
    settle(int(seconds * 1000))
    stats = window.viewer.player.stats
    result = {"fps": stats.shown / seconds, "dropped": stats.dropped, "underruns": stats.underruns,
              "platform": app.platformName()}
    window.stop()
    window.close()
    app.processEvents()
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=float, default=60.0, help="playback run length (drift is measured over it)")
    ap.add_argument("--seeks", type=int, default=50)
    ap.add_argument("--no-proxies", action="store_true")
    ap.add_argument("--window", action="store_true",
                    help="also play it in the editor window for 20 s (needs a display, e.g. Xvfb)")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="promptcut-bench-playback-"))
    os.environ.setdefault("XDG_CACHE_HOME", str(work / "cache"))
    sink = None
    if "PULSE_SERVER" not in os.environ:
        try:
            from editor.playback.testing import NullSink

            sink = NullSink(work / "pulse")
            os.environ["PULSE_SERVER"] = sink.server
        except (RuntimeError, OSError) as exc:
            print(f"(no null sink: {exc}; the silent output keeps the same pace)")
    try:
        length = int(args.seconds) + 5
        t0 = time.monotonic()
        media = make_media(work, length)
        print(f"media: 1080p H.264 long GOP (keyframe every 60 frames), {length} s; made in "
              f"{time.monotonic() - t0:.1f} s")
        tl = timeline(media, length)
        runs = [("originals", None)]
        if not args.no_proxies:
            proxies = Proxies()
            proxies.enabled = True
            t0 = time.monotonic()
            for key in ("phone", "overlay"):
                make_proxy(probe(media[key]))
            print(f"proxies made in {time.monotonic() - t0:.1f} s (both sources, all-intra, long side 960)")
            runs.append(("proxies", proxies))
        for name, px in runs:
            s = seek_figures(tl, media, args.seeks, px)
            print(f"[{name}] seek at half resolution ({args.seeks} random positions): median {s['median']:.1f} ms, "
                  f"p95 {s['p95']:.1f} ms (target median <= 60); two tracks median {s['two_tracks_median']:.1f} ms; "
                  f"peer (bare PyAV seek+decode of the source frame) median {s['peer_median']:.1f} ms; "
                  f"ratio {s['median'] / s['peer_median']:.2f}")
            note: list[str] = []
            p = playback_figures(tl, args.seconds, px, note)
            print(f"[{name}] playback at half resolution, 2 video + 2 audio tracks, output {note[0]}: "
                  f"{p['fps20']:.1f} frames/s shown over the first 20 s with {p['dropped20']} dropped "
                  f"({p['dropped']} over {p['elapsed']:.0f} s); A/V drift max {p['drift_max']:.1f} ms, "
                  f"p99 {p['drift_p99']:.1f} ms (one frame = 33.3 ms); sound underruns {p['underruns']}; "
                  f"audio clock / wall clock {p['clock_rate']:.4f}")
        if args.window:
            span = min(20.0, float(tl.duration / tl.fps) - 1)
            win = window_figures(tl, span, not args.no_proxies)
            print(f"[window, {'proxies' if not args.no_proxies else 'originals'} on] playback in the editor "
                  f"window ({win['platform']}): {win['fps']:.1f} frames/s shown over {span:.0f} s, {win['dropped']} "
                  f"dropped, sound underruns {win['underruns']}")
    finally:
        if sink is not None:
            sink.close()


if __name__ == "__main__":
    main()
