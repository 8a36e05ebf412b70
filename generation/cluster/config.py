"""Where the cluster is, and the one-line reasons it cannot be used. Plain Python (no Ray import)."""

from __future__ import annotations

import os
from dataclasses import dataclass

RAY_ADDRESS_ENV = "PROMPTCUT_RAY_ADDRESS"
LOCAL = "local"
GPU = "GPU"


class ClusterUnavailable(RuntimeError):
    """Ray is not installed, or the cluster cannot be reached: one line saying what to do."""


@dataclass(frozen=True)
class ClusterConfig:
    """``address``: ``ray://host:10001`` (Ray Client), ``auto`` (the cluster this machine is a node of) or
    ``local`` (start a Ray on this machine). ``workers``: how many actors to run (None: one per GPU the
    cluster has; for ``local`` without GPUs, 1). ``resource``: the resource each actor takes one of, ``GPU``
    (Ray's ``num_gpus=1``) or a custom resource name (tests: CPU-only workers standing in for GPUs).
    ``transfer``: how takes come home: ``auto`` (a shared path when the actor can see the project's folder,
    else bytes over the object store), ``bytes`` or ``shared``."""

    address: str = LOCAL
    workers: int | None = None
    resource: str = GPU
    transfer: str = "auto"

    def describe(self) -> str:
        """One line for people: ``Ray cluster at ray://gpu-box:10001`` / ``a local Ray with 2 workers``."""
        raise NotImplementedError


def cluster_from_env(environ=os.environ) -> ClusterConfig | None:
    """``$PROMPTCUT_RAY_ADDRESS`` as a config (None when unset or empty)."""
    raise NotImplementedError


def ray_missing_message() -> str:
    """How to add Ray (the ``promptcut[cluster]`` extra; in the desktop bundle, its gen-packages folder)."""
    raise NotImplementedError


def ray_available() -> bool:
    """Whether ``ray`` can be imported here (without importing it)."""
    raise NotImplementedError
