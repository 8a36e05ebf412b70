"""Colour match: bring a generated shot's colours to a neighbouring frame's, as an editor's "match colour" does.

Reinhard-style statistics transfer in CIE Lab (OpenCV): each channel's mean and spread over the whole shot are
moved to the reference picture's. One transform for every frame, so the shot does not flicker.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .images import to_pil

_MIN_STD = 1e-3


def match_colors(frames: np.ndarray, reference: Any, *, strength: float = 1.0) -> np.ndarray:
    """``frames`` uint8 ``(T, H, W, 3)`` RGB with their Lab statistics moved toward ``reference``'s (a path,
    PIL image or array). ``strength`` 0 leaves them, 1 matches fully."""
    import cv2

    ref = np.asarray(to_pil(reference), dtype=np.uint8)
    ref_lab = cv2.cvtColor(ref, cv2.COLOR_RGB2LAB).reshape(-1, 3).astype(np.float32)
    t, h, w, _ = frames.shape
    lab = cv2.cvtColor(frames.reshape(t * h, w, 3), cv2.COLOR_RGB2LAB).astype(np.float32)
    flat = lab.reshape(-1, 3)
    src_mean, src_std = flat.mean(axis=0), flat.std(axis=0)
    ref_mean, ref_std = ref_lab.mean(axis=0), ref_lab.std(axis=0)
    scale = np.where(src_std > _MIN_STD, ref_std / np.maximum(src_std, _MIN_STD), 1.0)
    matched = (flat - src_mean) * scale + ref_mean
    mixed = flat + (matched - flat) * float(np.clip(strength, 0.0, 1.0))
    out = np.clip(mixed, 0, 255).astype(np.uint8).reshape(t * h, w, 3)
    return np.ascontiguousarray(cv2.cvtColor(out, cv2.COLOR_LAB2RGB).reshape(t, h, w, 3))
