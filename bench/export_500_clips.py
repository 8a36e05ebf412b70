"""Export a 500-clip timeline: wall time, processes, peak memory. Not a test.

The timeline: 500 clips of 12 frames (0.4 s) cut from four test-pattern sources (every cut a jump, so
nothing merges), each with its sound, plus a music bed on an audio track under the whole 200 s, exported at
a SMALL canvas (360x640 by default; --size to change) so the figure is about per-segment overhead, not x264.

Prints wall time, segments, ffmpeg processes started, and peak memory of this process (the timeline, plan
and bookkeeping) and of the largest ffmpeg child (ru_maxrss of RUSAGE_CHILDREN is the largest child's peak,
not a sum; at most two segment renders run at once).

    .venv/bin/python bench/export_500_clips.py [--clips 500] [--size 360x640] [--keep DIR]
"""

from __future__ import annotations

import argparse
import importlib
import resource
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path

from editor.media import synth
from editor.media.probe import media_source_from_info, probe
from editor.model import MediaClip, Settings, Timeline
from editor.render import export, resolve_settings

CLIP = 12


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clips", type=int, default=500)
    ap.add_argument("--size", default="360x640")
    ap.add_argument("--keep", type=Path, help="folder for media and output (kept); default a temp folder")
    opts = ap.parse_args()
    folder = opts.keep or Path(tempfile.mkdtemp(prefix="promptcut-bench500-"))
    folder.mkdir(parents=True, exist_ok=True)
    seconds = opts.clips * CLIP / 30
    sources = [folder / f"p{i}.mp4" for i in range(4)]
    music = folder / f"music-{int(seconds) + 1}.m4a"
    if not all(p.exists() for p in sources):
        for p in sources:
            synth.pattern_clip(p, seconds=20.0, size=(640, 360))
    if not music.exists():
        synth.tone(music, hz=220, seconds=int(seconds) + 1, sample_rate=44100, channels=2)

    w, h = (int(v) for v in opts.size.lower().split("x"))
    tl = Timeline.empty(Settings(width=w, height=h, fps=Fraction(30)), video_tracks=1, audio_tracks=1)
    for i, p in enumerate(sources):
        tl.media[f"p{i}"] = media_source_from_info(probe(p), f"p{i}")
    tl.media["music"] = media_source_from_info(probe(music), "music")
    for n in range(opts.clips):
        source_in = (n * 37) % (20 * 30 - CLIP)
        tl.video_tracks[0].add(MediaClip(f"c{n}", n * CLIP, CLIP, source_in, media=f"p{n % 4}"))
    tl.audio_tracks[0].add(MediaClip("bed", 0, opts.clips * CLIP, 0, media="music", volume=0.5))
    tl.check()
    settings = resolve_settings(tl)

    started = {"n": 0}
    procs = importlib.import_module("editor.render.procs")
    original = procs.FFmpegProcess.__init__

    def counting(self, *args, **kwargs):
        started["n"] += 1
        original(self, *args, **kwargs)

    procs.FFmpegProcess.__init__ = counting
    t = time.perf_counter()
    result = export(tl, folder / "out.mp4", settings)
    wall = time.perf_counter() - t
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    scale = 1 if sys.platform != "darwin" else 1024   # ru_maxrss: KiB on Linux, bytes on macOS
    print(f"{opts.clips} clips + music bed, {result.frames} frames ({seconds:.0f} s) at {w}x{h} (small canvas), "
          f"{settings.encoder} {settings.encoder_preset}")
    print(f"wall {wall:.1f} s, {result.segments} segments in {result.runs} segment runs, "
          f"{started['n']} ffmpeg processes in all, "
          f"{result.frames / wall:.0f} frames/s")
    print(f"peak memory: this process {me.ru_maxrss / 1024 / scale:.0f} MiB, largest ffmpeg child "
          f"{kids.ru_maxrss / 1024 / scale:.0f} MiB; CPU: python {me.ru_utime + me.ru_stime:.1f} s, "
          f"children {kids.ru_utime + kids.ru_stime:.1f} s")


if __name__ == "__main__":
    main()
