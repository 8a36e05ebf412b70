"""bench/cluster_throughput.py: the quick run goes through the real cluster path and prints its figures."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "bench" / "cluster_throughput.py"


def test_quick_run_prints_the_figures_and_the_targets():
    pytest.importorskip("ray")
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    done = subprocess.run([sys.executable, str(BENCH), "--quick"], capture_output=True, text=True, env=env,
                          timeout=600, cwd=ROOT)
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    lines = done.stdout.splitlines()
    assert lines[0].startswith("cluster throughput on this machine")
    assert any(line.startswith("scaling 2 actors / 1: ") and "(target >= 1.8x)" in line for line in lines), lines
    assert any(line.startswith("dispatcher overhead per job with 2 actors: ") and "(target <= 20 ms)" in line
               for line in lines), lines
    assert any(line.startswith("scaling 2 actors / 1: ") and "= 0.9 N)" in line for line in lines), lines
    rows = [line.split() for line in lines if line.split() and line.split()[0] in ("1", "2")]
    assert len(rows) == 4 and all(float(r[3]) > 0 for r in rows), lines
