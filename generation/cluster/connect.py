"""Reaching the cluster: Ray imported (or the one line saying how to add it), connected or started within a time
limit, and which resource the actors take and how many there are. Ray is imported only when this runs."""

from __future__ import annotations

import logging
import socket
import threading
from dataclasses import dataclass
from typing import Any

from .config import GPU, ClusterConfig, ClusterUnavailable, ray_available, ray_missing_message

LOCAL_RESOURCE = "promptcut_worker"  # a local Ray without GPUs: CPU workers stand in for them
DEFAULT_CONNECT_TIMEOUT_S = 15.0


@dataclass(frozen=True)
class Connection:
    started_here: bool  # this process started (or connected) Ray, so closing the client shuts it down
    resource: str  # what each actor takes one unit of
    workers: int  # how many actors to run
    device: str | None  # PROMPTCUT_DEVICE for the actors (None: the node decides)


def import_ray() -> Any:
    if not ray_available():
        raise ClusterUnavailable(ray_missing_message())
    try:
        import ray
    except ImportError as exc:
        raise ClusterUnavailable(f"{ray_missing_message()} ({exc})") from None
    return ray


def connect(config: ClusterConfig, timeout_s: float = DEFAULT_CONNECT_TIMEOUT_S) -> Connection:
    """Connect to (or start) the configured Ray, unless this process already is connected; ClusterUnavailable
    (one line) when Ray is missing, the address does not answer within ``timeout_s``, or the cluster has none of
    the resource the actors need."""
    ray = import_ray()
    where = config.describe()
    started = False
    if not ray.is_initialized():
        if config.is_local:
            units = config.workers or 1
            # On this thread, not _init's helper: Ray forks its GCS and raylet with PR_SET_PDEATHSIG, which fires
            # when the forking *thread* ends, so a helper thread that returns kills the cluster it just started.
            try:
                ray.init(log_to_driver=False, logging_level=logging.WARNING, include_dashboard=False,
                         resources={LOCAL_RESOURCE: units})
            except Exception as exc:  # noqa: BLE001 - one line for the caller
                raise ClusterUnavailable(f"cannot start {where}: {_one_line(exc)}") from None
        else:
            if config.address.lower() != "auto":
                _probe_tcp(config.address, timeout_s, where)
            _init(ray, {"address": config.address}, timeout_s, where)
        started = True
    try:
        totals = ray.cluster_resources()
        resource, device = config.resource, None
        if resource == GPU:
            device = "cuda"
            if config.is_local and totals.get(GPU, 0) < 1 and totals.get(LOCAL_RESOURCE, 0) >= 1:
                resource, device = LOCAL_RESOURCE, "cpu"
        units = int(totals.get(resource, 0))
        if units < 1:
            label = "GPUs" if resource == GPU else f"units of the resource {resource!r}"
            raise ClusterUnavailable(f"{where} has no {label} for PromptCut's workers; start its nodes with "
                                     f"them (ray start --num-gpus=N, or --resources='{{\"{resource}\": N}}')")
    except BaseException:
        if started:
            ray.shutdown()
        raise
    return Connection(started, resource, config.workers or units, device)


def _init(ray: Any, kwargs: dict[str, Any], timeout_s: float, where: str) -> None:
    """``ray.init`` on a helper thread, so an address that never answers costs ``timeout_s``, not a hang."""
    box: dict[str, Any] = {}
    done = threading.Event()

    def run() -> None:
        quiet = _NotMainThreadFilter()
        ray_log = logging.getLogger("ray")
        for handler in ray_log.handlers:
            handler.addFilter(quiet)
        try:
            ray.init(log_to_driver=False, logging_level=logging.WARNING, **kwargs)
            box["ok"] = True
        except BaseException as exc:  # noqa: BLE001 - reported by the caller in one line
            box["exc"] = exc
        finally:
            for handler in ray_log.handlers:
                handler.removeFilter(quiet)
            done.set()
        if box.get("ok") and box.get("abandoned"):
            ray.shutdown()  # it answered after we gave up: leave no half-made connection behind

    threading.Thread(target=run, name="ray-connect", daemon=True).start()
    if not done.wait(timeout_s):
        box["abandoned"] = True
        raise ClusterUnavailable(f"cannot reach {where}: no answer within {timeout_s:g} s; check the address and "
                                 "that the cluster runs (ray start --head)")
    if "exc" in box:
        raise ClusterUnavailable(f"cannot reach {where}: {_one_line(box['exc'])}")


class _NotMainThreadFilter(logging.Filter):
    """Ray warns that a helper thread cannot set its SIGTERM handler: true, and nothing for a user to act on."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "not the main thread" not in record.getMessage()


def _probe_tcp(address: str, timeout_s: float, where: str) -> None:
    """A quick TCP connect to ``[ray://]host:port``: an address with nothing listening fails in one line now,
    not after Ray's own retries."""
    rest = address.split("://", 1)[1] if "://" in address else address
    host, sep, port_text = rest.rstrip("/").rpartition(":")
    if not sep or not host or not port_text.isdigit():
        raise ClusterUnavailable(f"{address!r} is not a Ray address: give ray://host:10001, host:6379, auto or local")
    try:
        with socket.create_connection((host.strip("[]"), int(port_text)), timeout=min(timeout_s, 5.0)):
            pass
    except OSError as exc:
        reason = exc.strerror or str(exc) or type(exc).__name__
        raise ClusterUnavailable(f"cannot reach {where}: {reason}; check the address and that the cluster runs "
                                 "(ray start --head)") from None


def _one_line(exc: BaseException, limit: int = 300) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"
