"""Parts every tiny twin shares: an offline Unigram tokenizer, a small T5 config, seeded construction.

The only hub access diffusers' own fast tests make, the ``hf-internal-testing/tiny-random-t5`` config and
tokenizer, is replaced by a T5 config and a Unigram tokenizer made here.
"""

from __future__ import annotations

import string
from collections.abc import Callable
from typing import Any

# The encoder width must equal Wan's ``text_dim`` and LTX's ``caption_channels``.
TEXT_DIM = 32


def vocab() -> list[tuple[str, float]]:
    """A small Unigram vocabulary covering plain ASCII text; unknown characters map to ``<unk>``."""
    specials = [("<pad>", 0.0), ("</s>", 0.0), ("<unk>", 0.0)]
    chars = string.ascii_letters + string.digits + string.punctuation
    pieces = [("\u2581" + c, -4.0) for c in string.ascii_letters + string.digits]
    pieces += [(c, -5.0) for c in chars] + [("\u2581", -3.0)]
    return specials + pieces


def tokenizer():
    from transformers import T5Tokenizer

    # transformers 5: the T5 tokenizer is the tokenizers-backed Unigram model and takes its vocabulary directly.
    return T5Tokenizer(vocab=vocab(), extra_ids=0)


def t5_config_kwargs(vocab_size: int) -> dict[str, Any]:
    return dict(
        vocab_size=vocab_size,
        d_model=TEXT_DIM,
        d_kv=8,
        d_ff=37,
        num_layers=2,
        num_heads=4,
        relative_attention_num_buckets=8,
        dropout_rate=0.0,
    )


def seeded(fn: Callable[[], Any], seed: int = 0) -> Any:
    import torch

    torch.manual_seed(seed)
    return fn()
