"""``ClusterClient``: the generator client with its jobs run on Ray actors; ``open_generator`` chooses.

The public API is ``GeneratorClient``'s (submit, cancel, retry, reorder, poll, events, wait, run_until_idle,
close, ...), plus what the queue dock shows: ``placement(job_id)`` (which node and GPU runs or ran a job) and
``cluster_status()`` (the cluster's GPUs, free and in all).
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from generation.client import GeneratorClient
from generation.cluster.config import GPU, ClusterConfig


@dataclass(frozen=True)
class ClusterStatus:
    address: str          # as configured
    nodes: int
    gpus_total: float     # of the configured resource
    gpus_free: float
    actors: int           # actors running for this client
    busy: int             # of them, running a job now
    resource: str = GPU   # what the actors take (a custom resource name stands in for GPUs)

    def describe(self) -> str:
        """``Ray · 2 nodes · 3 of 8 GPUs free · 5 workers, 4 busy``."""
        label = "GPUs" if self.resource == GPU else self.resource
        nodes = f"{self.nodes} node{'s' if self.nodes != 1 else ''}"
        workers = f"{self.actors} worker{'s' if self.actors != 1 else ''}, {self.busy} busy"
        return f"Ray · {nodes} · {self.gpus_free:g} of {self.gpus_total:g} {label} free · {workers}"


class ClusterClient(GeneratorClient):
    """A ``GeneratorClient`` whose pump hands jobs to Ray actors (``generation.cluster.dispatcher``) instead of
    one local worker process. Same store, same cache, same events (plus the node and GPU that ran each job).

    ``cluster``: where and how (:class:`ClusterConfig`); connecting happens here and raises ClusterUnavailable
    in one line (Ray missing, the address not answering within ``connect_timeout_s``). ``env``, ``models_dir``:
    as for the local worker, given to each actor. ``actor_options``: more ``GenerationActor`` arguments
    (``stand_in_s`` for benches). Other arguments as ``GeneratorClient`` takes them."""

    def __init__(
        self,
        store_path: str | os.PathLike[str],
        output_dir: str | os.PathLike[str],
        *,
        cluster: ClusterConfig,
        connect_timeout_s: float | None = None,
        actor_options: Mapping[str, Any] | None = None,
        autostart: bool = True,
        **kwargs: Any,
    ) -> None:
        from .connect import DEFAULT_CONNECT_TIMEOUT_S, connect
        from .dispatcher import Dispatcher

        kwargs.pop("python", None)  # the actors run the nodes' Python
        super().__init__(store_path, output_dir, autostart=False, **kwargs)
        try:
            self.connection = connect(cluster, DEFAULT_CONNECT_TIMEOUT_S if connect_timeout_s is None
                                      else connect_timeout_s)
        except BaseException:
            self.store.close()
            raise
        self.cluster = cluster
        self.dispatcher = Dispatcher(
            self.store,
            self.output_dir,
            resource=self.connection.resource,
            workers=self.connection.workers,
            transfer=cluster.transfer,
            inbox=self._inbox,
            emit=self._emit,
            max_attempts=self.max_attempts,
            log_path=self.log_path,
            restart_delays=self.restart_delays,
            models_dir=self.models_dir,
            actor_env=self._actor_env(),
            actor_kwargs=actor_options,
        )
        if autostart and self.store.next_queued() is not None:
            self._ensure_pump()

    def _actor_env(self) -> dict[str, str]:
        env: dict[str, str] = {}
        if self.connection.device is not None:
            env["PROMPTCUT_DEVICE"] = self.connection.device
        if self.connection.resource != GPU:
            env["OMP_NUM_THREADS"] = "1"  # CPU workers standing in for GPUs share the node's cores
        if self.models_dir is not None:
            env["PROMPTCUT_MODELS"] = self.models_dir
        env.update({k: v for k, v in self._env.items() if v is not None})
        return env

    # -- what the queue dock shows ----------------------------------------------------------------------------
    def placement(self, job_id: str) -> str | None:
        """``node 10.0.0.5 · GPU 0``: where the job runs or ran (this client's jobs; None for others)."""
        return self.dispatcher.placements.get(job_id)

    def cluster_status(self) -> ClusterStatus:
        import ray

        resource = self.connection.resource
        try:
            nodes = sum(1 for n in ray.nodes() if n.get("Alive"))
            total = float(ray.cluster_resources().get(resource, 0.0))
            free = float(ray.available_resources().get(resource, 0.0))
        except Exception:  # noqa: BLE001 - the cluster went away: say so with zeros rather than raise at a GUI
            nodes, total, free = 0, 0.0, 0.0
        return ClusterStatus(self.cluster.address, nodes, total, free, self.dispatcher.actors, self.dispatcher.busy,
                             resource)

    @property
    def actor_pids(self) -> list[int]:
        """The pids of the actors that are up (on their nodes)."""
        return self.dispatcher.actor_pids()

    def start_actors(self, timeout: float | None = None) -> int:
        """Start every actor now rather than with the first job (they load no model yet); with ``timeout``, wait
        that long for them to answer. Returns how many are ready."""
        self._check_open()
        self._ensure_pump()
        self._inbox.put(("cluster_start",))
        deadline = None if timeout is None else time.monotonic() + timeout
        while deadline is not None and time.monotonic() < deadline and not all(self.dispatcher.actor_info()):
            time.sleep(0.05)
        return sum(1 for a in self.dispatcher.actor_info() if a is not None)

    def actor_of(self, job_id: str) -> dict[str, Any] | None:
        """The running actor's own account of itself (``pid``, ``node_ip``, ``gpu_ids``, ...) for ``job_id``."""
        return self.dispatcher.running_on(job_id)

    def close(self, timeout: float = 10.0) -> None:
        super().close(timeout)
        if self.connection.started_here:
            import ray

            ray.shutdown()

    # -- the pump: GeneratorClient's loop, with the dispatcher in place of the worker process ----------------
    def _next_timeout(self) -> float:
        return self.dispatcher.next_timeout(1.0)

    def _handle(self, item: tuple[Any, ...]) -> None:
        if item[0] == "cluster":
            self.dispatcher.handle(item)
        elif item[0] == "cluster_start":
            self.dispatcher.start_all()

    def _tick(self) -> None:
        self.dispatcher.tick()

    def _idle(self) -> bool:
        if self.dispatcher.busy:
            return False
        return self.store.next_queued() is None and self.store.count("running", owner=self.store.owner) == 0

    def _stop_worker(self) -> None:
        self.dispatcher.shutdown()


def open_generator(store_path: str | os.PathLike[str], output_dir: str | os.PathLike[str], *,
                   cluster: ClusterConfig | None = None, **kwargs: Any) -> Any:
    """A ``GeneratorClient`` (``cluster`` None) or a ``ClusterClient`` on the same store and folder; ``kwargs``
    as ``GeneratorClient`` takes them (models_dir, env, max_attempts, ...). Raises ClusterUnavailable (one line)
    when Ray is missing or the cluster cannot be reached."""
    if cluster is None:
        return GeneratorClient(store_path, output_dir, **kwargs)
    return ClusterClient(store_path, output_dir, cluster=cluster, **kwargs)
