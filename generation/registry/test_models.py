"""Test models: the real pipeline classes with tiny random weights (``generation.testing`` builds them)."""

from __future__ import annotations

from ..model_types import Ability, ModelInfo, Size
from .common import LTX_ALL, LTX_FRAMES, TEST_MODEL_NOTE, WAN_FRAMES

_A = Ability

MODELS: tuple[ModelInfo, ...] = (
    # -- test models: the real pipeline classes with tiny random weights (generation.testing builds them) -------
    ModelInfo(
        id="tiny-wan",
        display_name="Tiny Wan (Wan 2.2 TI2V layout)",
        family="wan",
        repo="Wan-AI/Wan2.2-TI2V-5B-Diffusers",
        base_pipeline="WanPipeline",
        pipelines=((_A.TEXT_TO_VIDEO, "WanPipeline"), (_A.IMAGE_TO_VIDEO, "WanImageToVideoPipeline")),
        sizes=(Size(128, 64), Size(64, 128), Size(64, 64)),
        fps=24,
        frames=WAN_FRAMES,
        default_frames=9,
        size_multiple=32,
        default_steps=2,
        default_guidance=5.0,
        call_defaults=(("max_sequence_length", 16),),
        download_gb=0.0,
        license="Apache-2.0 (architecture); weights are random",
        is_test_model=True,
        notes=(TEST_MODEL_NOTE, "Mirrors Wan 2.2 TI2V 5B: one transformer for text- and image-to-video."),
    ),
    ModelInfo(
        id="tiny-wan-flf",
        display_name="Tiny Wan first+last frame (Wan 2.1 FLF2V layout)",
        family="wan",
        repo="Wan-AI/Wan2.1-FLF2V-14B-720P-diffusers",
        base_pipeline="WanImageToVideoPipeline",
        pipelines=((_A.FIRST_LAST_FRAME, "WanImageToVideoPipeline"),),
        sizes=(Size(112, 64), Size(64, 112), Size(64, 64)),
        fps=16,
        frames=WAN_FRAMES,
        default_frames=9,
        size_multiple=16,
        default_steps=2,
        default_guidance=5.0,
        call_defaults=(("max_sequence_length", 16),),
        download_gb=0.0,
        license="Apache-2.0 (architecture); weights are random",
        is_test_model=True,
        notes=(TEST_MODEL_NOTE, "Mirrors Wan 2.1 FLF2V: needs both a first and a last image."),
    ),
    ModelInfo(
        id="tiny-ltx",
        display_name="Tiny LTX-Video",
        family="ltx",
        repo="Lightricks/LTX-Video-0.9.5",
        base_pipeline="LTXPipeline",
        pipelines=((_A.TEXT_TO_VIDEO, "LTXPipeline"),) + LTX_ALL[1:],
        sizes=(Size(128, 64), Size(64, 128), Size(64, 64)),
        fps=24,
        frames=LTX_FRAMES,
        default_frames=9,
        size_multiple=32,
        default_steps=2,
        default_guidance=3.0,
        call_defaults=(("max_sequence_length", 16),),
        download_gb=0.0,
        license="Apache-2.0 (architecture); weights are random",
        is_test_model=True,
        notes=(TEST_MODEL_NOTE, "Text-to-video through LTXPipeline; images through LTXConditionPipeline."),
    ),
)
