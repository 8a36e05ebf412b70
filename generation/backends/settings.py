"""Backend settings: device, dtype, memory levers, how many models stay loaded. Every one overridable by env."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Literal

Offload = Literal["auto", "none", "model", "group", "sequential"]
OFFLOAD_CHOICES: tuple[str, ...] = ("auto", "none", "model", "group", "sequential")
DTYPE_CHOICES: tuple[str, ...] = ("auto", "bfloat16", "float16", "float32")
COMPILE_CHOICES: tuple[str, ...] = ("auto", "on", "off")
ATTENTION_CHOICES: tuple[str, ...] = ("auto", "native", "flash3", "sage")

ENV = {
    "device": "PROMPTCUT_DEVICE",
    "dtype": "PROMPTCUT_DTYPE",
    "offload": "PROMPTCUT_OFFLOAD",
    "vae_tiling": "PROMPTCUT_VAE_TILING",
    "max_loaded": "PROMPTCUT_MAX_LOADED",
    "compile": "PROMPTCUT_COMPILE",
    "attention": "PROMPTCUT_ATTENTION",
    "fp8": "PROMPTCUT_FP8",
}


def _parse_bool(name: str, text: str) -> bool | None:
    t = text.strip().lower()
    if t in ("", "auto"):
        return None
    if t in ("1", "true", "yes", "on"):
        return True
    if t in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"{name}={text!r}: use on, off or auto")


@dataclass(frozen=True)
class BackendSettings:
    """``device``: auto | cpu | cuda | cuda:N. ``dtype``: auto (CUDA bf16, fp16 where bf16 is unsupported; CPU
    float32) or a name. ``offload``: auto (chosen from free VRAM) | none | model | group | sequential.
    ``vae_tiling``: None = auto (on whenever an offload lever is). ``max_loaded``: pipelines kept warm
    (None: 1 on CUDA, 2 on CPU). ``models_root``/``hf_cache_dir``: where to look for weights.
    CUDA speed levers (never on CPU): ``compile``: auto (``compile_repeated_blocks`` where it pays) | on | off;
    ``attention``: auto (FlashAttention 3 on Hopper, else SageAttention when installed, else native) | native |
    flash3 | sage; ``fp8``: None = auto (fp8 layerwise weight storage when the bf16 weights would not fit)."""

    device: str = "auto"
    dtype: str = "auto"
    offload: Offload = "auto"
    vae_tiling: bool | None = None
    max_loaded: int | None = None
    models_root: str | None = None
    hf_cache_dir: str | None = None
    compile: str = "auto"
    attention: str = "auto"
    fp8: bool | None = None

    def __post_init__(self) -> None:
        if self.offload not in OFFLOAD_CHOICES:
            raise ValueError(f"offload={self.offload!r}: choose one of {', '.join(OFFLOAD_CHOICES)}")
        if self.dtype not in DTYPE_CHOICES:
            raise ValueError(f"dtype={self.dtype!r}: choose one of {', '.join(DTYPE_CHOICES)}")
        if self.compile not in COMPILE_CHOICES:
            raise ValueError(f"compile={self.compile!r}: choose one of {', '.join(COMPILE_CHOICES)}")
        if self.attention not in ATTENTION_CHOICES:
            raise ValueError(f"attention={self.attention!r}: choose one of {', '.join(ATTENTION_CHOICES)}")
        if self.max_loaded is not None and self.max_loaded < 1:
            raise ValueError("max_loaded must be at least 1")

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: object) -> BackendSettings:
        env = os.environ if env is None else env
        values: dict[str, object] = {}
        if env.get(ENV["device"]):
            values["device"] = env[ENV["device"]].strip()
        if env.get(ENV["dtype"]):
            values["dtype"] = env[ENV["dtype"]].strip()
        if env.get(ENV["offload"]):
            values["offload"] = env[ENV["offload"]].strip().lower()
        if ENV["vae_tiling"] in env:
            values["vae_tiling"] = _parse_bool(ENV["vae_tiling"], env[ENV["vae_tiling"]])
        if env.get(ENV["max_loaded"]):
            values["max_loaded"] = int(env[ENV["max_loaded"]])
        for name in ("compile", "attention"):
            if env.get(ENV[name]):
                values[name] = env[ENV[name]].strip().lower()
        if ENV["fp8"] in env:
            values["fp8"] = _parse_bool(ENV["fp8"], env[ENV["fp8"]])
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]

    def with_(self, **changes: object) -> BackendSettings:
        return replace(self, **changes)  # type: ignore[arg-type]
