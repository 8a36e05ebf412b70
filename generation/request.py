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

    @property
    def has_images(self) -> bool:
        return any(x is not None for x in (self.first_image, self.last_image, self.video_prefix)) or bool(
            self.keyframes
        )

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
            "video_prefix": None
            if self.video_prefix is None
            else {"frames": len(self.video_prefix), "sha256": _hash_frames(self.video_prefix)},
        }


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

    @property
    def fraction(self) -> float:
        return self.step / self.total if self.total else 0.0


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
            "device": self.device,
            "dtype": self.dtype,
            "memory": self.memory,
            "notes": list(self.notes),
            "timings": dict(self.timings),
        }
