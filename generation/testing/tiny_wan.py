"""Tiny Wan twins: Wan 2.2 TI2V 5B, Wan 2.1 FLF2V, Wan 2.2 A14B (two experts) and Wan VACE layouts."""

from __future__ import annotations

from typing import Any

from .tiny_parts import TEXT_DIM, seeded, t5_config_kwargs, tokenizer


def tiny_wan() -> Any:
    """Wan 2.2 TI2V 5B in miniature: a 48-channel latent, 16x spatial VAE, ``expand_timesteps``."""
    from diffusers import AutoencoderKLWan, UniPCMultistepScheduler, WanPipeline

    tok, text_encoder = umt5_text_parts()
    vae = seeded(
        lambda: AutoencoderKLWan(
            base_dim=3,
            z_dim=48,
            in_channels=12,
            out_channels=12,
            is_residual=True,
            patch_size=2,
            latents_mean=[0.0] * 48,
            latents_std=[1.0] * 48,
            dim_mult=[1, 1, 1, 1],
            num_res_blocks=1,
            scale_factor_spatial=16,
            scale_factor_temporal=4,
            temperal_downsample=[False, True, True],
        )
    )
    transformer = wan_transformer(0, in_channels=48, out_channels=48)
    scheduler = UniPCMultistepScheduler(prediction_type="flow_prediction", use_flow_sigmas=True, flow_shift=5.0)
    return WanPipeline(
        tokenizer=tok,
        text_encoder=text_encoder,
        vae=vae,
        scheduler=scheduler,
        transformer=transformer,
        transformer_2=None,
        boundary_ratio=None,
        expand_timesteps=True,
    )


def tiny_wan_flf() -> Any:
    """Wan 2.1 FLF2V in miniature: CLIP image encoder and a position table for two images."""
    from diffusers import FlowMatchEulerDiscreteScheduler, WanImageToVideoPipeline
    from transformers import CLIPVisionConfig, CLIPVisionModel

    try:  # transformers 5 without torchvision: the PIL processor (what CLIPImageProcessor falls back to)
        from transformers import CLIPImageProcessorPil as ImageProcessor
    except ImportError:  # pragma: no cover - older transformers
        from transformers import CLIPImageProcessor as ImageProcessor

    image_size = 4
    tok, text_encoder = umt5_text_parts()
    vae = wan21_vae()
    transformer = wan_transformer(
        0,
        in_channels=36,
        image_dim=4,
        pos_embed_seq_len=2 * (image_size * image_size + 1),  # two images of (patches + class token)
    )
    image_encoder = seeded(
        lambda: CLIPVisionModel(
            CLIPVisionConfig(
                hidden_size=4,
                projection_dim=4,
                num_hidden_layers=2,
                num_attention_heads=2,
                image_size=image_size,
                intermediate_size=16,
                patch_size=1,
            )
        ).eval()
    )
    image_processor = ImageProcessor(crop_size=image_size, size=image_size)
    return WanImageToVideoPipeline(
        tokenizer=tok,
        text_encoder=text_encoder,
        vae=vae,
        scheduler=FlowMatchEulerDiscreteScheduler(shift=5.0),
        transformer=transformer,
        image_encoder=image_encoder,
        image_processor=image_processor,
    )


def wan21_vae() -> Any:
    """The Wan 2.1 VAE in miniature (16-channel latent, 8x spatial, 4x temporal), as diffusers' tests build it."""
    from diffusers import AutoencoderKLWan

    return seeded(
        lambda: AutoencoderKLWan(
            base_dim=3, z_dim=16, dim_mult=[1, 1, 1, 1], num_res_blocks=1, temperal_downsample=[False, True, True]
        )
    )


def umt5_text_parts() -> tuple[Any, Any]:
    from transformers import UMT5Config, UMT5EncoderModel

    tok = tokenizer()
    return tok, seeded(lambda: UMT5EncoderModel(UMT5Config(**t5_config_kwargs(len(tok)))).eval())


def wan_transformer(seed: int, cls_name: str = "WanTransformer3DModel", **extra: Any) -> Any:
    import diffusers

    cls = getattr(diffusers, cls_name)
    config: dict[str, Any] = dict(
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
    config.update(extra)
    return seeded(lambda: cls(**config), seed)


def tiny_wan_a14b() -> Any:
    """Wan 2.2 A14B T2V in miniature: two experts (``transformer`` for high noise, ``transformer_2`` for low
    noise) switched at ``boundary_ratio`` 0.875, as ``tests/pipelines/wan/test_wan_22.py`` builds it.

    Text-to-video only: the A14B I2V expert takes 36 input channels (image latents concatenated), so it cannot be
    derived from these 16-channel experts."""
    from diffusers import FlowMatchEulerDiscreteScheduler, WanPipeline

    tok, text_encoder = umt5_text_parts()
    return WanPipeline(
        tokenizer=tok,
        text_encoder=text_encoder,
        vae=wan21_vae(),
        scheduler=FlowMatchEulerDiscreteScheduler(shift=12.0),
        transformer=wan_transformer(0),
        transformer_2=wan_transformer(1),  # another seed: the two experts must differ
        boundary_ratio=0.875,
    )


def tiny_wan_vace() -> Any:
    """Wan 2.1 VACE 1.3B in miniature: a VACE transformer with control layers 0 and 2 (diffusers'
    ``tests/pipelines/wan/test_wan_vace.py``)."""
    from diffusers import FlowMatchEulerDiscreteScheduler, WanVACEPipeline

    tok, text_encoder = umt5_text_parts()
    transformer = wan_transformer(0, "WanVACETransformer3DModel", num_layers=3, vace_layers=[0, 2], vace_in_channels=96)
    return WanVACEPipeline(
        tokenizer=tok,
        text_encoder=text_encoder,
        vae=wan21_vae(),
        scheduler=FlowMatchEulerDiscreteScheduler(shift=7.0),
        transformer=transformer,
    )


BUILDERS = {
    "tiny-wan": tiny_wan,
    "tiny-wan-flf": tiny_wan_flf,
    "tiny-wan-a14b": tiny_wan_a14b,
    "tiny-wan-vace": tiny_wan_vace,
}
