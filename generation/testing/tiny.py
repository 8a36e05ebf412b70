"""Tiny random-weight instances of the real diffusers video pipelines, built offline.

Every part is a real class (``WanTransformer3DModel``, ``AutoencoderKLWan``, ``UMT5EncoderModel``,
``LTXVideoTransformer3DModel``, ...), shrunk to a few hundred kilobytes with the configs diffusers' own fast
tests use (``tests/pipelines/wan/test_wan_22.py``, ``test_wan_image_to_video.py``, ``tests/pipelines/ltx``).
The only hub access those tests make, the ``hf-internal-testing/tiny-random-t5`` config and tokenizer, is
replaced by a T5 config and a Unigram tokenizer made here. Weights are seeded, so a build is deterministic.

``ensure_test_model`` saves a model with ``save_pretrained(safe_serialization=True)`` in the normal diffusers
layout on first use, so it is loaded back through the same ``from_pretrained`` path as a real model. Two
processes may build at once: each builds into its own temporary folder and renames it into place.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..models import TEST_MODEL_IDS, get_model
from ..paths import models_dir

RECIPE_VERSION = 1
MARKER = "promptcut_test_model.json"

# The encoder width must equal Wan's ``text_dim`` and LTX's ``caption_channels``.
_TEXT_DIM = 32


def _builders() -> dict[str, Callable[[], Any]]:
    """Every tiny twin's builder, gathered from the family modules (``tiny_<family>.py``)."""
    import importlib
    import pkgutil

    from .. import testing

    found: dict[str, Callable[[], Any]] = {}
    for info in pkgutil.iter_modules(testing.__path__):
        if info.name.startswith("tiny_") and info.name != "tiny_parts":
            found.update(importlib.import_module(f"{testing.__name__}.{info.name}").BUILDERS)
    missing = sorted(set(TEST_MODEL_IDS) - set(found))
    if missing:
        raise RuntimeError(f"test models without a builder: {', '.join(missing)}")
    return found


def build_test_pipeline(model_id: str) -> Any:
    """A fresh in-memory pipeline for a test model, deterministic, without touching the global torch RNG."""
    import torch

    model = get_model(model_id)
    if not model.is_test_model:
        raise ValueError(f"{model_id} is not a test model; test models: {', '.join(TEST_MODEL_IDS)}")
    with torch.random.fork_rng(devices=[]):
        pipe = _builders()[model_id]()
    return pipe


def _marker_ok(folder: Path) -> bool:
    try:
        info = json.loads((folder / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return info.get("recipe") == RECIPE_VERSION and (folder / "model_index.json").is_file()


def tiny_model_revision(model_id: str) -> str:
    return f"{model_id}-recipe-{RECIPE_VERSION}"


def ensure_test_model(model_id: str, root: str | os.PathLike[str] | None = None) -> Path:
    """The folder holding the built test model, building it first if needed (safe across processes).

    ``root`` defaults to the configured models folder (``$PROMPTCUT_MODELS`` or the user cache).
    """
    from .._quiet import quiet_progress_bars

    model = get_model(model_id)
    if not model.is_test_model:
        raise ValueError(f"{model_id} is not a test model; test models: {', '.join(TEST_MODEL_IDS)}")
    root_dir = Path(root) if root is not None else models_dir()
    final = root_dir / model_id
    if _marker_ok(final):
        return final
    root_dir.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{model_id}.build-", dir=root_dir))
    try:
        pipe = build_test_pipeline(model_id)
        with quiet_progress_bars():
            pipe.save_pretrained(tmp, safe_serialization=True)
        import diffusers
        import torch
        import transformers

        marker = {
            "id": model_id,
            "recipe": RECIPE_VERSION,
            "revision": tiny_model_revision(model_id),
            "mirrors": model.repo,
            "note": "tiny random weights built offline by generation.testing; makes noise",
            "built_with": {
                "diffusers": diffusers.__version__,
                "transformers": transformers.__version__,
                "torch": torch.__version__,
            },
        }
        (tmp / MARKER).write_text(json.dumps(marker, indent=2) + "\n", encoding="utf-8")  # written last
        _move_into_place(tmp, final)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if not _marker_ok(final):  # pragma: no cover - only if another process left something odd behind
        raise RuntimeError(f"could not build test model {model_id} into {final}")
    return final


def _move_into_place(tmp: Path, final: Path, ready: Callable[[Path], bool] = _marker_ok) -> None:
    """Rename the finished build over ``final``; if another process got there first with a good build
    (``ready``), keep it."""
    for _ in range(3):
        try:
            os.rename(tmp, final)  # atomic; fails if ``final`` exists and is not empty
            return
        except OSError:
            if ready(final):
                return  # a concurrent build won: identical content
            # A stale or broken folder (older recipe, interrupted copy): move it aside, then retry.
            stale = final.with_name(f".{final.name}.stale-{os.getpid()}")
            try:
                os.rename(final, stale)
            except OSError:
                continue
            shutil.rmtree(stale, ignore_errors=True)
    raise RuntimeError(f"could not move the built test model into {final}")
