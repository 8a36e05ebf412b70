"""Reaching the cluster: Ray imported (or the one line saying how to add it), connected or started within a time
limit, and which resource the actors take and how many there are. Ray is imported only when this runs."""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import socket
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from .config import GPU, ClusterConfig, ClusterUnavailable, ray_available, ray_missing_message

LOCAL_RESOURCE = "promptcut_worker"  # a local Ray without GPUs: CPU workers stand in for them
# Room for one more try when the head refuses a client at once (Ray's client takes ~40 s to give up on such a
# head); an address where nothing answers fails within the TCP probe's few seconds anyway.
DEFAULT_CONNECT_TIMEOUT_S = 60.0
LOCAL_START_TIMEOUT_S = 120.0
CLIENT_SERVER_ATTEMPTS = 3  # Ray Client connections the head refused at once before one gives up
KEEPER_THREAD = "ray-keeper"
T = TypeVar("T")


@dataclass(frozen=True)
class Connection:
    started_here: bool  # this process started (or connected) Ray, so closing the client shuts it down
    resource: str  # what each actor takes one unit of
    workers: int  # how many actors to run
    device: str | None  # PROMPTCUT_DEVICE for the actors (None: the node decides)


def import_ray(config: ClusterConfig | None = None) -> Any:
    if not ray_available():
        raise ClusterUnavailable(ray_missing_message())
    if config is not None and not config.is_local and "ray" not in sys.modules:
        # Before the import: Ray reads RAY_AUTH_MODE once, when it is imported, and the processes it starts
        # read it from the environment; once imported, changing it would split the two. A Ray started here
        # needs no token.
        use_auth_token()
    try:
        import ray
    except ImportError as exc:
        raise ClusterUnavailable(f"{ray_missing_message()} ({exc})") from None
    return ray


def connect(config: ClusterConfig, timeout_s: float = DEFAULT_CONNECT_TIMEOUT_S, *,
            stop: Callable[[], bool] | None = None) -> Connection:
    """Connect to (or start) the configured Ray, unless this process already is connected; ClusterUnavailable
    (one line) when Ray is missing, the address does not answer within ``timeout_s``, or the cluster has none of
    the resource the actors need. ``ray.init`` runs on the process's keeper thread (see :func:`on_keeper`), so
    any thread may call this; ``stop`` (polled while waiting) gives up early, as when the client closes."""
    ray = import_ray(config)
    where = config.describe()
    if config.is_local:
        kwargs: dict[str, Any] = {"include_dashboard": False, "resources": {LOCAL_RESOURCE: config.workers or 1}}
        # Starting processes on a loaded machine is slow but not a network wait: the remote timeout is too short.
        wait_s = max(timeout_s, LOCAL_START_TIMEOUT_S)
    else:
        kwargs, wait_s = {"address": config.address}, timeout_s

    def start() -> bool:
        if ray.is_initialized():
            return False  # this process is connected already (tests start their own Ray): use that one
        if not config.is_local and config.address.lower() != "auto":
            _probe_tcp(config.address, timeout_s, config)
        attempt = 1
        while True:
            try:
                _quiet_init(ray, kwargs)
                return True
            except ConnectionAbortedError as exc:
                # A Ray Client head starts a server process for each client, and now and then that process
                # ends at once with nothing in its logs (Ray 2.60): the head says "Initialization failure from
                # server", and another try gets a fresh one.
                if attempt == CLIENT_SERVER_ATTEMPTS or (stop is not None and stop()):
                    raise
                logging.getLogger(__name__).warning("%s refused a client (%s); trying again", where,
                                                    _one_line(exc))
                ray.shutdown()
                attempt += 1

    def undo(started_here: bool) -> None:
        if started_here:
            ray.shutdown()  # it answered after the caller gave up: leave no half-made connection behind

    try:
        started = on_keeper(start, wait_s, stop=stop, undo=undo)
    except GaveUp:
        if stop is not None and stop():
            raise ClusterUnavailable(f"stopped connecting to {where}") from None
        verb = "start" if config.is_local else "reach"
        raise Unreachable(config, f"no answer within {wait_s:g} s", f"cannot {verb}") from None
    except ClusterUnavailable:
        raise
    except Exception as exc:  # noqa: BLE001 - one line for the caller; Ray's own words say what to do
        raise Unreachable(config, _one_line(exc), "cannot start" if config.is_local else "cannot reach",
                          hint=False) from None
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
            shutdown_ray()
        raise
    return Connection(started, resource, config.workers or units, device)


AUTH_HINT = ("a cluster with token authentication (Ray's default) also needs its token here: RAY_AUTH_TOKEN, or "
             "the head node's ~/.ray/auth_token copied to this machine")


def auth_token_file() -> str:
    return os.path.join(os.path.expanduser("~"), ".ray", "auth_token")


def use_auth_token(environ: dict[str, str] | None = None) -> bool:
    """Send the cluster's token when this machine has one. Ray's clusters require a token by default, and a Ray
    Client without ``RAY_AUTH_MODE=token`` sends none: the head drops the call and the connection just times
    out. The user's own RAY_AUTH_MODE wins. Returns whether a token will be sent."""
    environ = os.environ if environ is None else environ
    if "RAY_AUTH_MODE" in environ:
        return environ["RAY_AUTH_MODE"] == "token"
    if not (environ.get("RAY_AUTH_TOKEN") or environ.get("RAY_AUTH_TOKEN_PATH") or os.path.isfile(auth_token_file())):
        return False
    environ["RAY_AUTH_MODE"] = "token"
    return True


class Unreachable(ClusterUnavailable):
    """The cluster did not answer (or a local Ray did not start): the place and the ``reason`` kept apart, so a
    caller that goes on without it can say so in its own words (:meth:`fallback_line`)."""

    def __init__(self, config: ClusterConfig, reason: str, verb: str = "cannot reach", *, hint: bool = True) -> None:
        self.config, self.reason = config, reason
        tail = ("" if config.is_local or not hint
                else f"; check the address and that the cluster runs (ray start --head); {AUTH_HINT}")
        super().__init__(f"{verb} {config.describe()}: {reason}{tail}")

    def fallback_line(self) -> str:
        where = self.config.describe()
        what = "could not start" if self.config.is_local else "not reachable"
        return f"{where[:1].upper()}{where[1:]} {what}: {self.reason}; generating on this computer"


def fallback_line(exc: ClusterUnavailable) -> str:
    """The one line for a client that makes its shots on this computer because the cluster cannot be used."""
    if isinstance(exc, Unreachable):
        return exc.fallback_line()
    return f"Ray cluster not used ({_one_line(exc)}); generating on this computer"


def shutdown_ray(timeout_s: float = 30.0) -> None:
    """``ray.shutdown`` in turn with the keeper's other Ray calls (never beside a ``ray.init`` under way)."""
    import ray

    try:
        on_keeper(ray.shutdown, timeout_s)
    except GaveUp:
        logging.getLogger(__name__).warning("Ray did not shut down within %g s", timeout_s)


# -- the keeper -----------------------------------------------------------------------------------------------
# Ray forks its GCS and raylet with PR_SET_PDEATHSIG, which fires when the forking *thread* ends: a local Ray
# started from a short-lived thread (a GUI's helper, a client's pump that closes) dies with it. So every
# ray.init (and ray.shutdown) runs on one daemon thread that lives as long as the process, one call at a time;
# callers wait for their call with a time limit, and a call they gave up on is undone when it finishes.

class GaveUp(Exception):
    """The caller stopped waiting for its call on the keeper (time limit, or its ``stop``)."""


_keeper_lock = threading.Lock()
_keeper: tuple[int, queue.SimpleQueue[_Call]] | None = None  # (the pid it serves, its calls)


class _Call(Generic[T]):
    def __init__(self, fn: Callable[[], T], undo: Callable[[T], None] | None) -> None:
        self.fn, self.undo = fn, undo
        self.lock = threading.Lock()
        self.done = threading.Event()
        self.abandoned = False
        self.value: T | None = None
        self.error: BaseException | None = None

    def run(self) -> None:
        with self.lock:
            if self.abandoned:
                return  # its caller stopped waiting before its turn came
        value: T | None = None
        error: BaseException | None = None
        try:
            value = self.fn()
        except BaseException as exc:  # noqa: BLE001 - handed to the caller
            error = exc
        with self.lock:
            late = self.abandoned
            if not late:
                self.value, self.error = value, error
                self.done.set()
        if late and error is None and self.undo is not None:
            with contextlib.suppress(Exception):
                self.undo(value)  # type: ignore[arg-type]


def _keeper_main(calls: queue.SimpleQueue[_Call]) -> None:
    while True:
        calls.get().run()


def _keeper_calls() -> queue.SimpleQueue[_Call]:
    global _keeper
    with _keeper_lock:
        # After a fork the child has the parent's variables but not its threads: it needs a keeper of its own.
        if _keeper is None or _keeper[0] != os.getpid():
            calls: queue.SimpleQueue[_Call] = queue.SimpleQueue()
            threading.Thread(target=_keeper_main, args=(calls,), name=KEEPER_THREAD, daemon=True).start()
            _keeper = (os.getpid(), calls)
        return _keeper[1]


def on_keeper(fn: Callable[[], T], timeout_s: float, *, stop: Callable[[], bool] | None = None,
              undo: Callable[[T], None] | None = None) -> T:
    """Run ``fn`` on the keeper thread, after the calls before it; its value, or what it raised. GaveUp
    when it has not finished within ``timeout_s`` or ``stop()`` turned true meanwhile: the call then is skipped
    if it has not started, and ``undo(value)`` runs on the keeper if it still succeeds."""
    call = _Call(fn, undo)
    _keeper_calls().put(call)
    deadline = time.monotonic() + timeout_s
    while not call.done.wait(max(0.0, min(0.1, deadline - time.monotonic()))):
        if time.monotonic() >= deadline or (stop is not None and stop()):
            with call.lock:
                if not call.done.is_set():
                    call.abandoned = True
                    raise GaveUp(f"no answer within {timeout_s:g} s")
            break
    if call.error is not None:
        raise call.error
    return call.value  # type: ignore[return-value]


def _quiet_init(ray: Any, kwargs: dict[str, Any]) -> None:
    quiet = _NotMainThreadFilter()
    ray_log = logging.getLogger("ray")
    for handler in ray_log.handlers:
        handler.addFilter(quiet)
    try:
        ray.init(log_to_driver=False, logging_level=logging.WARNING, **kwargs)
    finally:
        for handler in ray_log.handlers:
            handler.removeFilter(quiet)


class _NotMainThreadFilter(logging.Filter):
    """Ray warns that a helper thread cannot set its SIGTERM handler: true, and nothing for a user to act on."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "not the main thread" not in record.getMessage()


def _probe_tcp(address: str, timeout_s: float, config: ClusterConfig) -> None:
    """A quick TCP connect to ``[ray://]host:port``: an address with nothing listening fails in one line now,
    not after Ray's own retries (half a minute for a Ray Client address)."""
    rest = address.split("://", 1)[1] if "://" in address else address
    host, sep, port_text = rest.rstrip("/").rpartition(":")
    if not sep or not host or not port_text.isdigit():
        raise ClusterUnavailable(f"{address!r} is not a Ray address: give ray://host:10001, host:6379, auto or local")
    try:
        with socket.create_connection((host.strip("[]"), int(port_text)), timeout=min(timeout_s, 5.0)):
            pass
    except OSError as exc:
        raise Unreachable(config, exc.strerror or str(exc) or type(exc).__name__) from None


def _one_line(exc: BaseException, limit: int = 300) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"
