"""SkyReels-V2 diffusion forcing (Skywork): unbounded length and extension, in the diffusers layout."""

from __future__ import annotations

from ..model_types import ModelInfo

MODELS: tuple[ModelInfo, ...] = ()
