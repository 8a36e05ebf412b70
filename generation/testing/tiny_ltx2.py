"""Tiny LTX-2 twin: joint audio + video (``LTX2Pipeline``; the image and condition pipelines share its parts).

The parts follow diffusers' fast tests (``tests/pipelines/ltx2/test_ltx2.py``). Those load
``hf-internal-testing/tiny-gemma3`` from the hub; here a Gemma 3 model is built from a small config and a
character-level BPE Gemma tokenizer is made offline.
"""

from __future__ import annotations

import string
from typing import Any

from .tiny_parts import seeded

AUDIO_RATE = 16000  # the tiny vocoder's output rate (the real LTX-2 vocoder makes 24 kHz)


def gemma_tokenizer() -> Any:
    """A character-level Gemma tokenizer (BPE without merges): every ASCII character is a token."""
    from transformers import GemmaTokenizer

    specials = ["<pad>", "<eos>", "<bos>", "<unk>", "<mask>"]
    chars = ["\u2581", *string.ascii_letters, *string.digits, *string.punctuation]
    vocab = {tok: i for i, tok in enumerate(specials + chars)}
    return GemmaTokenizer(vocab=vocab, merges=[])


def gemma_encoder(vocab_size: int) -> Any:
    from transformers import Gemma3Config, Gemma3ForConditionalGeneration, Gemma3TextConfig, SiglipVisionConfig

    text = Gemma3TextConfig(
        vocab_size=vocab_size,
        hidden_size=32,  # the connectors' width (4 heads x 8)
        intermediate_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        num_key_value_heads=1,
        head_dim=16,
        max_position_embeddings=256,
        sliding_window=16,
    )
    vision = SiglipVisionConfig(
        hidden_size=16, intermediate_size=32, num_hidden_layers=1, num_attention_heads=2, image_size=8, patch_size=4
    )
    config = Gemma3Config(text_config=text, vision_config=vision, mm_tokens_per_image=4)
    return Gemma3ForConditionalGeneration(config).eval()


def tiny_ltx2() -> Any:
    from diffusers import (
        AutoencoderKLLTX2Audio,
        AutoencoderKLLTX2Video,
        FlowMatchEulerDiscreteScheduler,
        LTX2Pipeline,
        LTX2VideoTransformer3DModel,
    )
    from diffusers.pipelines.ltx2 import LTX2TextConnectors
    from diffusers.pipelines.ltx2.vocoder import LTX2Vocoder

    tok = gemma_tokenizer()
    text_encoder = seeded(lambda: gemma_encoder(len(tok)))
    hidden = text_encoder.config.text_config.hidden_size
    layers = text_encoder.config.text_config.num_hidden_layers
    transformer = seeded(
        lambda: LTX2VideoTransformer3DModel(
            in_channels=4,
            out_channels=4,
            patch_size=1,
            patch_size_t=1,
            num_attention_heads=2,
            attention_head_dim=8,
            cross_attention_dim=16,
            audio_in_channels=4,
            audio_out_channels=4,
            audio_num_attention_heads=2,
            audio_attention_head_dim=4,
            audio_cross_attention_dim=8,
            num_layers=2,
            qk_norm="rms_norm_across_heads",
            caption_channels=hidden,
            rope_double_precision=False,
            rope_type="split",
        )
    )
    connectors = seeded(
        lambda: LTX2TextConnectors(
            caption_channels=hidden,
            text_proj_in_factor=layers + 1,
            video_connector_num_attention_heads=4,
            video_connector_attention_head_dim=8,
            video_connector_num_layers=1,
            video_connector_num_learnable_registers=None,
            audio_connector_num_attention_heads=4,
            audio_connector_attention_head_dim=8,
            audio_connector_num_layers=1,
            audio_connector_num_learnable_registers=None,
            connector_rope_base_seq_len=32,
            rope_theta=10000.0,
            rope_double_precision=False,
            causal_temporal_positioning=False,
            rope_type="split",
        )
    )

    def video_vae() -> Any:
        vae = AutoencoderKLLTX2Video(
            in_channels=3,
            out_channels=3,
            latent_channels=4,
            block_out_channels=(8,),
            decoder_block_out_channels=(8,),
            layers_per_block=(1,),
            decoder_layers_per_block=(1, 1),
            spatio_temporal_scaling=(True,),
            decoder_spatio_temporal_scaling=(True,),
            decoder_inject_noise=(False, False),
            downsample_type=("spatial",),
            upsample_residual=(False,),
            upsample_factor=(1,),
            timestep_conditioning=False,
            patch_size=1,
            patch_size_t=1,
            encoder_causal=True,
            decoder_causal=False,
        )
        return vae

    vae = seeded(video_vae)
    audio_vae = seeded(
        lambda: AutoencoderKLLTX2Audio(
            base_channels=4,
            output_channels=2,
            ch_mult=(1,),
            num_res_blocks=1,
            attn_resolutions=None,
            in_channels=2,
            resolution=32,
            latent_channels=2,
            norm_type="pixel",
            causality_axis="height",
            dropout=0.0,
            mid_block_add_attention=False,
            sample_rate=AUDIO_RATE,
            mel_hop_length=160,
            is_causal=True,
            mel_bins=8,
        )
    )
    vocoder = seeded(
        lambda: LTX2Vocoder(
            in_channels=audio_vae.config.output_channels * audio_vae.config.mel_bins,
            hidden_channels=32,
            out_channels=2,
            # Upsampling by the mel hop (160 = 10 x 16) so the sound lasts as long as the picture.
            upsample_kernel_sizes=[20, 32],
            upsample_factors=[10, 16],
            resnet_kernel_sizes=[3],
            resnet_dilations=[[1, 3, 5]],
            leaky_relu_negative_slope=0.1,
            output_sampling_rate=AUDIO_RATE,
        )
    )
    return LTX2Pipeline(
        scheduler=FlowMatchEulerDiscreteScheduler(),
        vae=vae,
        audio_vae=audio_vae,
        text_encoder=text_encoder,
        tokenizer=tok,
        connectors=connectors,
        transformer=transformer,
        vocoder=vocoder,
        processor=None,
        prompt_enhancer=None,
        duration_head=None,
    )


BUILDERS = {"tiny-ltx2": tiny_ltx2}
