"""One local Ray for the cluster tests: CPU workers with a custom resource standing in for three GPUs (two for
the module's shared client, one for a test with a client of its own)."""

from __future__ import annotations

import pytest

STAND_IN = "promptcut_gpu"
OBJECT_STORE_BYTES = 256 * 2**20


@pytest.fixture(scope="session")
def ray_cluster(hermetic_env, models_root):
    """Started after the hermetic environment is in place: Ray's workers inherit it (models, caches, cpu)."""
    ray = pytest.importorskip("ray")
    if ray.is_initialized():
        ray.shutdown()
    # A small object store: Ray's default takes 30% of RAM in /dev/shm, which a CI machine running other Rays
    # (or a developer's own) may not have to spare; the takes that travel here are a few hundred kB.
    ray.init(num_cpus=2, resources={STAND_IN: 3}, include_dashboard=False, log_to_driver=False,
             object_store_memory=OBJECT_STORE_BYTES)
    yield ray
    ray.shutdown()
