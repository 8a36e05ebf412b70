"""The export's sound: each rendered segment's PCM streamed, in timeline order, into one AAC encoder while the
video still renders, or through the loudness meter and a two-pass normalisation (``editor.render.loudness``)."""

from __future__ import annotations

import shlex
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from editor.media.ffmpeg import ffmpeg_exe
from editor.render.export_errors import ExportError, check_cancel, remove_file
from editor.render.ffgraph import ffmpeg_path
from editor.render.loudness import (
    Loudness,
    error_lines,
    measure_filter,
    normalize_filter,
    parse_ebur128,
    parse_loudnorm,
)
from editor.render.plan import Segment
from editor.render.procs import FFmpegProcess
from editor.render.settings import ExportSettings

_CHUNK = 1 << 20


class SoundEncoder:
    """Encodes the export's sound (AAC) while the segments render: each segment's PCM is streamed, in timeline
    order and as soon as that segment is done, into one encoder, so no audio encoding is left for the end.

    With a loudness target the stream goes to the loudness meter instead (pass 1, still while the video
    renders) and into one PCM file of the whole mix; once the last segment is in, pass 2 normalises that
    file into the AAC (``editor.render.loudness``). Measuring is cheap; pass 2 costs what the plain encode
    cost, but only after the last segment (it needs the whole mix's figures). A timeline with no sound at all
    is encoded plainly and reported as silent."""

    def __init__(self, job_list: list[tuple[Segment, ...]], settings: ExportSettings, work: Path,
                 say: Callable[[str], None], sounding: bool = True) -> None:
        self.samples = [sum(s.samples for s in job) for job in job_list]
        self.work = work
        self.path = work / "sound.m4a"
        self.settings = settings
        self.say = say
        self.target = settings.loudness if sounding else None
        # Until measured, a normalised export is reported silent; after, the figures replace this.
        self.loudness: Loudness | None = None if settings.loudness is None else Loudness(settings.loudness)
        self._done: set[int] = set()
        self._abort = False
        self._cond = threading.Condition()
        self._failure: list[str] = []
        self._procs: list[FFmpegProcess] = []
        self._tagged: set[int] = set()   # ids of processes logging with -loglevel level+info
        self._meter: FFmpegProcess | None = None
        self._mix: Path | None = None
        if self.target is None:
            self.proc = self._start(self._encode_args("pipe:0"), stdin=True)
        else:
            self._mix = work / "mix.f32"
            self.proc = self._start(self._measure_args("f32le", "pipe:0"), stdin=True, tagged=True)
        self._feeder = threading.Thread(target=self._feed, daemon=True)
        self._feeder.start()

    # --- commands ---

    def _pcm_input(self, source: str) -> list[str]:
        return ["-f", "f32le", "-ar", str(self.settings.sample_rate), "-ch_layout", "stereo", "-i", source]

    def _encode_args(self, source: str, audio_filter: str | None = None) -> list[str]:
        s = self.settings
        level = ["-loglevel", "level+info"] if audio_filter else ["-loglevel", "error"]
        args = [ffmpeg_exe(), "-hide_banner", "-nostdin", *level, "-nostats", *self._pcm_input(source)]
        if audio_filter:
            args += ["-af", audio_filter]
        return args + ["-c:a", s.audio_codec, "-b:a", s.audio_bitrate, "-ar", str(s.sample_rate),
                       "-ac", str(s.channels), "-f", "mp4", ffmpeg_path(str(self.path))]

    def _measure_args(self, fmt: str, source: str) -> list[str]:
        inputs = self._pcm_input(source) if fmt == "f32le" else ["-i", source]
        return [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "level+info", "-nostats", *inputs,
                "-map", "0:a:0", "-af", measure_filter(), "-f", "null", "-"]

    def _start(self, args: list[str], *, stdin: bool = False, tagged: bool = False) -> FFmpegProcess:
        self.say(shlex.join(args))
        proc = FFmpegProcess(args, stdin_pipe=stdin)
        self._procs.append(proc)
        if tagged:
            self._tagged.add(id(proc))
        return proc

    def _error_of(self, proc: FFmpegProcess) -> str:
        if id(proc) in self._tagged:
            errors = error_lines(proc.stderr_lines)
            return errors[0][:400] if errors else f"ffmpeg exited with code {proc.proc.returncode}"
        return proc.error()

    # --- state, for the render loop ---

    def segment_done(self, index: int) -> None:
        with self._cond:
            self._done.add(index)
            self._cond.notify_all()

    def failed(self) -> bool:
        return any(p.poll() not in (None, 0) for p in self._procs) or bool(self._failure)

    def error(self) -> str:
        for proc in self._procs:
            if proc.poll() not in (None, 0):
                return self._error_of(proc)
        return self._failure[0] if self._failure else ""

    # --- the feeder thread ---

    def _feed(self) -> None:
        try:
            if self._stream() and self.target is not None:
                self._normalize(self.target)
        except (OSError, ValueError) as exc:
            if not self._abort:
                self._failure.append(str(exc))

    def _stream(self) -> bool:
        """Every segment's PCM, in order, into the first process (and the mix file); False when aborted."""
        stdin = self.proc.stdin
        zeros = bytes(_CHUNK)
        mix = open(self._mix, "wb") if self._mix is not None else None   # noqa: SIM115 - closed below
        try:
            for i, samples in enumerate(self.samples):
                with self._cond:
                    while i not in self._done and not self._abort:
                        self._cond.wait()
                    if self._abort:
                        return False
                need = samples * 8   # stereo float32
                path = self.work / f"job{i:05d}.f32"
                if path.exists():
                    with open(path, "rb") as fh:
                        while need > 0:
                            data = fh.read(min(_CHUNK, need))
                            if not data:
                                break
                            stdin.write(data)
                            if mix is not None:
                                mix.write(data)
                            need -= len(data)
                    path.unlink()   # no longer needed: keep the temporary folder small
                while need > 0:
                    n = min(_CHUNK, need)
                    stdin.write(zeros[:n])
                    if mix is not None:
                        mix.write(zeros[:n])
                    need -= n
            stdin.close()
        finally:
            if mix is not None:
                mix.close()
        return True

    def _wait(self, proc: FFmpegProcess, what: str) -> bool:
        """Wait for ``proc``; False when aborted. A failure is recorded with ``what`` failed."""
        while proc.poll() is None:
            if self._abort:
                return False
            time.sleep(0.01)
        proc.wait()
        if self._abort:
            return False
        if proc.poll() != 0:
            self._failure.append(f"{what}: {self._error_of(proc)}")
            return False
        return True

    def _normalize(self, target: float) -> None:
        assert self._mix is not None
        if not self._wait(self.proc, "measuring the loudness failed"):
            return
        measured = parse_ebur128(self.proc.stderr_lines)
        total = sum(self.samples)
        self.say(f"loudness: {measured.integrated:.1f} LUFS, true peak {measured.true_peak:.1f} dBTP, "
                 f"range {measured.lra:.1f} LU (target {target:g} LUFS)")
        if measured.silent:
            encode = self._start(self._encode_args(ffmpeg_path(str(self._mix))))
            if self._wait(encode, "encoding the sound failed"):
                self.loudness = Loudness(target)
            return
        graph = normalize_filter(target, measured, self.settings.sample_rate, total)
        encode = self._start(self._encode_args(ffmpeg_path(str(self._mix)), graph), tagged=True)
        if not self._wait(encode, "normalising the loudness failed"):
            return
        report = parse_loudnorm(encode.stderr_lines)
        mode = report.get("normalization_type", "dynamic")
        self.say(f"loudness: normalised ({mode})")
        self.loudness = Loudness(target, measured.integrated, measured.true_peak, mode=mode)
        remove_file(self._mix)

    def finish(self, cancel: threading.Event | None) -> None:
        """Wait for the encoder to write everything (all segments must be done)."""
        while self._feeder.is_alive() or any(p.poll() is None for p in self._procs):
            check_cancel(cancel)
            if self.failed():
                break
            self._feeder.join(timeout=0.02)
        if self.failed():
            raise ExportError(f"encoding the sound failed: {self.error()}")

    def start_meter(self) -> None:
        """Measure the encoded sound (what a listener's meter reads), beside the join."""
        if self.loudness is not None and self.loudness.normalized:
            self._meter = self._start(self._measure_args("mp4", ffmpeg_path(str(self.path))), tagged=True)

    def result(self, cancel: threading.Event | None) -> Loudness | None:
        """The loudness figures, the output's from the meter."""
        meter, loud = self._meter, self.loudness
        if meter is None or loud is None:
            return loud
        while meter.poll() is None:
            check_cancel(cancel)
            time.sleep(0.01)
        if meter.wait() != 0:
            raise ExportError(f"measuring the exported loudness failed: {self._error_of(meter)}")
        try:
            out = parse_ebur128(meter.stderr_lines)
        except ValueError as exc:
            raise ExportError(f"measuring the exported loudness failed: {exc}") from None
        self.say(f"loudness out: {out.integrated:.1f} LUFS, true peak {out.true_peak:.1f} dBTP")
        return replace(loud, output_lufs=out.integrated, output_true_peak=out.true_peak)

    def stop(self) -> None:
        with self._cond:
            self._abort = True
            self._cond.notify_all()
        for proc in list(self._procs):   # unblocks a feeder writing to a pipe
            proc.stop()
        self._feeder.join(timeout=5)
        for proc in self._procs:         # one the feeder may have started meanwhile
            proc.stop()
