"""Memory levers: which to pull for a model on this device, how to pull them, and what to advise after an OOM.

Levers, from fastest to leanest (diffusers docs, research/generation.md section 2):
``none`` (everything on the GPU) > ``model`` (``enable_model_cpu_offload``: one component on the GPU at a time)
> ``group`` (``enable_group_offload``, leaf level with CUDA streams: layers stream in while others compute)
> ``sequential`` (``enable_sequential_cpu_offload``: "extremely slow", only on request).
VAE tiling decodes in tiles, trading a little time for a much lower decode peak.
fp8 layerwise storage (``enable_layerwise_casting(storage_dtype=float8_e4m3fn)``) halves the transformer's
weights in memory and upcasts each layer as it runs: memory, not time. It comes first when it alone lets the
whole model stay on the GPU (a bf16 weight is 2 bytes, fp8 1 byte: ``params_b`` GB saved), and joins the
offload levers when even they are below the model's advised minimum.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

from ..models import ModelInfo
from .settings import BackendSettings

OffloadLevel = Literal["none", "model", "group", "sequential"]
LADDER: tuple[OffloadLevel, ...] = ("none", "model", "group", "sequential")
_GB = 1024**3


@dataclass(frozen=True)
class MemoryPlan:
    offload: OffloadLevel
    vae_tiling: bool
    reason: str
    free_gb: float | None = None
    total_gb: float | None = None
    fp8: bool = False  # transformer weights stored as float8_e4m3fn, computed in the pipeline's dtype

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def choose_plan(
    model: ModelInfo,
    device_type: str,
    settings: BackendSettings,
    free_bytes: int | None = None,
    total_bytes: int | None = None,
) -> MemoryPlan:
    """Pick levers from the settings, else from free VRAM against the model's advice. CPU: none at all."""
    if device_type != "cuda":
        return MemoryPlan("none", False, f"{device_type}: no memory levers")
    free_gb = None if free_bytes is None else free_bytes / _GB
    total_gb = None if total_bytes is None else total_bytes / _GB
    fp8 = False
    saved = model.params_b or 0.0  # GB freed by fp8 storage of the transformer (2 bytes -> 1 per weight)
    if settings.offload != "auto":
        offload: OffloadLevel = settings.offload  # type: ignore[assignment]
        reason = f"offload={offload} set in the settings"
    elif model.vram is None or free_gb is None:
        offload, reason = "none", "no VRAM advice for this model: everything on the GPU"
    elif free_gb >= model.vram.comfortable_gb:
        offload = "none"
        reason = f"{free_gb:.1f} GB free >= {model.vram.comfortable_gb:g} GB comfortable: everything on the GPU"
    elif saved and settings.fp8 is not False and free_gb >= model.vram.comfortable_gb - saved:
        offload, fp8 = "none", True
        reason = (
            f"{free_gb:.1f} GB free < {model.vram.comfortable_gb:g} GB comfortable, but fp8 weight storage saves "
            f"~{saved:g} GB: everything on the GPU in fp8"
        )
    elif free_gb >= (model.vram.minimum_gb + model.vram.comfortable_gb) / 2:
        offload = "model"
        reason = f"{free_gb:.1f} GB free < {model.vram.comfortable_gb:g} GB comfortable: model CPU offload"
    else:
        offload = "group"
        reason = f"{free_gb:.1f} GB free, tight for {model.id}: group offload with CUDA streams"
        if free_gb < model.vram.minimum_gb:
            reason += f" (below the advised minimum of {model.vram.minimum_gb:g} GB: it may still run out)"
            if saved and settings.fp8 is not False:
                fp8 = True
                reason += "; fp8 weight storage as well"
    if settings.fp8 is not None and settings.fp8 != fp8:
        fp8 = settings.fp8
        reason += f"; fp8 weight storage {'on' if fp8 else 'off'} as set in the settings"
    tiling = settings.vae_tiling if settings.vae_tiling is not None else offload != "none"
    return MemoryPlan(offload, bool(tiling), reason, free_gb, total_gb, fp8)


def apply_plan(pipe: Any, plan: MemoryPlan, device: Any) -> None:
    """Place a freshly loaded pipeline on ``device`` with the plan's levers."""
    import torch

    if plan.fp8:  # before placement: the weights travel to the GPU already halved
        apply_fp8_storage(pipe)
    if plan.offload == "none":
        pipe.to(device)
    elif plan.offload == "model":
        pipe.enable_model_cpu_offload(device=device)
    elif plan.offload == "sequential":
        pipe.enable_sequential_cpu_offload(device=device)
    elif plan.offload == "group":
        pipe.enable_group_offload(
            onload_device=torch.device(device),
            offload_device=torch.device("cpu"),
            offload_type="leaf_level",
            use_stream=torch.device(device).type == "cuda",
            low_cpu_mem_usage=True,  # pin on the fly instead of doubling the model in pinned RAM
        )
    else:  # pragma: no cover - MemoryPlan is typed
        raise ValueError(plan.offload)
    vae = getattr(pipe, "vae", None)
    if vae is not None:
        if plan.vae_tiling and hasattr(vae, "enable_tiling"):
            vae.enable_tiling()
        elif not plan.vae_tiling and hasattr(vae, "disable_tiling"):
            vae.disable_tiling()


FP8_STORAGE = "float8_e4m3fn"


def denoisers(pipe: Any) -> list[Any]:
    """The pipeline's transformer(s): Wan 2.2 A14B has two experts, ``transformer`` and ``transformer_2``."""
    found = []
    for name in ("transformer", "transformer_2"):
        module = getattr(pipe, name, None)
        if module is not None and module not in found:
            found.append(module)
    return found


def apply_fp8_storage(pipe: Any) -> None:
    """Store the denoisers' weights in fp8 and compute in their current dtype (bf16 on CUDA). diffusers keeps
    norms, embeddings and the output projection at full precision (its default skip patterns)."""
    import torch

    for module in denoisers(pipe):
        compute = module.dtype if module.dtype != getattr(torch, FP8_STORAGE) else torch.bfloat16
        module.enable_layerwise_casting(storage_dtype=getattr(torch, FP8_STORAGE), compute_dtype=compute)
        module._promptcut_compute_dtype = compute  # LoRA layers loaded later must compute in it, not fp8


def reattach(pipe: Any, plan: MemoryPlan, device: Any) -> None:
    """Model/sequential offload hooks belong to one pipeline object: re-attach them when another pipeline built
    from the same parts takes over. Group offload and plain placement live on the modules and need nothing."""
    if plan.offload == "model":
        pipe.enable_model_cpu_offload(device=device)
    elif plan.offload == "sequential":
        pipe.enable_sequential_cpu_offload(device=device)


def oom_advice(plan: MemoryPlan, *, gpu: bool = True) -> tuple[str, dict[str, Any]]:
    """What to change after an out-of-memory error: (words naming the setting, the settings themselves)."""
    if not gpu:
        return (
            "Out of system memory: generate fewer frames or a smaller size, or close other programs.",
            {},
        )
    fix: dict[str, Any] = {}
    position = LADDER.index(plan.offload)
    # sequential is "extremely slow": offer it only once group offload has failed.
    nxt = LADDER[position + 1] if position + 1 < len(LADDER) else None
    if nxt is not None:
        fix["offload"] = nxt
    if not plan.vae_tiling:
        fix["vae_tiling"] = True
    if not fix:
        return ("Every memory lever is already on: generate fewer frames or a smaller size.", {})
    parts = []
    if "offload" in fix:
        parts.append(f"offload={nxt} (PROMPTCUT_OFFLOAD={nxt})")
    if "vae_tiling" in fix:
        parts.append("vae_tiling=on (PROMPTCUT_VAE_TILING=on)")
    return (f"Set {' and '.join(parts)}, or generate fewer frames or a smaller size.", fix)
