"""The worker's device and memory report (see the protocol in ``generation.worker``): what ``ready``, ``done`` and
some ``progress`` events say about the device and the memory in use."""

from __future__ import annotations

import os
import sys
import time
from typing import Any


def _resident_bytes() -> int | None:
    """This process's resident memory: ``/proc/self/statm`` (Linux), else the peak RSS from ``resource``."""
    try:
        with open("/proc/self/statm", encoding="ascii") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError, AttributeError):
        pass
    try:
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    except (ImportError, OSError):  # pragma: no cover - not POSIX
        return None
    return int(peak) if sys.platform == "darwin" else int(peak) * 1024  # bytes on macOS, KiB on Linux


def _system_ram_bytes() -> int | None:
    try:
        pages, page_size = os.sysconf("SC_PHYS_PAGES"), os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, AttributeError):  # pragma: no cover - not POSIX
        return None
    return pages * page_size if pages > 0 and page_size > 0 else None


def memory_report(device: Any) -> dict[str, Any]:
    """The protocol's device and memory fields for a torch device (or its name): see the module docstring."""
    name = str(device)
    if name.startswith("cuda"):
        import torch

        dev = torch.device(name)
        index = dev.index if dev.index is not None else torch.cuda.current_device()
        free, total = torch.cuda.mem_get_info(index)
        return {
            "device_name": f"cuda:{index} {torch.cuda.get_device_name(index)}",
            "memory_used": int(total - free),
            "memory_total": int(total),
            "memory_worker": int(torch.cuda.memory_allocated(index)),
        }
    rss = _resident_bytes()
    return {"device_name": name, "memory_used": rss, "memory_total": _system_ram_bytes(), "memory_worker": rss}


class MemoryReporter:
    """:func:`memory_report` for one device, at most once per ``interval`` seconds unless forced. A report that
    fails (a driver hiccup) is left out, never raised: it must not fail a job."""

    def __init__(self, device: Any, *, interval: float = 1.0, clock: Any = time.monotonic) -> None:
        self.device = device
        self.interval = interval
        self._clock = clock
        self._last: float | None = None

    def fields(self, *, force: bool = False) -> dict[str, Any]:
        if self.device is None:
            return {}
        now = self._clock()
        if not force and self._last is not None and now - self._last < self.interval:
            return {}
        self._last = now
        try:
            return memory_report(self.device)
        except Exception as exc:  # noqa: BLE001 - a report is a nicety
            print(f"promptcut worker: no memory report: {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
            return {}
