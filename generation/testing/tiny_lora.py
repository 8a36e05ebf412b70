"""Tiny random step-distillation LoRAs for the tiny Wan twins, built offline on first use.

The file is in the diffusers/peft layout (``transformer.<module>.lora_A.weight`` / ``lora_B.weight``, what
``save_lora_weights`` writes) and targets every linear layer of the tiny transformer's blocks, so it loads
through the pipeline's real ``load_lora_weights``. It makes noise, as the tiny models do; its B matrices are not
zero, so a draft with it differs visibly from one without. A LoRA for a two-expert model (``both_transformers``)
loads the same file into each expert; the tiny A14B twin's experts share their layout.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from ..model_types import FastVariant

# ``generation.testing.tiny`` gathers model builders from every ``tiny_*`` module: this one builds none.
BUILDERS: dict[str, Any] = {}
RANK = 4
SCALE = 0.5  # large enough to move a tiny random transformer's output well past rounding


# Which tiny twin each test LoRA is shaped for (the registry names them as the tiny models' fast variants).
TEST_LORAS = {
    "promptcut-test/tiny-wan-lightx2v": "tiny-wan",
    "promptcut-test/tiny-wan-a14b-lightning": "tiny-wan-a14b",
}


def _test_model_for(variant: FastVariant) -> str:
    if variant.repo in TEST_LORAS:
        return TEST_LORAS[variant.repo]
    from ..models import list_models

    for model in list_models(include_test=True):
        if model.is_test_model and variant in model.fast_variants:
            return model.id
    raise ValueError(f"no test model names the LoRA {variant.repo}/{variant.weight_name}")


def tiny_lora_state(transformer: Any, seed: int = 1234) -> dict[str, Any]:
    """A seeded random LoRA for every linear layer in ``transformer``'s blocks (diffusers key layout)."""
    import torch

    generator = torch.Generator().manual_seed(seed)
    state: dict[str, Any] = {}
    for name, module in transformer.named_modules():
        if not (isinstance(module, torch.nn.Linear) and name.startswith("blocks.")):
            continue
        a = torch.randn(RANK, module.in_features, generator=generator) * SCALE
        b = torch.randn(module.out_features, RANK, generator=generator) * SCALE
        state[f"transformer.{name}.lora_A.weight"] = a.contiguous()
        state[f"transformer.{name}.lora_B.weight"] = b.contiguous()
    return state


def build_test_lora(variant: FastVariant) -> dict[str, Any]:
    from .tiny import build_test_pipeline

    pipe = build_test_pipeline(_test_model_for(variant))
    return tiny_lora_state(pipe.transformer)


def ensure_test_lora(variant: FastVariant, folder: str | os.PathLike[str]) -> Path:
    """``folder/<weight_name>``, built first if missing (written to a temporary name, then renamed: atomic)."""
    from safetensors.torch import save_file

    if not variant.weight_name:
        raise ValueError(f"{variant.name} names no LoRA file")
    folder = Path(folder)
    path = folder / variant.weight_name
    if path.is_file():
        return path
    folder.mkdir(parents=True, exist_ok=True)
    state = build_test_lora(variant)
    fd, tmp = tempfile.mkstemp(prefix=f".{variant.weight_name}.", dir=folder)
    os.close(fd)
    try:
        save_file(state, tmp, metadata={"format": "pt", "promptcut": "tiny random test LoRA"})
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path
