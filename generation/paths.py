"""Where the generator keeps things on disk."""

from __future__ import annotations

import os
from pathlib import Path

MODELS_ENV = "PROMPTCUT_MODELS"


def user_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/promptcut`` (``~/.cache/promptcut``), for one-off outputs and built test models."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "promptcut"


def hf_cache_dir() -> str | None:
    """The Hugging Face cache as the environment names it now (``HF_HUB_CACHE``, else ``HF_HOME``/hub; None:
    huggingface_hub's default). huggingface_hub reads these once, when it is imported, so a later change would
    otherwise be ignored."""
    if os.environ.get("HF_HUB_CACHE"):
        return os.environ["HF_HUB_CACHE"]
    if os.environ.get("HF_HOME"):
        return os.path.join(os.environ["HF_HOME"], "hub")
    return None


def models_dir() -> Path:
    """The configured model folder: ``$PROMPTCUT_MODELS``, else ``<user cache>/models``.

    Real models may be placed here as ``<dir>/<model id>/`` (or the repo's name) in diffusers layout; the built-in
    test models are built here on first use.
    """
    configured = os.environ.get(MODELS_ENV)
    return Path(configured).expanduser() if configured else user_cache_dir() / "models"
