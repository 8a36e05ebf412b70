"""What a backend is asked for and what it gives back. Plain Python and numpy: no torch here."""

from __future__ import annotations

import hashlib
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Union

import numpy as np

from .profiles import PROFILES

if TYPE_CHECKING:
    from PIL import Image as PILImage

ImageInput = Union[str, os.PathLike, "PILImage.Image", np.ndarray]
_MAX_SEED = 2**63 - 1


@dataclass(frozen=True, eq=False)
class Keyframe:
    """An image the video must show at output frame ``frame`` (negative counts from the end: -1 is the last)."""

    frame: int
    image: ImageInput
    strength: float = 1.0


@dataclass(frozen=True, eq=False)
class GenerationRequest:
    """One shot to generate. ``None`` means "the model's default" (size, frames, steps, guidance, negative)."""

    model: str
    prompt: str
    negative_prompt: str | None = None
    seed: int = 0
    width: int | None = None
    height: int | None = None
    num_frames: int | None = None
    steps: int | None = None
    guidance: float | None = None
    first_image: ImageInput | None = None
    last_image: ImageInput | None = None
    keyframes: tuple[Keyframe, ...] = ()
    video_prefix: Sequence[ImageInput] | np.ndarray | None = None  # frames to continue (video extension)
    # Frames the shot must lead into (a head extension): the shot ends where they begin.
    video_suffix: Sequence[ImageInput] | np.ndarray | None = None
    reference_images: tuple[ImageInput, ...] = ()  # a character or a place to keep (Wan VACE references)
    color_reference: ImageInput | None = None  # the finished frames' colours are matched to this picture
    # How hard to work: "draft" (step-distilled weights or LoRA, CFG 1), "standard" (the full recipe with a
    # caching hook where it pays) or "final" (the full recipe, nothing skipped). See generation.profiles.
    profile: str = "final"

    def __post_init__(self) -> None:
        if not isinstance(self.prompt, str):
            raise TypeError("prompt must be a string")
        if not isinstance(self.seed, int) or not 0 <= self.seed <= _MAX_SEED:
            raise ValueError(f"seed must be an integer in 0..2**63-1, got {self.seed!r}")
        for name in ("width", "height", "num_frames", "steps"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, int) or value < 1):
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        if (self.width is None) != (self.height is None):
            raise ValueError("give both width and height, or neither")
        if self.guidance is not None and not (self.guidance >= 0 and math.isfinite(self.guidance)):
            raise ValueError(f"guidance must be >= 0, got {self.guidance!r}")
        object.__setattr__(self, "keyframes", tuple(self.keyframes))
        object.__setattr__(self, "reference_images", tuple(self.reference_images))
        if self.profile not in PROFILES:
            raise ValueError(f"profile must be one of {', '.join(PROFILES)}, got {self.profile!r}")

    @property
    def has_images(self) -> bool:
        return any(
            x is not None for x in (self.first_image, self.last_image, self.video_prefix, self.video_suffix)
        ) or bool(self.keyframes or self.reference_images)

    def describe(self) -> dict[str, Any]:
        """A JSON-able record of the request; images become their path, or a hash of their pixels."""
        return {
            "model": self.model,
            "prompt": self.prompt,
            "negative_prompt": self.negative_prompt,
            "seed": self.seed,
            "width": self.width,
            "height": self.height,
            "num_frames": self.num_frames,
            "steps": self.steps,
            "guidance": self.guidance,
            "first_image": describe_image(self.first_image),
            "last_image": describe_image(self.last_image),
            "keyframes": [
                {"frame": k.frame, "image": describe_image(k.image), "strength": k.strength} for k in self.keyframes
            ],
            "video_prefix": _describe_video(self.video_prefix),
            "video_suffix": _describe_video(self.video_suffix),
            "reference_images": [describe_image(r) for r in self.reference_images],
            "color_reference": describe_image(self.color_reference),
            "profile": self.profile,
        }


def _describe_video(frames: Sequence[ImageInput] | np.ndarray | None) -> dict[str, Any] | None:
    return None if frames is None else {"frames": len(frames), "sha256": _hash_frames(frames)}


def describe_image(image: ImageInput | None) -> dict[str, Any] | None:
    if image is None:
        return None
    if isinstance(image, (str, os.PathLike)):
        return {"path": os.fspath(Path(image).absolute())}
    arr = np.asarray(image.convert("RGB")) if hasattr(image, "convert") else np.asarray(image)
    return {
        "sha256": hashlib.sha256(np.ascontiguousarray(arr).tobytes()).hexdigest(),
        "size": [arr.shape[1], arr.shape[0]],
    }


def _hash_frames(frames: Sequence[ImageInput] | np.ndarray) -> str:
    h = hashlib.sha256()
    for frame in frames:
        d = describe_image(frame) or {}
        h.update(str(d.get("sha256") or d.get("path")).encode())
    return h.hexdigest()


@dataclass(frozen=True)
class Progress:
    """A progress event. ``phase``: loading, denoising (``step`` of ``total``), decoding, done."""

    phase: Literal["loading", "denoising", "decoding", "done"]
    step: int
    total: int
    elapsed_s: float
    # Long shots run in windows: ``window`` of ``windows`` (1-based), ``step``/``total`` within that window.
    window: int = 1
    windows: int = 1

    @property
    def fraction(self) -> float:
        """0..1 over the whole shot (all its windows)."""
        within = self.step / self.total if self.total else 0.0
        return ((self.window - 1) + within) / max(1, self.windows)


@dataclass(frozen=True)
class PreviewFrame:
    """A cheap look at a shot while it denoises: ``image`` uint8 ``(H, W, 3)`` after ``step`` of ``total``."""

    image: np.ndarray
    step: int
    total: int
    window: int = 1
    windows: int = 1


@dataclass
class GenerationResult:
    """Frames as uint8 ``(T, H, W, 3)`` at the model's native ``fps``, plus everything needed to redo them."""

    frames: np.ndarray
    fps: int
    model_id: str
    model_repo: str
    revision: str | None
    source: str  # where the weights came from: folder, hf-cache, built-in
    mode: str  # the ability used: text_to_video, image_to_video, first_last_frame, keyframes, video_extension
    pipeline_class: str
    width: int
    height: int
    num_frames: int
    seed: int
    steps: int
    guidance: float
    prompt: str
    negative_prompt: str
    device: str
    dtype: str
    memory: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    request: dict[str, Any] = field(default_factory=dict)  # GenerationRequest.describe()
    # Sound made with the picture (LTX-2): float32 ``(samples, channels)`` in [-1, 1] at ``audio_rate`` Hz.
    audio: np.ndarray | None = None
    audio_rate: int | None = None
    profile: str = "final"
    windows: int = 1  # generation windows chained to make the shot

    @property
    def seconds(self) -> float:
        return self.num_frames / self.fps

    def metadata(self) -> dict[str, Any]:
        """Everything but the pixels, JSON-able."""
        return {
            "model": {
                "id": self.model_id,
                "repo": self.model_repo,
                "revision": self.revision,
                "source": self.source,
                "pipeline_class": self.pipeline_class,
            },
            "mode": self.mode,
            "spec": {
                "prompt": self.prompt,
                "negative_prompt": self.negative_prompt,
                "seed": self.seed,
                "width": self.width,
                "height": self.height,
                "num_frames": self.num_frames,
                "fps": self.fps,
                "steps": self.steps,
                "guidance": self.guidance,
            },
            "request": self.request,
            "profile": self.profile,
            "windows": self.windows,
            "audio": None if self.audio is None else {"rate": self.audio_rate, "channels": int(self.audio.shape[1])},
            "device": self.device,
            "dtype": self.dtype,
            "memory": self.memory,
            "notes": list(self.notes),
            "timings": dict(self.timings),
        }
