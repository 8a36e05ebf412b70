"""Speed levers applied to a loaded pipeline before a call: the profile's LoRA and caching hook, and on CUDA the
attention backend and regional compile (fp8 storage and offload are memory levers: ``memory.choose_plan``).

One warm pipeline serves every profile, so each call sets the state its profile needs and undoes what another
profile left: the draft LoRA is loaded once per loaded model as a named adapter and switched off (peft skips it
entirely) for Standard and Final; First Block Cache is attached for Standard on many-step models, removed
otherwise, and its state reset before every call. The CUDA levers are decided once per loaded model by pure
functions of the device's facts (``choose_attention``, ``choose_compile``: unit-tested with made-up facts) and
never on a CPU.
"""

from __future__ import annotations

import contextlib
import importlib.util
from dataclasses import dataclass
from typing import Any

from ..errors import GenerationError
from ..model_types import FastVariant, ModelInfo
from ..profiles import FIRST_BLOCK_CACHE_THRESHOLD, recipe
from .memory import denoisers
from .settings import BackendSettings

# Regional compile costs a warm-up of tens of seconds (LTX-2.3 on an H100: 24 s) and repays ~1.2-1.4x per step
# (research/generation.md): below ~1B parameters a shot is over before it would pay.
COMPILE_MIN_PARAMS_B = 1.0
FLASH3_HUB = "_flash_3_hub"  # FlashAttention 3 from the kernels hub: Hopper (sm90) only
SAGE = "sage"


# ---------------------------------------------------------------------------------------------------------------
# Decisions (pure: device facts in, choice and reason out)
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeviceFacts:
    """What the lever choices need to know about the device."""

    type: str  # "cuda", "cpu", "mps"
    capability: tuple[int, int] | None = None  # CUDA compute capability, (9, 0) on Hopper
    name: str = ""
    has_kernels: bool = False  # the ``kernels`` package (hub attention kernels) is installed
    has_sage: bool = False  # the ``sageattention`` package is installed

    @property
    def hopper(self) -> bool:
        return self.capability is not None and self.capability[0] == 9


def device_facts(device: Any) -> DeviceFacts:
    """The facts for a torch device (reads CUDA only for a CUDA device)."""
    kind = getattr(device, "type", str(device))
    if kind != "cuda":
        return DeviceFacts(kind)
    import torch

    return DeviceFacts(
        "cuda",
        tuple(torch.cuda.get_device_capability(device)),  # type: ignore[arg-type]
        torch.cuda.get_device_name(device),
        importlib.util.find_spec("kernels") is not None,
        importlib.util.find_spec("sageattention") is not None,
    )


def choose_attention(setting: str, facts: DeviceFacts) -> tuple[str, str]:
    """(diffusers attention backend name, why). "native" is PyTorch's scaled_dot_product_attention."""
    if facts.type != "cuda":
        return "native", f"{facts.type}: PyTorch attention"
    flash3_ok = facts.hopper and facts.has_kernels
    if setting == "native":
        return "native", "attention=native set in the settings"
    if setting == "flash3":
        if flash3_ok:
            return FLASH3_HUB, "attention=flash3 set in the settings"
        return "native", "attention=flash3 needs a Hopper GPU (sm90) and the kernels package: PyTorch attention"
    if setting == "sage":
        if facts.has_sage:
            return SAGE, "attention=sage set in the settings"
        return "native", "attention=sage needs the sageattention package: PyTorch attention"
    if flash3_ok:
        return FLASH3_HUB, f"{facts.name or 'Hopper GPU'}: FlashAttention 3 (hub kernel)"
    if facts.has_sage:
        return SAGE, "SageAttention installed"
    why = "install kernels for FlashAttention 3" if facts.hopper else "install sageattention for a faster one"
    return "native", f"PyTorch attention ({why})"


def choose_compile(
    setting: str, facts: DeviceFacts, params_b: float | None, offload: str, has_blocks: bool
) -> tuple[bool, str]:
    """(compile the repeated blocks, why)."""
    if facts.type != "cuda":
        return False, f"{facts.type}: no compile"
    if setting == "off":
        return False, "compile=off set in the settings"
    if not has_blocks:
        return False, "the transformer declares no repeated blocks to compile"
    if setting == "on":
        return True, "compile=on set in the settings"
    if offload in ("group", "sequential"):
        return False, f"offload={offload} streams layers in: compile skipped"
    if params_b is None or params_b < COMPILE_MIN_PARAMS_B:
        return False, f"under {COMPILE_MIN_PARAMS_B:g}B parameters: a compile would not pay for itself"
    return True, f"{params_b:g}B parameters: regional compile, warmed up once and kept warm"


# ---------------------------------------------------------------------------------------------------------------
# State kept on the loaded model
# ---------------------------------------------------------------------------------------------------------------


@dataclass
class SpeedState:
    """What has been done to one loaded model's modules (shared by every pipeline built from its parts)."""

    levers_done: bool = False
    attention: str = "native"
    attention_reason: str = ""
    compiled: bool = False
    compile_reason: str = ""
    lora: FastVariant | None = None  # the adapter loaded into the transformer(s)
    lora_active: bool = False
    cache: str | None = None
    profile: str = ""

    def describe(self) -> dict[str, Any]:
        return {
            "attention": self.attention,
            "attention_reason": self.attention_reason,
            "compiled": self.compiled,
            "compile_reason": self.compile_reason,
            "lora": None if self.lora is None else f"{self.lora.repo}/{self.lora.weight_name}",
            "lora_active": self.lora_active,
            "cache": self.cache,
            "profile": self.profile,
        }


def state_of(loaded: Any) -> SpeedState:
    state = getattr(loaded, "speed", None)
    if state is None:
        state = SpeedState()
        loaded.speed = state
    return state


def describe(loaded: Any) -> dict[str, Any]:
    """What was chosen for a loaded model and why (memory plan included), for ``describe()`` and logs."""
    out = state_of(loaded).describe()
    plan = getattr(loaded, "plan", None)
    if plan is not None:
        out.update(offload=plan.offload, fp8=plan.fp8, memory_reason=plan.reason)
    return out


def _settings(loaded: Any) -> BackendSettings:
    settings = getattr(loaded, "settings", None)
    return settings if isinstance(settings, BackendSettings) else BackendSettings.from_env()


# ---------------------------------------------------------------------------------------------------------------
# Applying
# ---------------------------------------------------------------------------------------------------------------


def prepare_pipeline(loaded: Any, pipe: Any, model: Any, request: Any, shot: Any) -> list[str]:
    """Make ``pipe`` run ``request.profile``'s recipe; returns notes for the creator."""
    state = state_of(loaded)
    settings = _settings(loaded)
    cooked = recipe(model, request.profile)
    notes: list[str] = []
    if not state.levers_done:
        _apply_device_levers(loaded, pipe, model, settings, state)
    if state.attention != "native" or state.compiled:
        notes.append(f"speed: attention={state.attention}, compiled={'yes' if state.compiled else 'no'}")

    # -- the draft LoRA -----------------------------------------------------------------------------------------
    if cooked.lora is not None:
        _ensure_lora(pipe, cooked.lora, settings, state)
        from .lora import set_adapter_active

        set_adapter_active(pipe, True, cooked.lora.lora_scale)
        state.lora_active = True
        notes.append(f"draft: {cooked.lora.name} LoRA, {cooked.steps} steps at CFG {cooked.guidance:g}")
    elif state.lora is not None:
        from .lora import set_adapter_active

        set_adapter_active(pipe, False)
        state.lora_active = False

    # -- the caching hook ---------------------------------------------------------------------------------------
    want_cache = cooked.cache
    if want_cache == "first_block" and state.compiled:
        want_cache = None  # the cache's skip decision is data-dependent: it would break the fullgraph compile
        notes.append("standard: First Block Cache skipped on a compiled transformer")
    _set_cache(pipe, want_cache)
    state.cache = want_cache
    if want_cache == "first_block":
        notes.append(f"standard: First Block Cache (threshold {FIRST_BLOCK_CACHE_THRESHOLD:g})")
    state.profile = cooked.profile
    return notes


def _ensure_lora(pipe: Any, variant: FastVariant, settings: BackendSettings, state: SpeedState) -> None:
    from .lora import find_lora, has_adapter, load_adapter

    if state.lora is not None and state.lora != variant:
        raise GenerationError(  # pragma: no cover - the registry names one draft LoRA per model
            f"another draft LoRA ({state.lora.name}) is already loaded", kind="pipeline"
        )
    if state.lora is not None and has_adapter(pipe):
        return
    if not hasattr(pipe, "load_lora_weights"):
        raise GenerationError(f"{type(pipe).__name__} cannot load LoRAs", kind="pipeline")
    path = find_lora(variant, models_root=settings.models_root, hf_cache_dir=settings.hf_cache_dir)
    path_2 = None
    if variant.weight_name_2 and getattr(pipe, "transformer_2", None) is not None:
        path_2 = find_lora(variant, models_root=settings.models_root, hf_cache_dir=settings.hf_cache_dir, second=True)
    try:
        load_adapter(pipe, variant, path, path_2)
    except ImportError as exc:  # diffusers' LoRA loading needs peft
        raise GenerationError(
            f"loading {variant.name} needs peft: {exc}", kind="pipeline", hint="pip install 'promptcut[gen]'"
        ) from None
    except (ValueError, RuntimeError, KeyError) as exc:
        first = (str(exc).strip().splitlines() or [""])[0]
        raise GenerationError(f"could not load the LoRA {path}: {first}", kind="model_load") from None
    state.lora = variant


def _set_cache(pipe: Any, cache: str | None) -> None:
    """Attach or remove First Block Cache on every denoiser, then reset its state: a cache carried over from the
    last call (another prompt, seed or profile) would skip blocks on stale residuals."""
    for module in denoisers(pipe):
        if not hasattr(module, "enable_cache"):
            continue
        current = getattr(module, "_cache_config", None)
        if cache == "first_block":
            from diffusers.hooks import FirstBlockCacheConfig

            if isinstance(current, FirstBlockCacheConfig) and current.threshold == FIRST_BLOCK_CACHE_THRESHOLD:
                pass
            else:
                if current is not None:
                    module.disable_cache()
                module.enable_cache(FirstBlockCacheConfig(threshold=FIRST_BLOCK_CACHE_THRESHOLD))
        elif current is not None:
            module.disable_cache()
        if hasattr(module, "_reset_stateful_cache"):
            module._reset_stateful_cache()


def _apply_device_levers(
    loaded: Any, pipe: Any, model: ModelInfo, settings: BackendSettings, state: SpeedState
) -> None:
    """Attention backend, then (with the draft LoRA already in place where it can be found, so adding it later does
    not change the compiled modules) regional compile. Once per loaded model."""
    state.levers_done = True
    facts = device_facts(loaded.device)
    backend, state.attention_reason = choose_attention(settings.attention, facts)
    modules = denoisers(pipe)
    if backend != "native":
        try:
            for module in modules:
                module.set_attention_backend(backend)
            state.attention = backend
        except Exception as exc:  # noqa: BLE001 - a missing kernel must not stop the shot
            for module in modules:
                with contextlib.suppress(Exception):
                    module.reset_attention_backend()
            first = (str(exc).strip().splitlines() or [""])[0]
            state.attention_reason = f"{backend} unavailable ({type(exc).__name__}: {first}): PyTorch attention"
    has_blocks = bool(modules) and all(getattr(m, "_repeated_blocks", None) for m in modules)
    plan = getattr(loaded, "plan", None)
    offload = plan.offload if plan is not None else "none"
    compile_it, state.compile_reason = choose_compile(settings.compile, facts, model.params_b, offload, has_blocks)
    if not compile_it:
        return
    from ..profiles import draft_lora

    variant = draft_lora(model)
    if variant is not None:
        with contextlib.suppress(GenerationError):  # not installed: drafts will say so when asked for
            _ensure_lora(pipe, variant, settings, state)
            from .lora import set_adapter_active

            set_adapter_active(pipe, False)
    try:
        for module in modules:
            module.compile_repeated_blocks(fullgraph=True)
        state.compiled = True
    except Exception as exc:  # noqa: BLE001 - run uncompiled rather than not at all
        first = (str(exc).strip().splitlines() or [""])[0]
        state.compile_reason = f"compile failed ({type(exc).__name__}: {first}): uncompiled"


__all__ = [
    "DeviceFacts",
    "SpeedState",
    "choose_attention",
    "choose_compile",
    "describe",
    "device_facts",
    "prepare_pipeline",
    "state_of",
]
