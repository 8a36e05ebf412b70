"""Settings for the whole test run."""

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

# The generator's worker processes inherit this. CI machines have 2 shared cores; two OpenMP threads per torch
# process, with ffmpeg and pytest beside them, oversubscribe them and slow tiny pipelines 10-30x.
os.environ.setdefault("OMP_NUM_THREADS", "1")


@pytest.fixture(scope="session", autouse=True)
def hermetic_env(tmp_path_factory):
    """Every model, cache and settings lookup points at session temp folders: no hub, no user cache or settings."""
    root = tmp_path_factory.mktemp("hermetic-env")
    env = {
        "PROMPTCUT_MODELS": str(root / "models"),
        "XDG_CACHE_HOME": str(root / "xdg-cache"),
        "XDG_CONFIG_HOME": str(root / "xdg-config"),   # QSettings (recent projects) lands here
        "XDG_DATA_HOME": str(root / "xdg-data"),
        "HF_HUB_CACHE": str(root / "hf-cache"),
        "HF_HUB_OFFLINE": "1",
        "PROMPTCUT_DEVICE": "cpu",
        # The player opens no sound device unless a test asks for the null sink (below).
        "PROMPTCUT_AUDIO": "none",
    }
    with pytest.MonkeyPatch.context() as mp:
        for key, value in env.items():
            mp.setenv(key, value)
        for key in ("PROMPTCUT_OFFLOAD", "PROMPTCUT_VAE_TILING", "PROMPTCUT_DTYPE", "PROMPTCUT_MAX_LOADED",
                    "PROMPTCUT_PROBE_CACHE", "PROMPTCUT_DEBUG"):
            mp.delenv(key, raising=False)
        yield env


class NullSink:
    """A private PulseAudio server whose only sink is a null sink: a real audio device that needs no speakers.
    ``record()`` captures what reaches the sink (its monitor) as float32 stereo at 48 kHz."""

    name = "promptcut_null"

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.socket = folder / "native"
        self.server = f"unix:{self.socket}"
        exe = shutil.which("pulseaudio")
        if exe is None:
            pytest.fail("pulseaudio is not installed: `tools/system-packages.sh` installs it (Debian: pulseaudio)")
        env = {**os.environ, "HOME": str(folder), "XDG_RUNTIME_DIR": str(folder), "PULSE_RUNTIME_PATH": str(folder)}
        self.proc = subprocess.Popen(
            [exe, "-n", "--daemonize=no", "--exit-idle-time=-1", "--use-pid-file=no", "--disable-shm=yes",
             "--log-target=stderr", "-L", f"module-null-sink sink_name={self.name} rate=48000",
             "-L", f"module-native-protocol-unix socket={self.socket} auth-anonymous=1"],
            stdout=subprocess.DEVNULL, stderr=open(folder / "pulse.log", "wb"), env=env)
        end = time.monotonic() + 10
        while not self.socket.exists():
            if self.proc.poll() is not None or time.monotonic() > end:
                log = (folder / "pulse.log").read_text(errors="replace")[-400:]
                pytest.fail(f"the PulseAudio null sink did not start: {log}")
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
        return subprocess.Popen(
            ["parec", "-s", self.server, "-d", f"{self.name}.monitor", "--format=float32le", "--rate=48000",
             "--channels=2", "--raw", "--latency-msec=10"], stdout=open(path, "wb"), stderr=subprocess.DEVNULL)

    def close(self) -> None:
        self.keepalive.terminate()
        self.proc.terminate()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()


@pytest.fixture(scope="session")
def null_sink_server(tmp_path_factory):
    sink = NullSink(tmp_path_factory.mktemp("pulse"))
    yield sink
    sink.close()


@pytest.fixture
def null_sink(null_sink_server, monkeypatch):
    """Sound goes to the null sink for this test (PULSE_SERVER), through the real audio library."""
    monkeypatch.setenv("PULSE_SERVER", null_sink_server.server)
    monkeypatch.delenv("PROMPTCUT_AUDIO", raising=False)
    return null_sink_server
