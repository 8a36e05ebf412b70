"""LTX-Video (Lightricks), in the diffusers layout."""

from __future__ import annotations

from ..model_types import Ability, FastVariant, ModelInfo, Size, VramAdvice
from .common import LTX_ALL, LTX_DECODE, LTX_FRAMES, LTX_NEGATIVE_PROMPT, TEST_MODEL_NOTE

_A = Ability

MODELS: tuple[ModelInfo, ...] = (
    # -- tiny twins: the real pipeline classes with random weights (generation.testing builds them) ----------
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
    # -- LTX-Video ------------------------------------------------------------------------------------------------
    ModelInfo(
        id="ltx-video-0.9.5",
        display_name="LTX-Video 0.9.5 (2B, keyframes)",
        family="ltx",
        repo="Lightricks/LTX-Video-0.9.5",
        base_pipeline="LTXConditionPipeline",
        pipelines=LTX_ALL,
        sizes=(Size(768, 512), Size(512, 768), Size(960, 544), Size(544, 960)),
        fps=24,
        frames=LTX_FRAMES,
        default_frames=121,
        size_multiple=32,
        default_steps=40,
        default_guidance=3.0,
        default_negative_prompt=LTX_NEGATIVE_PROMPT,
        call_defaults=LTX_DECODE,
        download_gb=20.0,
        vram=VramAdvice(
            10.0, 24.0, "~10 GB with fp8 storage + group offload (diffusers LTX docs); 17.75 GB at 768x512x121"
        ),
        fast_variants=(
            FastVariant(
                name="LTX-Video 0.9.8 13B distilled",
                kind="distilled_checkpoint",
                repo="Lightricks/LTX-Video-0.9.8-13B-distilled",
                registry_id="ltx-video-0.9.8-13b-distilled",
                steps=8,
                guidance=1.0,
            ),
        ),
        license="LTX-Video open weights license",
        notes=("Best below 720x1280 and 257 frames (LTX README).",),
    ),
    ModelInfo(
        id="ltx-video-0.9.8-13b-distilled",
        display_name="LTX-Video 0.9.8 13B distilled (8 steps, keyframes)",
        family="ltx",
        repo="Lightricks/LTX-Video-0.9.8-13B-distilled",
        base_pipeline="LTXConditionPipeline",
        pipelines=LTX_ALL,
        sizes=(Size(1216, 704), Size(704, 1216), Size(768, 512), Size(512, 768)),
        fps=24,
        frames=LTX_FRAMES,
        default_frames=121,
        size_multiple=32,
        default_steps=8,
        default_guidance=1.0,
        default_negative_prompt=LTX_NEGATIVE_PROMPT,
        call_defaults=(
            ("timesteps", (1000, 993, 987, 981, 975, 909, 725, 0.03)),
            ("decode_timestep", 0.05),
            ("decode_noise_scale", 0.025),
            ("image_cond_noise_scale", 0.0),
            ("guidance_rescale", 0.7),
        ),
        download_gb=40.0,
        vram=VramAdvice(
            16.0, 48.0, "no published figure; 13B bf16 weights are ~26 GB: estimates assume offload below 32 GB"
        ),
        license="LTX-Video open weights license",
        notes=(
            "Guidance- and timestep-distilled: guidance 1.0 and the docs' 8 timesteps. "
            "The docs' upsample-and-refine second pass is not run here.",
        ),
    ),
)
