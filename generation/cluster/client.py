"""``ClusterClient``: the generator client with its jobs run on Ray actors; ``open_generator`` chooses.

The public API is ``GeneratorClient``'s (submit, cancel, retry, reorder, poll, events, wait, run_until_idle,
close, ...), plus what the queue dock shows: ``placement(job_id)`` (which node and GPU runs or ran a job) and
``cluster_status()`` (the cluster's GPUs, free and in all).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from generation.cluster.config import ClusterConfig


@dataclass(frozen=True)
class ClusterStatus:
    address: str          # as configured
    nodes: int
    gpus_total: float     # of the configured resource
    gpus_free: float
    actors: int           # actors running for this client
    busy: int             # of them, running a job now

    def describe(self) -> str:
        """``Ray · 2 nodes · 3 of 8 GPUs free · 5 workers, 4 busy``."""
        raise NotImplementedError


def open_generator(store_path: str | os.PathLike[str], output_dir: str | os.PathLike[str], *,
                   cluster: ClusterConfig | None = None, **kwargs: Any) -> Any:
    """A ``GeneratorClient`` (``cluster`` None) or a ``ClusterClient`` on the same store and folder; ``kwargs``
    as ``GeneratorClient`` takes them (models_dir, env, max_attempts, ...). Raises ClusterUnavailable (one line)
    when Ray is missing or the cluster cannot be reached."""
    raise NotImplementedError
