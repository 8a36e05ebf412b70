"""Wan 2.1 / 2.2 (Wan-AI), in the diffusers layout."""

from __future__ import annotations

from ..model_types import Ability, FastVariant, ModelInfo, Size, VramAdvice
from .common import TEST_MODEL_NOTE, WAN_FRAMES, WAN_NEGATIVE_PROMPT

_A = Ability

# Every VACE ability runs through the one pipeline: the conditioning is a control video plus a mask (black =
# keep this frame, white = generate it) and optional reference pictures (generation.backends.families.wan_vace).
_VACE_ALL = (
    (_A.TEXT_TO_VIDEO, "WanVACEPipeline"),
    (_A.IMAGE_TO_VIDEO, "WanVACEPipeline"),
    (_A.FIRST_LAST_FRAME, "WanVACEPipeline"),
    (_A.VIDEO_EXTENSION, "WanVACEPipeline"),
    (_A.VIDEO_LEAD_IN, "WanVACEPipeline"),
    (_A.REFERENCE_IMAGES, "WanVACEPipeline"),
)
_VACE_NOTE = (
    "Continues a clip from its last frames (start clip), leads into a clip's first frames (end clip), bridges "
    "a first and a last frame, and keeps a character or place from reference pictures."
)
_A14B_VRAM = VramAdvice(
    13.0,
    80.0,
    "~13 GB with group offload for a 14B expert (diffusers Wan docs); the Wan 2.2 README runs A14B on one 80 GB "
    "GPU with model offload",
)
# The tiny twins' draft LoRA: built offline by the profiles work (generation.testing), registered here.
_TINY_LORA = FastVariant(
    name="Tiny step-distill LoRA",
    kind="step_distill_lora",
    repo="promptcut-test/tiny-wan-lightx2v",
    weight_name="tiny_wan_lightx2v.safetensors",
    steps=4,
    guidance=1.0,
)


def _lightning(task: str) -> FastVariant:
    """Wan2.2-Lightning 4-step LoRA in Kijai's diffusers-loadable conversion (the files diffusers PR #12074 loads;
    lightx2v/Wan2.2-Lightning publishes the originals, which diffusers #12147 reports failing to load)."""
    return FastVariant(
        name=f"Wan2.2-Lightning {task} 4-step LoRA",
        kind="step_distill_lora",
        repo="Kijai/WanVideo_comfy",
        weight_name=f"Wan22-Lightning/Wan2.2-Lightning_{task}-A14B-4steps-lora_HIGH_fp16.safetensors",
        steps=4,
        guidance=1.0,
        both_transformers=True,
        weight_name_2=f"Wan22-Lightning/Wan2.2-Lightning_{task}-A14B-4steps-lora_LOW_fp16.safetensors",
        note=(
            "Names from diffusers PR #12074 and the Wan22-Lightning folder of Kijai/WanVideo_comfy: the HIGH file "
            "goes into the high-noise expert (transformer), the LOW file into the low-noise one (transformer_2)."
        ),
    )


MODELS: tuple[ModelInfo, ...] = (
    # -- tiny twins: the real pipeline classes with random weights (generation.testing builds them) ----------
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
        fast_variants=(_TINY_LORA,),
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
        id="tiny-wan-a14b",
        display_name="Tiny Wan 2.2 A14B (two experts)",
        family="wan",
        repo="Wan-AI/Wan2.2-T2V-A14B-Diffusers",
        base_pipeline="WanPipeline",
        pipelines=((_A.TEXT_TO_VIDEO, "WanPipeline"),),
        sizes=(Size(96, 64), Size(64, 96), Size(64, 64)),
        fps=16,
        frames=WAN_FRAMES,
        default_frames=9,
        size_multiple=16,
        default_steps=2,
        default_guidance=4.0,
        call_defaults=(("max_sequence_length", 16), ("guidance_scale_2", 3.0)),
        download_gb=0.0,
        fast_variants=(
            FastVariant(
                name="Tiny step-distill LoRA",
                kind="step_distill_lora",
                repo="promptcut-test/tiny-wan-a14b-lightning",
                weight_name="tiny_wan_a14b_lightning.safetensors",
                steps=4,
                guidance=1.0,
                both_transformers=True,
            ),
        ),
        license="Apache-2.0 (architecture); weights are random",
        is_test_model=True,
        notes=(
            TEST_MODEL_NOTE,
            "Mirrors Wan 2.2 T2V A14B: transformer (high noise) and transformer_2 (low noise), boundary_ratio 0.875. "
            "Text-to-video only: the A14B image expert takes 36 input channels and cannot share these parts.",
        ),
    ),
    ModelInfo(
        id="tiny-wan-vace",
        display_name="Tiny Wan VACE (extend, bridge, references)",
        family="wan-vace",
        repo="Wan-AI/Wan2.1-VACE-1.3B-diffusers",
        base_pipeline="WanVACEPipeline",
        pipelines=_VACE_ALL,
        sizes=(Size(96, 64), Size(64, 96), Size(64, 64)),
        fps=16,
        frames=WAN_FRAMES,
        default_frames=9,
        window_frames=17,
        size_multiple=16,
        default_steps=2,
        default_guidance=5.0,
        call_defaults=(("max_sequence_length", 16),),
        download_gb=0.0,
        license="Apache-2.0 (architecture); weights are random",
        is_test_model=True,
        notes=(TEST_MODEL_NOTE, "Mirrors Wan 2.1 VACE 1.3B: every conditioning through video + mask + references."),
    ),
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
    # -- Wan 2.2 A14B: two experts (high-noise ``transformer``, low-noise ``transformer_2``) ----------------------
    ModelInfo(
        id="wan2.2-t2v-a14b",
        display_name="Wan 2.2 T2V A14B (480p/720p, two experts)",
        family="wan",
        repo="Wan-AI/Wan2.2-T2V-A14B-Diffusers",
        base_pipeline="WanPipeline",
        pipelines=((_A.TEXT_TO_VIDEO, "WanPipeline"),),
        sizes=(Size(1280, 720), Size(720, 1280), Size(832, 480), Size(480, 832)),
        fps=16,
        frames=WAN_FRAMES,
        default_frames=81,
        size_multiple=16,
        default_steps=40,
        # Wan 2.2 sample_guide_scale (3.0 low noise, 4.0 high noise); diffusers: guidance_scale is the
        # high-noise expert's, guidance_scale_2 the low-noise expert's.
        default_guidance=4.0,
        call_defaults=(("guidance_scale_2", 3.0),),
        default_negative_prompt=WAN_NEGATIVE_PROMPT,
        vae_fp32=True,
        download_gb=126.0,
        vram=_A14B_VRAM,
        fast_variants=(_lightning("T2V"),),
        license="Apache-2.0",
        params_b=27.0,
        notes=(
            "Mixture of two 14B experts: 27B parameters, 14B active per step (Wan 2.2 README); the pipeline "
            "switches expert at boundary_ratio 0.875.",
            "Published: 327 s at 480p and 1042 s at 720p on one H100 (official table); 264 s at 832x480, 81 frames, "
            "50 steps on an H200 in bf16 (research/generation.md).",
        ),
    ),
    ModelInfo(
        id="wan2.2-i2v-a14b",
        display_name="Wan 2.2 I2V A14B (480p/720p, from a first image)",
        family="wan",
        repo="Wan-AI/Wan2.2-I2V-A14B-Diffusers",
        base_pipeline="WanImageToVideoPipeline",
        pipelines=((_A.IMAGE_TO_VIDEO, "WanImageToVideoPipeline"),),
        sizes=(Size(1280, 720), Size(720, 1280), Size(832, 480), Size(480, 832)),
        fps=16,
        frames=WAN_FRAMES,
        default_frames=81,
        size_multiple=16,
        default_steps=40,
        default_guidance=3.5,  # Wan 2.2 I2V sample_guide_scale (3.5, 3.5)
        call_defaults=(("guidance_scale_2", 3.5),),
        default_negative_prompt=WAN_NEGATIVE_PROMPT,
        vae_fp32=True,
        download_gb=126.0,
        vram=_A14B_VRAM,
        fast_variants=(_lightning("I2V"),),
        license="Apache-2.0",
        params_b=27.0,
        notes=(
            "Mixture of two 14B experts (27B total, 14B active), boundary_ratio 0.9; no CLIP image encoder: the first "
            "image enters as latents.",
        ),
    ),
    # -- Wan VACE: one pipeline for text, first/last frame, start/end clip and reference images ---------------
    ModelInfo(
        id="wan2.1-vace-1.3b",
        display_name="Wan 2.1 VACE 1.3B (480p: extend, bridge, references)",
        family="wan-vace",
        repo="Wan-AI/Wan2.1-VACE-1.3B-diffusers",
        base_pipeline="WanVACEPipeline",
        pipelines=_VACE_ALL,
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
            5.0, 24.0, "Wan2GP: 81 frames in 5 GB with its offloading (2080 Ti); 24 GB unoffloaded is an estimate"
        ),
        license="Apache-2.0",
        params_b=1.3,
        notes=(_VACE_NOTE,),
    ),
    ModelInfo(
        id="wan2.1-vace-14b",
        display_name="Wan 2.1 VACE 14B (480p/720p: extend, bridge, references)",
        family="wan-vace",
        repo="Wan-AI/Wan2.1-VACE-14B-diffusers",
        base_pipeline="WanVACEPipeline",
        pipelines=_VACE_ALL,
        sizes=(Size(1280, 720), Size(720, 1280), Size(832, 480), Size(480, 832)),
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
        license="Apache-2.0",
        params_b=14.0,
        notes=(_VACE_NOTE,),
    ),
)
