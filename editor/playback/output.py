"""Where the sound goes: the system's audio output through miniaudio, or a silent stand-in that keeps time.

Why miniaudio: its wheel bundles the C library (no PortAudio to install, unlike ``sounddevice``), it talks to
PulseAudio/PipeWire, ALSA and JACK on Linux, CoreAudio and WASAPI elsewhere, and it is small (under 1 MB)
where QtMultimedia would add PySide6-Addons (several hundred MB) for one ``QAudioSink``. It calls back for
each period from its own thread; the callback only copies prepared samples.

Both outputs count the samples the listener has heard (``heard``): that count is the player's clock.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator

import numpy as np

Pull = Callable[[int], np.ndarray]   # n -> (n, 2) float32, called from the output's thread

PERIOD_MS = 20


@contextlib.contextmanager
def quiet_stderr() -> Iterator[None]:
    """Silence what C libraries print on file descriptor 2 (ALSA's 'cannot find card' lines) while opening a
    device: the caller reports its finding as one line of its own."""
    try:
        saved = os.dup(2)
    except OSError:
        yield
        return
    try:
        with open(os.devnull, "wb") as null:
            sys.stderr.flush()
            os.dup2(null.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


class Output:
    """What both outputs share: the count of samples handed over and heard (the player's clock), and taking a
    period of samples from the player. ``note`` says, in one line, why there is no sound (empty if there is)."""

    rate: int
    latency: int = 0      # samples between handing a sample over and hearing it
    note: str = ""
    device: str = ""
    _count: _Counter

    def start(self, pull: Pull) -> None:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def heard(self) -> int:
        return self._count.heard()

    def written(self) -> int:
        return self._count.total

    def _take(self, pull: Pull, n: int) -> np.ndarray:
        """``n`` samples from the player, counted; the output's thread must never die: a gap, not a crash."""
        try:
            block = pull(n)
        except Exception:  # noqa: BLE001
            block = np.zeros((n, 2), np.float32)
        self._count.handed(n)
        return block


class _Counter:
    """Samples handed over, and when the last period was asked for: ``heard`` interpolates between periods."""

    def __init__(self, rate: int, latency: int, start: int = 0) -> None:
        self.rate, self.latency = rate, latency
        self.total = start
        self.at = 0.0
        self.before = start
        self.last_heard = start
        self.lock = threading.Lock()

    def handed(self, n: int) -> None:
        now = time.monotonic()
        with self.lock:
            self.before, self.at = self.total, now
            self.total += n

    def heard(self) -> int:
        with self.lock:
            if self.at == 0.0:
                return self.last_heard
            guess = self.before + int((time.monotonic() - self.at) * self.rate) - self.latency
            guess = max(self.last_heard, min(guess, self.total - self.latency))
            self.last_heard = max(0, guess)
            return self.last_heard


class DeviceOutput(Output):
    """The default playback device through miniaudio (float32 stereo)."""

    def __init__(self, rate: int = 48000, buffer_ms: int = PERIOD_MS * 2) -> None:
        import miniaudio

        self.rate = rate
        self._device = miniaudio.PlaybackDevice(output_format=miniaudio.SampleFormat.FLOAT32, nchannels=2,
                                                sample_rate=rate, buffersize_msec=buffer_ms,
                                                app_name="PromptCut")
        self.latency = rate * buffer_ms // 1000
        self.device = f"{self._device.backend}"
        self._count = _Counter(rate, self.latency)

    def start(self, pull: Pull) -> None:
        def feed():
            n = yield b""
            while True:
                n = yield self._take(pull, n).astype(np.float32, copy=False).tobytes()

        gen = feed()
        next(gen)
        self._device.start(gen)

    def close(self) -> None:
        self._device.close()


class SilentOutput(Output):
    """No audio device: a thread asks for samples at the real-time pace (and drops them), so pictures keep
    time as they would with sound."""

    def __init__(self, rate: int = 48000, note: str = "no audio output: playing pictures without sound",
                 start: int = 0) -> None:
        """``start``: the samples an output it replaces had already played (the player's clock runs on)."""
        self.rate = rate
        self.note = note
        self.device = "none"
        self._count = _Counter(rate, 0, start)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self, pull: Pull) -> None:
        period = self.rate * PERIOD_MS // 1000

        def run() -> None:
            t0 = time.monotonic()
            done = 0
            while not self._stop.is_set():
                due = int((time.monotonic() - t0) * self.rate) + period
                while done < due:
                    self._take(pull, period)
                    done += period
                self._stop.wait(PERIOD_MS / 2000)

        self._thread = threading.Thread(target=run, name="silent-output", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(1)


def open_output(rate: int = 48000) -> Output:
    """The system's output, or a silent one with a one-line note saying why (never an exception).

    ``PROMPTCUT_AUDIO=none`` plays silently on purpose."""
    if os.environ.get("PROMPTCUT_AUDIO", "").lower() in ("none", "off", "0"):
        return SilentOutput(rate, "sound is off (PROMPTCUT_AUDIO=none)")
    try:
        import miniaudio
    except ImportError:
        return SilentOutput(rate, "no audio output: the miniaudio package is not installed")
    try:
        with quiet_stderr():
            output = DeviceOutput(rate)
    except (miniaudio.MiniaudioError, OSError) as exc:
        first = exc.args[0] if exc.args else ""
        reason = " ".join(str(first if isinstance(first, str) else exc).split()) or type(exc).__name__
        return SilentOutput(rate, f"no audio device ({reason}): playing pictures without sound "
                                  "(`promptcut doctor` says what to install)")
    if output.device.lower() == "null":     # miniaudio's last resort keeps time and plays nothing
        output.close()
        return SilentOutput(rate, "no audio device: playing pictures without sound "
                                  "(`promptcut doctor` says what to install)")
    return output
