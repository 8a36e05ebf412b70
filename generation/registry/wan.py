"""Wan 2.1 / 2.2 (Wan-AI), in the diffusers layout."""

from __future__ import annotations

from ..model_types import Ability, FastVariant, ModelInfo, Size, VramAdvice
from .common import WAN_FRAMES, WAN_NEGATIVE_PROMPT

_A = Ability

MODELS: tuple[ModelInfo, ...] = (
    # -- Wan ----------------------------------------------------------------------------------------------------
    ModelInfo(
        id="wan2.1-t2v-1.3b",
        display_name="Wan 2.1 T2V 1.3B (480p)",
        family="wan",
        repo="Wan-AI/Wan2.1-T2V-1.3B-Diffusers",
        base_pipeline="WanPipeline",
        pipelines=((_A.TEXT_TO_VIDEO, "WanPipeline"),),
        sizes=(Size(832, 480), Size(480, 832)),
        fps=16,
        frames=WAN_FRAMES,
        default_frames=81,
        size_multiple=16,
        default_steps=50,
        default_guidance=5.0,
        default_negative_prompt=WAN_NEGATIVE_PROMPT,
        vae_fp32=True,
        download_gb=29.0,
        vram=VramAdvice(
            8.2, 24.0, "8.19 GB with offload at 480p/81 frames (Wan2.1 README, RTX 4090); 24 GB is an estimate"
        ),
        fast_variants=(
            FastVariant(
                name="CausVid LoRA (bidirect2)",
                kind="step_distill_lora",
                repo="Kijai/WanVideo_comfy",
                weight_name="Wan21_CausVid_bidirect2_T2V_1_3B_lora_rank32.safetensors",
                steps=8,
                guidance=1.0,
                note="load_lora_weights on WanPipeline; 4-12 steps at CFG 1 (community recipes)",
            ),
            FastVariant(
                name="FastWan2.1 T2V 1.3B (DMD, 3 steps)",
                kind="distilled_checkpoint",
                repo="FastVideo/FastWan2.1-T2V-1.3B-Diffusers",
                steps=3,
                guidance=1.0,
                diffusers_ready=False,
                note="model_index names FastVideo's WanDMDPipeline; needs the FastVideo runtime",
            ),
        ),
        license="Apache-2.0",
    ),
    ModelInfo(
        id="wan2.2-ti2v-5b",
        display_name="Wan 2.2 TI2V 5B (720p, text or first image)",
        family="wan",
        repo="Wan-AI/Wan2.2-TI2V-5B-Diffusers",
        base_pipeline="WanPipeline",
        pipelines=((_A.TEXT_TO_VIDEO, "WanPipeline"), (_A.IMAGE_TO_VIDEO, "WanImageToVideoPipeline")),
        sizes=(Size(1280, 704), Size(704, 1280)),
        fps=24,
        frames=WAN_FRAMES,
        default_frames=121,
        size_multiple=32,
        default_steps=50,
        default_guidance=5.0,
        default_negative_prompt=WAN_NEGATIVE_PROMPT,
        vae_fp32=True,
        download_gb=34.0,
        vram=VramAdvice(
            22.9, 48.0, "22.9 GB with offload at 1280x704/121 frames (Wan2.2 README, RTX 4090); 48 GB is an estimate"
        ),
        fast_variants=(
            FastVariant(
                name="FastWan2.2 TI2V 5B (DMD, 3 steps)",
                kind="distilled_checkpoint",
                repo="FastVideo/FastWan2.2-TI2V-5B-FullAttn-Diffusers",
                steps=3,
                guidance=1.0,
                diffusers_ready=False,
                note="FastVideo runtime; DiT time 157 s -> 4.7 s on an H200 (FastWan blog)",
            ),
        ),
        license="Apache-2.0",
        notes=(
            "WanImageToVideoPipeline accepts last_image but this model ignores it (expand_timesteps): "
            "first+last-frame requests fall back to the first image only.",
        ),
    ),
    ModelInfo(
        id="wan2.1-i2v-14b-480p",
        display_name="Wan 2.1 I2V 14B (480p, from a first image)",
        family="wan",
        repo="Wan-AI/Wan2.1-I2V-14B-480P-Diffusers",
        base_pipeline="WanImageToVideoPipeline",
        pipelines=((_A.IMAGE_TO_VIDEO, "WanImageToVideoPipeline"),),
        sizes=(Size(832, 480), Size(480, 832)),
        fps=16,
        frames=WAN_FRAMES,
        default_frames=81,
        size_multiple=16,
        default_steps=50,
        default_guidance=5.0,
        default_negative_prompt=WAN_NEGATIVE_PROMPT,
        vae_fp32=True,
        download_gb=75.0,
        vram=VramAdvice(13.0, 80.0, "~13 GB with group offload for the 14B (diffusers Wan docs); 80 GB estimated"),
        fast_variants=(
            FastVariant(
                name="LightX2V I2V 480p LoRA",
                kind="step_distill_lora",
                repo="Kijai/WanVideo_comfy",
                weight_name="Lightx2v/lightx2v_I2V_14B_480p_cfg_step_distill_rank128_bf16.safetensors",
                steps=4,
                guidance=1.0,
                note="diffusers PR #12040: load_lora_weights, 4 steps, guidance_scale=1.0",
            ),
        ),
        license="Apache-2.0",
    ),
    ModelInfo(
        id="wan2.1-flf2v-14b-720p",
        display_name="Wan 2.1 FLF2V 14B (720p, first+last frame)",
        family="wan",
        repo="Wan-AI/Wan2.1-FLF2V-14B-720P-diffusers",
        base_pipeline="WanImageToVideoPipeline",
        pipelines=((_A.FIRST_LAST_FRAME, "WanImageToVideoPipeline"),),
        sizes=(Size(1280, 720), Size(720, 1280)),
        fps=16,
        frames=WAN_FRAMES,
        default_frames=81,
        size_multiple=16,
        default_steps=50,
        default_guidance=5.5,
        default_negative_prompt=WAN_NEGATIVE_PROMPT,
        vae_fp32=True,
        download_gb=75.0,
        vram=VramAdvice(
            13.0, 80.0, "~13 GB with group offload for the 14B (diffusers Wan docs); 720p 14B needs ~69 GB unoffloaded"
        ),
        license="Apache-2.0",
        notes=("The image encoder's position table expects two images: a first image alone is refused.",),
    ),
)
