"""Where the generator keeps things on disk."""

from __future__ import annotations

import os
from pathlib import Path

MODELS_ENV = "PROMPTCUT_MODELS"


def user_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/promptcut`` (``~/.cache/promptcut``), for one-off outputs and built test models."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "promptcut"


def models_dir() -> Path:
    """The configured model folder: ``$PROMPTCUT_MODELS``, else ``<user cache>/models``.

    Real models may be placed here as ``<dir>/<model id>/`` (or the repo's name) in diffusers layout; the built-in
    test models are built here on first use.
    """
    configured = os.environ.get(MODELS_ENV)
    return Path(configured).expanduser() if configured else user_cache_dir() / "models"
