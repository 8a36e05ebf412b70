"""What the generator client tells its callers: events (queued, progress with a live preview, done, ...) and the
device and memory report the worker sends. Plain data; ``generation.client`` makes them."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


def format_bytes(n: int | None) -> str:
    """``12.3 GB`` (decimal units, one decimal); ``?`` for None."""
    if n is None:
        return "?"
    for unit, size in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= size:
            return f"{n / size:.1f} {unit}"
    return f"{n} B"


@dataclass(frozen=True)
class DeviceReport:
    """The worker's device and memory, as it last reported them (see ``generation.worker``'s protocol).

    ``device``: ``"cuda:0 NVIDIA H100 80GB HBM3"`` or ``"cpu"``. On CUDA ``memory_used``/``memory_total`` are
    the whole device's bytes in use / in all; on the CPU they are the worker's resident memory and the system's
    RAM. ``memory_worker``: what the worker itself holds (CUDA tensors; its resident memory on the CPU). Byte
    counts are None where the worker could not tell (or is too old to say). ``time``: when it was received."""

    device: str
    memory_used: int | None = None
    memory_total: int | None = None
    memory_worker: int | None = None
    time: float = field(default_factory=time.time)

    @property
    def is_gpu(self) -> bool:
        return not self.device.lower().startswith("cpu")

    @classmethod
    def from_message(cls, msg: Mapping[str, Any]) -> DeviceReport | None:
        """The report in one worker event line; None when it carries none."""
        name = msg.get("device_name")
        if not isinstance(name, str) or not name:
            name = msg.get("device") if msg.get("event") == "ready" else None
        if not isinstance(name, str) or not name:
            return None

        def count(key: str) -> int | None:
            value = msg.get(key)
            return int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None

        return cls(name, count("memory_used"), count("memory_total"), count("memory_worker"))

    def describe(self) -> str:
        """One line for people: ``cuda:0 NVIDIA H100 · 12.3 / 80.0 GB`` or ``CPU · worker 1.2 GB of 24.0 GB RAM``."""
        if self.is_gpu:
            if self.memory_used is None and self.memory_total is None:
                return self.device
            total = "?" if self.memory_total is None else f"{self.memory_total / 1e9:.1f}"
            used = "?" if self.memory_used is None else f"{self.memory_used / 1e9:.1f}"
            return f"{self.device} · {used} / {total} GB"
        if self.memory_used is None and self.memory_total is None:
            return "CPU"
        return f"CPU · worker {format_bytes(self.memory_used)} of {format_bytes(self.memory_total)} RAM"


@dataclass(frozen=True)
class Event:
    """Something happened. ``kind``: ``queued``, ``started``, ``progress``, ``done``, ``error``, ``cancelled``,
    ``requeued`` (the worker died under the job; it runs again), ``queue_changed`` (jobs were reordered or
    cleared: re-read the list), ``worker_started``, ``worker_ready``, ``worker_exited``. ``fraction`` is 0..1
    over the whole job; ``message`` one line for people; ``output`` the video of a ``done`` job (``cached`` when
    it came from the cache without generating). ``device``/``memory_used``/``memory_total`` are set on the
    ``worker_ready``, ``progress`` and ``done`` events whose worker line carried a memory report (see
    :class:`DeviceReport`; progress events at most once a second), else None. ``preview`` is set on the
    ``progress`` events that bring a new live preview picture: the path of a small JPEG of the shot so far, which
    the worker removes when the job ends (load it when the event arrives). ``node``/``gpu``: where a cluster job
    runs (``generation.cluster``: the node's IP and the GPU ids Ray gave its actor, or ``worker N`` where a
    custom resource stands in for GPUs); None for the local generator."""

    kind: str
    job_id: str | None = None
    fraction: float | None = None
    message: str = ""
    output: str | None = None
    eta_s: float | None = None
    stage: str | None = None
    error_kind: str | None = None
    hint: str = ""
    cached: bool = False
    time: float = field(default_factory=time.time)
    device: str | None = None
    memory_used: int | None = None
    memory_total: int | None = None
    preview: str | None = None
    node: str | None = None
    gpu: str | None = None
