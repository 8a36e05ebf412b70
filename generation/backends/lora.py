"""Finding a fast variant's LoRA file on this machine, never downloading, and loading it as a named adapter.

Where a LoRA may be: ``<models dir>/loras/<repo name>/<weight_name>`` or ``<models dir>/loras/<org>--<name>/
<weight_name>`` (what ``hf download <repo> <file> --local-dir`` leaves), else the Hugging Face cache. The test
LoRAs (repos under ``promptcut-test/``) are built into the models folder on first use, as the tiny models are.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..errors import GenerationError
from ..model_types import FastVariant
from ..paths import models_dir

TEST_LORA_ORG = "promptcut-test"
ADAPTER = "promptcut_draft"  # the adapter's name on the transformer(s): one draft LoRA per loaded model


def is_test_lora(variant: FastVariant) -> bool:
    return variant.repo.startswith(TEST_LORA_ORG + "/")


def lora_folders(variant: FastVariant, models_root: str | os.PathLike[str] | None = None) -> list[Path]:
    """Where ``variant``'s file may sit in the models folder, in the order they are tried."""
    root = Path(models_root) if models_root is not None else models_dir()
    org, _, name = variant.repo.partition("/")
    names = [name or org, f"{org}--{name}" if name else org]
    return [root / "loras" / n for n in dict.fromkeys(names)]


def find_lora(
    variant: FastVariant,
    *,
    models_root: str | os.PathLike[str] | None = None,
    hf_cache_dir: str | os.PathLike[str] | None = None,
    second: bool = False,
) -> Path:
    """The LoRA file on disk (``second``: the second expert's, ``weight_name_2``). Test LoRAs are built on first
    use; anything else missing is ``model_missing``."""
    if second:
        if not variant.weight_name_2:
            raise GenerationError(f"{variant.name} names no second-expert file", kind="model_missing")
        variant = replace(variant, weight_name=variant.weight_name_2, weight_name_2=None)
    if not variant.weight_name:
        raise GenerationError(f"{variant.name} names no LoRA file", kind="model_missing")
    folders = lora_folders(variant, models_root)
    for folder in folders:
        path = folder / variant.weight_name
        if path.is_file():
            return path
    if is_test_lora(variant):
        from ..testing.tiny_lora import ensure_test_lora

        return ensure_test_lora(variant, folders[0])
    cached = _hf_cache_file(variant, hf_cache_dir)
    if cached is not None:
        return cached
    where = f"{folders[0]} or the Hugging Face cache"
    raise GenerationError(
        f"the draft LoRA {variant.repo}/{variant.weight_name} is not on this machine (looked in {where})",
        kind="model_missing",
        hint=(
            f"Download it with: hf download {variant.repo} {variant.weight_name} --local-dir {folders[-1]} "
            "(or generate with the Standard or Final profile)."
        ),
    )


def _hf_cache_file(variant: FastVariant, cache_dir: str | os.PathLike[str] | None) -> Path | None:
    try:
        from huggingface_hub import try_to_load_from_cache
    except ImportError:  # pragma: no cover - huggingface_hub comes with diffusers
        return None
    found = try_to_load_from_cache(variant.repo, variant.weight_name or "", cache_dir=cache_dir)
    return Path(found) if isinstance(found, str) else None


def load_adapter(pipe: Any, variant: FastVariant, path: Path, path_2: Path | None = None) -> None:
    """Load ``path`` as the draft adapter through the pipeline's ``load_lora_weights`` (into both experts when the
    variant says so; the second from ``path_2`` when the variant ships one per expert). Each converted state dict
    is read once and handed over, so a non-diffusers file (LightX2V's ComfyUI keys) is converted by diffusers'
    own reader."""

    def read(p: Path) -> dict[str, Any]:
        return type(pipe).lora_state_dict(str(p.parent), weight_name=p.name, local_files_only=True)

    state = read(path)
    targets = [("transformer", False, state)]
    if variant.both_transformers and getattr(pipe, "transformer_2", None) is not None:
        targets.append(("transformer_2", True, state if path_2 is None else read(path_2)))
    for name, into_second, expert_state in targets:
        kwargs: dict[str, Any] = {"adapter_name": ADAPTER}
        if into_second:
            kwargs["load_into_transformer_2"] = True
        pipe.load_lora_weights(dict(expert_state), **kwargs)
        _restore_precision(getattr(pipe, name), expert_state)


def _restore_precision(module: Any, state: dict[str, Any]) -> None:
    """peft gives new LoRA layers the dtype of the layer they wrap; under fp8 layerwise storage that is fp8, which
    has no matmul and would round the LoRA's deltas. Put them back in the compute dtype from the file's values."""
    compute = getattr(module, "_promptcut_compute_dtype", None)
    if compute is None:
        return
    for name, param in module.named_parameters():
        if f".{ADAPTER}." not in name or param.dtype == compute:
            continue
        key = "transformer." + name.replace(f".{ADAPTER}.", ".")
        source = state.get(key)
        param.data = (source if source is not None else param.data).to(device=param.device, dtype=compute)


def has_adapter(pipe: Any) -> bool:
    from .memory import denoisers

    return any(ADAPTER in (getattr(m, "peft_config", None) or {}) for m in denoisers(pipe))


def set_adapter_active(pipe: Any, active: bool, scale: float = 1.0) -> None:
    """Turn the draft adapter on (at ``scale``) or off on every denoiser that has it. Off means peft skips the
    LoRA layers entirely, so a Final on the same warm pipeline equals one on a fresh pipeline."""
    from .memory import denoisers

    for module in denoisers(pipe):
        if ADAPTER not in (getattr(module, "peft_config", None) or {}):
            continue
        if active:
            module.enable_lora()
            module.set_adapters([ADAPTER], [scale])
        else:
            module.disable_lora()


def adapter_active(pipe: Any) -> bool:
    """Whether any denoiser runs the draft adapter now (peft's per-layer ``disable_adapters`` flag)."""
    from .memory import denoisers

    for module in denoisers(pipe):
        for sub in module.modules():
            is_lora = hasattr(sub, "lora_A") and hasattr(sub, "disable_adapters")
            if is_lora and not sub.disable_adapters and ADAPTER in sub.active_adapters:
                return True
    return False
