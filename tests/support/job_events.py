"""Reading a generator client's events and its takes in tests (the local client and the cluster's alike)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import av
import numpy as np


def decode(path: str | Path) -> np.ndarray:
    """Every frame of a take, RGB."""
    with av.open(str(path)) as container:
        return np.stack([f.to_ndarray(format="rgb24") for f in container.decode(video=0)])


def wait_event(client: Any, timeout: float = 180.0, **match) -> tuple[Any, list[Any]]:
    """Read events until one matches ``match`` (field=value); returns it and every event read."""
    seen: list[Any] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for ev in client.events(timeout=0.5):
            seen.append(ev)
            if all(getattr(ev, k) == v for k, v in match.items()):
                return ev, seen
    raise AssertionError(f"no event {match} within {timeout} s; saw {[(e.kind, e.message) for e in seen[-8:]]}")
