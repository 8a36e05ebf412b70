"""Running ffmpeg processes: argv only (never a shell), progress from ``-progress pipe:1``, one-line errors."""

from __future__ import annotations

import collections
import contextlib
import re
import subprocess
import threading
from collections.abc import Callable, Sequence

_PREFIX = re.compile(r"^(?:\[[^\]]*@ 0x[0-9a-f]+\]\s*)+")
_X264 = re.compile(r"^(x26[45]) \[(?:error|warning|info)\]:\s*")
_GENERIC = (
    "error while opening encoder", "error sending frames", "task finished with error", "terminating thread",
    "could not open encoder before eof", "nothing was written into output file", "error opening output file",
    "error opening output files", "error opening input file", "error opening input files", "conversion failed",
    "error initializing filters", "error setting preset", "error setting profile", "error while filtering",
    "error while processing the decoded data", "failed to inject frame", "error reinitializing filters",
    "error initializing complex filters", "exiting normally", "received signal", "error while decoding stream",
    "error submitting", "error muxing a packet", "error writing trailer", "error closing file",
    "error during demuxing", "error retrieving a packet from demuxer", "error applying option",
)


def clean_line(line: str) -> str:
    line = _PREFIX.sub("", line.strip())
    return _X264.sub(r"\1: ", line).strip()


def meaningful_error(stderr: str | Sequence[str]) -> str:
    """The line of ffmpeg's stderr that says what went wrong: the first that is not boilerplate."""
    lines = stderr.splitlines() if isinstance(stderr, str) else list(stderr)
    cleaned = [clean_line(x) for x in lines]
    cleaned = [x for x in cleaned if x]
    for line in cleaned:
        low = line.lower()
        if not any(g in low for g in _GENERIC):
            return line[:400]
    return cleaned[-1][:400] if cleaned else ""


class FFmpegProcess:
    """One ffmpeg run. ``on_frame(n)`` gets the output frame count as ``-progress pipe:1`` reports it."""

    def __init__(self, cmd: list[str], *, on_frame: Callable[[int], None] | None = None, stdin_pipe: bool = False):
        self.cmd = cmd
        self.frame = 0
        self.ended = False   # progress=end seen
        self._on_frame = on_frame
        self._stderr: collections.deque[str] = collections.deque(maxlen=400)
        self.proc = subprocess.Popen(
            cmd,
            stdin=subprocess.PIPE if stdin_pipe else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        self._threads = [
            threading.Thread(target=self._read_progress, daemon=True),
            threading.Thread(target=self._read_stderr, daemon=True),
        ]
        for t in self._threads:
            t.start()

    @property
    def stdin(self):
        return self.proc.stdin

    def _read_progress(self) -> None:
        assert self.proc.stdout is not None
        for raw in self.proc.stdout:
            line = raw.decode("utf-8", "replace").strip()
            if line.startswith("frame="):
                try:
                    self.frame = int(line[6:])
                except ValueError:
                    continue
                if self._on_frame is not None:
                    self._on_frame(self.frame)
            elif line == "progress=end":
                self.ended = True

    def _read_stderr(self) -> None:
        assert self.proc.stderr is not None
        for raw in self.proc.stderr:
            self._stderr.append(raw.decode("utf-8", "replace").rstrip())

    def poll(self) -> int | None:
        return self.proc.poll()

    def wait(self, timeout: float | None = None) -> int:
        code = self.proc.wait(timeout)
        self.join_readers()
        return code

    def join_readers(self) -> None:
        for t in self._threads:
            t.join(timeout=5)

    @property
    def stderr_lines(self) -> list[str]:
        return list(self._stderr)

    def error(self) -> str:
        return meaningful_error(self.stderr_lines) or f"ffmpeg exited with code {self.proc.returncode}"

    def stop(self) -> None:
        """Terminate, then kill if it does not go; always reaps the process."""
        if self.proc.stdin is not None:
            with contextlib.suppress(OSError):
                self.proc.stdin.close()
        if self.proc.poll() is None:
            try:
                self.proc.terminate()
                self.proc.wait(timeout=3)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            except ProcessLookupError:
                pass
        self.join_readers()
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()
