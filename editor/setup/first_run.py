"""Whether the person has been offered generation setup: never ("new"), "skipped" or "done".

Kept in ``setup.json`` in the user config folder, so the welcome screen offers setup once and Generate >
Models offers it again at any time.
"""

from __future__ import annotations

from typing import Literal

SetupState = Literal["new", "skipped", "done"]


def setup_state() -> SetupState:
    """What was recorded; "new" when nothing was (or the file is unreadable)."""
    raise NotImplementedError


def record_setup(state: SetupState) -> None:
    """Record ``state`` (written atomically)."""
    raise NotImplementedError
