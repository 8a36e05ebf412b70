"""Where PromptCut keeps things on disk: the user's config, cache, data and state folders, and the models.

One rule for every folder, from platformdirs (app name "promptcut", no vendor folder on Windows):

- Linux (honouring ``XDG_CONFIG_HOME``, ``XDG_CACHE_HOME``, ``XDG_DATA_HOME``, ``XDG_STATE_HOME``): config
  ``~/.config/promptcut``, cache ``~/.cache/promptcut``, data ``~/.local/share/promptcut``, state
  ``~/.local/state/promptcut``.
- macOS: cache ``~/Library/Caches/promptcut``; config, data and state ``~/Library/Application Support/promptcut``.
- Windows: cache ``%LOCALAPPDATA%\\promptcut\\Cache``; config, data and state ``%LOCALAPPDATA%\\promptcut``.

Models live in the data folder, not the cache: they are gigabytes the user chose to download, and a cache
cleaner may wipe a cache. Earlier versions put them in ``<cache>/models``; that folder is still searched
(:func:`model_search_dirs`) but nothing new goes there.
"""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import PlatformDirs
from platformdirs.api import PlatformDirsABC

APP_NAME = "promptcut"
MODELS_ENV = "PROMPTCUT_MODELS"


def app_dirs(platform: PlatformDirsABC | None = None) -> PlatformDirsABC:
    """platformdirs' folders for PromptCut on this platform; ``platform`` (an instance of one of its platform
    classes) answers for another, which is how the tests check the Windows and macOS names."""
    return platform if platform is not None else PlatformDirs(APP_NAME, appauthor=False)


def user_config_dir(platform: PlatformDirsABC | None = None) -> Path:
    """Settings (``generation.json``): ``$XDG_CONFIG_HOME/promptcut`` on Linux."""
    return Path(app_dirs(platform).user_config_dir)


def user_cache_dir(platform: PlatformDirsABC | None = None) -> Path:
    """What can be made again (thumbnails, waveforms, probes, proxies, one-off outputs): ``$XDG_CACHE_HOME/promptcut``
    on Linux."""
    return Path(app_dirs(platform).user_cache_dir)


def user_data_dir(platform: PlatformDirsABC | None = None) -> Path:
    """What the user would miss (downloaded models): ``$XDG_DATA_HOME/promptcut`` on Linux."""
    return Path(app_dirs(platform).user_data_dir)


def user_state_dir(platform: PlatformDirsABC | None = None) -> Path:
    """What a session leaves for the next (recovery copies): ``$XDG_STATE_HOME/promptcut`` on Linux."""
    return Path(app_dirs(platform).user_state_dir)


def hf_cache_dir() -> str | None:
    """The Hugging Face cache as the environment names it now (``HF_HUB_CACHE``, else ``HF_HOME``/hub; None:
    huggingface_hub's default). huggingface_hub reads these once, when it is imported, so a later change would
    otherwise be ignored."""
    if os.environ.get("HF_HUB_CACHE"):
        return os.environ["HF_HUB_CACHE"]
    if os.environ.get("HF_HOME"):
        return os.path.join(os.environ["HF_HOME"], "hub")
    return None


def models_dir(platform: PlatformDirsABC | None = None) -> Path:
    """The configured model folder, where downloads and built test models go: ``$PROMPTCUT_MODELS``, else
    ``<user data>/models``.

    Real models may be placed here as ``<dir>/<model id>/`` (or the repo's name) in diffusers layout.
    """
    configured = os.environ.get(MODELS_ENV)
    return Path(configured).expanduser() if configured else user_data_dir(platform) / "models"


def legacy_models_dir(platform: PlatformDirsABC | None = None) -> Path:
    """Where versions before the data folder kept models: ``<user cache>/models``."""
    return user_cache_dir(platform) / "models"


def model_search_dirs(platform: PlatformDirsABC | None = None) -> list[Path]:
    """The folders a model is looked for in, in order: :func:`models_dir`, then the old ``<user cache>/models``
    when it holds anything (so models downloaded before keep working without a move). A configured
    ``$PROMPTCUT_MODELS`` is the only folder: the user said where models are."""
    first = models_dir(platform)
    if os.environ.get(MODELS_ENV):
        return [first]
    old = legacy_models_dir(platform)
    try:
        has_content = old != first and old.is_dir() and any(old.iterdir())
    except OSError:
        has_content = False
    return [first, old] if has_content else [first]
