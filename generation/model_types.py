"""The shapes of the model registry: abilities, frame rules, sizes, VRAM advice, fast variants, ModelInfo.

Plain Python (no torch). The entries themselves live in ``generation.registry``; ``generation.models`` is the
front door that assembles and searches them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction
from typing import Any, Literal


class Ability(StrEnum):
    """What a model can be asked to do."""

    TEXT_TO_VIDEO = "text_to_video"
    IMAGE_TO_VIDEO = "image_to_video"  # start from a given first frame
    FIRST_LAST_FRAME = "first_last_frame"  # start and end on given frames
    KEYFRAMES = "keyframes"  # given frames at any index
    VIDEO_EXTENSION = "video_extension"  # continue a given clip (its last frames lead into the shot)
    VIDEO_LEAD_IN = "video_lead_in"  # end where a given clip begins (the shot leads into its first frames)
    REFERENCE_IMAGES = "reference_images"  # keep a character or a place from reference pictures


Family = Literal["wan", "wan-vace", "skyreels-df", "ltx", "ltx2", "hunyuan15", "cogvideox"]


@dataclass(frozen=True)
class FrameRule:
    """Valid frame counts are ``step * k + offset`` within ``[min_frames, max_frames]``."""

    step: int
    offset: int = 1
    min_frames: int = 0  # 0: one step above the offset (a 1-frame "video" is a still)
    max_frames: int | None = None

    def __post_init__(self) -> None:
        if self.step < 1 or self.offset < 0:
            raise ValueError(f"bad frame rule step={self.step} offset={self.offset}")
        if self.min_frames == 0:
            object.__setattr__(self, "min_frames", self.step + self.offset)
        if not self.is_valid(self.min_frames, bounded=False):
            raise ValueError(f"min_frames {self.min_frames} does not follow {self.describe()}")
        if self.max_frames is not None and not self.is_valid(self.max_frames, bounded=False):
            raise ValueError(f"max_frames {self.max_frames} does not follow {self.describe()}")

    def is_valid(self, frames: int, *, bounded: bool = True) -> bool:
        if frames < self.offset or (frames - self.offset) % self.step:
            return False
        if not bounded:
            return True
        return frames >= self.min_frames and (self.max_frames is None or frames <= self.max_frames)

    def at_least(self, frames: int) -> int:
        """The smallest valid count >= ``frames``, never above ``max_frames`` (compare to split long shots)."""
        if frames < 1:
            raise ValueError(f"frame count must be positive, got {frames}")
        k = max(0, math.ceil((frames - self.offset) / self.step))
        n = max(self.step * k + self.offset, self.min_frames)
        if self.max_frames is not None:
            n = min(n, self.max_frames)
        return n

    def describe(self) -> str:
        rule = f"{self.step}k+{self.offset}" if self.step > 1 else "any count"
        if self.max_frames is not None and self.max_frames == self.min_frames:
            return f"exactly {self.max_frames}"
        if self.max_frames is not None:
            return f"{rule}, {self.min_frames}..{self.max_frames}"
        return f"{rule}, at least {self.min_frames}"


@dataclass(frozen=True)
class Size:
    width: int
    height: int

    @property
    def aspect(self) -> float:
        return self.width / self.height

    @property
    def orientation(self) -> str:
        if self.width == self.height:
            return "square"
        return "landscape" if self.width > self.height else "portrait"

    def __str__(self) -> str:
        return f"{self.width}x{self.height}"


@dataclass(frozen=True)
class VramAdvice:
    """``minimum_gb``: with the memory levers (offload, VAE tiling); ``comfortable_gb``: everything on the GPU."""

    minimum_gb: float
    comfortable_gb: float
    note: str


@dataclass(frozen=True)
class FastVariant:
    """A faster way to run a model: a distilled checkpoint or a step-distillation LoRA."""

    name: str
    kind: Literal["distilled_checkpoint", "step_distill_lora"]
    repo: str
    steps: int
    guidance: float
    weight_name: str | None = None  # the LoRA file inside ``repo``
    registry_id: str | None = None  # when the variant is itself a registry entry
    diffusers_ready: bool = True  # loads with stock diffusers classes
    note: str = ""
    lora_scale: float = 1.0
    # Wan 2.2 A14B: the LoRA goes into both experts (``load_lora_weights(..., load_into_transformer_2=True)``),
    # from ``weight_name_2`` where the variant ships a file per expert (Lightning's HIGH and LOW), else the same.
    both_transformers: bool = False
    weight_name_2: str | None = None


@dataclass(frozen=True)
class ModelInfo:
    id: str
    display_name: str
    family: Family  # the calling convention (which module in generation.backends.families runs it)
    repo: str  # Hugging Face repo id (diffusers layout); for test models, where they mirror from
    base_pipeline: str  # the diffusers class ``from_pretrained`` loads; the others are built from its parts
    pipelines: tuple[tuple[Ability, str], ...]  # ability -> diffusers pipeline class name
    sizes: tuple[Size, ...]  # native sizes, landscape first
    fps: int
    frames: FrameRule
    default_frames: int
    size_multiple: int
    default_steps: int
    default_guidance: float
    fixed_size: bool = False  # only the listed sizes work (learned positional embeddings)
    default_negative_prompt: str = ""
    call_defaults: tuple[tuple[str, Any], ...] = ()  # extra pipeline kwargs (dropped where a class lacks them)
    preferred_dtype: Literal["bfloat16", "float16"] = "bfloat16"
    vae_fp32: bool = False  # keep the VAE in float32 on the GPU (Wan docs advise it for decoding quality)
    revision: str | None = None  # pin a hub revision; None = whatever snapshot is cached
    download_gb: float | None = None  # approximate size of the diffusers repo
    vram: VramAdvice | None = None
    fast_variants: tuple[FastVariant, ...] = ()
    license: str = ""
    # Terms that restrict use (a gated community licence, non-commercial weights): the models dialog shows
    # ``license_terms`` and asks before downloading. ``license_url`` is where the full text lives.
    license_restricted: bool = False
    license_terms: str = ""
    license_url: str = ""
    is_test_model: bool = False
    notes: tuple[str, ...] = field(default=())
    # Frames one pipeline call makes well (its training length). A longer shot is made in chained windows, each
    # continuing the last; None: ``default_frames``. ``unbounded`` models chain inside one call (diffusion
    # forcing) and take any length.
    window_frames: int | None = None
    unbounded: bool = False
    makes_audio: bool = False  # the take brings its own synchronized sound (LTX-2)
    params_b: float | None = None  # transformer parameters, billions (memory and speed choices)

    # -- derived ------------------------------------------------------------------------------------------------
    @property
    def abilities(self) -> frozenset[Ability]:
        return frozenset(a for a, _ in self.pipelines)

    def can(self, ability: Ability | str) -> bool:
        return Ability(ability) in self.abilities

    def pipeline_for(self, ability: Ability | str) -> str:
        ability = Ability(ability)
        for a, cls in self.pipelines:
            if a is ability:
                return cls
        raise ValueError(f"{self.id} cannot do {ability.value}; it can do: {', '.join(sorted(self.abilities))}")

    @property
    def pipeline_classes(self) -> tuple[str, ...]:
        seen: list[str] = [self.base_pipeline]
        seen.extend(cls for _, cls in self.pipelines if cls not in seen)
        return tuple(seen)

    @property
    def call_kwargs(self) -> dict[str, Any]:
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.call_defaults}

    @property
    def default_size(self) -> Size:
        """Vertical 9:16 when the model has a portrait size (short-video first), else its first size."""
        from .models import native_size  # the search lives with the registry

        return native_size(self, "9:16")

    @property
    def label(self) -> str:
        """The name to show in lists: test models say so."""
        return f"{self.display_name} [test model]" if self.is_test_model else self.display_name

    @property
    def window(self) -> int:
        """Frames per generation window (see ``window_frames``)."""
        return self.window_frames if self.window_frames is not None else self.default_frames

    @property
    def can_chain(self) -> bool:
        """Whether a shot longer than one window can be made as chained windows (or in one unbounded call)."""
        return self.unbounded or self.can(Ability.VIDEO_EXTENSION) or self.can(Ability.IMAGE_TO_VIDEO)

    @property
    def few_step(self) -> bool:
        """Step-distilled by default: caching hooks only hurt such models."""
        return self.default_steps <= 12

    @property
    def max_seconds(self) -> Fraction | None:
        return None if self.frames.max_frames is None else Fraction(self.frames.max_frames, self.fps)

    def describe(self) -> dict[str, Any]:
        """A JSON-able summary (for ``models list`` and sidecars)."""
        return {
            "id": self.id,
            "name": self.label,
            "family": self.family,
            "repo": self.repo,
            "revision": self.revision,
            "pipelines": {a.value: cls for a, cls in self.pipelines},
            "abilities": sorted(a.value for a in self.abilities),
            "sizes": [str(s) for s in self.sizes],
            "fps": self.fps,
            "frames": self.frames.describe(),
            "default_frames": self.default_frames,
            "size_multiple": self.size_multiple,
            "default_steps": self.default_steps,
            "default_guidance": self.default_guidance,
            "download_gb": self.download_gb,
            "vram": None if self.vram is None else vars(self.vram),
            "fast_variants": [vars(v) for v in self.fast_variants],
            "is_test_model": self.is_test_model,
            "license": self.license,
            "license_restricted": self.license_restricted,
            "license_terms": self.license_terms,
            "license_url": self.license_url,
            "window_frames": self.window,
            "unbounded": self.unbounded,
            "makes_audio": self.makes_audio,
            "params_b": self.params_b,
        }
