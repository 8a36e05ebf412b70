"""Running ``promptcut`` in a subprocess as a user would, and what a command-line test checks about a failed
run: its exit status, and one line on stderr with no traceback."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence

CLI = ("-m", "editor.cli")


def run_cli(env: dict[str, str], *args: str, timeout: float = 300, start: Sequence[str] = CLI,
            **extra: str) -> subprocess.CompletedProcess[str]:
    """``python <start> <args>`` with ``env`` and the ``extra`` variables; ``start``: how the CLI is entered."""
    return subprocess.run([sys.executable, *start, *args], capture_output=True, text=True, env={**env, **extra},
                          timeout=timeout)


def one_line_error(done: subprocess.CompletedProcess[str], code: int | None, *fragments: str) -> str:
    """The run ended with ``code`` (None: any failure) and said exactly one line (containing each of
    ``fragments``); that line."""
    assert done.returncode != 0 if code is None else done.returncode == code, done
    assert "Traceback" not in done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, done.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]
