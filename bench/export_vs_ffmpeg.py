"""Our exporter against one hand-written ffmpeg command doing the same work, in the same run.

The timeline: six 100-frame clips cut from three 1920x1080 test-pattern files (FILL onto a 1080x1920
canvas), 20 s at 30 fps, with a FIT overlay of a fourth clip on an upper track from 6 s to 12 s (crossing two
cuts below), every clip with its sound. Both sides use the tiktok preset's encoder settings (libx264
veryfast CRF 20 High 4.1, GOP 60, yuv420p, bt709 tags, AAC 192k 48 kHz, +faststart). The hand-written
command is the strong peer: each input seeked with -ss before -i, one filter graph, one encode, and each
filled clip cropped to its 9:16 window in source pixels before it is scaled (scaling the whole 16:9 frame and
then cropping scales pixels that are thrown away). The tiktok preset normalises loudness, which one ffmpeg
command cannot do in two passes: ours runs with it off for the ratio, then once more with it on.

Prints both wall times and the ratio (target: ours / ffmpeg <= 1.10). Not a test.

    .venv/bin/python bench/export_vs_ffmpeg.py [--runs 2] [--gop 30] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import tempfile
import time
from fractions import Fraction
from pathlib import Path

from editor.media import synth
from editor.media.ffmpeg import ffmpeg_exe
from editor.media.probe import media_source_from_info, probe
from editor.model import Fit, MediaClip, Settings, Timeline
from editor.render import export, resolve_settings
from editor.render.ffgraph import source_window_int
from editor.render.layout import place
from editor.render.settings import video_encoder_args

FPS = 30
CLIP = 100            # frames per clip on the bottom track
CUTS = [(0, 30), (1, 60), (2, 10), (0, 140), (1, 0), (2, 120)]   # (source file, source_in frames)
OVER = (3, 180, 180, 15)   # overlay: (source file, timeline start, length, source_in) in frames


def make_media(folder: Path, gop: int | None) -> list[Path]:
    """Four 9 s 1920x1080 test patterns with a tone. ``gop``: keyframe interval in frames (phones write about
    one a second); None for synth.pattern_clip's x264 default (250 frames), which makes every seek costly."""
    if gop is None:
        return [synth.pattern_clip(folder / f"src{i}.mp4", seconds=9.0, size=(1920, 1080)) for i in range(4)]
    paths = []
    for i in range(4):
        path = folder / f"src{i}.mp4"
        subprocess.run([ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-nostdin", "-y",
                        "-f", "lavfi", "-i", "testsrc2=s=1920x1080:r=30:d=9",
                        "-f", "lavfi", "-i", "sine=frequency=330:sample_rate=48000:duration=9",
                        "-c:v", "libx264", "-preset", "ultrafast", "-crf", "18", "-pix_fmt", "yuv420p",
                        "-g", str(gop), "-c:a", "aac", "-t", "9", str(path)], check=True)
        paths.append(path)
    return paths


def build_timeline(files: list[Path]) -> Timeline:
    tl = Timeline.empty(Settings(width=1080, height=1920, fps=Fraction(FPS)), video_tracks=2, audio_tracks=0)
    for i, f in enumerate(files):
        tl.media[f"m{i}"] = media_source_from_info(probe(f), f"m{i}")
    for n, (src, source_in) in enumerate(CUTS):
        tl.video_tracks[0].add(MediaClip(f"c{n}", n * CLIP, CLIP, source_in, media=f"m{src}"))
    src, start, length, source_in = OVER
    tl.video_tracks[1].add(MediaClip("over", start, length, source_in, fit=Fit.FIT, media=f"m{src}"))
    tl.check()
    return tl


def hand_written(files: list[Path], out: Path) -> list[str]:
    s = resolve_settings(build_timeline(files), "tiktok", loudness=None)
    W, H = s.width, s.height
    args = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y"]
    chains, vlabels, alabels = [], [], []
    cx, cy, cw, ch = source_window_int(place(1920, 1080, W, H, Fit.FILL).source_window(1920, 1080), 1920, 1080)
    for n, (src, source_in) in enumerate(CUTS):
        args += ["-ss", f"{source_in / FPS:.6f}", "-t", f"{CLIP / FPS:.6f}", "-i", str(files[src])]
        chains.append(f"[{n}:v]fps={FPS},crop={cw}:{ch}:{cx}:{cy},scale={W}:{H},setsar=1[v{n}]")
        chains.append(f"[{n}:a]aresample=48000,apad=whole_len={CLIP * 1600},atrim=end_sample={CLIP * 1600}[a{n}]")
        vlabels.append(f"[v{n}]")
        alabels.append(f"[a{n}]")
    src, start, length, source_in = OVER
    k = len(CUTS)
    fit = place(1920, 1080, W, H, Fit.FIT)
    args += ["-ss", f"{source_in / FPS:.6f}", "-t", f"{length / FPS:.6f}", "-i", str(files[src])]
    chains.append(f"{''.join(vlabels)}concat=n={len(CUTS)}:v=1:a=0[base]")
    chains.append(f"[{k}:v]fps={FPS},scale={fit.scaled_w}:{fit.scaled_h},setsar=1,"
                  f"setpts=PTS+{start / FPS:.6f}/TB[ov]")
    chains.append(f"[base][ov]overlay=x={fit.x}:y={fit.y}:eof_action=pass,format=yuv420p,"
                  "setparams=color_primaries=bt709:color_trc=bt709:colorspace=bt709:range=tv[v]")
    chains.append(f"{''.join(alabels)}concat=n={len(CUTS)}:v=0:a=1[music]")
    chains.append(f"[{k}:a]aresample=48000,adelay={start * 1600}S:all=1[oa]")
    chains.append("[music][oa]amix=inputs=2:normalize=0:duration=first[a]")
    graph = out.with_suffix(".graph")
    graph.write_text(";\n".join(chains))
    args += ["-/filter_complex", str(graph), "-map", "[v]", "-map", "[a]",
             *video_encoder_args(s), "-c:a", "aac", "-b:a", "192k", "-ar", "48000", "-ac", "2",
             "-movflags", "+faststart", "-f", "mp4", str(out)]
    return args


def cpu_seconds() -> float:
    """CPU seconds used so far by this process and its finished children."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--gop", type=int, default=30,
                    help="source keyframe interval in frames (default 30: phone-like); 0 for 250 (x264's default)")
    ap.add_argument("--keep", type=Path, help="folder for media and outputs (kept); default a temp folder")
    opts = ap.parse_args()
    folder = opts.keep or Path(tempfile.mkdtemp(prefix="promptcut-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    folder = folder / (f"gop{opts.gop}" if opts.gop else "gop250")
    folder.mkdir(exist_ok=True)
    files = sorted(folder.glob("src*.mp4"))
    if len(files) < 4:
        t = time.perf_counter()
        files = make_media(folder, opts.gop or None)
        print(f"made media in {time.perf_counter() - t:.1f} s")
    tl = build_timeline(files)
    settings = resolve_settings(tl, "tiktok", loudness=None)
    cmd = hand_written(files, folder / "ffmpeg.mp4")
    print(f"timeline: {tl.duration} frames at {FPS} fps, {settings.describe()}, {os.cpu_count()} cpus, "
          f"sources with a keyframe every {opts.gop or 250} frames")
    ours_t, theirs_t, ours_cpu, theirs_cpu = [], [], [], []
    for _ in range(opts.runs):
        c, t = cpu_seconds(), time.perf_counter()
        result = export(tl, folder / "ours.mp4", settings)
        ours_t.append(time.perf_counter() - t)
        ours_cpu.append(cpu_seconds() - c)
        c, t = cpu_seconds(), time.perf_counter()
        subprocess.run(cmd, check=True)
        theirs_t.append(time.perf_counter() - t)
        theirs_cpu.append(cpu_seconds() - c)
        print(f"  ours {ours_t[-1]:.2f} s wall, {ours_cpu[-1]:.1f} s CPU ({result.segments} segments)   "
              f"one ffmpeg command {theirs_t[-1]:.2f} s wall, {theirs_cpu[-1]:.1f} s CPU")
    t = time.perf_counter()
    loud = export(tl, folder / "ours-loudness.mp4", resolve_settings(tl, "tiktok"))
    print(f"  ours with the preset's loudness normalisation: {time.perf_counter() - t:.2f} s wall "
          f"({loud.loudness.describe() if loud.loudness else 'no loudness figures'})")
    ours, theirs = min(ours_t), min(theirs_t)
    print(f"best of {opts.runs}: ours {ours:.2f} s, hand-written ffmpeg {theirs:.2f} s, ratio {ours / theirs:.2f}"
          f" (target <= 1.10); CPU ratio {min(ours_cpu) / min(theirs_cpu):.2f}")
    print(f"load average now: {', '.join(f'{x:.1f}' for x in os.getloadavg())} (other work on the machine skews wall"
          " times)")
    for name in ("ours.mp4", "ffmpeg.mp4"):
        p = folder / name
        print(f"  {name}: {p.stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
