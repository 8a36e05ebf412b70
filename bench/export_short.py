"""A finished 30 s 9:16 short, our exporter against hand-written ffmpeg doing the same, in the same run.

The short: four 1920x1080 sources (FILL onto 1080x1920), a cross-dissolve of 1 s at two of the three cuts, one
clip at 2x (its sound time-stretched, pitch kept), twelve burned-in captions, each clip's own sound (crossfaded
under the dissolves), loudness normalised to -14 LUFS / -1 dBTP (the TikTok preset). The peer is written the
fastest way a skilled user would: each input seeked with -ss before -i and read only for what it shows, the
9:16 window cropped in source pixels before scaling, ``xfade``/``acrossfade`` for the dissolves, ``setpts`` +
``atempo`` for the 2x clip, ``subtitles`` (libass) for the captions, and one graph and one encode; loudness
takes its measuring pass on the sound alone first (one ffmpeg command cannot normalise in two passes), and
both passes count.

Prints both wall times and the ratio (target: ours / peer <= 1.15). Not a test.

    .venv/bin/python bench/export_short.py [--runs 2] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import tempfile
import time
from fractions import Fraction
from pathlib import Path

from export_vs_ffmpeg import cpu_seconds  # bench/ is on sys.path when a bench runs

from editor.interchange.captions import Cue, write_srt
from editor.media.ffmpeg import ffmpeg_exe
from editor.media.probe import media_source_from_info, probe
from editor.model import Fit, MediaClip, Settings, Timeline, TrackKind
from editor.model.clips import TextClip
from editor.model.effects import Transition, TransitionKind
from editor.model.text import DEFAULT_CAPTION_STYLE
from editor.model.timeline import Track, new_id
from editor.render import export, resolve_settings
from editor.render.ffgraph import source_window_int
from editor.render.layout import place
from editor.render.settings import video_encoder_args

FPS = 30
HALF = 15                   # half a 1 s dissolve, in frames
# (source, source_in, timeline start, length, speed, dissolve at its head): 30 s in all.
CLIPS = [(0, 30, 0, 240, 1, False), (1, 60, 240, 240, 1, True), (2, 0, 480, 120, 2, False),
         (3, 30, 600, 300, 1, True)]
CUES = 12


def make_media(folder: Path) -> list[Path]:
    """Four 12 s 1920x1080 test patterns with a quiet tone, a keyframe every second (as phones write)."""
    paths = []
    for i in range(4):
        path = folder / f"src{i}.mp4"
        if not path.exists():
            subprocess.run([ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-nostdin", "-y",
                            "-f", "lavfi", "-i", "testsrc2=s=1920x1080:r=30:d=12",
                            "-f", "lavfi", "-i", f"sine=frequency={220 * (i + 1)}:sample_rate=48000:duration=12",
                            "-c:v", "libx264", "-preset", "ultrafast", "-crf", "18", "-pix_fmt", "yuv420p",
                            "-g", "30", "-af", "volume=0.05", "-c:a", "aac", "-t", "12", str(path)], check=True)
        paths.append(path)
    return paths


def cues() -> list[Cue]:
    step = Fraction(30, CUES)
    return [Cue(n * step, (n + 1) * step - Fraction(1, 10), f"Caption {n + 1}: it's 100% \"real\"")
            for n in range(CUES)]


def build_timeline(files: list[Path]) -> Timeline:
    tl = Timeline.empty(Settings(width=1080, height=1920, fps=Fraction(FPS)), video_tracks=1, audio_tracks=0)
    for i, f in enumerate(files):
        tl.media[f"m{i}"] = media_source_from_info(probe(f), f"m{i}")
    for n, (src, source_in, start, length, speed, dissolve) in enumerate(CLIPS):
        tl.video_tracks[0].add(MediaClip(f"c{n}", start, length, source_in, media=f"m{src}", speed=Fraction(speed),
                                         transition=Transition(TransitionKind.DISSOLVE, HALF, HALF) if dissolve
                                         else None))
    captions = Track(new_id("v"), TrackKind.VIDEO, "Captions", captions=True)
    for n, cue in enumerate(cues()):
        start, end = round(cue.start * FPS), round(cue.end * FPS)
        captions.add(TextClip(f"t{n}", start, end - start, text=cue.text, style=DEFAULT_CAPTION_STYLE))
    tl.video_tracks.append(captions)
    tl.check()
    return tl


def _sound_graph(files: list[Path]) -> tuple[list[str], list[str]]:
    """Inputs and chains for the peer's sound: each clip's sound, the 2x one stretched, crossfaded."""
    inputs, chains, labels = [], [], []
    for n, (src, source_in, _start, length, speed, dissolve) in enumerate(CLIPS):
        nxt = CLIPS[n + 1] if n + 1 < len(CLIPS) else None
        head = HALF if dissolve else 0
        tail = HALF if nxt and nxt[5] else 0
        first = source_in - head * speed
        seconds = (length + head + tail) * speed / FPS
        inputs += ["-ss", f"{first / FPS:.6f}", "-t", f"{seconds:.6f}", "-i", str(files[src])]
        tempo = f"atempo={speed}," if speed != 1 else ""
        chains.append(f"[{n}:a]{tempo}aresample=48000,apad,atrim=end_sample={(length + head + tail) * 1600}[a{n}]")
        labels.append(f"a{n}")
    current = labels[0]
    for n in range(1, len(CLIPS)):
        if CLIPS[n][5]:
            chains.append(f"[{current}][{labels[n]}]acrossfade=ns={2 * HALF * 1600}:c1=tri:c2=tri[x{n}]")
        else:
            chains.append(f"[{current}][{labels[n]}]concat=n=2:v=0:a=1[x{n}]")
        current = f"x{n}"
    chains[-1] = chains[-1].rsplit("[", 1)[0] + "[mix]"
    return inputs, chains


def hand_written(files: list[Path], folder: Path, settings) -> tuple[list[str], list[str]]:
    """(pass 1: measure the sound's loudness, pass 2 given the measurement: the whole short)."""
    W, H = settings.width, settings.height
    cx, cy, cw, ch = source_window_int(place(1920, 1080, W, H, Fit.FILL).source_window(1920, 1080), 1920, 1080)
    srt = folder / "captions.srt"
    write_srt(cues(), srt)
    sound_inputs, sound_chains = _sound_graph(files)
    measure_graph = folder / "measure.graph"
    measure_graph.write_text(";\n".join(sound_chains + ["[mix]loudnorm=I=-14:TP=-1:print_format=json[out]"]))
    measure = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "info", "-y", *sound_inputs,
               "-/filter_complex", str(measure_graph), "-map", "[out]", "-f", "null", "-"]

    video_chains = []
    for n, (_src, _source_in, _start, length, speed, dissolve) in enumerate(CLIPS):
        nxt = CLIPS[n + 1] if n + 1 < len(CLIPS) else None
        head, tail = (HALF if dissolve else 0), (HALF if nxt and nxt[5] else 0)
        pts = f"setpts=PTS/{speed}," if speed != 1 else ""    # frames dropped before they are scaled
        video_chains.append(f"[{n}:v]{pts}fps={FPS},crop={cw}:{ch}:{cx}:{cy},scale={W}:{H},setsar=1,"
                            f"trim=end_frame={length + head + tail},setpts=PTS-STARTPTS[v{n}]")
    current, length_so_far = "v0", CLIPS[0][3] + HALF * (1 if CLIPS[1][5] else 0)
    for n in range(1, len(CLIPS)):
        head = HALF if CLIPS[n][5] else 0
        nxt_tail = HALF if n + 1 < len(CLIPS) and CLIPS[n + 1][5] else 0
        if CLIPS[n][5]:
            offset = length_so_far - 2 * HALF
            video_chains.append(f"[{current}][v{n}]xfade=transition=fade:duration={2 * HALF / FPS}:"
                                f"offset={offset / FPS:.6f}[y{n}]")
            length_so_far = offset + CLIPS[n][3] + head + nxt_tail
        else:
            video_chains.append(f"[{current}][v{n}]concat=n=2:v=1:a=0,settb=1/{FPS},setpts=N[y{n}]")
            length_so_far += CLIPS[n][3] + head + nxt_tail
        current = f"y{n}"
    style = "FontName=Inter,Bold=1,FontSize=14,PrimaryColour=&H00FFFFFF,OutlineColour=&H00000000,Outline=2,MarginV=120"
    video_chains.append(f"[{current}]subtitles=filename={srt.name}:force_style='{style}',format=yuv420p,"
                        "setparams=color_primaries=bt709:color_trc=bt709:colorspace=bt709:range=tv[v]")

    def encode(measured: dict) -> list[str]:
        loud = (f"[mix]loudnorm=I=-14:TP=-1:linear=true:measured_I={measured['input_i']}:"
                f"measured_TP={measured['input_tp']}:measured_LRA={measured['input_lra']}:"
                f"measured_thresh={measured['input_thresh']}:offset={measured['target_offset']},aresample=48000[a]")
        graph = folder / "short.graph"
        graph.write_text(";\n".join(video_chains + sound_chains + [loud]))
        return [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y", *sound_inputs,
                "-/filter_complex", str(graph), "-map", "[v]", "-map", "[a]", *video_encoder_args(settings),
                "-c:a", "aac", "-b:a", "192k", "-ar", "48000", "-ac", "2", "-movflags", "+faststart",
                "-f", "mp4", str(folder / "ffmpeg.mp4")]
    return measure, encode  # type: ignore[return-value]


def run_peer(measure: list[str], encode, folder: Path) -> None:
    done = subprocess.run(measure, check=True, capture_output=True, text=True, cwd=folder)
    text = done.stderr[done.stderr.rindex("{"):done.stderr.rindex("}") + 1]
    subprocess.run(encode(json.loads(text)), check=True, cwd=folder)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--keep", type=Path, help="folder for media and outputs (kept); default a temp folder")
    opts = ap.parse_args()
    folder = opts.keep or Path(tempfile.mkdtemp(prefix="promptcut-short-"))
    folder.mkdir(parents=True, exist_ok=True)
    files = make_media(folder)
    tl = build_timeline(files)
    settings = resolve_settings(tl, "tiktok")
    measure, encode = hand_written(files, folder, settings)
    print(f"short: {tl.duration} frames at {FPS} fps, {settings.describe()}, {os.cpu_count()} cpus")
    ours_t, theirs_t, ours_cpu, theirs_cpu = [], [], [], []
    for _ in range(opts.runs):
        c, t = cpu_seconds(), time.perf_counter()
        result = export(tl, folder / "ours.mp4", settings)
        ours_t.append(time.perf_counter() - t)
        ours_cpu.append(cpu_seconds() - c)
        c, t = cpu_seconds(), time.perf_counter()
        run_peer(measure, encode, folder)
        theirs_t.append(time.perf_counter() - t)
        theirs_cpu.append(cpu_seconds() - c)
        print(f"  ours {ours_t[-1]:.2f} s wall, {ours_cpu[-1]:.1f} s CPU ({result.segments} segments; "
              f"{result.loudness.describe() if result.loudness else 'no loudness figures'})   "
              f"hand-written ffmpeg {theirs_t[-1]:.2f} s wall, {theirs_cpu[-1]:.1f} s CPU")
    ours, theirs = min(ours_t), min(theirs_t)
    print(f"best of {opts.runs}: ours {ours:.2f} s, hand-written ffmpeg {theirs:.2f} s, ratio {ours / theirs:.2f}"
          f" (target <= 1.15); CPU ratio {min(ours_cpu) / min(theirs_cpu):.2f}")
    print(f"load average now: {', '.join(f'{x:.1f}' for x in os.getloadavg())} (other work on the machine skews wall"
          " times)")


if __name__ == "__main__":
    main()
