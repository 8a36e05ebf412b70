"""Tiny SkyReels-V2 diffusion-forcing twin: one 16-channel transformer that serves the text, image and video
pipelines (as the real DF checkpoints do), with the configs of diffusers'
``tests/pipelines/skyreels_v2/test_skyreels_v2_df*.py``."""

from __future__ import annotations

from typing import Any

from .tiny_wan import umt5_text_parts, wan21_vae, wan_transformer


def tiny_skyreels_df() -> Any:
    from diffusers import SkyReelsV2DiffusionForcingPipeline, UniPCMultistepScheduler

    tok, text_encoder = umt5_text_parts()
    vae = wan21_vae()
    transformer = wan_transformer(0, "SkyReelsV2Transformer3DModel")
    # The real DF repos ship a flow-matching UniPC scheduler (shift 8 for text, 5 for images: SkyReels README).
    scheduler = UniPCMultistepScheduler(prediction_type="flow_prediction", use_flow_sigmas=True, flow_shift=8.0)
    return SkyReelsV2DiffusionForcingPipeline(
        tokenizer=tok, text_encoder=text_encoder, transformer=transformer, vae=vae, scheduler=scheduler
    )


BUILDERS = {"tiny-skyreels-df": tiny_skyreels_df}
