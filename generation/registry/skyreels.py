"""SkyReels-V2 diffusion forcing (Skywork): unbounded length and extension, in the diffusers layout.

One diffusion-forcing transformer serves three pipelines: text (``SkyReelsV2DiffusionForcingPipeline``), a first
(and optionally last) image (``...ImageToVideoPipeline``) and continuing a clip (``...VideoToVideoPipeline``). A shot
longer than ``base_num_frames`` is made inside one call, each window overlapping the last by ``overlap_history``
frames (``unbounded``). Defaults from the SkyReels-V2 README's diffusion-forcing recipe: 97-frame windows,
``overlap_history`` 17, ``addnoise_condition`` 20, synchronous (``ar_step`` 0), guidance 6, 30 steps.
"""

from __future__ import annotations

from ..model_types import Ability, ModelInfo, Size, VramAdvice
from .common import TEST_MODEL_NOTE, WAN_FRAMES, WAN_NEGATIVE_PROMPT

_A = Ability
_T2V = "SkyReelsV2DiffusionForcingPipeline"
_I2V = "SkyReelsV2DiffusionForcingImageToVideoPipeline"
_V2V = "SkyReelsV2DiffusionForcingVideoToVideoPipeline"
_DF_ALL = (
    (_A.TEXT_TO_VIDEO, _T2V),
    (_A.IMAGE_TO_VIDEO, _I2V),
    (_A.FIRST_LAST_FRAME, _I2V),  # last_image= (SkyReels "start/end frame control")
    (_A.VIDEO_EXTENSION, _V2V),
)
_DF_DEFAULTS = (("base_num_frames", 97), ("overlap_history", 17), ("addnoise_condition", 20), ("ar_step", 0))
_LICENSE = "Skywork Community License"
_LICENSE_TERMS = (
    "Skywork Community License (model card: license other, skywork-license): use-based restrictions apply; "
    "read the terms before commercial use."
)

MODELS: tuple[ModelInfo, ...] = (
    # -- tiny twin ------------------------------------------------------------------------------------------------
    ModelInfo(
        id="tiny-skyreels-df",
        display_name="Tiny SkyReels-V2 DF (unbounded, extension)",
        family="skyreels-df",
        repo="Skywork/SkyReels-V2-DF-1.3B-540P-Diffusers",
        base_pipeline=_T2V,
        pipelines=_DF_ALL,
        sizes=(Size(96, 64), Size(64, 96), Size(64, 64)),
        fps=24,
        frames=WAN_FRAMES,
        default_frames=9,
        window_frames=17,
        unbounded=True,
        size_multiple=16,
        default_steps=2,
        default_guidance=6.0,
        # A 17-frame window overlapping by 5: a 25-frame shot is two windows, cheap enough for the tests.
        call_defaults=(
            ("max_sequence_length", 16),
            ("base_num_frames", 17),
            ("overlap_history", 5),
            ("addnoise_condition", 20),
            ("ar_step", 0),
        ),
        download_gb=0.0,
        license="Apache-2.0 (architecture); weights are random",
        is_test_model=True,
        notes=(TEST_MODEL_NOTE, "Mirrors SkyReels-V2 DF 1.3B: one transformer for text, image and video."),
    ),
    # -- SkyReels-V2 diffusion forcing -----------------------------------------------------------------------------
    ModelInfo(
        id="skyreels-v2-df-1.3b-540p",
        display_name="SkyReels-V2 DF 1.3B (540p, any length, extend)",
        family="skyreels-df",
        repo="Skywork/SkyReels-V2-DF-1.3B-540P-Diffusers",
        base_pipeline=_T2V,
        pipelines=_DF_ALL,
        sizes=(Size(960, 544), Size(544, 960)),
        fps=24,
        frames=WAN_FRAMES,
        default_frames=97,
        window_frames=97,
        unbounded=True,
        size_multiple=16,
        default_steps=30,
        default_guidance=6.0,
        default_negative_prompt=WAN_NEGATIVE_PROMPT,
        call_defaults=_DF_DEFAULTS,
        vae_fp32=True,
        download_gb=29.0,
        vram=VramAdvice(8.0, 24.0, "no published figure: as Wan 2.1 1.3B (same architecture), estimated"),
        license=_LICENSE,
        license_restricted=True,
        license_terms=_LICENSE_TERMS,
        license_url="https://huggingface.co/Skywork/SkyReels-V2-DF-1.3B-540P-Diffusers/blob/main/LICENSE",
        params_b=1.3,
        notes=("Recommended 544x960, 97-frame windows (SkyReels-V2 README); longer shots chain inside one call.",),
    ),
    ModelInfo(
        id="skyreels-v2-df-14b-540p",
        display_name="SkyReels-V2 DF 14B (540p, any length, extend)",
        family="skyreels-df",
        repo="Skywork/SkyReels-V2-DF-14B-540P-Diffusers",
        base_pipeline=_T2V,
        pipelines=_DF_ALL,
        sizes=(Size(960, 544), Size(544, 960)),
        fps=24,
        frames=WAN_FRAMES,
        default_frames=97,
        window_frames=97,
        unbounded=True,
        size_multiple=16,
        default_steps=30,
        default_guidance=6.0,
        default_negative_prompt=WAN_NEGATIVE_PROMPT,
        call_defaults=_DF_DEFAULTS,
        vae_fp32=True,
        download_gb=75.0,
        vram=VramAdvice(13.0, 80.0, "no published figure: as Wan 2.1 14B (~13 GB with group offload), estimated"),
        license=_LICENSE,
        license_restricted=True,
        license_terms=_LICENSE_TERMS,
        license_url="https://huggingface.co/Skywork/SkyReels-V2-DF-14B-540P-Diffusers/blob/main/LICENSE",
        params_b=14.0,
        notes=("Recommended 544x960, 97-frame windows (SkyReels-V2 README); longer shots chain inside one call.",),
    ),
)
