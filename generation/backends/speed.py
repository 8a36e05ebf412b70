"""Speed levers applied to a loaded pipeline before a call: the profile's LoRA and caching hook, and on CUDA the
compile, attention-backend and weight-storage choices. (Filled in by the profiles work.)"""

from __future__ import annotations

from typing import Any


def prepare_pipeline(loaded: Any, pipe: Any, model: Any, request: Any, shot: Any) -> list[str]:
    """Make ``pipe`` run ``request.profile``'s recipe; returns notes for the creator."""
    return []
