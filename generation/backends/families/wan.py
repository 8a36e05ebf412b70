"""Wan 2.1 / 2.2 (``WanPipeline``, ``WanImageToVideoPipeline``): the shared convention. Wan 2.2 A14B carries
two experts (``transformer_2``, ``boundary_ratio``); the pipeline switches between them by itself."""

from __future__ import annotations

from .base import Family


class WanFamily(Family):
    name = "wan"


FAMILY = WanFamily()
