"""What a command-line test checks about a failed ``promptcut`` run: its exit status, and one line on stderr
with no traceback."""

from __future__ import annotations

import subprocess


def one_line_error(done: subprocess.CompletedProcess[str], code: int, *fragments: str) -> str:
    """The run ended with ``code`` and said exactly one line (containing each of ``fragments``); that line."""
    assert done.returncode == code, done
    assert "Traceback" not in done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, done.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]
