"""Long shots: a shot longer than one model window, made in chained windows. (Filled in by the long-shots work.)"""

from __future__ import annotations

from typing import Any

from ..errors import GenerationError
from ..model_types import ModelInfo


def needs_windows(model: ModelInfo, shot: Any) -> bool:
    return False


def generate_chained(backend: Any, model: ModelInfo, request: Any, shot: Any, **hooks: Any) -> Any:
    raise GenerationError(f"{model.label}: shots longer than one window are not made yet", kind="bad_request")
