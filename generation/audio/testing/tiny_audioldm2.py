"""Tiny AudioLDM 2: the real ``AudioLDM2Pipeline`` parts (CLAP and T5 text encoders, the GPT-2 language model,
the projection model, ``AudioLDM2UNet2DConditionModel``, a mel ``AutoencoderKL``, the SpeechT5 HiFi-GAN vocoder)
with random weights, shrunk from diffusers' own fast test and built without the hub: the RoBERTa tokenizer is a
byte-level BPE over the 256 byte symbols (no merges), the T5 one the shared offline Unigram.

It keeps the real model's timing: 16 kHz mono with a vocoder hop of 160 samples (10 ms mel frames), so a take's
length maps to latent frames as with the real weights. 16 mel bins and a 4x VAE keep the UNet small.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ...testing.tiny_parts import TEXT_DIM, seeded, t5_config_kwargs, tokenizer

SAMPLE_RATE = 16000
MEL_BINS = 16
CLAP_DIM = 16
LM_DIM = 16


def roberta_tokenizer() -> Any:
    from tokenizers.pre_tokenizers import ByteLevel
    from transformers import RobertaTokenizer

    vocab = {"<s>": 0, "<pad>": 1, "</s>": 2, "<unk>": 3}
    for symbol in sorted(ByteLevel.alphabet()):
        vocab.setdefault(symbol, len(vocab))
    vocab["<mask>"] = len(vocab)
    return RobertaTokenizer(vocab=vocab, merges=[], model_max_length=32)


def tiny_audioldm2() -> Any:
    from diffusers import (
        AudioLDM2Pipeline,
        AudioLDM2ProjectionModel,
        AudioLDM2UNet2DConditionModel,
        AutoencoderKL,
        DDIMScheduler,
    )
    from transformers import (
        ClapAudioConfig,
        ClapConfig,
        ClapFeatureExtractor,
        ClapModel,
        ClapTextConfig,
        GPT2Config,
        GPT2LMHeadModel,
        SpeechT5HifiGan,
        SpeechT5HifiGanConfig,
        T5Config,
        T5EncoderModel,
    )

    tok = roberta_tokenizer()
    tok_2 = tokenizer()
    tok_2.model_max_length = 32
    text_config = ClapTextConfig(
        bos_token_id=0, eos_token_id=2, pad_token_id=1, vocab_size=len(tok), hidden_size=CLAP_DIM,
        intermediate_size=37, num_attention_heads=2, num_hidden_layers=2, projection_dim=CLAP_DIM,
        max_position_embeddings=40,
    )
    # The audio branch only scores several takes against the prompt; one take per job never runs it.
    audio_config = ClapAudioConfig(
        spec_size=64, window_size=4, num_mel_bins=64, intermediate_size=37, depths=[2, 2],
        num_attention_heads=[2, 2], num_hidden_layers=2, hidden_size=192, projection_dim=CLAP_DIM, patch_size=2,
        patch_stride=2, patch_embed_input_channels=4,
    )
    clap = seeded(lambda: ClapModel(ClapConfig(text_config=text_config.to_dict(),
                                               audio_config=audio_config.to_dict(), projection_dim=CLAP_DIM)).eval())
    text_encoder_2 = seeded(lambda: T5EncoderModel(T5Config(**t5_config_kwargs(len(tok_2)))).eval(), seed=1)
    language_model = seeded(
        lambda: GPT2LMHeadModel(GPT2Config(n_embd=LM_DIM, n_head=2, n_layer=2, vocab_size=len(tok), n_ctx=99,
                                           n_positions=99, bos_token_id=0, eos_token_id=2)).eval(),
        seed=2,
    )
    language_model.config.max_new_tokens = 8  # the real model generates 8 "audio" embeddings too
    projection_model = seeded(
        lambda: AudioLDM2ProjectionModel(text_encoder_dim=CLAP_DIM, text_encoder_1_dim=TEXT_DIM,
                                         langauge_model_dim=LM_DIM),  # sic: diffusers' spelling
        seed=3,
    )
    unet = seeded(
        lambda: AudioLDM2UNet2DConditionModel(
            block_out_channels=(8, 16), layers_per_block=1, norm_num_groups=4, sample_size=32, in_channels=4,
            out_channels=4, down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"),
            up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"), attention_head_dim=4,
            cross_attention_dim=([None, LM_DIM, TEXT_DIM], [None, LM_DIM, TEXT_DIM]),  # self, GPT-2, T5
        ),
        seed=4,
    )
    vae = seeded(
        lambda: AutoencoderKL(
            block_out_channels=[8, 8, 8], norm_num_groups=4, in_channels=1, out_channels=1, latent_channels=4,
            down_block_types=["DownEncoderBlock2D"] * 3, up_block_types=["UpDecoderBlock2D"] * 3,
        ),
        seed=5,
    )
    # Five upsampling stages of 5*4*2*2*2 = 160 samples per mel frame, as the real vocoder has. A wider weight
    # spread than the default (0.01) so the random vocoder's output is audible noise rather than 1e-10.
    vocoder = seeded(
        lambda: SpeechT5HifiGan(SpeechT5HifiGanConfig(
            model_in_dim=MEL_BINS, sampling_rate=SAMPLE_RATE, upsample_initial_channel=64,
            upsample_rates=[5, 4, 2, 2, 2], upsample_kernel_sizes=[10, 8, 4, 4, 4], resblock_kernel_sizes=[3],
            resblock_dilation_sizes=[[1, 3]], normalize_before=False, initializer_range=0.18,
        )).eval(),
        seed=6,
    )
    scheduler = DDIMScheduler(beta_start=0.0015, beta_end=0.0195, beta_schedule="scaled_linear", clip_sample=False,
                              set_alpha_to_one=False, steps_offset=1)
    return AudioLDM2Pipeline(
        vae=vae, text_encoder=clap, text_encoder_2=text_encoder_2, projection_model=projection_model,
        language_model=language_model, tokenizer=tok, tokenizer_2=tok_2, feature_extractor=ClapFeatureExtractor(),
        unet=unet, scheduler=scheduler, vocoder=vocoder,
    )


def build(folder: Path) -> None:
    from ..._quiet import quiet_progress_bars

    pipe = tiny_audioldm2()
    with quiet_progress_bars():
        pipe.save_pretrained(folder, safe_serialization=True)


BUILDERS = {"tiny-audioldm2": build}
