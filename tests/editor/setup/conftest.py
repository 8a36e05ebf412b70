"""A fake model index: a small diffusers-shaped model folder of real files, indexed with write_index, served
from a folder and over http by a server on 127.0.0.1 that honours Range (or, when told, ignores it)."""

from __future__ import annotations

import json
import os
import socket
import sys
from pathlib import Path

import pytest
from mirror_server import serving

from editor.setup import fetch as fetch_module
from editor.setup.index import write_index

MODEL_ID = "wan2.1-t2v-1.3b"
BIG_FILE = "transformer/diffusion_pytorch_model.safetensors"


@pytest.fixture(autouse=True)
def hermetic(tmp_path, monkeypatch):
    monkeypatch.setenv("PROMPTCUT_MODELS", str(tmp_path / "models"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("PROMPTCUT_MODEL_INDEX", raising=False)


def make_model_folder(folder: Path) -> Path:
    """What check_folder accepts as a complete diffusers folder: model_index.json, a weighted component with
    safetensors, a config component. The weights are random bytes (nothing loads them here)."""
    (folder / "transformer").mkdir(parents=True)
    (folder / "scheduler").mkdir()
    index = {"_class_name": "WanPipeline", "transformer": ["diffusers", "WanTransformer3DModel"],
             "scheduler": ["diffusers", "UniPCMultistepScheduler"]}
    (folder / "model_index.json").write_text(json.dumps(index), encoding="utf-8")
    (folder / "transformer" / "config.json").write_text('{"num_layers": 1}', encoding="utf-8")
    (folder / BIG_FILE).write_bytes(os.urandom(900_000))
    (folder / "scheduler" / "scheduler_config.json").write_bytes(os.urandom(200_000).hex().encode())
    return folder


@pytest.fixture
def mirror(tmp_path) -> Path:
    """A folder serving one model: ``<mirror>/index.json`` and ``<mirror>/<id>/...``."""
    root = tmp_path / "mirror"
    make_model_folder(root / MODEL_ID)
    write_index(root)
    return root


@pytest.fixture
def models_root(tmp_path) -> Path:
    return tmp_path / "models"


@pytest.fixture
def every_chunk(monkeypatch):
    """Report progress after every block, so a test can stop a download part-way through a file."""
    monkeypatch.setattr(fetch_module, "PROGRESS_EVERY_S", 0.0)


@pytest.fixture
def http_mirror(mirror):
    """``mirror`` over http: (the index's address, the server, whose ``requests`` lists (path, Range))."""
    with serving(mirror) as server:
        server.cut_name = Path(BIG_FILE).name
        yield server.index_url, server


@pytest.fixture
def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def user_folders(tmp_path, monkeypatch):
    """The default models folders, as on a machine where no $PROMPTCUT_MODELS is set."""
    if not sys.platform.startswith("linux"):
        pytest.skip("XDG variables are a Linux convention")
    monkeypatch.delenv("PROMPTCUT_MODELS")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
