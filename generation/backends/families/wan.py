"""Wan 2.1 / 2.2 (``WanPipeline``, ``WanImageToVideoPipeline``): the shared convention. Wan 2.2 A14B carries
two experts (``transformer_2``, ``boundary_ratio``); the pipeline switches between them by itself, each with its
own guidance (``guidance_scale`` for the high-noise expert, ``guidance_scale_2`` for the low-noise one)."""

from __future__ import annotations

from typing import Any

from ...model_types import ModelInfo
from ...request import GenerationRequest
from .base import Family


class WanFamily(Family):
    name = "wan"

    def call_kwargs(
        self, pipe: Any, model: ModelInfo, request: GenerationRequest, shot: Any
    ) -> tuple[dict[str, Any], list[str]]:
        kwargs, notes = super().call_kwargs(pipe, model, request, shot)
        second = second_guidance(pipe, model, shot.guidance)
        if second is None:
            kwargs.pop("guidance_scale_2", None)  # a one-expert pipeline refuses it
        elif "guidance_scale_2" in kwargs or model.call_kwargs.get("guidance_scale_2") is not None:
            kwargs["guidance_scale_2"] = second
        return kwargs, notes


def second_guidance(pipe: Any, model: ModelInfo, guidance: float) -> float | None:
    """The low-noise expert's guidance, or None when the pipeline has one expert.

    At the model's own guidance the registered second value applies (Wan 2.2 T2V: 4.0 then 3.0). Any other
    guidance (a Draft recipe's CFG 1, a creator's choice) applies to both experts: a step-distill LoRA runs
    without CFG in either, and a creator's number means the whole shot.
    """
    config = getattr(pipe, "config", {}) or {}
    if config.get("boundary_ratio") is None:
        return None
    registered = model.call_kwargs.get("guidance_scale_2")
    if registered is not None and guidance == model.default_guidance:
        return float(registered)
    return float(guidance)


FAMILY = WanFamily()
