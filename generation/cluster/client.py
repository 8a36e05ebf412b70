"""``ClusterClient``: the generator client with its jobs run on Ray actors; ``open_generator`` chooses.

The public API is ``GeneratorClient``'s (submit, cancel, retry, reorder, poll, events, wait, run_until_idle,
close, ...), plus what the queue dock shows: ``placement(job_id)`` (which node and GPU runs or ran a job) and
``cluster_status()`` (the cluster's GPUs, free and in all).
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from generation.client import GeneratorClient
from generation.cluster.config import GPU, ClusterConfig, ClusterUnavailable, ray_available, ray_missing_message
from generation.events import Event

if TYPE_CHECKING:
    from .connect import Connection
    from .dispatcher import Dispatcher

FALLBACK_KIND = "cluster_unavailable"  # the error_kind of the event that says the jobs run on this computer


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
        """``Ray · 2 nodes · 5 workers: 4 busy, 1 idle · 3 of 8 GPUs unclaimed``. An idle worker still holds its
        GPU (and its warm model), so "unclaimed" counts the GPUs neither it nor anyone else holds: room for more."""
        label = "GPUs" if self.resource == GPU else self.resource
        nodes = f"{self.nodes} node{'s' if self.nodes != 1 else ''}"
        workers = (f"{self.actors} worker{'s' if self.actors != 1 else ''}: {self.busy} busy, "
                   f"{self.actors - self.busy} idle")
        return f"Ray · {nodes} · {workers} · {self.gpus_free:g} of {self.gpus_total:g} {label} unclaimed"


class ClusterClient(GeneratorClient):
    """A ``GeneratorClient`` whose pump hands jobs to Ray actors (``generation.cluster.dispatcher``) instead of
    one local worker process. Same store, same cache, same events (plus the node and GPU that ran each job).

    ``cluster``: where and how (:class:`ClusterConfig`). Connecting waits up to ``connect_timeout_s`` for the
    address to answer (a local Ray may take longer to start). By default it happens here and raises
    ClusterUnavailable in one line (Ray missing, the address not answering). With ``fallback_local`` the
    constructor returns at once (only a Ray that is not installed is raised here) and the pump connects; jobs
    submitted meanwhile wait in the store. If the cluster cannot be used, the client emits one ``error`` event
    (no job, ``error_kind`` ``cluster_unavailable``) whose message is the one-line reason, calls
    ``on_fallback`` with it (on the pump thread), and runs its jobs on this computer as a ``GeneratorClient``
    does. ``env``, ``models_dir``: as for the local worker, given to each actor. ``actor_options``: more
    ``GenerationActor`` arguments (``stand_in_s`` for benches). Other arguments as ``GeneratorClient`` takes
    them."""

    def __init__(
        self,
        store_path: str | os.PathLike[str],
        output_dir: str | os.PathLike[str],
        *,
        cluster: ClusterConfig,
        connect_timeout_s: float | None = None,
        actor_options: Mapping[str, Any] | None = None,
        autostart: bool = True,
        fallback_local: bool = False,
        on_fallback: Callable[[str], object] | None = None,
        **kwargs: Any,
    ) -> None:
        from .connect import DEFAULT_CONNECT_TIMEOUT_S, connect

        if fallback_local and not ray_available():
            raise ClusterUnavailable(ray_missing_message())  # cheap to know now, and no reason to wait for
        super().__init__(store_path, output_dir, autostart=False, **kwargs)
        self.cluster = cluster
        self.connect_timeout_s = DEFAULT_CONNECT_TIMEOUT_S if connect_timeout_s is None else connect_timeout_s
        self.connection: Connection | None = None
        self.dispatcher: Dispatcher | None = None
        self.fallback_reason: str | None = None  # the one line, once the jobs run on this computer instead
        self._actor_options = actor_options
        self._on_fallback = on_fallback
        if fallback_local:
            self._inbox.put(("cluster_connect",))  # the pump's first item: nothing runs before it is settled
            self._ensure_pump()
            return
        try:
            self._connected(connect(cluster, self.connect_timeout_s))
        except BaseException:
            self.store.close()
            raise
        if autostart and self.store.next_queued() is not None:
            self._ensure_pump()

    def _connected(self, connection: Connection) -> None:
        from .dispatcher import Dispatcher

        self.connection = connection
        self.dispatcher = Dispatcher(
            self.store,
            self.output_dir,
            resource=connection.resource,
            workers=connection.workers,
            transfer=self.cluster.transfer,
            inbox=self._inbox,
            emit=self._emit,
            max_attempts=self.max_attempts,
            log_path=self.log_path,
            restart_delays=self.restart_delays,
            models_dir=self.models_dir if self.cluster.is_local else None,  # a node's own, elsewhere
            actor_env=self._actor_env(connection),
            actor_kwargs=self._actor_options,
        )

    def _connect_now(self) -> None:
        """On the pump: connect, or fall back to the local worker saying why in one line."""
        from .connect import connect, fallback_line, shutdown_ray

        try:
            connection = connect(self.cluster, self.connect_timeout_s, stop=lambda: self._closing)
        except ClusterUnavailable as exc:
            if not self._closing:
                self._fall_back(fallback_line(exc))
            return
        except Exception as exc:  # noqa: BLE001 - whatever went wrong, the jobs still get made here
            self._fall_back(f"Ray cluster not used ({type(exc).__name__}: {exc}); generating on this computer")
            return
        if self._closing:
            if connection.started_here:
                shutdown_ray()
            return
        self._connected(connection)

    def _fall_back(self, line: str) -> None:
        self.fallback_reason = " ".join(line.split())
        self._emit(Event("error", None, message=self.fallback_reason, error_kind=FALLBACK_KIND))
        if self._on_fallback is not None:
            try:
                self._on_fallback(self.fallback_reason)
            except Exception:  # noqa: BLE001 - a listener's trouble must not stop the jobs
                logging.getLogger(__name__).exception("the cluster fallback listener failed")

    def _actor_env(self, connection: Connection) -> dict[str, str]:
        return actor_env(self.cluster, connection, self._env, self.models_dir)

    @property
    def connecting(self) -> bool:
        """Still settling whether the jobs run on the cluster or here (``fallback_local``)."""
        return self.dispatcher is None and self.fallback_reason is None

    # -- what the queue dock shows ----------------------------------------------------------------------------
    def placement(self, job_id: str) -> str | None:
        """``node 10.0.0.5 · GPU 0``: where the job runs or ran (this client's jobs; None for others)."""
        return None if self.dispatcher is None else self.dispatcher.placements.get(job_id)

    def cluster_status(self) -> ClusterStatus | None:
        """The cluster's nodes and GPUs; None while connecting. ClusterUnavailable (the fallback's line) once
        the jobs run on this computer instead."""
        if self.fallback_reason is not None:
            raise ClusterUnavailable(self.fallback_reason)
        dispatcher, connection = self.dispatcher, self.connection
        if dispatcher is None or connection is None:
            return None
        import ray

        resource = connection.resource
        try:
            nodes = sum(1 for n in ray.nodes() if n.get("Alive"))
            total = float(ray.cluster_resources().get(resource, 0.0))
            free = float(ray.available_resources().get(resource, 0.0))
        except Exception:  # noqa: BLE001 - the cluster went away: say so with zeros rather than raise at a GUI
            nodes, total, free = 0, 0.0, 0.0
        return ClusterStatus(self.cluster.address, nodes, total, free, dispatcher.actors, dispatcher.busy, resource)

    @property
    def actor_pids(self) -> list[int]:
        """The pids of the actors that are up (on their nodes)."""
        return [] if self.dispatcher is None else self.dispatcher.actor_pids()

    def start_actors(self, timeout: float | None = None) -> int:
        """Start every actor now rather than with the first job (they load no model yet); with ``timeout``, wait
        that long for them to answer (and, with ``fallback_local``, for the connection). Returns how many are
        ready."""
        self._check_open()
        self._ensure_pump()
        self._inbox.put(("cluster_start",))
        deadline = None if timeout is None else time.monotonic() + timeout

        def ready() -> list[dict[str, Any] | None]:
            return [None] if self.dispatcher is None else self.dispatcher.actor_info()

        while (deadline is not None and time.monotonic() < deadline and self.fallback_reason is None
               and not all(ready())):
            time.sleep(0.05)
        return sum(1 for a in ready() if a is not None)

    def actor_of(self, job_id: str) -> dict[str, Any] | None:
        """The running actor's own account of itself (``pid``, ``node_ip``, ``gpu_ids``, ...) for ``job_id``."""
        return None if self.dispatcher is None else self.dispatcher.running_on(job_id)

    def close(self, timeout: float = 10.0) -> None:
        super().close(timeout)
        if self.connection is not None and self.connection.started_here:
            from .connect import shutdown_ray

            shutdown_ray()

    # -- the pump: GeneratorClient's loop, with the dispatcher in place of the worker process (the local worker
    # once fallen back) ---------------------------------------------------------------------------------------
    def _next_timeout(self) -> float:
        if self.dispatcher is None:
            return super()._next_timeout()
        return self.dispatcher.next_timeout(1.0)

    def _handle(self, item: tuple[Any, ...]) -> None:
        if item[0] == "cluster_connect":
            self._connect_now()
        elif self.dispatcher is None:
            if self.fallback_reason is not None:
                super()._handle(item)
        elif item[0] == "cluster":
            self.dispatcher.handle(item)
        elif item[0] == "cluster_start":
            self.dispatcher.start_all()

    def _tick(self) -> None:
        if self.dispatcher is not None:
            self.dispatcher.tick()
        elif self.fallback_reason is not None:
            super()._tick()

    def _idle(self) -> bool:
        if self.dispatcher is None:
            return super()._idle()
        if self.dispatcher.busy:
            return False
        return self.store.next_queued() is None and self.store.count("running", owner=self.store.owner) == 0

    def _stop_worker(self) -> None:
        if self.dispatcher is not None:
            self.dispatcher.shutdown()
        else:
            super()._stop_worker()


def actor_env(cluster: ClusterConfig, connection: Connection, env: Mapping[str, str | None],
              models_dir: str | None) -> dict[str, str]:
    """The actors' environment variables. This computer's models folder, device and memory levers (``env``, as
    ``worker_env`` makes them for the local worker) apply only to a Ray started here: a remote cluster's nodes
    have their own folders and GPUs and decide for themselves. The connection's device wins in any case."""
    from generation.backends.settings import ENV as BACKEND_ENV
    from generation.paths import MODELS_ENV

    node_decides = set() if cluster.is_local else {MODELS_ENV, *BACKEND_ENV.values()}
    out: dict[str, str] = {}
    if connection.resource != GPU:
        out["OMP_NUM_THREADS"] = "1"  # CPU workers standing in for GPUs share the node's cores
    if models_dir is not None and cluster.is_local:
        out[MODELS_ENV] = models_dir
    out.update({k: v for k, v in env.items() if v is not None and k not in node_decides})
    if connection.device is not None:
        out[BACKEND_ENV["device"]] = connection.device
    return out


def open_generator(store_path: str | os.PathLike[str], output_dir: str | os.PathLike[str], *,
                   cluster: ClusterConfig | None = None, fallback_local: bool = False, **kwargs: Any) -> Any:
    """A ``GeneratorClient`` (``cluster`` None) or a ``ClusterClient`` on the same store and folder; ``kwargs``
    as ``GeneratorClient`` takes them (models_dir, env, max_attempts, ...). Raises ClusterUnavailable (one line)
    when Ray is missing or, unless ``fallback_local`` (connect in the background, else make the shots here:
    see :class:`ClusterClient`), the cluster cannot be reached."""
    if cluster is None:
        return GeneratorClient(store_path, output_dir, **kwargs)
    return ClusterClient(store_path, output_dir, cluster=cluster, fallback_local=fallback_local, **kwargs)
