"""Speed profiles: how hard a shot works. Plain Python (no torch): the planner, the job hash and the models
dialog all read the same recipe.

* **draft**: seconds, not minutes. A step-distillation LoRA (LightX2V / Lightning for Wan, loaded with
  ``load_lora_weights``) or the model's own distilled schedule: 4-8 steps at CFG 1. A model without either
  drafts with a quarter of its steps, and says so.
* **standard**: the full recipe, with a caching hook (First Block Cache) where it pays: many-step models only,
  since caching hurts step-distilled ones (research/generation.md, "late 2026").
* **final**: the full recipe, nothing skipped. What every job meant before profiles existed.

"Promote" re-runs a draft take's seed and prompt with the final recipe.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .model_types import FastVariant, ModelInfo

PROFILES: tuple[str, ...] = ("draft", "standard", "final")
PROFILE_LABELS = {"draft": "Draft", "standard": "Standard", "final": "Final"}
FIRST_BLOCK_CACHE_THRESHOLD = 0.2  # diffusers' documented starting point for FirstBlockCacheConfig


@dataclass(frozen=True)
class Recipe:
    """What a profile means for one model: step count, guidance, a LoRA to load, a caching hook to attach."""

    profile: str
    steps: int
    guidance: float
    lora: FastVariant | None = None
    cache: str | None = None  # "first_block" or None
    note: str = ""

    def document(self) -> dict[str, Any]:
        """What the job hash covers (the LoRA by repo and file, so another LoRA is another take)."""
        return {
            "profile": self.profile,
            "lora": None
            if self.lora is None
            else {
                "repo": self.lora.repo,
                "weight_name": self.lora.weight_name,
                "scale": self.lora.lora_scale,
                **({"weight_name_2": self.lora.weight_name_2} if self.lora.weight_name_2 else {}),
            },
            "cache": self.cache,
            "cache_threshold": FIRST_BLOCK_CACHE_THRESHOLD if self.cache == "first_block" else None,
        }


def draft_lora(model: ModelInfo) -> FastVariant | None:
    """The step-distillation LoRA a draft of this model loads, if the registry names one that stock diffusers
    can load."""
    return next(
        (v for v in model.fast_variants if v.kind == "step_distill_lora" and v.diffusers_ready and v.weight_name),
        None,
    )


def recipe(model: ModelInfo, profile: str) -> Recipe:
    if profile not in PROFILES:
        raise ValueError(f"profile must be one of {', '.join(PROFILES)}, got {profile!r}")
    if profile == "final":
        return Recipe("final", model.default_steps, model.default_guidance)
    if profile == "standard":
        if model.few_step:
            return Recipe("standard", model.default_steps, model.default_guidance, note="already few-step")
        return Recipe("standard", model.default_steps, model.default_guidance, cache="first_block")
    lora = draft_lora(model)
    if lora is not None:
        return Recipe("draft", lora.steps, lora.guidance, lora=lora, note=lora.name)
    if model.few_step:
        return Recipe("draft", model.default_steps, model.default_guidance, note="the model is step-distilled")
    steps = max(4, model.default_steps // 4)
    return Recipe(
        "draft",
        steps,
        model.default_guidance,
        note=f"no distilled variant installed for {model.display_name}: {steps} plain steps, rough",
    )


def recipe_document(model_id: str, profile: str) -> dict[str, Any]:
    from .models import UnknownModel, get_model

    try:
        model = get_model(model_id)
    except UnknownModel:
        return {"profile": profile}
    return recipe(model, profile).document()


def default_profile(model: ModelInfo) -> str:
    """What a new shot starts as: a draft where one is fast (a LoRA or a distilled model), else standard."""
    return "draft" if (draft_lora(model) is not None or model.few_step) else "standard"
