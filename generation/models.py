"""The registry of video models and their native facts.

Plain Python: importing this module never imports torch or diffusers, so the editor and the CLI can list models
cheaply. Facts come from the diffusers 0.42.1 pipelines and docs and from the model repositories' own configs
(see ``../shared/research/generation.md``). Download sizes and VRAM figures are advice, not measurements: each
``VramAdvice.note`` says where its numbers come from.

Frame and size rules, in one place:

* Wan 2.1 / 2.2 want ``4k+1`` frames; sizes are multiples of VAE stride x patch = 8 x 2 = 16 (Wan 2.1) or
  16 x 2 = 32 (Wan 2.2 TI2V 5B, whose VAE compresses 16x spatially).
* LTX-Video wants ``8k+1`` frames and multiples of 32.
* CogVideoX 1.0 is trained on exactly 49 frames (6 s at 8 fps) at 720x480 and supports no other size.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
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
    VIDEO_EXTENSION = "video_extension"  # continue a given clip


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


@dataclass(frozen=True)
class ModelInfo:
    id: str
    display_name: str
    family: Literal["wan", "ltx", "cogvideox"]
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
    is_test_model: bool = False
    notes: tuple[str, ...] = field(default=())

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
        return native_size(self, "9:16")

    @property
    def label(self) -> str:
        """The name to show in lists: test models say so."""
        return f"{self.display_name} [test model]" if self.is_test_model else self.display_name

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
        }


# ---------------------------------------------------------------------------------------------------------------
# Shared constants
# ---------------------------------------------------------------------------------------------------------------

_A = Ability
WAN_NEGATIVE_PROMPT = (
    "Bright tones, overexposed, static, blurred details, subtitles, style, works, paintings, images, static, "
    "overall gray, worst quality, low quality, JPEG compression residue, ugly, incomplete, extra fingers, "
    "poorly drawn hands, poorly drawn faces, deformed, disfigured, misshapen limbs, fused fingers, still picture, "
    "messy background, three legs, many people in the background, walking backwards"
)
LTX_NEGATIVE_PROMPT = "worst quality, inconsistent motion, blurry, jittery, distorted"
_WAN_FRAMES = FrameRule(step=4)
_LTX_FRAMES = FrameRule(step=8)
_COG_FRAMES = FrameRule(step=4, min_frames=49, max_frames=49)
# LTX >= 0.9.1 has a timestep-aware VAE: the diffusers docs advise these decode settings.
_LTX_DECODE = (("decode_timestep", 0.05), ("decode_noise_scale", 0.025), ("image_cond_noise_scale", 0.025))
_LTX_ALL = (
    (_A.TEXT_TO_VIDEO, "LTXConditionPipeline"),
    (_A.IMAGE_TO_VIDEO, "LTXConditionPipeline"),
    (_A.FIRST_LAST_FRAME, "LTXConditionPipeline"),
    (_A.KEYFRAMES, "LTXConditionPipeline"),
    (_A.VIDEO_EXTENSION, "LTXConditionPipeline"),
)
TEST_MODEL_NOTE = "Tiny random weights built offline: it makes noise. For tests and CPU runs only."

# ---------------------------------------------------------------------------------------------------------------
# The registry
# ---------------------------------------------------------------------------------------------------------------

_MODELS: tuple[ModelInfo, ...] = (
    # -- test models: the real pipeline classes with tiny random weights (generation.testing builds them) -------
    ModelInfo(
        id="tiny-wan",
        display_name="Tiny Wan (Wan 2.2 TI2V layout)",
        family="wan",
        repo="Wan-AI/Wan2.2-TI2V-5B-Diffusers",
        base_pipeline="WanPipeline",
        pipelines=((_A.TEXT_TO_VIDEO, "WanPipeline"), (_A.IMAGE_TO_VIDEO, "WanImageToVideoPipeline")),
        sizes=(Size(128, 64), Size(64, 128), Size(64, 64)),
        fps=24,
        frames=_WAN_FRAMES,
        default_frames=9,
        size_multiple=32,
        default_steps=2,
        default_guidance=5.0,
        call_defaults=(("max_sequence_length", 16),),
        download_gb=0.0,
        license="Apache-2.0 (architecture); weights are random",
        is_test_model=True,
        notes=(TEST_MODEL_NOTE, "Mirrors Wan 2.2 TI2V 5B: one transformer for text- and image-to-video."),
    ),
    ModelInfo(
        id="tiny-wan-flf",
        display_name="Tiny Wan first+last frame (Wan 2.1 FLF2V layout)",
        family="wan",
        repo="Wan-AI/Wan2.1-FLF2V-14B-720P-diffusers",
        base_pipeline="WanImageToVideoPipeline",
        pipelines=((_A.FIRST_LAST_FRAME, "WanImageToVideoPipeline"),),
        sizes=(Size(112, 64), Size(64, 112), Size(64, 64)),
        fps=16,
        frames=_WAN_FRAMES,
        default_frames=9,
        size_multiple=16,
        default_steps=2,
        default_guidance=5.0,
        call_defaults=(("max_sequence_length", 16),),
        download_gb=0.0,
        license="Apache-2.0 (architecture); weights are random",
        is_test_model=True,
        notes=(TEST_MODEL_NOTE, "Mirrors Wan 2.1 FLF2V: needs both a first and a last image."),
    ),
    ModelInfo(
        id="tiny-ltx",
        display_name="Tiny LTX-Video",
        family="ltx",
        repo="Lightricks/LTX-Video-0.9.5",
        base_pipeline="LTXPipeline",
        pipelines=((_A.TEXT_TO_VIDEO, "LTXPipeline"),) + _LTX_ALL[1:],
        sizes=(Size(128, 64), Size(64, 128), Size(64, 64)),
        fps=24,
        frames=_LTX_FRAMES,
        default_frames=9,
        size_multiple=32,
        default_steps=2,
        default_guidance=3.0,
        call_defaults=(("max_sequence_length", 16),),
        download_gb=0.0,
        license="Apache-2.0 (architecture); weights are random",
        is_test_model=True,
        notes=(TEST_MODEL_NOTE, "Text-to-video through LTXPipeline; images through LTXConditionPipeline."),
    ),
    # -- Wan ----------------------------------------------------------------------------------------------------
    ModelInfo(
        id="wan2.1-t2v-1.3b",
        display_name="Wan 2.1 T2V 1.3B (480p)",
        family="wan",
        repo="Wan-AI/Wan2.1-T2V-1.3B-Diffusers",
        base_pipeline="WanPipeline",
        pipelines=((_A.TEXT_TO_VIDEO, "WanPipeline"),),
        sizes=(Size(832, 480), Size(480, 832)),
        fps=16,
        frames=_WAN_FRAMES,
        default_frames=81,
        size_multiple=16,
        default_steps=50,
        default_guidance=5.0,
        default_negative_prompt=WAN_NEGATIVE_PROMPT,
        vae_fp32=True,
        download_gb=29.0,
        vram=VramAdvice(
            8.2, 24.0, "8.19 GB with offload at 480p/81 frames (Wan2.1 README, RTX 4090); 24 GB is an estimate"
        ),
        fast_variants=(
            FastVariant(
                name="CausVid LoRA (bidirect2)",
                kind="step_distill_lora",
                repo="Kijai/WanVideo_comfy",
                weight_name="Wan21_CausVid_bidirect2_T2V_1_3B_lora_rank32.safetensors",
                steps=8,
                guidance=1.0,
                note="load_lora_weights on WanPipeline; 4-12 steps at CFG 1 (community recipes)",
            ),
            FastVariant(
                name="FastWan2.1 T2V 1.3B (DMD, 3 steps)",
                kind="distilled_checkpoint",
                repo="FastVideo/FastWan2.1-T2V-1.3B-Diffusers",
                steps=3,
                guidance=1.0,
                diffusers_ready=False,
                note="model_index names FastVideo's WanDMDPipeline; needs the FastVideo runtime",
            ),
        ),
        license="Apache-2.0",
    ),
    ModelInfo(
        id="wan2.2-ti2v-5b",
        display_name="Wan 2.2 TI2V 5B (720p, text or first image)",
        family="wan",
        repo="Wan-AI/Wan2.2-TI2V-5B-Diffusers",
        base_pipeline="WanPipeline",
        pipelines=((_A.TEXT_TO_VIDEO, "WanPipeline"), (_A.IMAGE_TO_VIDEO, "WanImageToVideoPipeline")),
        sizes=(Size(1280, 704), Size(704, 1280)),
        fps=24,
        frames=_WAN_FRAMES,
        default_frames=121,
        size_multiple=32,
        default_steps=50,
        default_guidance=5.0,
        default_negative_prompt=WAN_NEGATIVE_PROMPT,
        vae_fp32=True,
        download_gb=34.0,
        vram=VramAdvice(
            22.9, 48.0, "22.9 GB with offload at 1280x704/121 frames (Wan2.2 README, RTX 4090); 48 GB is an estimate"
        ),
        fast_variants=(
            FastVariant(
                name="FastWan2.2 TI2V 5B (DMD, 3 steps)",
                kind="distilled_checkpoint",
                repo="FastVideo/FastWan2.2-TI2V-5B-FullAttn-Diffusers",
                steps=3,
                guidance=1.0,
                diffusers_ready=False,
                note="FastVideo runtime; DiT time 157 s -> 4.7 s on an H200 (FastWan blog)",
            ),
        ),
        license="Apache-2.0",
        notes=(
            "WanImageToVideoPipeline accepts last_image but this model ignores it (expand_timesteps): "
            "first+last-frame requests fall back to the first image only.",
        ),
    ),
    ModelInfo(
        id="wan2.1-i2v-14b-480p",
        display_name="Wan 2.1 I2V 14B (480p, from a first image)",
        family="wan",
        repo="Wan-AI/Wan2.1-I2V-14B-480P-Diffusers",
        base_pipeline="WanImageToVideoPipeline",
        pipelines=((_A.IMAGE_TO_VIDEO, "WanImageToVideoPipeline"),),
        sizes=(Size(832, 480), Size(480, 832)),
        fps=16,
        frames=_WAN_FRAMES,
        default_frames=81,
        size_multiple=16,
        default_steps=50,
        default_guidance=5.0,
        default_negative_prompt=WAN_NEGATIVE_PROMPT,
        vae_fp32=True,
        download_gb=75.0,
        vram=VramAdvice(13.0, 80.0, "~13 GB with group offload for the 14B (diffusers Wan docs); 80 GB estimated"),
        fast_variants=(
            FastVariant(
                name="LightX2V I2V 480p LoRA",
                kind="step_distill_lora",
                repo="Kijai/WanVideo_comfy",
                weight_name="Lightx2v/lightx2v_I2V_14B_480p_cfg_step_distill_rank128_bf16.safetensors",
                steps=4,
                guidance=1.0,
                note="diffusers PR #12040: load_lora_weights, 4 steps, guidance_scale=1.0",
            ),
        ),
        license="Apache-2.0",
    ),
    ModelInfo(
        id="wan2.1-flf2v-14b-720p",
        display_name="Wan 2.1 FLF2V 14B (720p, first+last frame)",
        family="wan",
        repo="Wan-AI/Wan2.1-FLF2V-14B-720P-diffusers",
        base_pipeline="WanImageToVideoPipeline",
        pipelines=((_A.FIRST_LAST_FRAME, "WanImageToVideoPipeline"),),
        sizes=(Size(1280, 720), Size(720, 1280)),
        fps=16,
        frames=_WAN_FRAMES,
        default_frames=81,
        size_multiple=16,
        default_steps=50,
        default_guidance=5.5,
        default_negative_prompt=WAN_NEGATIVE_PROMPT,
        vae_fp32=True,
        download_gb=75.0,
        vram=VramAdvice(
            13.0, 80.0, "~13 GB with group offload for the 14B (diffusers Wan docs); 720p 14B needs ~69 GB unoffloaded"
        ),
        license="Apache-2.0",
        notes=("The image encoder's position table expects two images: a first image alone is refused.",),
    ),
    # -- LTX-Video ------------------------------------------------------------------------------------------------
    ModelInfo(
        id="ltx-video-0.9.5",
        display_name="LTX-Video 0.9.5 (2B, keyframes)",
        family="ltx",
        repo="Lightricks/LTX-Video-0.9.5",
        base_pipeline="LTXConditionPipeline",
        pipelines=_LTX_ALL,
        sizes=(Size(768, 512), Size(512, 768), Size(960, 544), Size(544, 960)),
        fps=24,
        frames=_LTX_FRAMES,
        default_frames=121,
        size_multiple=32,
        default_steps=40,
        default_guidance=3.0,
        default_negative_prompt=LTX_NEGATIVE_PROMPT,
        call_defaults=_LTX_DECODE,
        download_gb=20.0,
        vram=VramAdvice(
            10.0, 24.0, "~10 GB with fp8 storage + group offload (diffusers LTX docs); 17.75 GB at 768x512x121"
        ),
        fast_variants=(
            FastVariant(
                name="LTX-Video 0.9.8 13B distilled",
                kind="distilled_checkpoint",
                repo="Lightricks/LTX-Video-0.9.8-13B-distilled",
                registry_id="ltx-video-0.9.8-13b-distilled",
                steps=8,
                guidance=1.0,
            ),
        ),
        license="LTX-Video open weights license",
        notes=("Best below 720x1280 and 257 frames (LTX README).",),
    ),
    ModelInfo(
        id="ltx-video-0.9.8-13b-distilled",
        display_name="LTX-Video 0.9.8 13B distilled (8 steps, keyframes)",
        family="ltx",
        repo="Lightricks/LTX-Video-0.9.8-13B-distilled",
        base_pipeline="LTXConditionPipeline",
        pipelines=_LTX_ALL,
        sizes=(Size(1216, 704), Size(704, 1216), Size(768, 512), Size(512, 768)),
        fps=24,
        frames=_LTX_FRAMES,
        default_frames=121,
        size_multiple=32,
        default_steps=8,
        default_guidance=1.0,
        default_negative_prompt=LTX_NEGATIVE_PROMPT,
        call_defaults=(
            ("timesteps", (1000, 993, 987, 981, 975, 909, 725, 0.03)),
            ("decode_timestep", 0.05),
            ("decode_noise_scale", 0.025),
            ("image_cond_noise_scale", 0.0),
            ("guidance_rescale", 0.7),
        ),
        download_gb=40.0,
        vram=VramAdvice(
            16.0, 48.0, "no published figure; 13B bf16 weights are ~26 GB: estimates assume offload below 32 GB"
        ),
        license="LTX-Video open weights license",
        notes=(
            "Guidance- and timestep-distilled: guidance 1.0 and the docs' 8 timesteps. "
            "The docs' upsample-and-refine second pass is not run here.",
        ),
    ),
    # -- CogVideoX ------------------------------------------------------------------------------------------------
    ModelInfo(
        id="cogvideox-2b",
        display_name="CogVideoX 2B (720x480, 6 s)",
        family="cogvideox",
        repo="THUDM/CogVideoX-2b",
        base_pipeline="CogVideoXPipeline",
        pipelines=((_A.TEXT_TO_VIDEO, "CogVideoXPipeline"),),
        sizes=(Size(720, 480),),
        fps=8,
        frames=_COG_FRAMES,
        default_frames=49,
        size_multiple=16,
        fixed_size=True,
        default_steps=50,
        default_guidance=6.0,
        preferred_dtype="float16",
        call_defaults=(("max_sequence_length", 226),),
        download_gb=13.0,
        vram=VramAdvice(12.5, 36.0, "12.5 GB fp16 with model offload + VAE tiling (model card); ~3x without"),
        license="Apache-2.0",
        notes=("720x480 only, no portrait: vertical timelines crop at placement.",),
    ),
    ModelInfo(
        id="cogvideox-5b",
        display_name="CogVideoX 5B (720x480, 6 s)",
        family="cogvideox",
        repo="THUDM/CogVideoX-5b",
        base_pipeline="CogVideoXPipeline",
        pipelines=((_A.TEXT_TO_VIDEO, "CogVideoXPipeline"),),
        sizes=(Size(720, 480),),
        fps=8,
        frames=_COG_FRAMES,
        default_frames=49,
        size_multiple=16,
        fixed_size=True,
        default_steps=50,
        default_guidance=6.0,
        call_defaults=(("max_sequence_length", 226), ("use_dynamic_cfg", True)),
        download_gb=21.0,
        vram=VramAdvice(
            11.0, 33.0, "33 GB baseline, 19 GB model offload, 11 GB offload + tiling (diffusers CogVideoX docs)"
        ),
        license="CogVideoX license",
        notes=("720x480 only, no portrait: vertical timelines crop at placement.",),
    ),
    ModelInfo(
        id="cogvideox-5b-i2v",
        display_name="CogVideoX 5B I2V (720x480, from a first image)",
        family="cogvideox",
        repo="THUDM/CogVideoX-5b-I2V",
        base_pipeline="CogVideoXImageToVideoPipeline",
        pipelines=((_A.IMAGE_TO_VIDEO, "CogVideoXImageToVideoPipeline"),),
        sizes=(Size(720, 480),),
        fps=8,
        frames=_COG_FRAMES,
        default_frames=49,
        size_multiple=16,
        fixed_size=True,
        default_steps=50,
        default_guidance=6.0,
        call_defaults=(("max_sequence_length", 226), ("use_dynamic_cfg", True)),
        download_gb=21.0,
        vram=VramAdvice(11.0, 33.0, "as CogVideoX 5B (diffusers CogVideoX docs)"),
        license="CogVideoX license",
        notes=("Learned positional embeddings: exactly 720x480 and 49 frames.",),
    ),
)

MODELS: dict[str, ModelInfo] = {m.id: m for m in _MODELS}
DEFAULT_MODEL_ID = "wan2.1-t2v-1.3b"
TEST_MODEL_IDS: tuple[str, ...] = tuple(m.id for m in _MODELS if m.is_test_model)


class UnknownModel(KeyError):
    def __str__(self) -> str:  # KeyError quotes its message; this one is for people
        return str(self.args[0])


def list_models(*, include_test: bool = True) -> list[ModelInfo]:
    return [m for m in _MODELS if include_test or not m.is_test_model]


def get_model(model_id: str | ModelInfo) -> ModelInfo:
    if isinstance(model_id, ModelInfo):
        return model_id
    try:
        return MODELS[model_id]
    except KeyError:
        choices = ", ".join(m.id for m in _MODELS)
        raise UnknownModel(f"unknown model {model_id!r}; choose one of: {choices}") from None


def nearest_frame_count(
    model: ModelInfo | str, seconds: float | Fraction | None = None, *, frames: int | None = None
) -> int:
    """The smallest frame count the model accepts that covers ``seconds`` (at its native fps) or ``frames``.

    Never more than the model's maximum: compare the answer with your request to know whether a shot must be
    split. ``seconds`` may be a float, an int or a Fraction; floats are read as the decimal they print as.
    """
    model = get_model(model)
    if (seconds is None) == (frames is None):
        raise ValueError("give exactly one of seconds or frames")
    if frames is None:
        exact = Fraction(repr(seconds)) if isinstance(seconds, float) else Fraction(seconds)
        if exact <= 0:
            raise ValueError(f"seconds must be positive, got {seconds}")
        frames = math.ceil(exact * model.fps)
    return model.frames.at_least(frames)


def snap_size(model: ModelInfo | str, width: int, height: int) -> tuple[int, int]:
    """The nearest size the model accepts: each side rounded to its size multiple (at least one multiple).

    Fixed-size models answer with their native size closest in aspect.
    """
    model = get_model(model)
    if width < 1 or height < 1:
        raise ValueError(f"size must be positive, got {width}x{height}")
    if model.fixed_size:
        s = native_size(model, width / height)
        return s.width, s.height
    m = model.size_multiple
    return max(m, round(width / m) * m), max(m, round(height / m) * m)


_ASPECT_WORDS = {
    "portrait": 9 / 16,
    "vertical": 9 / 16,
    "landscape": 16 / 9,
    "horizontal": 16 / 9,
    "square": 1.0,
}


def parse_aspect(aspect: str | float | tuple[int, int] | Size) -> float:
    """``"9:16"``, ``"16/9"``, ``"portrait"``, ``1.5``, ``(1080, 1920)`` or a Size, as width / height."""
    if isinstance(aspect, Size):
        return aspect.aspect
    if isinstance(aspect, tuple):
        w, h = aspect
        ratio = w / h
    elif isinstance(aspect, str):
        text = aspect.strip().lower()
        if text in _ASPECT_WORDS:
            return _ASPECT_WORDS[text]
        for sep in (":", "/", "x"):
            if sep in text:
                w_text, h_text = text.split(sep, 1)
                try:
                    ratio = float(w_text) / float(h_text)
                except (ValueError, ZeroDivisionError):
                    raise ValueError(f"cannot read aspect {aspect!r}") from None
                break
        else:
            try:
                ratio = float(text)
            except ValueError:
                raise ValueError(f"cannot read aspect {aspect!r}; try 9:16, 16:9, 1:1 or portrait") from None
    else:
        ratio = float(aspect)
    if not ratio > 0 or math.isinf(ratio):
        raise ValueError(f"aspect must be positive, got {aspect!r}")
    return ratio


def native_size(model: ModelInfo | str, aspect: str | float | tuple[int, int] | Size, *, strict: bool = False) -> Size:
    """The model's native size whose aspect is closest to ``aspect``.

    ``strict=True`` refuses when the closest one has the other orientation (say a landscape-only model asked for
    9:16) instead of answering with it.
    """
    model = get_model(model)
    ratio = parse_aspect(aspect)
    best = min(model.sizes, key=lambda s: (abs(math.log(s.aspect / ratio)), -s.width * s.height))
    if strict and (best.aspect > 1) != (ratio > 1) and not math.isclose(ratio, 1.0):
        have = ", ".join(str(s) for s in model.sizes)
        raise ValueError(f"{model.id} has no native size near aspect {aspect}; it has {have}")
    return best


def models_with(ability: Ability | str, *, include_test: bool = False) -> list[ModelInfo]:
    return [m for m in list_models(include_test=include_test) if m.can(ability)]


def _check_registry(models: Iterable[ModelInfo]) -> None:
    """Registry self-consistency, run at import: a bad entry fails loudly, not at generation time."""
    for m in models:
        problems = []
        if not m.frames.is_valid(m.default_frames):
            problems.append(f"default_frames {m.default_frames} breaks {m.frames.describe()}")
        if not m.pipelines:
            problems.append("no pipelines")
        problems += [
            f"size {s} is not a multiple of {m.size_multiple}"
            for s in m.sizes
            if s.width % m.size_multiple or s.height % m.size_multiple
        ]
        if m.id != m.id.lower() or " " in m.id:
            problems.append("ids are lower case without spaces")
        if problems:
            raise ValueError(f"registry entry {m.id}: " + "; ".join(problems))


_check_registry(_MODELS)
