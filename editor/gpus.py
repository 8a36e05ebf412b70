"""Which GPUs this machine has, asked of the driver's own tool (``nvidia-smi``) so that no torch is imported.

The About box, ``promptcut doctor`` and the first-run setup read it. A machine without an NVIDIA driver gets an
empty list; what the driver tool printed is parsed leniently, since its format drifts across driver versions.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass

QUERY = ["--query-gpu=name,memory.total,driver_version", "--format=csv,noheader,nounits"]
TIMEOUT_S = 10


@dataclass(frozen=True)
class Gpu:
    name: str
    memory_bytes: int
    driver: str = ""

    @property
    def memory_gb(self) -> float:
        return self.memory_bytes / 1e9

    def describe(self) -> str:
        driver = f", driver {self.driver}" if self.driver else ""
        return f"{self.name}, {self.memory_bytes / 2**30:.0f} GiB{driver}"


def parse_nvidia_smi(text: str) -> list[Gpu]:
    """The GPUs in ``nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader,nounits``
    output (memory in MiB); lines that do not parse are skipped."""
    gpus: list[Gpu] = []
    for line in text.splitlines():
        parts = [p.strip() for p in line.split(",")]
        if len(parts) < 2 or not parts[0]:
            continue
        try:
            mib = float(parts[1])
        except ValueError:
            continue
        gpus.append(Gpu(parts[0], int(mib * 2**20), parts[2] if len(parts) > 2 else ""))
    return gpus


def detect_gpus(run: Callable[..., subprocess.CompletedProcess] = subprocess.run,
                which: Callable[[str], str | None] = shutil.which) -> list[Gpu]:
    """The NVIDIA GPUs the driver reports; [] when there is no driver tool or it fails (never raises)."""
    exe = which("nvidia-smi")
    if exe is None:
        return []
    try:
        done = run([exe, *QUERY], capture_output=True, text=True, timeout=TIMEOUT_S, check=False)
    except (OSError, subprocess.SubprocessError):
        return []
    if done.returncode != 0:
        return []
    return parse_nvidia_smi(done.stdout or "")


def describe_gpus(gpus: Sequence[Gpu]) -> str:
    """One line for the About box and reports."""
    if not gpus:
        return "no NVIDIA GPU found (nvidia-smi is absent or sees none)"
    return "; ".join(g.describe() for g in gpus)
