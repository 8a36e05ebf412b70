"""Built-in test models: tiny random-weight instances of the real diffusers pipelines, built offline.

``tiny-wan`` (WanPipeline + WanImageToVideoPipeline, Wan 2.2 TI2V layout), ``tiny-wan-flf``
(WanImageToVideoPipeline with first+last frame, Wan 2.1 FLF2V layout) and ``tiny-ltx`` (LTXPipeline +
LTXConditionPipeline). They make noise; they exist so every code path runs in tests and on a CPU.
"""

from ..models import TEST_MODEL_IDS
from .tiny import MARKER, RECIPE_VERSION, build_test_pipeline, ensure_test_model, tiny_model_revision

__all__ = [
    "MARKER",
    "RECIPE_VERSION",
    "TEST_MODEL_IDS",
    "build_test_pipeline",
    "ensure_test_model",
    "tiny_model_revision",
]
