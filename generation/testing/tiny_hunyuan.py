"""Tiny HunyuanVideo 1.5 twin: saved as ``HunyuanVideo15ImageToVideoPipeline`` (it holds every part, the SigLIP
image encoder included); ``HunyuanVideo15Pipeline`` is built from the same parts for text-to-video.

The parts follow diffusers' fast tests (``tests/pipelines/hunyuan_video1_5/test_hunyuan_1_5.py``). Those load
a Qwen2 tokenizer and a T5 config from the hub; here a character-level Qwen2 tokenizer and our own T5 config
are made offline. ``ByT5Tokenizer`` needs no files.
"""

from __future__ import annotations

import string
from typing import Any

from .tiny_parts import TEXT_DIM, seeded, t5_config_kwargs

IMAGE_DIM = 12  # the SigLIP width = the transformer's ``image_embed_dim``
# The pipeline wraps the prompt with ``apply_chat_template``: Qwen's layout, in characters.
CHAT_TEMPLATE = (
    "{% for message in messages %}<|im_start|>{{ message['role'] }}\n{{ message['content'] }}<|im_end|>\n"
    "{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)


def qwen_tokenizer() -> Any:
    """A byte-level BPE Qwen2 tokenizer without merges: one token per printable ASCII character."""
    from transformers import Qwen2Tokenizer

    chars = [*string.ascii_letters, *string.digits, *string.punctuation, "\u0120", "\u010a"]
    vocab = {tok: i for i, tok in enumerate(["<|endoftext|>", *dict.fromkeys(chars)])}
    return Qwen2Tokenizer(vocab=vocab, merges=[], chat_template=CHAT_TEMPLATE)


def tiny_hunyuan15() -> Any:
    from diffusers import (
        AutoencoderKLHunyuanVideo15,
        FlowMatchEulerDiscreteScheduler,
        HunyuanVideo15ImageToVideoPipeline,
        HunyuanVideo15Transformer3DModel,
    )
    from diffusers.guiders import ClassifierFreeGuidance
    from transformers import (
        ByT5Tokenizer,
        Qwen2_5_VLTextConfig,
        Qwen2_5_VLTextModel,
        SiglipImageProcessorPil,
        SiglipVisionConfig,
        SiglipVisionModel,
        T5Config,
        T5EncoderModel,
    )

    transformer = seeded(
        lambda: HunyuanVideo15Transformer3DModel(
            in_channels=9,
            out_channels=4,
            num_attention_heads=2,
            attention_head_dim=8,
            num_layers=1,
            num_refiner_layers=1,
            mlp_ratio=2.0,
            patch_size=1,
            patch_size_t=1,
            text_embed_dim=16,
            text_embed_2_dim=TEXT_DIM,
            image_embed_dim=IMAGE_DIM,
            rope_axes_dim=(2, 2, 4),
            target_size=32,  # I2V picks its size from buckets of this area: 24x40, 40x24, 32x32
            task_type="i2v",
        ).eval()
    )
    vae = seeded(
        lambda: AutoencoderKLHunyuanVideo15(
            in_channels=3,
            out_channels=3,
            latent_channels=4,
            block_out_channels=(16, 16),
            layers_per_block=1,
            spatial_compression_ratio=4,
            temporal_compression_ratio=2,
            downsample_match_channel=False,
            upsample_match_channel=False,
        ).eval()
    )
    qwen = Qwen2_5_VLTextConfig(
        hidden_size=16,
        intermediate_size=16,
        num_hidden_layers=2,
        num_attention_heads=2,
        num_key_value_heads=2,
        rope_scaling={"mrope_section": [1, 1, 2], "rope_type": "default", "type": "default"},
        rope_theta=1000000.0,
    )
    tok = qwen_tokenizer()
    qwen.vocab_size = len(tok)
    text_encoder = seeded(lambda: Qwen2_5_VLTextModel(qwen).eval())
    tokenizer_2 = ByT5Tokenizer()
    text_encoder_2 = seeded(lambda: T5EncoderModel(T5Config(**t5_config_kwargs(len(tokenizer_2)))).eval())
    image_encoder = seeded(
        lambda: SiglipVisionModel(
            SiglipVisionConfig(
                hidden_size=IMAGE_DIM,
                intermediate_size=16,
                num_hidden_layers=1,
                num_attention_heads=2,
                image_size=8,
                patch_size=4,
            )
        ).eval()
    )
    return HunyuanVideo15ImageToVideoPipeline(
        text_encoder=text_encoder,
        tokenizer=tok,
        transformer=transformer,
        vae=vae,
        scheduler=FlowMatchEulerDiscreteScheduler(shift=7.0),
        text_encoder_2=text_encoder_2,
        tokenizer_2=tokenizer_2,
        guider=ClassifierFreeGuidance(guidance_scale=1.0),
        image_encoder=image_encoder,
        feature_extractor=SiglipImageProcessorPil(size={"height": 8, "width": 8}),
    )


BUILDERS = {"tiny-hunyuan15": tiny_hunyuan15}
