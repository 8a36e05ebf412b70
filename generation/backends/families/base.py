"""The calling convention most diffusers video pipelines share (Wan, CogVideoX): text, an optional first image
(``image=``) and last image (``last_image=``), ``callback_on_step_end`` for progress, ``output.frames``."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ...errors import GenerationError
from ...model_types import Ability, ModelInfo
from ...request import GenerationRequest
from ..images import fit_image

StepFn = Callable[[Any, int, dict[str, Any]], None]  # (pipeline, step index, callback tensors)


@dataclass
class Decoded:
    """Frames as uint8 ``(T, H, W, 3)``; sound (if the model made any) as float32 ``(samples, channels)``."""

    frames: np.ndarray
    audio: np.ndarray | None = None
    audio_rate: int | None = None


class Family:
    name = "base"

    def base_kwargs(self, pipe: Any, model: ModelInfo, request: GenerationRequest, shot: Any) -> dict[str, Any]:
        import torch

        kwargs: dict[str, Any] = dict(
            prompt=request.prompt,
            negative_prompt=shot.negative_prompt,
            height=shot.height,
            width=shot.width,
            num_frames=shot.num_frames,
            num_inference_steps=shot.steps,
            guidance_scale=shot.guidance,
            # A CPU generator makes the noise, so a seed gives the same shot on any device.
            generator=torch.Generator(device="cpu").manual_seed(request.seed),
            output_type="np",
        )
        return kwargs

    def call_kwargs(
        self, pipe: Any, model: ModelInfo, request: GenerationRequest, shot: Any
    ) -> tuple[dict[str, Any], list[str]]:
        """The pipeline's keyword arguments for ``shot`` (unknown ones dropped) and notes for the creator."""
        notes: list[str] = []
        kwargs = self.base_kwargs(pipe, model, request, shot)
        extra = model.call_kwargs
        timesteps = extra.get("timesteps")
        if timesteps is not None and len(timesteps) != shot.steps:
            extra.pop("timesteps")
            notes.append(f"{shot.steps} steps instead of the distilled schedule's {len(timesteps)}: default spacing")
        kwargs.update(extra)
        notes += self.conditioning(kwargs, pipe, model, request, shot)
        return self.accepted(pipe, kwargs), notes

    def conditioning(
        self, kwargs: dict[str, Any], pipe: Any, model: ModelInfo, request: GenerationRequest, shot: Any
    ) -> list[str]:
        """Add the shot's conditioning to ``kwargs``; returns notes."""
        w, h = shot.width, shot.height
        if shot.mode in (Ability.IMAGE_TO_VIDEO, Ability.FIRST_LAST_FRAME):
            kwargs["image"] = fit_image(request.first_image, w, h)
            if shot.mode is Ability.FIRST_LAST_FRAME:
                kwargs["last_image"] = fit_image(request.last_image, w, h)
        return []

    @staticmethod
    def accepted(pipe: Any, kwargs: dict[str, Any]) -> dict[str, Any]:
        params = inspect.signature(type(pipe).__call__).parameters
        return {k: v for k, v in kwargs.items() if k in params}

    def attach_steps(self, pipe: Any, kwargs: dict[str, Any], on_step: StepFn, previewer: Any) -> Callable[[], None]:
        """Call ``on_step`` after every denoising step; returns what detaches it. This default uses the
        pipeline's ``callback_on_step_end`` (asking for the latents when a previewer wants them); a family whose
        pipeline has no such callback overrides it (a hook on the transformer, say)."""
        params = inspect.signature(type(pipe).__call__).parameters
        if "callback_on_step_end" not in params:
            raise GenerationError(f"{type(pipe).__name__} reports no steps: its family must hook them", kind="pipeline")

        def callback(p: Any, i: int, t: Any, callback_kwargs: dict[str, Any]) -> dict[str, Any]:
            on_step(p, i, callback_kwargs)
            return callback_kwargs

        kwargs["callback_on_step_end"] = callback
        if previewer is not None and "callback_on_step_end_tensor_inputs" in params:
            kwargs["callback_on_step_end_tensor_inputs"] = list(previewer.tensor_inputs)
        return lambda: None

    def read_output(self, output: Any, pipe: Any, model: ModelInfo) -> Decoded:
        return Decoded(to_uint8(output.frames))


def take_of(decoded: Decoded, take: slice | None, model: ModelInfo) -> Decoded:
    """The frames ``take`` names (and the sound under them) of a call's output; all of it when None."""
    if take is None:
        return decoded
    frames = decoded.frames
    if take.stop > len(frames):
        raise GenerationError(
            f"{model.label} returned {len(frames)} frames, fewer than the {take.stop} planned", kind="pipeline"
        )
    audio, rate = decoded.audio, decoded.audio_rate
    if audio is not None and rate:
        start = round(take.start * rate / model.fps)
        audio = audio[start : start + round((take.stop - take.start) * rate / model.fps)]
    return Decoded(np.ascontiguousarray(frames[take]), audio, rate)


def to_uint8(frames: Any) -> np.ndarray:
    """Pipeline ``output_type="np"`` frames (batch, T, H, W, 3) floats in [0, 1] -> (T, H, W, 3) uint8."""
    arr = frames[0] if isinstance(frames, (list, tuple)) else np.asarray(frames)[0]
    arr = np.asarray(arr, dtype=np.float32)
    if arr.ndim != 4 or arr.shape[-1] != 3:
        raise GenerationError(f"unexpected frames shape {arr.shape} from the pipeline", kind="pipeline")
    return np.ascontiguousarray((np.clip(arr, 0.0, 1.0) * 255.0).round().astype(np.uint8))


FAMILY = Family()
