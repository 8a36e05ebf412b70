"""Conditioning images: paths, PIL images or arrays, fitted (center crop, then resize) to the shot's size."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..errors import GenerationError


def to_pil(image: Any) -> Any:
    """A path, PIL image or ``(H, W, 3|4)`` array (uint8, or float in [0, 1]) as an RGB PIL image."""
    from PIL import Image, UnidentifiedImageError

    if isinstance(image, (str, os.PathLike)):
        try:
            with Image.open(image) as im:
                return im.convert("RGB")
        except (OSError, UnidentifiedImageError) as exc:
            raise GenerationError(
                f"cannot read conditioning image {os.fspath(image)!r}: {exc}", kind="bad_request"
            ) from exc
    if isinstance(image, Image.Image):
        return image.convert("RGB")
    arr = np.asarray(image)
    if arr.ndim == 2:
        arr = np.stack([arr] * 3, axis=-1)
    if arr.ndim != 3 or arr.shape[-1] not in (3, 4):
        raise GenerationError(f"conditioning image must be HxWx3, got shape {arr.shape}", kind="bad_request")
    if arr.dtype != np.uint8:
        arr = (np.clip(arr.astype(np.float32), 0.0, 1.0) * 255.0).round().astype(np.uint8)
    return Image.fromarray(np.ascontiguousarray(arr[..., :3]))


def fit_image(image: Any, width: int, height: int) -> Any:
    """Fill ``width`` x ``height``: scale to cover, center-crop the rest (never stretch)."""
    from PIL import Image, ImageOps

    pil = to_pil(image)
    if pil.size == (width, height):
        return pil
    return ImageOps.fit(pil, (width, height), method=Image.Resampling.LANCZOS, centering=(0.5, 0.5))


def fit_frames(frames: Sequence[Any] | np.ndarray, width: int, height: int) -> list[Any]:
    if len(frames) == 0:
        raise GenerationError("video_prefix has no frames", kind="bad_request")
    return [fit_image(f, width, height) for f in frames]
