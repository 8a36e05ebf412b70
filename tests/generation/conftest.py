"""Hermetic generation tests: tiny models built once per session into a temp folder, no hub, no user cache."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def models_root(hermetic_env):
    """The session's models folder with the three test models built in it (once)."""
    from generation.models import TEST_MODEL_IDS
    from generation.testing import ensure_test_model

    root = hermetic_env["PROMPTCUT_MODELS"]
    for model_id in TEST_MODEL_IDS:
        ensure_test_model(model_id, root)
    return root


@pytest.fixture(scope="session")
def backend(models_root, hermetic_env):
    """One warm CPU backend for the session (every test model stays loaded)."""
    from generation.backends.diffusers_backend import DiffusersBackend
    from generation.backends.settings import BackendSettings

    settings = BackendSettings(
        device="cpu", max_loaded=3, models_root=models_root, hf_cache_dir=hermetic_env["HF_HUB_CACHE"]
    )
    b = DiffusersBackend(settings)
    yield b
    b.close()


@pytest.fixture
def hf_cache(hermetic_env):
    """The session's (empty) Hugging Face cache. Pass it explicitly: huggingface_hub reads its env at import."""
    return hermetic_env["HF_HUB_CACHE"]
