"""Whether the person has been offered generation setup: never ("new"), "skipped" or "done".

Kept in ``setup.json`` in the user config folder, so the welcome screen offers setup once and Generate >
Models offers it again at any time.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal, get_args

from editor.generate.preferences import user_config_dir
from editor.safe_io import FileRefused, read_regular_file
from generation.leftovers import write_atomically

SetupState = Literal["new", "skipped", "done"]
SETUP_FILE = "setup.json"
STATES: tuple[str, ...] = get_args(SetupState)


def setup_path() -> Path:
    return user_config_dir() / SETUP_FILE


def setup_state() -> SetupState:
    """What was recorded; "new" when nothing was (or the file is unreadable)."""
    try:
        doc = json.loads(read_regular_file(setup_path(), max_bytes=64 * 1024).decode("utf-8"))
    except (OSError, FileRefused, UnicodeDecodeError, ValueError):
        return "new"
    state = doc.get("state") if isinstance(doc, dict) else None
    return state if state in STATES else "new"  # type: ignore[return-value]


def record_setup(state: SetupState) -> None:
    """Record ``state`` (written atomically)."""
    if state not in STATES:
        raise ValueError(f"setup state must be one of {', '.join(STATES)}, got {state!r}")
    path = setup_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(path, (json.dumps({"state": state}) + "\n").encode("utf-8"))
