"""Finding a sound model's files on this machine, without touching the network: the models folder
(``<dir>/<model id>`` or ``<dir>/<repo name>``), then the Hugging Face cache. The built-in voice needs no
files; test models are built into the models folder on first use (``generation.audio.testing``)."""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import ModelNotInstalled
from ..locate import LocalModel
from ..paths import MODELS_ENV, hf_cache_dir, model_search_dirs, models_dir
from .models import AudioModelInfo, get_audio_model


def _candidates(info: AudioModelInfo, root: Path) -> list[Path]:
    names = [info.id]
    if info.repo:
        org, _, name = info.repo.partition("/")
        names += [name or org, f"{org}--{name}"]
    return [root / n for n in dict.fromkeys(names)]


def _hf_cache_snapshot(info: AudioModelInfo, cache_dir: str | os.PathLike[str] | None) -> Path | None:
    if not info.repo:
        return None
    try:
        from huggingface_hub import try_to_load_from_cache
    except ImportError:  # pragma: no cover - comes with transformers
        return None
    found = try_to_load_from_cache(info.repo, info.marker, cache_dir=cache_dir or hf_cache_dir(),
                                   revision=info.revision)
    return Path(found).parent if isinstance(found, str) else None


def find_audio_model(
    model: AudioModelInfo | str,
    *,
    models_root: str | os.PathLike[str] | None = None,
    hf_cache_dir: str | os.PathLike[str] | None = None,
    build_test_models: bool = True,
) -> LocalModel | None:
    """Where ``model`` is, or None. The built-in voice is "installed" with no folder (its path is ``.``)."""
    info = get_audio_model(model)
    if info.builtin:
        return LocalModel(info.id, Path("."), "built-in", None)
    root = Path(models_root) if models_root is not None else models_dir()
    if info.is_test_model:
        from .testing import ensure_tiny_audio_model, tiny_audio_ready

        folder = root / info.id
        if build_test_models:
            folder = ensure_tiny_audio_model(info.id, root)
        elif not tiny_audio_ready(folder):
            return None
        return LocalModel(info.id, folder, "built-in", audio_model_revision(info.id))
    roots = [root] if models_root is not None else model_search_dirs()
    for folder in (f for r in roots for f in _candidates(info, r)):
        if (folder / info.marker).is_file():
            return LocalModel(info.id, folder, "folder", info.revision)
    snapshot = _hf_cache_snapshot(info, hf_cache_dir)
    if snapshot is not None:
        return LocalModel(info.id, snapshot, "hf-cache", snapshot.name)
    return None


def require_audio_model(
    model: AudioModelInfo | str,
    *,
    models_root: str | os.PathLike[str] | None = None,
    hf_cache_dir: str | os.PathLike[str] | None = None,
) -> LocalModel:
    info = get_audio_model(model)
    found = find_audio_model(info, models_root=models_root, hf_cache_dir=hf_cache_dir)
    if found is not None:
        return found
    root = Path(models_root) if models_root is not None else models_dir()
    raise ModelNotInstalled(
        f"{info.name} ({info.repo}) is not installed.",
        hint=f"Run `promptcut models download {info.id}`, or put its files at {root / info.id} "
        f"(set {MODELS_ENV} to use another folder).",
    )


def audio_model_revision(model_id: str) -> str | None:
    """What goes into an audio job's hash for its model: a test model's recipe, else the pinned revision."""
    info = get_audio_model(model_id)
    if info.is_test_model:
        from .testing import tiny_audio_revision

        return tiny_audio_revision(info.id)
    if info.builtin:
        try:
            from importlib.metadata import version

            return f"espeakng-loader-{version('espeakng-loader')}"
        except Exception:  # noqa: BLE001 - not installed: the job fails later with a clear message
            return None
    if info.revision is None:   # unpinned: the snapshot found here (a folder says nothing more)
        found = find_audio_model(info, build_test_models=False)
        return None if found is None else found.revision
    return info.revision


def spacy_english_installed() -> bool:
    """Whether misaki's English G2P can run here (it needs spaCy's ``en_core_web_sm``)."""
    import importlib.util

    return importlib.util.find_spec("en_core_web_sm") is not None


# Bumped when an engine's own processing changes what a job makes (pitch mapping, trimming, chunking, text to
# phonemes), so takes cached by an older engine are not served for the same spec.
ENGINE_VERSIONS = {"espeak-ng": 1, "kokoro": 1, "diffusers": 1, "transformers": 1}


def engine_document(info: AudioModelInfo) -> dict[str, object]:
    """What besides the model's weights decides a job's output: the engine's version and, for Kokoro, how text
    becomes phonemes (misaki's English G2P when spaCy's English model is installed, else espeak-ng's)."""
    doc: dict[str, object] = {"engine": info.library, "engine_version": ENGINE_VERSIONS.get(info.library, 0)}
    if info.library == "kokoro":
        doc["g2p"] = "misaki-en" if spacy_english_installed() else "espeak"
    return doc
