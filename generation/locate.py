"""Finding a model's weights on this machine, without touching the network.

Order: the configured models folder (``$PROMPTCUT_MODELS``: ``<dir>/<model id>``, ``<dir>/<repo name>`` or
``<dir>/<org>--<repo name>``), then the Hugging Face cache (``HF_HUB_CACHE``). Test models are built into the
models folder on first use. A folder counts only when it is complete: ``model_index.json`` plus every component
it names, with safetensors weights (pickle checkpoints are never loaded).
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from .errors import ModelNotInstalled
from .models import ModelInfo, get_model
from .paths import MODELS_ENV, hf_cache_dir, model_search_dirs, models_dir

# Components that carry weights (the rest are configs: scheduler, tokenizer, image processor).
_WEIGHTED = {"transformer", "transformer_2", "vae", "text_encoder", "text_encoder_2", "image_encoder", "unet"}
_PICKLE_SUFFIXES = (".bin", ".pt", ".pth", ".ckpt")


@dataclass(frozen=True)
class LocalModel:
    model_id: str
    path: Path
    source: Literal["folder", "hf-cache", "built-in"]
    revision: str | None

    def size_bytes(self) -> int:
        return folder_size(self.path)


def folder_size(path: Path) -> int:
    total = 0
    for root, _dirs, files in os.walk(path, followlinks=False):
        for name in files:
            with contextlib.suppress(OSError):  # stat follows HF cache symlinks to their blobs
                total += os.stat(os.path.join(root, name)).st_size
    return total


def check_folder(path: str | os.PathLike[str]) -> list[str]:
    """What keeps ``path`` from loading as a diffusers pipeline; empty when complete."""
    folder = Path(path)
    index_file = folder / "model_index.json"
    try:
        index = json.loads(index_file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return [f"no model_index.json in {folder}"]
    except (OSError, ValueError) as exc:
        return [f"unreadable model_index.json in {folder}: {exc}"]
    problems: list[str] = []
    for name, spec in index.items():
        if name.startswith("_") or not isinstance(spec, list) or len(spec) != 2 or spec[0] is None:
            continue
        sub = folder / name
        if not sub.is_dir():
            problems.append(f"component {name!r} is missing")
            continue
        files = [p for p in sub.iterdir() if p.exists()]  # exists() follows symlinks: drops dangling cache links
        names = {p.name for p in files}
        if name not in _WEIGHTED:
            if not names:
                problems.append(f"component {name!r} is empty")
            continue
        shards_index = [p for p in files if p.name.endswith(".safetensors.index.json")]
        if shards_index:
            try:
                weight_map = json.loads(shards_index[0].read_text(encoding="utf-8")).get("weight_map", {})
            except (OSError, ValueError):
                problems.append(f"component {name!r} has an unreadable shard index")
                continue
            missing = sorted(set(weight_map.values()) - names)
            if missing:
                problems.append(f"component {name!r} lacks {len(missing)} weight shard(s), e.g. {missing[0]}")
        elif not any(n.endswith(".safetensors") for n in names):
            if any(n.endswith(_PICKLE_SUFFIXES) for n in names):
                problems.append(f"component {name!r} has only pickle weights; only safetensors are loaded")
            else:
                problems.append(f"component {name!r} has no weights")
    return problems


def _local_dir_revision(folder: Path) -> str | None:
    """The commit a ``hf download --local-dir`` folder came from, read from its download metadata."""
    meta = folder / ".cache" / "huggingface" / "download" / "model_index.json.metadata"
    try:
        first = meta.read_text(encoding="utf-8").splitlines()[0].strip()
    except (OSError, IndexError):
        return None
    return first or None


def _folder_candidates(model: ModelInfo, root: Path) -> list[Path]:
    org, _, name = model.repo.partition("/")
    names = [model.id, name or org, f"{org}--{name}" if name else org]
    seen: list[Path] = []
    for n in names:
        p = root / n
        if p not in seen:
            seen.append(p)
    return seen


def _hf_cache_snapshot(model: ModelInfo, cache_dir: str | os.PathLike[str] | None) -> Path | None:
    try:
        from huggingface_hub import try_to_load_from_cache
    except ImportError:  # pragma: no cover - huggingface_hub comes with diffusers
        return None
    found = try_to_load_from_cache(model.repo, "model_index.json", cache_dir=cache_dir or hf_cache_dir(),
                                   revision=model.revision)
    if not isinstance(found, str):
        return None
    return Path(found).parent


def find_model(
    model: ModelInfo | str,
    *,
    models_root: str | os.PathLike[str] | None = None,
    hf_cache_dir: str | os.PathLike[str] | None = None,
    build_test_models: bool = True,
) -> LocalModel | None:
    """Where ``model`` is installed, or None. Test models are built on first use unless ``build_test_models``
    is False. Never touches the network."""
    model = get_model(model)
    root = Path(models_root) if models_root is not None else models_dir()
    if model.is_test_model:
        from .testing.tiny import _marker_ok, ensure_test_model, tiny_model_revision

        folder = root / model.id
        if build_test_models:
            folder = ensure_test_model(model.id, root)
        elif not _marker_ok(folder):
            return None
        return LocalModel(model.id, folder, "built-in", tiny_model_revision(model.id))
    # The default folder also searches where earlier versions downloaded models (<user cache>/models).
    roots = [root] if models_root is not None else model_search_dirs()
    for folder in (f for r in roots for f in _folder_candidates(model, r)):
        if folder.is_dir() and not check_folder(folder):
            return LocalModel(model.id, folder, "folder", _local_dir_revision(folder) or model.revision)
    snapshot = _hf_cache_snapshot(model, hf_cache_dir)
    if snapshot is not None and not check_folder(snapshot):
        return LocalModel(model.id, snapshot, "hf-cache", snapshot.name)
    return None


def require_model(
    model: ModelInfo | str,
    *,
    models_root: str | os.PathLike[str] | None = None,
    hf_cache_dir: str | os.PathLike[str] | None = None,
) -> LocalModel:
    """Like :func:`find_model`, but a missing model raises :class:`ModelNotInstalled` saying what was searched."""
    model = get_model(model)
    found = find_model(model, models_root=models_root, hf_cache_dir=hf_cache_dir)
    if found is not None:
        return found
    root = Path(models_root) if models_root is not None else models_dir()
    problems: list[str] = []
    for folder in _folder_candidates(model, root):
        if folder.is_dir():
            problems += [f"{folder}: {p}" for p in check_folder(folder)[:2]]
    snapshot = _hf_cache_snapshot(model, hf_cache_dir)
    if snapshot is not None:
        problems += [f"HF cache: {p}" for p in check_folder(snapshot)[:2]]
    detail = f" ({'; '.join(problems)})" if problems else ""
    raise ModelNotInstalled(
        f"model {model.id} ({model.repo}) is not installed{detail}.",
        hint=f"Run `promptcut models download {model.id}`, or put the diffusers folder at {root / model.id} "
        f"(set {MODELS_ENV} to use another folder).",
    )
