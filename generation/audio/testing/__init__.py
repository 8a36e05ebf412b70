"""Tiny random-weight sound models built offline: the real classes (Kokoro's ``KModel``, diffusers'
``StableAudioPipeline``, transformers' Whisper), shrunk, seeded and saved in their normal layout so they load
through the same code as the real weights. Each ``tiny_<name>.py`` module has ``BUILDERS``: model id to a
function that writes the model's files into a folder."""

from __future__ import annotations

import importlib
import json
import os
import pkgutil
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

RECIPE_VERSION = 1
MARKER = "promptcut_test_model.json"


def _builders() -> dict[str, Callable[[Path], None]]:
    found: dict[str, Callable[[Path], None]] = {}
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("tiny_"):
            found.update(importlib.import_module(f"{__name__}.{info.name}").BUILDERS)
    return found


def tiny_audio_revision(model_id: str) -> str:
    return f"{model_id}-recipe-{RECIPE_VERSION}"


def tiny_audio_ready(folder: Path) -> bool:
    try:
        info = json.loads((folder / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return info.get("recipe") == RECIPE_VERSION


def ensure_tiny_audio_model(model_id: str, root: str | os.PathLike[str]) -> Path:
    """The folder holding the built test model, building it first if needed (safe across processes: each
    build goes to its own temporary folder, renamed into place)."""
    import torch

    builders = _builders()
    if model_id not in builders:
        raise ValueError(f"{model_id} is not a tiny sound model; there are {', '.join(sorted(builders))}")
    root_dir = Path(root)
    final = root_dir / model_id
    if tiny_audio_ready(final):
        return final
    root_dir.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{model_id}.build-", dir=root_dir))
    try:
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(0)
            builders[model_id](tmp)
        marker = {"id": model_id, "recipe": RECIPE_VERSION, "revision": tiny_audio_revision(model_id),
                  "note": "tiny random weights built offline by generation.audio.testing"}
        (tmp / MARKER).write_text(json.dumps(marker, indent=2) + "\n", encoding="utf-8")  # written last
        from ...testing.tiny import _move_into_place

        _move_into_place(tmp, final, ready=tiny_audio_ready)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if not tiny_audio_ready(final):  # pragma: no cover
        raise RuntimeError(f"could not build test model {model_id} into {final}")
    return final
