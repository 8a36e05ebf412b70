"""Live previews while a shot denoises. (Filled in by the live-previews work.)"""

from __future__ import annotations

from typing import Any


class Previewer:
    tensor_inputs: tuple[str, ...] = ("latents",)

    @classmethod
    def for_pipeline(cls, pipe: Any, model: Any, sink: Any, *, window: int = 1, windows: int = 1) -> Previewer | None:
        return None

    def on_step(self, pipe: Any, step: int, total: int, callback_kwargs: dict[str, Any]) -> None:
        return None
