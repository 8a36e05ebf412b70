"""The exporter: a timeline to an MP4 file, with ffmpeg.

How, and why (measured on the 2-core machines; research/export.md, bench/export_vs_ffmpeg.py,
bench/export_500_clips.py):

1. Check everything first: pending generated segments, offline or missing media (each file probed), a
   writable output folder. Nothing is rendered when any of that fails.
2. Plan (``editor.render.plan``): the timeline is cut at clip edges, except where a moving picture runs on
   across the edge (a razor cut, a clip under another track's cut, a picture-in-picture over a cut): there a
   cut would make that input seek again (decoding from its previous keyframe) and cost an IDR frame, so the
   pieces stay one segment, with the bottom track's clips concatenated and everything above overlaid from
   its frame offset.
3. Render: each run is one ffmpeg process. Inputs are seeked with ``-ss`` before ``-i`` (frame-exact when
   re-encoding, never decoding from the start of a long file), composited by a graph read from a file
   (``-/filter_complex``), encoded with the final encoder settings into the run's own MP4 with its exact
   frame count, and the mixed sound is written as raw float PCM with its exact sample count. Short segments
   share a run (the concat filter joins them): with 0.4 s clips, 120 clips took 10.5 s in 20 runs against
   15.7 s in 120 (ffmpeg and x264 start-up outweigh a 12-frame encode). Two runs go at once, each x264
   single-threaded: 10.7 s against 13.6 s one at a time with x264's own threads (600 frames at 1080x1920);
   a run longer than all the others together goes alone with every thread.
4. Sound: each run's PCM is streamed, in timeline order, into one AAC encoder while the video still renders
   (encoding 20 s of AAC takes 0.7 s; left to the end it would add that to every export). With a loudness
   target (``editor.render.loudness``) the stream goes to an EBU R128 meter instead, still while the video
   renders, and the normalising encode runs once the last segment is in: about an AAC encode's time at the end.
5. Join: the concat demuxer stream-copies the runs' MP4s (identical encoder settings: one SPS/PPS, checked
   before joining), the AAC is copied beside it, ``+faststart`` into a hidden file beside the output; the
   frame count is checked, then the file is renamed over the output. The hidden work folder and file are named
   as ``generation.leftovers`` says (``.NAME.promptcut-tmp-HOST-PID-XXXX.export``), and the stale ones an
   export killed mid-way left beside the output are removed when the next export starts
   (``editor.render.leftovers``).

Against one hand-written ffmpeg command doing the same work (bench/export_vs_ffmpeg.py: 20 s at 1080x1920,
six cuts and a picture-in-picture over two of them, best of 3 on a shared 2-core machine): 10.94 s against
11.12 s with sources keyed every second (CPU 1.02x), 12.80 s against 12.40 s with 8 s keyframe intervals
(CPU 1.10x: seeks decode more). 500 clips of 0.4 s with a music bed at 360x640: 50 s, 84 ffmpeg runs.

Boundaries are output frames and samples computed cumulatively from zero, so sound and picture stay within a
frame however long the timeline is. On failure or cancel every ffmpeg is stopped and every temporary file
removed; an existing file at the output path is untouched until the final rename.
"""

from __future__ import annotations

import os
import shlex
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

from editor.interchange.caption_tracks import write_srt_beside
from editor.media.ffmpeg import FFmpegNotFound, ffmpeg_exe
from editor.media.info import MediaError
from editor.media.probe import probe
from editor.model import GeneratedClip, Timeline
from editor.model.time import timecode
from editor.render.export_errors import ExportCancelled, ExportError, check_cancel, os_reason, remove_file
from editor.render.export_sound import SoundEncoder
from editor.render.ffgraph import GraphError, SourceFacts, ffmpeg_path, job_command, tonemap_chain
from editor.render.leftovers import WORK_SUFFIX, partial_beside, sweep_export_leftovers
from editor.render.loudness import (
    Loudness,
)
from editor.render.plan import Plan, Segment, build_plan, media_used
from editor.render.procs import FFmpegProcess
from editor.render.settings import ExportSettings, resolve_settings, timescale
from editor.safe_io import FileRefused, check_output_path
from generation.leftovers import mkdtemp_beside

__all__ = ["ExportCancelled", "ExportError", "ExportResult", "ExportSettings", "Loudness", "Progress", "export",
           "resolve_settings"]

PROGRESS_INTERVAL = 0.1   # seconds between progress callbacks (10 per second at most)
RENDER_SHARE = 0.97       # of the progress bar; joining takes the rest


@dataclass(frozen=True)
class Progress:
    done_frames: int
    total_frames: int
    fraction: float
    elapsed_s: float
    eta_s: float | None
    stage: str            # "checking", "rendering", "joining", "done"


@dataclass(frozen=True)
class ExportResult:
    path: Path
    frames: int
    duration: Fraction    # seconds
    size_bytes: int
    elapsed_s: float
    segments: int         # pieces the plan cut the timeline into
    runs: int             # ffmpeg processes that rendered them (short segments share one)
    settings: ExportSettings
    notes: tuple[str, ...] = field(default=())
    loudness: Loudness | None = None   # measured in and out when the settings ask for a loudness target

    def summary(self) -> list[str]:
        """Lines worth showing the user beside "wrote FILE" (the loudness figures, when normalised)."""
        return [self.loudness.describe()] if self.loudness is not None else []


# --- checks ----------------------------------------------------------------------------------------------


def _clip_label(timeline: Timeline, clip: GeneratedClip) -> str:
    what = clip.name or clip.spec.prompt or clip.id
    if len(what) > 40:
        what = what[:37] + "..."
    return f"{what!r} at {timecode(clip.start, timeline.fps)}"


def check_inputs(timeline: Timeline) -> dict[str, SourceFacts]:
    """Probe every media file the export reads; raise ExportError naming what is missing or unusable."""
    pending = []
    for track in timeline.video_tracks:
        for clip in track.clips:
            if isinstance(clip, GeneratedClip) and clip.pending and clip.enabled and not track.hidden:
                pending.append(_clip_label(timeline, clip))
    if pending:
        n = len(pending)
        noun = "generated segment has" if n == 1 else "generated segments have"
        raise ExportError(f"{n} {noun} no take yet: {', '.join(pending)}")
    used = [timeline.media[m] for m in media_used(timeline)]
    offline = [m.path for m in used if not m.online]
    if offline:
        raise ExportError(_list_files("offline", offline))
    missing = [m.path for m in used if not os.path.isfile(m.path)]
    if missing:
        raise ExportError(_list_files("missing", missing))
    facts: dict[str, SourceFacts] = {}
    for media in used:
        try:
            info = probe(media.path)
        except MediaError as exc:
            raise ExportError(str(exc)) from None
        facts[media.id] = SourceFacts.from_info(info)
    return facts


def _list_files(state: str, paths: list[str]) -> str:
    if len(paths) == 1:
        return f"media {state}: {paths[0]}"
    return f"{len(paths)} media files {state}: {', '.join(paths)}"


def _check_output(out: Path, facts: dict[str, SourceFacts]) -> None:
    parent = out.parent
    if out.is_dir():
        raise ExportError(f"cannot write to {out}: it is a folder")
    _check_output_kind(out)
    if not parent.is_dir():
        raise ExportError(f"cannot write to {parent}: no such folder")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise ExportError(f"cannot write to {parent}: permission denied")
    target = os.path.realpath(out)
    for f in facts.values():
        if os.path.realpath(f.path) == target:
            raise ExportError(f"cannot write to {out}: it is one of the timeline's media files")


def _check_output_kind(out: Path) -> None:
    """A FIFO, a device or a socket at ``out`` (or a link to one) is refused: the final rename would replace
    the device node, and an export must never do that. Asked before rendering and again just before the
    rename, in case one appeared meanwhile."""
    try:
        check_output_path(out)
    except FileRefused as exc:
        raise ExportError(f"cannot write to {out}: it {exc}") from None


# --- the export --------------------------------------------------------------------------------------------


class _Reporter:
    def __init__(self, callback: Callable[[Progress], None] | None, total: int) -> None:
        self.callback = callback
        self.total = total
        self.started = time.monotonic()
        self.render_started: float | None = None
        self.last = 0.0
        self.stage = ""

    def __call__(self, stage: str, done: int, fraction: float | None = None, force: bool = False) -> None:
        if self.callback is None:
            return
        now = time.monotonic()
        if not force and stage == self.stage and now - self.last < PROGRESS_INTERVAL:
            return
        self.stage, self.last = stage, now
        total = max(1, self.total)
        done = min(done, self.total)
        if fraction is None:
            fraction = RENDER_SHARE * done / total
        eta = None
        if stage == "rendering" and self.render_started is not None and done > 0:
            spent = now - self.render_started
            eta = spent / done * (total - done) / RENDER_SHARE
        elif stage == "done":
            eta = 0.0
        self.callback(Progress(done, self.total, min(1.0, fraction), now - self.started, eta, stage))


def export(timeline: Timeline, output: str | os.PathLike[str], settings: ExportSettings, *,
           progress: Callable[[Progress], None] | None = None, cancel: threading.Event | None = None,
           log: Callable[[str], None] | None = None, jobs: int | None = None) -> ExportResult:
    """Render ``timeline`` to ``output`` (MP4). Raises ExportError (ExportCancelled when ``cancel`` is set).

    ``progress`` is called from this thread, at most about ten times a second. ``log`` receives the ffmpeg
    command lines and notes. ``jobs``: segments rendered at once (default: 2 when there are 2 cores or more).
    """
    started = time.monotonic()
    out = Path(os.path.abspath(os.fspath(output)))
    report = _Reporter(progress, 0)
    report("checking", 0, 0.0, force=True)
    try:
        ffmpeg_exe()
    except FFmpegNotFound as exc:
        raise ExportError(str(exc)) from None
    facts = check_inputs(timeline)
    _check_output(out, facts)
    notes = list(settings.notes)
    if any(f.hdr for f in facts.values()):
        _, note = tonemap_chain()
        if note:
            notes.append(note)
    plan = build_plan(timeline, settings.fps, settings.sample_rate, has_sound=lambda m: facts[m].has_audio)
    if plan.total_frames <= 0:
        raise ExportError("nothing to export: the timeline is empty")
    report.total = plan.total_frames
    say = log or (lambda _line: None)
    for note in notes:
        say(f"note: {note}")
    jobs_list = batch_segments(plan, facts)
    say(f"export: {settings.describe()}, {plan.total_frames} frames in {len(plan.segments)} segments, "
        f"{len(jobs_list)} ffmpeg runs -> {out}")

    sweep_export_leftovers(out)
    try:
        work = mkdtemp_beside(out, WORK_SUFFIX)
    except OSError as exc:
        raise ExportError(f"cannot write to {out.parent}: {os_reason(exc)}") from None
    partial = partial_beside(work)
    sound: SoundEncoder | None = None
    try:
        sounding = any(facts[x.media_id].has_audio for seg in plan.segments for x in seg.sounds)
        sound = SoundEncoder(jobs_list, settings, work, say, sounding)
        _render_jobs(plan, jobs_list, settings, facts, work, report, cancel, say, jobs, sound)
        _check_segments_match(work, len(jobs_list))
        report("joining", plan.total_frames, RENDER_SHARE, force=True)
        sound.finish(cancel)
        sound.start_meter()
        _join(len(jobs_list), settings, work, partial, cancel, say)
        loudness = sound.result(cancel)
        if loudness is not None and loudness.shortfall():
            notes.append(loudness.shortfall() or "")
            say(f"note: {notes[-1]}")
        _verify(partial, plan)
        check_cancel(cancel)
        _check_output_kind(out)
        os.replace(partial, out)
    except BaseException:
        remove_file(partial)
        raise
    finally:
        if sound is not None:
            sound.stop()
        shutil.rmtree(work, ignore_errors=True)
    captions_note = write_srt_beside(timeline, out)   # after the video is in place: it never costs the export
    if captions_note:
        notes.append(captions_note)
        say(f"note: {captions_note}")
    report("done", plan.total_frames, 1.0, force=True)
    return ExportResult(path=out, frames=plan.total_frames, duration=Fraction(plan.total_frames) / settings.fps,
                        size_bytes=out.stat().st_size, elapsed_s=time.monotonic() - started,
                        segments=len(plan.segments), runs=len(jobs_list), settings=settings, notes=tuple(notes),
                        loudness=loudness)


def _cpu_jobs() -> int:
    try:
        n = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        n = os.cpu_count() or 1
    return 2 if n >= 2 else 1


# Short segments share an ffmpeg run (see ffgraph.job_command), within these limits.
BATCH_BELOW = Fraction(2)        # seconds: longer segments run alone
BATCH_SECONDS = Fraction(4)      # of output per batched run
BATCH_INPUTS = 12                # sources open at once in one run
BATCH_PIXELS = 8 * 1920 * 1080   # decoded picture area of those sources
BATCH_SEGMENTS = 16


def batch_segments(plan: Plan, facts: dict[str, SourceFacts]) -> list[tuple[Segment, ...]]:
    """Consecutive segments grouped into ffmpeg runs: long ones alone, short ones together."""
    fps = plan.fps
    jobs: list[tuple[Segment, ...]] = []
    current: list[Segment] = []
    frames = inputs = pixels = 0

    def flush() -> None:
        nonlocal current, frames, inputs, pixels
        if current:
            jobs.append(tuple(current))
        current, frames, inputs, pixels = [], 0, 0, 0

    for seg in plan.segments:
        if seg.frames >= BATCH_BELOW * fps:
            flush()
            jobs.append((seg,))
            continue
        n_inputs = seg.inputs()
        area = sum(facts[x.media_id].width * facts[x.media_id].height for x in seg.layers if x.media_id in facts)
        if current and (frames + seg.frames > BATCH_SECONDS * fps or inputs + n_inputs > BATCH_INPUTS
                        or pixels + area > BATCH_PIXELS or len(current) >= BATCH_SEGMENTS):
            flush()
        current.append(seg)
        frames, inputs, pixels = frames + seg.frames, inputs + n_inputs, pixels + area
    flush()
    return jobs


def _render_jobs(plan: Plan, job_list: list[tuple[Segment, ...]], settings: ExportSettings,
                 facts: dict[str, SourceFacts], work: Path, report: _Reporter, cancel: threading.Event | None,
                 say: Callable[[str], None], jobs: int | None, sound: SoundEncoder | None = None) -> None:
    slots = max(1, jobs if jobs is not None else _cpu_jobs())
    frames = [sum(s.frames for s in job) for job in job_list]
    pending = sorted(range(len(job_list)), key=lambda i: -frames[i])   # longest first
    running: dict[int, tuple[FFmpegProcess, bool]] = {}                  # index -> (process, exclusive)
    finished_frames = 0
    report.render_started = time.monotonic()
    report("rendering", 0, force=True)
    try:
        while pending or running:
            check_cancel(cancel)
            while pending and len(running) < slots and not any(ex for _, ex in running.values()):
                i = pending[0]
                others = sum(frames[j] for j in pending[1:]) + sum(
                    max(0, frames[j] - p.frame) for j, (p, _) in running.items())
                exclusive = slots > 1 and frames[i] >= others
                if exclusive and running:
                    break   # wait for the machine to be free, then give this one every core
                pending.pop(0)
                threads = 0 if (slots == 1 or exclusive or (not pending and not running)) else 1
                try:
                    cmd = job_command(job_list[i], settings, facts, work, f"job{i:05d}", threads)
                except GraphError as exc:
                    raise ExportError(str(exc)) from None
                cmd.graph_path.write_text(cmd.graph, encoding="utf-8")
                say(shlex.join(cmd.args))
                running[i] = (FFmpegProcess(cmd.args), exclusive)
            time.sleep(0.02)
            for i, (proc, _) in list(running.items()):
                code = proc.poll()
                if code is None:
                    continue
                proc.wait()
                del running[i]
                if code != 0:
                    where = timecode(job_list[i][0].frame, settings.fps)
                    raise ExportError(f"ffmpeg failed rendering at {where}: {proc.error()}")
                finished_frames += frames[i]
                if sound is not None:
                    sound.segment_done(i)
            if sound is not None and sound.failed():
                raise ExportError(f"encoding the sound failed: {sound.error()}")
            done = finished_frames + sum(min(p.frame, frames[j]) for j, (p, _) in running.items())
            report("rendering", done)
    finally:
        for proc, _ in running.values():
            proc.stop()
    report("rendering", plan.total_frames, force=True)


def _check_segments_match(work: Path, count: int) -> None:
    """Stream copy is only valid when every segment carries the same SPS/PPS: check before joining."""
    import av

    first = None
    for i in range(count):
        path = work / f"job{i:05d}.mp4"
        try:
            with av.open(str(path)) as container:
                stream = container.streams.video[0]
                key = (bytes(stream.codec_context.extradata or b""), stream.codec_context.width,
                       stream.codec_context.height)
        except (av.error.FFmpegError, IndexError, OSError) as exc:
            raise ExportError(f"internal error: rendered part {i} cannot be read back: {exc}") from None
        if first is None:
            first = key
        elif key != first:
            raise ExportError(f"internal error: rendered part {i} was encoded with different parameters")


def _join(count: int, settings: ExportSettings, work: Path, partial: Path, cancel: threading.Event | None,
          say: Callable[[str], None]) -> None:
    listing = work / "video.ffconcat"
    lines = ["ffconcat version 1.0"] + [f"file 'job{i:05d}.mp4'" for i in range(count)]
    listing.write_text("\n".join(lines) + "\n", encoding="utf-8")
    args = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-nostats",
            "-f", "concat", "-safe", "0", "-i", ffmpeg_path(str(listing)), "-i", ffmpeg_path(str(work / "sound.m4a")),
            "-map", "0:v:0", "-map", "1:a:0", "-c", "copy", "-video_track_timescale", str(timescale(settings.fps)),
            "-movflags", "+faststart", "-f", "mp4", ffmpeg_path(str(partial))]
    say(shlex.join(args))
    proc = FFmpegProcess(args)
    try:
        while proc.poll() is None:
            check_cancel(cancel)
            time.sleep(0.02)
        if proc.wait() != 0:
            raise ExportError(f"ffmpeg failed joining the segments: {proc.error()}")
    finally:
        proc.stop()




def _verify(path: Path, plan: Plan) -> None:
    """The joined file must hold exactly the planned frames (from the MP4 index: no decoding)."""
    import av

    try:
        with av.open(str(path)) as container:
            video = container.streams.video[0]
            frames = video.frames
            has_audio = bool(container.streams.audio)
    except (av.error.FFmpegError, IndexError, OSError) as exc:
        raise ExportError(f"the joined file cannot be read back: {exc}") from None
    if frames and frames != plan.total_frames:
        raise ExportError(f"internal error: the joined file has {frames} frames, expected {plan.total_frames}")
    if not has_audio:
        raise ExportError("internal error: the joined file has no sound track")
