"""From a finished shot to the remembered time of a 5 s shot, and the expected time per model and profile.

``record_result`` is what the worker calls after a job's result is written: it turns the result's own timings
(seconds per denoising step, decode and post-processing) into ``generation.timings.record`` for a 5 s shot of
the same model and profile on the same GPU. ``profile_rows`` is what ``promptcut models list`` and the models
dialog show: each profile's recipe with its expected time (measured here, else a published figure, marked).

Plain Python at import time (no torch): the editor lists models without loading torch; only
``detected_device`` imports it, and only when asked.

What gets recorded, kept deliberately simple:

* Only shots made **at one of the model's native sizes** and **with the profile's own step count** count. A
  smaller or larger shot has a different number of latent tokens, and attention cost grows faster than
  linearly with them, so scaling its per-step time would be a guess; a shot with hand-set steps is not that
  profile. Such shots are skipped (``None``), never recorded wrongly.
* The 5 s shot is ``nearest_frame_count(model, 5)`` frames: one window, or ``ceil(frames / window)`` chained
  windows for a model whose window is shorter (unbounded models run it in one call). Its denoising time is the
  measured seconds per step x steps x windows; decode and post-processing are scaled by frame count.
* Loading time is left out: the figure is for a warm worker, as the creator iterates.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from . import timings
from .model_types import ModelInfo
from .profiles import PROFILE_LABELS, PROFILES, Recipe, recipe

if TYPE_CHECKING:
    from .request import GenerationResult

CPU = "cpu"

# Published 5 s shot times (seconds, warm, end to end where the source says so) by model, profile and a GPU
# name fragment. Only figures for the model's own default recipe at its native 480p size are listed; see
# ../shared/research/generation.md ("Published speeds"). None of them was reproduced here.
PUBLISHED: tuple[tuple[str, str, str, float, str], ...] = (
    # Wan 2.1 T2V 1.3B, 832x480, 81 frames, 50 steps: ~91 s (1.83 s/step) on one H100, official repo code
    # (community benchmark yottallm/Wan2.1 @fdcc1e0).
    ("wan2.1-t2v-1.3b", "final", "H100", 91.0, "published, H100 community benchmark"),
    # Not listed: Wan 2.2 A14B (327 s at 480P on an H100 in its README, 264 s on an H200 at 50 steps): the
    # README does not give the steps, and the registry's recipe is 40 steps, so neither is this profile's time.
)


def device_key(name: str) -> str:
    """The GPU's name as timings are keyed: the worker's ``"cuda:0 NVIDIA H100 80GB HBM3"`` and torch's
    ``"NVIDIA H100 80GB HBM3"`` are the same card; anything CPU-like is ``"cpu"``."""
    text = " ".join(str(name).split())
    text = re.sub(r"^cuda(:\d+)?\s*", "", text)
    if not text or text.lower().startswith("cpu"):
        return CPU
    return text


def detected_device() -> str:
    """The first CUDA GPU's name, else ``"cpu"``. Imports torch (slow): call it only when listing times."""
    try:
        import torch
    except ImportError:
        return CPU
    try:
        if torch.cuda.is_available():
            return device_key(torch.cuda.get_device_name(0))
    except Exception:  # noqa: BLE001 - a broken driver means no GPU to time on, not a failure to list models
        pass
    return CPU


def published(model_id: str, profile: str, device: str) -> tuple[float, str] | None:
    """A published 5 s shot time for this model, profile and GPU (matched by name fragment), with its source."""
    name = device_key(device).upper()
    for mid, prof, gpu, seconds, source in PUBLISHED:
        if mid == model_id and prof == profile and gpu in name:
            return seconds, source
    return None


def expected(model: ModelInfo, profile: str, device: str) -> timings.Estimate | None:
    """The expected time of a 5 s shot: measured on this device, else published (its source named), else None."""
    pub = published(model.id, profile, device)
    estimate = timings.expected(device_key(device), model.id, profile, published=pub[0] if pub else None)
    if estimate is not None and not estimate.measured and pub is not None:
        return timings.Estimate(estimate.seconds, False, pub[1])
    return estimate


def frames_per_5s(model: ModelInfo) -> int:
    from .models import nearest_frame_count

    return nearest_frame_count(model, timings.REFERENCE_SECONDS)


def windows_per_5s(model: ModelInfo) -> int:
    """Pipeline calls a 5 s shot takes (chained windows ignore their small overlap: an estimate)."""
    if model.unbounded:
        return 1
    return max(1, math.ceil(frames_per_5s(model) / max(1, model.window)))


@dataclass(frozen=True)
class ProfileRow:
    """One profile of one model as the lists show it."""

    profile: str
    label: str
    recipe: Recipe
    estimate: timings.Estimate | None

    @property
    def lora_name(self) -> str | None:
        return None if self.recipe.lora is None else self.recipe.lora.name

    def to_dict(self) -> dict[str, object]:
        est = self.estimate
        return {
            "profile": self.profile,
            "steps": self.recipe.steps,
            "guidance": self.recipe.guidance,
            "lora": None
            if self.recipe.lora is None
            else {"name": self.recipe.lora.name, "repo": self.recipe.lora.repo, "file": self.recipe.lora.weight_name},
            "cache": self.recipe.cache,
            "note": self.recipe.note,
            "seconds_per_5s_shot": None if est is None else round(est.seconds, 3),
            "measured": None if est is None else est.measured,
            "source": None if est is None else est.source,
        }


def profile_rows(model: ModelInfo, device: str) -> list[ProfileRow]:
    return [ProfileRow(p, PROFILE_LABELS[p], recipe(model, p), expected(model, p, device)) for p in PROFILES]


def _native(model: ModelInfo, width: int, height: int) -> bool:
    return any((s.width, s.height) == (width, height) for s in model.sizes)


def record_result(result: GenerationResult, device_name: str) -> float | None:
    """Remember how long a 5 s shot of ``result``'s model and profile takes on ``device_name``; returns that
    estimate, or None when the shot says nothing reliable about it (not at a native size, steps other than the
    profile's, no per-step timing, an unknown model). Never raises for a odd result: timing is a side note."""
    from .models import UnknownModel, get_model

    try:
        model = get_model(result.model_id)
    except UnknownModel:
        return None
    profile = result.profile or "final"
    if profile not in PROFILES or not _native(model, result.width, result.height):
        return None
    if result.steps != recipe(model, profile).steps or result.num_frames < 1:
        return None
    t = result.timings or {}
    windows = max(1, int(result.windows or 1))
    s_per_step = t.get("s_per_step")
    if s_per_step is None and t.get("denoise_s") is not None and result.steps:
        s_per_step = float(t["denoise_s"]) / (result.steps * windows)
    if s_per_step is None:
        return None
    fixed = float(t.get("decode_s", 0.0)) + float(t.get("postprocess_s", 0.0)) + float(t.get("encode_s", 0.0))
    fixed_5s = fixed * frames_per_5s(model) / result.num_frames
    try:
        return timings.record(
            device_key(device_name),
            model.id,
            profile,
            seconds_per_step=float(s_per_step),
            steps_per_5s=result.steps * windows_per_5s(model),
            fixed_s=fixed_5s,
        )
    except (ValueError, OSError):
        return None
