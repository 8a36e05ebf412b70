"""HunyuanVideo 1.5 (``HunyuanVideo15Pipeline``, ``HunyuanVideo15ImageToVideoPipeline``).

Two differences from the shared convention:

- Guidance lives in the pipeline's *guider* (``ClassifierFreeGuidance``), not a ``guidance_scale`` argument: the
  call swaps in ``guider.new(guidance_scale=...)`` for the shot.
- The pipelines take no ``callback_on_step_end``. Steps are counted by wrapping ``pipe.scheduler.step`` for the
  call: the scheduler steps once per denoising step whatever the guider does (with CFG the transformer runs twice
  per step, so a transformer hook would count double). The wrapper reports the step after the scheduler has
  moved the latents, so progress, cancel (raised from inside the wrapper, which stops the call) and previews (the
  new latents) work as they do with the callback.

The image-to-video pipeline takes no size: it fits the image to its own buckets (480p: 848x480, 480x848, ...).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ...model_types import Ability, ModelInfo
from ...request import GenerationRequest
from ..images import fit_image
from .base import Family, StepFn


class HunyuanFamily(Family):
    name = "hunyuan15"

    def call_kwargs(
        self, pipe: Any, model: ModelInfo, request: GenerationRequest, shot: Any
    ) -> tuple[dict[str, Any], list[str]]:
        kwargs, notes = super().call_kwargs(pipe, model, request, shot)
        guider = getattr(pipe, "guider", None)
        if guider is not None and hasattr(guider, "new"):
            current = getattr(guider, "guidance_scale", None)
            if current != shot.guidance:
                pipe.guider = guider.new(guidance_scale=shot.guidance)
        return kwargs, notes

    def conditioning(
        self, kwargs: dict[str, Any], pipe: Any, model: ModelInfo, request: GenerationRequest, shot: Any
    ) -> list[str]:
        if shot.mode is Ability.IMAGE_TO_VIDEO:
            kwargs["image"] = fit_image(request.first_image, *bucket_aim(shot.width, shot.height))
        return []

    def attach_steps(self, pipe: Any, kwargs: dict[str, Any], on_step: StepFn, previewer: Any) -> Callable[[], None]:
        scheduler = pipe.scheduler
        original = scheduler.step  # the bound method of the class
        count = [0]

        def step(*args: Any, **kw: Any) -> Any:
            out = original(*args, **kw)
            latents = out[0] if isinstance(out, tuple) else getattr(out, "prev_sample", None)
            i, count[0] = count[0], count[0] + 1
            on_step(pipe, i, {"latents": latents})
            return out

        scheduler.step = step  # an instance attribute shadows the method for this call only

        def remove() -> None:
            if scheduler.__dict__.get("step") is step:
                del scheduler.step

        return remove


def bucket_aim(width: int, height: int) -> tuple[int, int]:
    """The size to fit the image to so the image-to-video pipeline picks the ``width x height`` bucket.

    The pipeline keeps buckets whose ratio (height / width, rounded to 5 decimals) is on the far side of the
    image's (at most it for portrait, at least it for landscape): an image of exactly a bucket's aspect misses
    it whenever the rounding went the wrong way (848x480 portrait does). One pixel more on the long side puts the
    image just past the bucket's ratio; the pipeline's crop takes the pixel off again.
    """
    if height > width:
        return width, height + 1
    if width > height:
        return width + 1, height
    return width, height


FAMILY = HunyuanFamily()
