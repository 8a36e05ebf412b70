"""How long a 5 s shot takes, per GPU, model and profile: measured on first use and remembered.

The worker records every finished shot (``record``); the models dialog and ``promptcut models list`` ask
``expected``. A measured figure is scaled to a 5 s shot at the model's native frame count from the shot's own
seconds per step and the profile's step count, so a 2 s test shot still tells the time of a 5 s one. Without a
measurement on this device the answer is the published figure where the registry has one, marked as such.

The file is a small JSON document (``<user cache>/shot_times.json``) written atomically; a damaged file is
treated as empty and replaced on the next record, never an error.
"""

from __future__ import annotations

import json
import math
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .leftovers import write_atomically
from .paths import user_cache_dir

FILE_NAME = "shot_times.json"
TIMINGS_ENV = "PROMPTCUT_SHOT_TIMES"  # a different file (tests)
REFERENCE_SECONDS = 5
_lock = threading.Lock()


@dataclass(frozen=True)
class Estimate:
    """``seconds`` for a 5 s shot; ``measured`` True when it was timed on this device, else ``source`` says
    where the figure comes from."""

    seconds: float
    measured: bool
    source: str

    def text(self) -> str:
        s = self.seconds
        clock = f"{s:.0f} s" if s < 120 else f"{s / 60:.1f} min"
        return clock if self.measured else f"~{clock} ({self.source})"


def timings_path() -> Path:
    override = os.environ.get(TIMINGS_ENV)
    return Path(override) if override else user_cache_dir() / FILE_NAME


def _key(device: str, model_id: str, profile: str) -> str:
    return f"{device}|{model_id}|{profile}"


def _read(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def record(
    device: str, model_id: str, profile: str, *, seconds_per_step: float, steps_per_5s: int, fixed_s: float
) -> float:
    """Remember a shot: ``seconds_per_step`` measured, ``steps_per_5s`` the denoising steps a 5 s shot needs
    (windows x steps), ``fixed_s`` the rest (encode, decode, write) scaled to 5 s. Returns the 5 s estimate."""
    if not (math.isfinite(seconds_per_step) and math.isfinite(fixed_s)) or seconds_per_step < 0 or fixed_s < 0:
        raise ValueError("timings must be finite and non-negative")
    total = seconds_per_step * steps_per_5s + fixed_s
    path = timings_path()
    with _lock:
        data = _read(path)
        data[_key(device, model_id, profile)] = {"seconds": round(total, 3), "s_per_step": seconds_per_step}
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, json.dumps(data, indent=1, sort_keys=True).encode("utf-8"))
    return total


def measured(device: str, model_id: str, profile: str) -> float | None:
    entry = _read(timings_path()).get(_key(device, model_id, profile))
    if isinstance(entry, dict) and isinstance(entry.get("seconds"), (int, float)) and entry["seconds"] >= 0:
        return float(entry["seconds"])
    return None


def expected(device: str, model_id: str, profile: str, published: float | None = None) -> Estimate | None:
    """The time of a 5 s shot on ``device``: measured if known, else ``published`` (labelled), else None."""
    seconds = measured(device, model_id, profile)
    if seconds is not None:
        return Estimate(seconds, True, "measured here")
    if published is not None:
        return Estimate(published, False, "published")
    return None
