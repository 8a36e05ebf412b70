"""One local Ray for the cluster tests: CPU workers with a custom resource standing in for three GPUs (two for
the module's shared client, one for a test with a client of its own)."""

from __future__ import annotations

import pytest

STAND_IN = "promptcut_gpu"


@pytest.fixture(scope="session")
def ray_cluster(hermetic_env, models_root):
    """Started after the hermetic environment is in place: Ray's workers inherit it (models, caches, cpu)."""
    ray = pytest.importorskip("ray")
    if ray.is_initialized():
        ray.shutdown()
    ray.init(num_cpus=2, resources={STAND_IN: 3}, include_dashboard=False, log_to_driver=False)
    yield ray
    ray.shutdown()
