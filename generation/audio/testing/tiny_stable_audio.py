"""Tiny Stable Audio Open: the real ``StableAudioPipeline`` parts (``StableAudioDiTModel``,
``AutoencoderOobleck``, a T5 encoder, ``StableAudioProjectionModel``, ``CosineDPMSolverMultistepScheduler``)
with random weights, shrunk from diffusers' own fast test.

It keeps the real model's shape of time: 44.1 kHz stereo, a VAE hop of 2048 samples (downsampling 2, 4, 4, 8,
8) and a 1024-latent window, so it too makes at most 47.55 s per take and the engine's length handling is
exercised as with the real weights. The text encoder and tokenizer are the offline T5 parts the video twins use.
A take of a few seconds generates in about two seconds on a laptop CPU.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ...testing.tiny_parts import TEXT_DIM, seeded, t5_config_kwargs, tokenizer

SAMPLE_RATE = 44100
LATENT_CHANNELS = 4
CONDITIONING_DIM = 8


def tiny_stable_audio() -> Any:
    from diffusers import (
        AutoencoderOobleck,
        CosineDPMSolverMultistepScheduler,
        StableAudioDiTModel,
        StableAudioPipeline,
        StableAudioProjectionModel,
    )
    from transformers import T5Config, T5EncoderModel

    tok = tokenizer()
    tok.model_max_length = 32  # the pipeline pads prompts to this length
    text_encoder = seeded(lambda: T5EncoderModel(T5Config(**t5_config_kwargs(len(tok)))).eval())
    transformer = seeded(
        lambda: StableAudioDiTModel(
            sample_size=1024,
            in_channels=LATENT_CHANNELS,
            num_layers=2,
            attention_head_dim=8,
            num_attention_heads=2,
            num_key_value_attention_heads=1,
            out_channels=LATENT_CHANNELS,
            cross_attention_dim=16,
            time_proj_dim=8,
            global_states_input_dim=2 * CONDITIONING_DIM,  # seconds start + seconds end
            cross_attention_input_dim=CONDITIONING_DIM,
        ),
        seed=1,
    )
    vae = seeded(
        lambda: AutoencoderOobleck(
            encoder_hidden_size=4,
            downsampling_ratios=[2, 4, 4, 8, 8],
            channel_multiples=[1, 2, 2, 2, 2],
            decoder_channels=4,
            decoder_input_channels=LATENT_CHANNELS,
            audio_channels=2,
            sampling_rate=SAMPLE_RATE,
        ),
        seed=2,
    )
    projection_model = seeded(
        lambda: StableAudioProjectionModel(
            text_encoder_dim=TEXT_DIM, conditioning_dim=CONDITIONING_DIM, min_value=0, max_value=512
        ),
        seed=3,
    )
    # The class defaults, which Stable Audio Open ships with (v-prediction, exponential sigmas 0.3..500).
    scheduler = CosineDPMSolverMultistepScheduler(
        solver_order=2,
        prediction_type="v_prediction",
        sigma_data=1.0,
        sigma_schedule="exponential",
        sigma_min=0.3,
        sigma_max=500.0,
    )
    return StableAudioPipeline(
        vae=vae,
        text_encoder=text_encoder,
        projection_model=projection_model,
        tokenizer=tok,
        transformer=transformer,
        scheduler=scheduler,
    )


def build(folder: Path) -> None:
    import warnings

    from ..._quiet import quiet_progress_bars

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # Oobleck's weight_norm deprecation
        pipe = tiny_stable_audio()
    with quiet_progress_bars():
        pipe.save_pretrained(folder, safe_serialization=True)


BUILDERS = {"tiny-stable-audio": build}
