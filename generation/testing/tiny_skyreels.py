"""Tiny SkyReels-V2 diffusion-forcing twin: one 16-channel transformer that serves the text, image and video
pipelines (as the real DF checkpoints do), with the configs of diffusers'
``tests/pipelines/skyreels_v2/test_skyreels_v2_df*.py``."""

from __future__ import annotations

from typing import Any

from .tiny_parts import TEXT_DIM, seeded, t5_config_kwargs, tokenizer


def tiny_skyreels_df() -> Any:
    from diffusers import (
        AutoencoderKLWan,
        SkyReelsV2DiffusionForcingPipeline,
        SkyReelsV2Transformer3DModel,
        UniPCMultistepScheduler,
    )
    from transformers import UMT5Config, UMT5EncoderModel

    tok = tokenizer()
    text_encoder = seeded(lambda: UMT5EncoderModel(UMT5Config(**t5_config_kwargs(len(tok)))).eval())
    vae = seeded(
        lambda: AutoencoderKLWan(
            base_dim=3, z_dim=16, dim_mult=[1, 1, 1, 1], num_res_blocks=1, temperal_downsample=[False, True, True]
        )
    )
    transformer = seeded(
        lambda: SkyReelsV2Transformer3DModel(
            patch_size=(1, 2, 2),
            num_attention_heads=2,
            attention_head_dim=12,
            in_channels=16,
            out_channels=16,
            text_dim=TEXT_DIM,
            freq_dim=256,
            ffn_dim=32,
            num_layers=2,
            cross_attn_norm=True,
            qk_norm="rms_norm_across_heads",
            rope_max_seq_len=32,
        )
    )
    # The real DF repos ship a flow-matching UniPC scheduler (shift 8 for text, 5 for images: SkyReels README).
    scheduler = UniPCMultistepScheduler(prediction_type="flow_prediction", use_flow_sigmas=True, flow_shift=8.0)
    return SkyReelsV2DiffusionForcingPipeline(
        tokenizer=tok, text_encoder=text_encoder, transformer=transformer, vae=vae, scheduler=scheduler
    )


BUILDERS = {"tiny-skyreels-df": tiny_skyreels_df}
