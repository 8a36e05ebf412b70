"""Tiny random-weight instances of the real diffusers video pipelines, built offline.

Every part is a real class (``WanTransformer3DModel``, ``AutoencoderKLWan``, ``UMT5EncoderModel``,
``LTXVideoTransformer3DModel``, ...), shrunk to a few hundred kilobytes with the configs diffusers' own fast
tests use (``tests/pipelines/wan/test_wan_22.py``, ``test_wan_image_to_video.py``, ``tests/pipelines/ltx``).
The only hub access those tests make, the ``hf-internal-testing/tiny-random-t5`` config and tokenizer, is
replaced by a T5 config and a Unigram tokenizer made here. Weights are seeded, so a build is deterministic.

``ensure_test_model`` saves a model with ``save_pretrained(safe_serialization=True)`` in the normal diffusers
layout on first use, so it is loaded back through the same ``from_pretrained`` path as a real model. Two
processes may build at once: each builds into its own temporary folder and renames it into place.
"""

from __future__ import annotations

import json
import os
import shutil
import string
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..models import TEST_MODEL_IDS, get_model
from ..paths import models_dir

RECIPE_VERSION = 1
MARKER = "promptcut_test_model.json"

# The encoder width must equal Wan's ``text_dim`` and LTX's ``caption_channels``.
_TEXT_DIM = 32


def _vocab() -> list[tuple[str, float]]:
    """A small Unigram vocabulary covering plain ASCII text; unknown characters map to ``<unk>``."""
    specials = [("<pad>", 0.0), ("</s>", 0.0), ("<unk>", 0.0)]
    chars = string.ascii_letters + string.digits + string.punctuation
    pieces = [("\u2581" + c, -4.0) for c in string.ascii_letters + string.digits]
    pieces += [(c, -5.0) for c in chars] + [("\u2581", -3.0)]
    return specials + pieces


def _tokenizer():
    from transformers import T5Tokenizer

    # transformers 5: the T5 tokenizer is the tokenizers-backed Unigram model and takes its vocabulary directly.
    return T5Tokenizer(vocab=_vocab(), extra_ids=0)


def _t5_config_kwargs(vocab_size: int) -> dict[str, Any]:
    return dict(
        vocab_size=vocab_size,
        d_model=_TEXT_DIM,
        d_kv=8,
        d_ff=37,
        num_layers=2,
        num_heads=4,
        relative_attention_num_buckets=8,
        dropout_rate=0.0,
    )


def _seeded(fn: Callable[[], Any], seed: int = 0) -> Any:
    import torch

    torch.manual_seed(seed)
    return fn()


def _tiny_wan() -> Any:
    """Wan 2.2 TI2V 5B in miniature: a 48-channel latent, 16x spatial VAE, ``expand_timesteps``."""
    from diffusers import AutoencoderKLWan, UniPCMultistepScheduler, WanPipeline, WanTransformer3DModel
    from transformers import UMT5Config, UMT5EncoderModel

    tokenizer = _tokenizer()
    text_encoder = _seeded(lambda: UMT5EncoderModel(UMT5Config(**_t5_config_kwargs(len(tokenizer)))).eval())
    vae = _seeded(
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
    transformer = _seeded(
        lambda: WanTransformer3DModel(
            patch_size=(1, 2, 2),
            num_attention_heads=2,
            attention_head_dim=12,
            in_channels=48,
            out_channels=48,
            text_dim=_TEXT_DIM,
            freq_dim=256,
            ffn_dim=32,
            num_layers=2,
            cross_attn_norm=True,
            qk_norm="rms_norm_across_heads",
            rope_max_seq_len=32,
        )
    )
    scheduler = UniPCMultistepScheduler(prediction_type="flow_prediction", use_flow_sigmas=True, flow_shift=5.0)
    return WanPipeline(
        tokenizer=tokenizer,
        text_encoder=text_encoder,
        vae=vae,
        scheduler=scheduler,
        transformer=transformer,
        transformer_2=None,
        boundary_ratio=None,
        expand_timesteps=True,
    )


def _tiny_wan_flf() -> Any:
    """Wan 2.1 FLF2V in miniature: CLIP image encoder and a position table for two images."""
    from diffusers import (
        AutoencoderKLWan,
        FlowMatchEulerDiscreteScheduler,
        WanImageToVideoPipeline,
        WanTransformer3DModel,
    )
    from transformers import CLIPVisionConfig, CLIPVisionModel, UMT5Config, UMT5EncoderModel

    try:  # transformers 5 without torchvision: the PIL processor (what CLIPImageProcessor falls back to)
        from transformers import CLIPImageProcessorPil as ImageProcessor
    except ImportError:  # pragma: no cover - older transformers
        from transformers import CLIPImageProcessor as ImageProcessor

    image_size = 4
    tokenizer = _tokenizer()
    text_encoder = _seeded(lambda: UMT5EncoderModel(UMT5Config(**_t5_config_kwargs(len(tokenizer)))).eval())
    vae = _seeded(
        lambda: AutoencoderKLWan(
            base_dim=3, z_dim=16, dim_mult=[1, 1, 1, 1], num_res_blocks=1, temperal_downsample=[False, True, True]
        )
    )
    transformer = _seeded(
        lambda: WanTransformer3DModel(
            patch_size=(1, 2, 2),
            num_attention_heads=2,
            attention_head_dim=12,
            in_channels=36,
            out_channels=16,
            text_dim=_TEXT_DIM,
            freq_dim=256,
            ffn_dim=32,
            num_layers=2,
            cross_attn_norm=True,
            qk_norm="rms_norm_across_heads",
            rope_max_seq_len=32,
            image_dim=4,
            pos_embed_seq_len=2 * (image_size * image_size + 1),  # two images of (patches + class token)
        )
    )
    image_encoder = _seeded(
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
        tokenizer=tokenizer,
        text_encoder=text_encoder,
        vae=vae,
        scheduler=FlowMatchEulerDiscreteScheduler(shift=5.0),
        transformer=transformer,
        image_encoder=image_encoder,
        image_processor=image_processor,
    )


def _tiny_ltx() -> Any:
    """LTX-Video in miniature (saved as ``LTXPipeline``; ``LTXConditionPipeline`` is built from the same parts)."""
    from diffusers import (
        AutoencoderKLLTXVideo,
        FlowMatchEulerDiscreteScheduler,
        LTXPipeline,
        LTXVideoTransformer3DModel,
    )
    from transformers import T5Config, T5EncoderModel

    tokenizer = _tokenizer()
    text_encoder = _seeded(lambda: T5EncoderModel(T5Config(**_t5_config_kwargs(len(tokenizer)))).eval())
    transformer = _seeded(
        lambda: LTXVideoTransformer3DModel(
            in_channels=8,
            out_channels=8,
            patch_size=1,
            patch_size_t=1,
            num_attention_heads=4,
            attention_head_dim=8,
            cross_attention_dim=32,
            num_layers=1,
            caption_channels=_TEXT_DIM,
        )
    )
    vae = _seeded(
        lambda: AutoencoderKLLTXVideo(
            in_channels=3,
            out_channels=3,
            latent_channels=8,
            block_out_channels=(8, 8, 8, 8),
            decoder_block_out_channels=(8, 8, 8, 8),
            layers_per_block=(1, 1, 1, 1, 1),
            decoder_layers_per_block=(1, 1, 1, 1, 1),
            spatio_temporal_scaling=(True, True, False, False),
            decoder_spatio_temporal_scaling=(True, True, False, False),
            decoder_inject_noise=(False, False, False, False, False),
            upsample_residual=(False, False, False, False),
            upsample_factor=(1, 1, 1, 1),
            timestep_conditioning=False,
            patch_size=1,
            patch_size_t=1,
            encoder_causal=True,
            decoder_causal=False,
        )
    )
    return LTXPipeline(
        tokenizer=tokenizer,
        text_encoder=text_encoder,
        vae=vae,
        scheduler=FlowMatchEulerDiscreteScheduler(),
        transformer=transformer,
    )


_BUILDERS: dict[str, Callable[[], Any]] = {
    "tiny-wan": _tiny_wan,
    "tiny-wan-flf": _tiny_wan_flf,
    "tiny-ltx": _tiny_ltx,
}
assert set(_BUILDERS) == set(TEST_MODEL_IDS), "every registry test model needs a builder"


def build_test_pipeline(model_id: str) -> Any:
    """A fresh in-memory pipeline for a test model, deterministic, without touching the global torch RNG."""
    import torch

    model = get_model(model_id)
    if not model.is_test_model:
        raise ValueError(f"{model_id} is not a test model; test models: {', '.join(TEST_MODEL_IDS)}")
    with torch.random.fork_rng(devices=[]):
        pipe = _BUILDERS[model_id]()
    return pipe


def _marker_ok(folder: Path) -> bool:
    try:
        info = json.loads((folder / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return info.get("recipe") == RECIPE_VERSION and (folder / "model_index.json").is_file()


def tiny_model_revision(model_id: str) -> str:
    return f"{model_id}-recipe-{RECIPE_VERSION}"


def ensure_test_model(model_id: str, root: str | os.PathLike[str] | None = None) -> Path:
    """The folder holding the built test model, building it first if needed (safe across processes).

    ``root`` defaults to the configured models folder (``$PROMPTCUT_MODELS`` or the user cache).
    """
    from .._quiet import quiet_progress_bars

    model = get_model(model_id)
    if not model.is_test_model:
        raise ValueError(f"{model_id} is not a test model; test models: {', '.join(TEST_MODEL_IDS)}")
    root_dir = Path(root) if root is not None else models_dir()
    final = root_dir / model_id
    if _marker_ok(final):
        return final
    root_dir.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{model_id}.build-", dir=root_dir))
    try:
        pipe = build_test_pipeline(model_id)
        with quiet_progress_bars():
            pipe.save_pretrained(tmp, safe_serialization=True)
        import diffusers
        import torch
        import transformers

        marker = {
            "id": model_id,
            "recipe": RECIPE_VERSION,
            "revision": tiny_model_revision(model_id),
            "mirrors": model.repo,
            "note": "tiny random weights built offline by generation.testing; makes noise",
            "built_with": {
                "diffusers": diffusers.__version__,
                "transformers": transformers.__version__,
                "torch": torch.__version__,
            },
        }
        (tmp / MARKER).write_text(json.dumps(marker, indent=2) + "\n", encoding="utf-8")  # written last
        _move_into_place(tmp, final)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if not _marker_ok(final):  # pragma: no cover - only if another process left something odd behind
        raise RuntimeError(f"could not build test model {model_id} into {final}")
    return final


def _move_into_place(tmp: Path, final: Path) -> None:
    """Rename the finished build over ``final``; if another process got there first with a good build, keep it."""
    for _ in range(3):
        try:
            os.rename(tmp, final)  # atomic; fails if ``final`` exists and is not empty
            return
        except OSError:
            if _marker_ok(final):
                return  # a concurrent build won: identical content
            # A stale or broken folder (older recipe, interrupted copy): move it aside, then retry.
            stale = final.with_name(f".{final.name}.stale-{os.getpid()}")
            try:
                os.rename(final, stale)
            except OSError:
                continue
            shutil.rmtree(stale, ignore_errors=True)
    raise RuntimeError(f"could not move the built test model into {final}")
