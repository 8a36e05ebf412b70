"""HunyuanVideo 1.5 (Tencent), in the diffusers layout."""

from __future__ import annotations

from ..model_types import ModelInfo

MODELS: tuple[ModelInfo, ...] = ()
