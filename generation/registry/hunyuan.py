"""HunyuanVideo 1.5 (Tencent), in the diffusers layout."""

from __future__ import annotations

from ..model_types import Ability, ModelInfo, Size, VramAdvice
from .common import TEST_MODEL_NOTE, WAN_FRAMES

_A = Ability

HUNYUAN_LICENSE = "Tencent Hunyuan Community License"
HUNYUAN_TERMS = (
    "Tencent Hunyuan Community License: not licensed for use in the EU, the UK or South Korea; "
    "services above 100 million monthly users need Tencent's permission."
)
HUNYUAN_URL = "https://huggingface.co/tencent/HunyuanVideo-1.5/blob/main/LICENSE"
HUNYUAN_VRAM = VramAdvice(14.0, 40.0, "not verified: a third-party source says 14 GB or more with offload")
I2V_NOTE = "Image-to-video takes its size from the image's aspect (the pipeline's 480p buckets)."

MODELS: tuple[ModelInfo, ...] = (
    # -- tiny twin: saved as the image-to-video pipeline (it holds every part); text-to-video is built from it --
    ModelInfo(
        id="tiny-hunyuan15",
        display_name="Tiny HunyuanVideo 1.5",
        family="hunyuan15",
        repo="hunyuanvideo-community/HunyuanVideo-1.5-Diffusers-480p_i2v",
        base_pipeline="HunyuanVideo15ImageToVideoPipeline",
        pipelines=(
            (_A.TEXT_TO_VIDEO, "HunyuanVideo15Pipeline"),
            (_A.IMAGE_TO_VIDEO, "HunyuanVideo15ImageToVideoPipeline"),
        ),
        sizes=(Size(40, 24), Size(24, 40), Size(32, 32)),  # the tiny model's image-to-video buckets
        fps=24,
        frames=WAN_FRAMES,
        default_frames=9,
        size_multiple=8,
        default_steps=2,
        default_guidance=1.0,
        download_gb=0.0,
        license="Apache-2.0 (architecture); weights are random",
        is_test_model=True,
        notes=(TEST_MODEL_NOTE,),
        window_frames=9,
    ),
    ModelInfo(
        id="hunyuanvideo-1.5-480p-t2v",
        display_name="HunyuanVideo 1.5 480p text-to-video (8.3B)",
        family="hunyuan15",
        repo="hunyuanvideo-community/HunyuanVideo-1.5-Diffusers-480p_t2v",
        base_pipeline="HunyuanVideo15Pipeline",
        pipelines=((_A.TEXT_TO_VIDEO, "HunyuanVideo15Pipeline"),),
        sizes=(Size(848, 480), Size(480, 848)),
        fps=24,
        frames=WAN_FRAMES,
        default_frames=121,
        size_multiple=16,
        default_steps=50,
        default_guidance=6.0,
        download_gb=33.0,
        vram=HUNYUAN_VRAM,
        license=HUNYUAN_LICENSE,
        license_restricted=True,
        license_terms=HUNYUAN_TERMS,
        license_url=HUNYUAN_URL,
        notes=("Guidance lives in the pipeline's guider (set from the shot's guidance).",),
        params_b=8.3,
    ),
    ModelInfo(
        id="hunyuanvideo-1.5-480p-i2v",
        display_name="HunyuanVideo 1.5 480p image-to-video (8.3B)",
        family="hunyuan15",
        repo="hunyuanvideo-community/HunyuanVideo-1.5-Diffusers-480p_i2v",
        base_pipeline="HunyuanVideo15ImageToVideoPipeline",
        pipelines=((_A.IMAGE_TO_VIDEO, "HunyuanVideo15ImageToVideoPipeline"),),
        sizes=(Size(848, 480), Size(480, 848)),
        fps=24,
        frames=WAN_FRAMES,
        default_frames=121,
        size_multiple=16,
        default_steps=50,
        default_guidance=6.0,
        download_gb=35.0,
        vram=HUNYUAN_VRAM,
        license=HUNYUAN_LICENSE,
        license_restricted=True,
        license_terms=HUNYUAN_TERMS,
        license_url=HUNYUAN_URL,
        notes=(I2V_NOTE, "Guidance lives in the pipeline's guider (set from the shot's guidance)."),
        params_b=8.3,
    ),
)
