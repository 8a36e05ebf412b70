"""Where the cluster is, and the one-line reasons it cannot be used. Plain Python (no Ray import)."""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass

from generation.child_python import install_command

RAY_ADDRESS_ENV = "PROMPTCUT_RAY_ADDRESS"
LOCAL = "local"
GPU = "GPU"
TRANSFERS = ("auto", "bytes", "shared")


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

    def __post_init__(self) -> None:
        address = (self.address or "").strip()
        if not address:
            raise ValueError("a Ray cluster address is needed (ray://host:10001, auto or local)")
        object.__setattr__(self, "address", address)
        if self.workers is not None and (isinstance(self.workers, bool) or not isinstance(self.workers, int)
                                         or self.workers < 1):
            raise ValueError(f"workers must be a positive whole number, got {self.workers!r}")
        if not self.resource:
            raise ValueError("resource must name a Ray resource (GPU, or a custom one)")
        if self.transfer not in TRANSFERS:
            raise ValueError(f"transfer must be one of {', '.join(TRANSFERS)}, got {self.transfer!r}")

    @property
    def is_local(self) -> bool:
        return self.address.lower() == LOCAL

    def describe(self) -> str:
        """One line for people: ``Ray cluster at ray://gpu-box:10001`` / ``a local Ray with 2 workers``."""
        if self.is_local:
            if self.workers is None:
                return "a local Ray with one worker per GPU"
            return f"a local Ray with {self.workers} worker{'s' if self.workers != 1 else ''}"
        if self.address.lower() == "auto":
            return "the Ray cluster this computer is a node of"
        return f"Ray cluster at {self.address}"


def cluster_from_env(environ: Mapping[str, str] = os.environ) -> ClusterConfig | None:
    """``$PROMPTCUT_RAY_ADDRESS`` as a config (None when unset or empty)."""
    address = (environ.get(RAY_ADDRESS_ENV) or "").strip()
    return ClusterConfig(address=address) if address else None


def ray_install_command() -> str:
    """The one command that adds Ray to this install (into the bundle's gen-packages folder in the bundle)."""
    return install_command("cluster")


def ray_missing_message(what: str = "generating on a Ray cluster") -> str:
    """How to add Ray (the ``promptcut[cluster]`` extra; in the desktop bundle, its gen-packages folder)."""
    return f"{what} needs Ray, not installed here: {ray_install_command()}"


def ray_available() -> bool:
    """Whether ``ray`` can be imported here (without importing it)."""
    if "ray" in sys.modules:
        return sys.modules["ray"] is not None  # a None entry blocks the import (tests simulate a missing Ray so)
    try:
        return importlib.util.find_spec("ray") is not None
    except (ImportError, ValueError):
        return False
