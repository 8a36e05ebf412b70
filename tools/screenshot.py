"""Remake the README's screenshots, offscreen at 1600x900.

    python tools/screenshot.py [OUTPUT]            the editor with the demo project (docs/screenshot.png)
    python tools/screenshot.py --shots [OUTPUT]    generated shots in every state (docs/generated-shots.png):
                                                    real jobs of the tiny test model on the CPU, so it takes a
                                                    minute; nothing is faked
    python tools/screenshot.py --playing [OUTPUT]  the demo project playing with its sound (docs/playback.png):
                                                    level meters, loop over In/Out, the player's real frames
    python tools/screenshot.py --storyboard [OUT]  a six-line script made into a cut (docs/storyboard.png):
                                                    `promptcut storyboard ... --generate` with the tiny test model
                                                    and the basic voice on the CPU, then the window's storyboard
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
DOCS = Path(__file__).resolve().parents[1] / "docs"


def settle(ms: int) -> None:
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def wait_for(predicate, seconds: float) -> None:
    import time

    end = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > end:
            raise SystemExit("timed out making the screenshot")
        settle(100)


def wait_for_art(window, timeline) -> None:
    view = window.timeline_view
    clip_ids = [c.id for t in timeline.tracks for c in t.clips]
    for _ in range(100):   # let the viewer's frame and the clips' thumbnails/waveforms arrive from workers
        settle(100)
        art = all(view.art_ready(i) for i in clip_ids if view._art_media(timeline.find(i)[1]) is not None)
        if art and not window.viewer._busy and window.viewer._wanted is None:
            break
    settle(1500)   # the thumbnails across wide clips follow the head ones


def isolated_work(prefix: str) -> Path:
    """A fresh folder holding this run's caches, settings and models, so a screenshot never touches the user's
    (and the tiny models run on the CPU without the hub)."""
    work = Path(tempfile.mkdtemp(prefix=prefix))
    for var, sub in (("XDG_CACHE_HOME", "cache"), ("XDG_CONFIG_HOME", "config"), ("XDG_DATA_HOME", "data"),
                     ("PROMPTCUT_MODELS", "models")):
        os.environ[var] = str(work / sub)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("PROMPTCUT_DEVICE", "cpu")
    return work


def main() -> int:
    if "--shots" in sys.argv[1:]:
        args = [a for a in sys.argv[1:] if a != "--shots"]
        return shots(Path(args[0]) if args else DOCS / "generated-shots.png")
    if "--storyboard" in sys.argv[1:]:
        args = [a for a in sys.argv[1:] if a != "--storyboard"]
        return storyboard(Path(args[0]) if args else DOCS / "storyboard.png")
    if "--playing" in sys.argv[1:]:
        args = [a for a in sys.argv[1:] if a != "--playing"]
        return playing(Path(args[0]) if args else DOCS / "playback.png")

    from editor.ui.app import application

    out = Path(sys.argv[1]) if len(sys.argv) > 1 else DOCS / "screenshot.png"
    app = application()
    window, timeline = demo_window()
    view = window.timeline_view
    view.set_playhead(50)     # the title over the intro, the logo moving on its keyframes
    logo = next(c for t in timeline.video_tracks for c in t.clips if c.name == "Logo")
    view.select({logo.id})
    wait_for_art(window, timeline)
    out.parent.mkdir(parents=True, exist_ok=True)
    window.grab().save(str(out))
    print(out)
    window.edits.stack.setClean()
    window.close()
    app.processEvents()
    return 0


def demo_window():
    """(window, timeline): the demo project shown at 1600x900, zoomed to fit."""
    from editor.ui.demo import make_demo
    from editor.ui.main_window import MainWindow

    timeline = make_demo(Path(tempfile.mkdtemp(prefix="promptcut-demo-")))
    window = MainWindow(timeline, None)
    window.path = Path("Beach day.promptcut")
    window._update_title()
    window.resize(1600, 900)
    window.show()
    settle(200)
    window.timeline_view.zoom_to_fit()
    return window, timeline


def playing(out: Path) -> int:
    """The demo project two seconds into playing a looped In/Out range (the sound goes to the system's output,
    or is mixed and metered without a device)."""
    from editor.ui.app import application

    sink = None
    if "PULSE_SERVER" not in os.environ and "PROMPTCUT_AUDIO" not in os.environ:
        from editor.playback.testing import NullSink

        try:      # a machine without speakers still plays into a null sink (the note would fill the viewer)
            sink = NullSink(Path(tempfile.mkdtemp(prefix="promptcut-pulse-")))
            os.environ["PULSE_SERVER"] = sink.server
        except (RuntimeError, OSError):
            sink = None
    app = application()
    window, timeline = demo_window()
    view = window.timeline_view
    view.mark_in, view.mark_out = 60, 300
    window.viewer.loop_button.setChecked(True)
    view.set_playhead(60)
    wait_for_art(window, timeline)
    window.toggle_play()
    settle(2300)
    out.parent.mkdir(parents=True, exist_ok=True)
    window.grab().save(str(out))
    print(out, f"(dropped {window.viewer.player.stats.dropped}, shown {window.viewer.player.stats.shown})")
    window.stop()
    window.edits.stack.setClean()
    window.close()
    app.processEvents()
    if sink is not None:
        sink.close()
    return 0


def shots(out: Path) -> int:
    """A timeline with generated shots ready, stale, generating, queued, failed and never queued."""
    from dataclasses import replace
    from fractions import Fraction

    work = isolated_work("promptcut-shots-")

    from editor.generate.shots import ShotOptions
    from editor.media import synth
    from editor.media.probe import media_source_from_info, probe
    from editor.model import GeneratedClip, GenerationSpec, MediaClip, Settings, Timeline, new_id
    from editor.model.commands import Overwrite, SetClipProperties
    from editor.ui.app import application
    from editor.ui.main_window import MainWindow

    app = application()
    tl = Timeline.empty(Settings(1080, 1920, Fraction(30)), video_tracks=2, audio_tracks=1)
    made = {"beach": synth.color_clip(work / "beach.mp4", "teal", 2, size=(180, 320)),
            "sunset": synth.color_clip(work / "sunset.mp4", "orange", 2, size=(180, 320)),
            "city": synth.pattern_clip(work / "city.mp4", seconds=2, size=(180, 320)),
            "music": synth.tone(work / "music.wav", hz=220, seconds=20)}
    ids = {}
    for key, path in made.items():
        media = media_source_from_info(probe(path), new_id("m"), str(path))
        tl.media[media.id] = media
        ids[key] = media.id
    v1 = tl.video_tracks[0]
    for key, start in (("beach", 0), ("sunset", 120), ("city", 240)):
        v1.add(MediaClip(new_id("c"), start, 60, media=ids[key], name=key.title()))
    v1.add(GeneratedClip(new_id("g"), 540, 60, spec=GenerationSpec("a paper boat on a puddle, macro"),
                         name=""))   # never queued: a draft
    tl.audio_tracks[0].add(MediaClip(new_id("c"), 0, 600, media=ids["music"], name="Music bed"))
    tl.check()
    window = MainWindow(tl, work / "Generated shots.promptcut")
    window.ask_save_changes = lambda: "discard"
    window.resize(1600, 900)
    window.show()
    settle(200)
    queue = window.shots.queue
    track = v1.id
    ready = queue.create(track, 60, 60, ShotOptions("a red kite over a windy beach, golden hour", model="tiny-wan",
                                                    steps=6))
    stale = queue.create(track, 420, 60, ShotOptions("surfers at sunrise", model="tiny-wan", steps=6,
                                                     land_on_next=False))
    assert ready is not None and stale is not None, queue.notices
    wait_for(lambda: all(queue.status_by_id(c.id).state == "ready" for c in (ready, stale)), 600)
    spec = window.timeline.find(stale.id)[1].spec
    window.edits.do(SetClipProperties(stale.id, spec=replace(spec, prompt="surfers at sunset, long shadows")))
    failed = GeneratedClip(new_id("g"), 360, 60, spec=GenerationSpec(
        "a whale breaching at dawn", model="wan2.1-t2v-1.3b", seed=11))
    window.edits.do(Overwrite(track, failed))
    queue.request(track, 180, 60, ShotOptions("drone over the city at dusk", model="tiny-wan", steps=400))
    queue.request(track, 300, 60, ShotOptions("neon rain on a night street", model="tiny-wan", steps=400))

    def generating() -> GeneratedClip | None:
        for c in window.timeline.pending_segments():
            status = queue.status(c)
            if status.state == "generating" and status.fraction > 0.25:
                return c
        return None

    wait_for(lambda: generating() is not None, 600)
    busy = generating()
    view = window.timeline_view
    window.show_queue_panel()
    settle(300)
    view.zoom_to_fit()
    view.set_playhead(busy.start + 30)
    view.select({busy.id})
    wait_for_art(window, window.timeline)
    out.parent.mkdir(parents=True, exist_ok=True)
    window.grab().save(str(out))
    print(out)
    for c in window.timeline.pending_segments():
        queue.cancel(c.id)
    window.edits.stack.setClean()
    window.close()
    app.processEvents()
    return 0


SCRIPT = """# A short about a lighthouse keeper's daughter
@Mara: mara.png | a girl of ten in a yellow raincoat, short dark hair
The storm had been building all afternoon. | dark clouds rolling over a grey sea, wide shot
Mara climbed the lighthouse stairs two at a time. [4s]
At the top, the lamp was dark. | the great lens of a lighthouse, unlit, rain on the glass
She struck a match, and the wick caught. | Mara lighting an oil lamp, warm glow on her face
The beam swept out across the water. | a lighthouse beam cutting through rain at night
Somewhere out there, a small boat turned for home. | a fishing boat in heavy waves, a light on the horizon
"""


def storyboard(out: Path) -> int:
    """A script made into a cut with the real command (tiny video model, the basic voice), shown in the window
    with the storyboard dock open on its second card."""
    work = isolated_work("promptcut-story-")
    from PIL import Image, ImageDraw

    picture = Image.new("RGB", (256, 256), (40, 60, 90))
    draw = ImageDraw.Draw(picture)
    draw.ellipse((78, 40, 178, 140), fill=(235, 200, 160))
    draw.polygon([(60, 250), (128, 120), (196, 250)], fill=(240, 200, 30))
    picture.save(work / "mara.png")
    (work / "script.txt").write_text(SCRIPT, encoding="utf-8")
    project = work / "The keeper's daughter.promptcut"
    from editor.cli import main as cli

    code = cli(["storyboard", str(work / "script.txt"), "-o", str(project), "--model", "tiny-wan",
                "--voice", "espeak-ng:en-us", "--style", "cinematic, 35 mm film", "--captions", "--generate",
                "-q"])
    if code != 0:
        raise SystemExit(f"promptcut storyboard failed ({code})")

    from editor.ui.app import application
    from editor.ui.main_window import MainWindow

    app = application()
    window = MainWindow()
    window.ask_save_changes = lambda: "discard"
    window.resize(1600, 900)
    window.show()
    settle(200)
    window.open_path(project, offer_recovery=False)
    settle(300)
    panel = window.show_storyboard()
    settle(300)
    window.timeline_view.zoom_to_fit()
    panel.select_card(panel.shot_ids()[1])
    wait_for_art(window, window.timeline)
    out.parent.mkdir(parents=True, exist_ok=True)
    window.grab().save(str(out))
    print(out)
    window.edits.stack.setClean()
    window.close()
    app.processEvents()
    return 0


if __name__ == "__main__":
    sys.exit(main())
