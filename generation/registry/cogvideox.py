"""CogVideoX (THUDM / Zhipu AI), in the diffusers layout."""

from __future__ import annotations

from ..model_types import Ability, ModelInfo, Size, VramAdvice
from .common import COG_FRAMES

_A = Ability

MODELS: tuple[ModelInfo, ...] = (
    # -- CogVideoX ------------------------------------------------------------------------------------------------
    ModelInfo(
        id="cogvideox-2b",
        display_name="CogVideoX 2B (720x480, 6 s)",
        family="cogvideox",
        repo="THUDM/CogVideoX-2b",
        base_pipeline="CogVideoXPipeline",
        pipelines=((_A.TEXT_TO_VIDEO, "CogVideoXPipeline"),),
        sizes=(Size(720, 480),),
        fps=8,
        frames=COG_FRAMES,
        default_frames=49,
        size_multiple=16,
        fixed_size=True,
        default_steps=50,
        default_guidance=6.0,
        preferred_dtype="float16",
        call_defaults=(("max_sequence_length", 226),),
        download_gb=13.0,
        vram=VramAdvice(12.5, 36.0, "12.5 GB fp16 with model offload + VAE tiling (model card); ~3x without"),
        license="Apache-2.0",
        notes=("720x480 only, no portrait: vertical timelines crop at placement.",),
    ),
    ModelInfo(
        id="cogvideox-5b",
        display_name="CogVideoX 5B (720x480, 6 s)",
        family="cogvideox",
        repo="THUDM/CogVideoX-5b",
        base_pipeline="CogVideoXPipeline",
        pipelines=((_A.TEXT_TO_VIDEO, "CogVideoXPipeline"),),
        sizes=(Size(720, 480),),
        fps=8,
        frames=COG_FRAMES,
        default_frames=49,
        size_multiple=16,
        fixed_size=True,
        default_steps=50,
        default_guidance=6.0,
        call_defaults=(("max_sequence_length", 226), ("use_dynamic_cfg", True)),
        download_gb=21.0,
        vram=VramAdvice(
            11.0, 33.0, "33 GB baseline, 19 GB model offload, 11 GB offload + tiling (diffusers CogVideoX docs)"
        ),
        license="CogVideoX license",
        notes=("720x480 only, no portrait: vertical timelines crop at placement.",),
    ),
    ModelInfo(
        id="cogvideox-5b-i2v",
        display_name="CogVideoX 5B I2V (720x480, from a first image)",
        family="cogvideox",
        repo="THUDM/CogVideoX-5b-I2V",
        base_pipeline="CogVideoXImageToVideoPipeline",
        pipelines=((_A.IMAGE_TO_VIDEO, "CogVideoXImageToVideoPipeline"),),
        sizes=(Size(720, 480),),
        fps=8,
        frames=COG_FRAMES,
        default_frames=49,
        size_multiple=16,
        fixed_size=True,
        default_steps=50,
        default_guidance=6.0,
        call_defaults=(("max_sequence_length", 226), ("use_dynamic_cfg", True)),
        download_gb=21.0,
        vram=VramAdvice(11.0, 33.0, "as CogVideoX 5B (diffusers CogVideoX docs)"),
        license="CogVideoX license",
        notes=("Learned positional embeddings: exactly 720x480 and 49 frames.",),
    ),
)
