"""Settings for the whole test run."""

import os
import sys
from pathlib import Path

import pytest

# Helpers shared by test folders (imported by plain name: --import-mode=importlib puts no test folder on sys.path).
sys.path.insert(0, str(Path(__file__).parent / "support"))

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
        "XDG_STATE_HOME": str(root / "xdg-state"),
        # The log files (editor.logs, generation.log_files) of every CLI, window and worker the tests start.
        "PROMPTCUT_LOG_DIR": str(root / "logs"),
        "HF_HUB_CACHE": str(root / "hf-cache"),
        "HF_HUB_OFFLINE": "1",
        "PROMPTCUT_DEVICE": "cpu",
        # The player opens no sound device unless a test asks for the null sink (below).
        "PROMPTCUT_AUDIO": "none",
        # The local Rays the tests start take no token, whatever this machine's ~/.ray holds.
        "RAY_AUTH_MODE": "disabled",
    }
    with pytest.MonkeyPatch.context() as mp:
        for key, value in env.items():
            mp.setenv(key, value)
        for key in ("PROMPTCUT_OFFLOAD", "PROMPTCUT_VAE_TILING", "PROMPTCUT_DTYPE", "PROMPTCUT_MAX_LOADED",
                    "PROMPTCUT_PROBE_CACHE", "PROMPTCUT_DEBUG", "PROMPTCUT_RAY_ADDRESS", "RAY_ADDRESS"):
            mp.delenv(key, raising=False)
        yield env


@pytest.fixture(scope="session")
def null_sink_server(tmp_path_factory):
    from editor.playback.testing import NullSink

    try:
        sink = NullSink(tmp_path_factory.mktemp("pulse"))
    except RuntimeError as exc:
        pytest.fail(str(exc))
    yield sink
    sink.close()


@pytest.fixture
def null_sink(null_sink_server, monkeypatch):
    """Sound goes to the null sink for this test (PULSE_SERVER), through the real audio library."""
    monkeypatch.setenv("PULSE_SERVER", null_sink_server.server)
    monkeypatch.delenv("PROMPTCUT_AUDIO", raising=False)
    return null_sink_server
