"""A private PulseAudio server with a null sink: a real audio device that needs no speakers, for the tests and
the playback benchmark (Debian: pulseaudio, pulseaudio-utils; ``tools/system-packages.sh`` installs them)."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path


class NullSink:
    """A private PulseAudio server whose only sink is a null sink: a real audio device that needs no speakers.
    ``record()`` captures what reaches the sink (its monitor) as float32 stereo at 48 kHz."""

    name = "promptcut_null"

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.socket = folder / "native"
        self.server = f"unix:{self.socket}"
        exe = shutil.which("pulseaudio")
        if exe is None:
            raise RuntimeError("pulseaudio is not installed: tools/system-packages.sh installs it (Debian: pulseaudio)")
        env = {**os.environ, "HOME": str(folder), "XDG_RUNTIME_DIR": str(folder), "PULSE_RUNTIME_PATH": str(folder)}
        with open(folder / "pulse.log", "wb") as log:
            self.proc = subprocess.Popen(
                [exe, "-n", "--daemonize=no", "--exit-idle-time=-1", "--use-pid-file=no", "--disable-shm=yes",
                 "--log-target=stderr", "-L", f"module-null-sink sink_name={self.name} rate=48000",
                 "-L", f"module-native-protocol-unix socket={self.socket} auth-anonymous=1"],
                stdout=subprocess.DEVNULL, stderr=log, env=env)
        end = time.monotonic() + 10
        while not self.socket.exists():
            if self.proc.poll() is not None or time.monotonic() > end:
                log = (folder / "pulse.log").read_text(errors="replace")[-400:]
                raise RuntimeError(f"the PulseAudio null sink did not start: {log}")
            time.sleep(0.05)
        # An idle null sink sleeps for its longest latency (2 s) before it notices a new stream, so the first
        # second or two of every playback would be lost. A listener on its monitor keeps it awake, as a
        # real device's clock is.
        self.keepalive = self.record(Path(os.devnull))
        self._warm_up()

    def _warm_up(self) -> None:
        """The sink's first stream ever starts 1-2 s late (it is still waking up): play silence until it flows."""
        import numpy as np

        from editor.playback.output import DeviceOutput

        os.environ["PULSE_SERVER"] = self.server
        try:
            out = DeviceOutput(48000)
            out.start(lambda n: np.zeros((n, 2), np.float32))
            end = time.monotonic() + 10
            while out.written() < 48000 // 2 and time.monotonic() < end:
                time.sleep(0.05)
            out.close()
        finally:
            del os.environ["PULSE_SERVER"]

    def record(self, path: Path) -> subprocess.Popen:
        with open(path, "wb") as out:
            return subprocess.Popen(
                ["parec", "-s", self.server, "-d", f"{self.name}.monitor", "--format=float32le", "--rate=48000",
                 "--channels=2", "--raw", "--latency-msec=10"], stdout=out, stderr=subprocess.DEVNULL)

    def close(self) -> None:
        self.keepalive.terminate()
        self.proc.terminate()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
