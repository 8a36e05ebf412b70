"""Live previews while a shot denoises: every few steps, a cheap picture of where the shot is heading.

The picture is one latent frame (the middle one) decoded at low resolution: the model's own VAE on a latent
pooled down to at most ~512 px, or a tiny VAE (TAEHV-style, ``<models>/taehv/<family>`` holding a diffusers
``AutoencoderTiny`` whose ``latent_channels`` match) where one is installed. Where the sampler is a flow-matching
one, the clean picture is extrapolated from the last two steps (``x0 = x - sigma * v``, ``v`` from their
difference), so even the first previews show the shot rather than noise.

A preview must never change the shot nor fail the job: it reads the latents (a copy of one frame), uses no
random numbers, leaves VAE tiling and offload hooks alone, and on any failure logs one line to stderr and stops
previewing for the rest of the call.
"""

from __future__ import annotations

import math
import os
import sys
import threading
from pathlib import Path
from typing import Any

import numpy as np

from ..request import PreviewFrame

MAX_SIDE = 256  # the longest side of a preview picture
TARGET_PREVIEWS = 6  # about this many per window
MAX_EVERY = 8  # and at least one every this many steps
_DECODE_SIDE = 2 * MAX_SIDE  # latents are pooled until the decode is at most this big
_PACKED = ("ltx", "ltx2")  # (B, seq, C) latents, unpacked with the pipeline's own _unpack_latents
_NO_X0 = ("skyreels-df",)  # diffusion forcing: frames sit at different noise levels, no single sigma


def preview_every(total: int) -> int:
    """Steps between previews: ~``TARGET_PREVIEWS`` per window, at least one every ``MAX_EVERY`` steps."""
    return max(1, min(MAX_EVERY, math.ceil(total / (TARGET_PREVIEWS + 1))))


def is_due(done: int, total: int) -> bool:
    """Whether a preview follows step ``done`` (1-based) of ``total``. Never after the last: the real decode
    follows it."""
    return 0 < done < total and done % preview_every(total) == 0


class Previewer:
    """Turns the latents the pipeline's step callback hands over into :class:`PreviewFrame` s for ``sink``."""

    tensor_inputs: tuple[str, ...] = ("latents",)

    def __init__(self, pipe: Any, model: Any, sink: Any, *, window: int = 1, windows: int = 1, shot: Any = None):
        self.model, self.sink = model, sink
        self.family = getattr(model, "family", "")
        self.window, self.windows = window, windows
        self.shot = shot
        self.tiny = _tiny_vae(self.family, pipe)
        self.disabled = False
        self.sent = 0
        self._stash: tuple[int, Any] | None = None  # (step index, the previewed latent frame) for x0
        self._sizes: tuple[int, int, int] | None = None  # packed families: latent frames, height, width

    @classmethod
    def for_pipeline(
        cls, pipe: Any, model: Any, sink: Any, *, window: int = 1, windows: int = 1, shot: Any = None
    ) -> Previewer | None:
        """A previewer for one pipeline call, or None without a sink. ``shot`` (the window's ``ShotPlan``)
        gives packed families their latent sizes; without it they are read from the running call."""
        if sink is None:
            return None
        return cls(pipe, model, sink, window=window, windows=windows, shot=shot)

    # -- the step hook ------------------------------------------------------------------------------------------
    def on_step(self, pipe: Any, step: int, total: int, callback_kwargs: dict[str, Any]) -> None:
        """After step ``step`` (0-based) of ``total``: send a preview when one is due. Never raises."""
        if self.disabled:
            return
        done = step + 1
        due, due_next = is_due(done, total), is_due(done + 1, total)
        if not (due or due_next):
            return
        try:
            latents = callback_kwargs.get("latents")
            if latents is None:
                raise RuntimeError("the pipeline hands over no latents")
            import torch

            with torch.no_grad():
                frame = self._frame(pipe, latents)  # (1, C, 1, h, w), a copy
                if due:
                    self._send(pipe, frame, step, done, total)
                if due_next and self.family not in _NO_X0:
                    self._stash = (step, frame)
        except Exception as exc:  # noqa: BLE001 - a preview must never fail the job
            self.disabled = True
            self._stash = None
            first = (str(exc).strip().splitlines() or [""])[0]
            print(
                f"promptcut: live previews off for this shot: {type(exc).__name__}: {first}",
                file=sys.stderr,
                flush=True,
            )

    def _send(self, pipe: Any, frame: Any, step: int, done: int, total: int) -> None:
        stash, self._stash = self._stash, None
        if stash is not None and stash[0] == step - 1:
            frame = _predict_x0(pipe, stash[1], frame)
        image = self._decode(pipe, frame)
        self.sent += 1
        self.sink(PreviewFrame(image=image, step=done, total=total, window=self.window, windows=self.windows))

    # -- latents -> one latent frame ----------------------------------------------------------------------------
    def _frame(self, pipe: Any, latents: Any) -> Any:
        """The middle latent frame as ``(1, C, 1, h, w)`` float32, a copy (the pipeline's tensor is untouched)."""
        lat = latents[:1].detach()
        if self.family in _PACKED:
            f, h, w = self._latent_sizes(pipe, lat)
            lat = lat[:, lat.shape[1] - f * h * w :]  # condition pipelines put their condition tokens first
            lat = pipe._unpack_latents(
                lat,
                f,
                h,
                w,
                getattr(pipe, "transformer_spatial_patch_size", 1),
                getattr(pipe, "transformer_temporal_patch_size", 1),
            )
        elif self.family == "cogvideox":
            lat = lat.permute(0, 2, 1, 3, 4)  # CogVideoX keeps (B, T, C, H, W)
        if lat.ndim != 5:
            raise RuntimeError(f"unexpected latents shape {tuple(latents.shape)}")
        mid = lat.shape[2] // 2
        return lat[:, :, mid : mid + 1].float().clone()

    def _latent_sizes(self, pipe: Any, lat: Any) -> tuple[int, int, int]:
        if self._sizes is None:
            shot = self.shot
            if shot is not None:
                t = pipe.vae_temporal_compression_ratio
                s = pipe.vae_spatial_compression_ratio
                self._sizes = ((shot.num_frames - 1) // t + 1, shot.height // s, shot.width // s)
            else:
                self._sizes = _sizes_from_call(pipe)
        f, h, w = self._sizes
        if f * h * w > lat.shape[1]:
            raise RuntimeError(f"latent sizes {f}x{h}x{w} do not fit {lat.shape[1]} tokens")
        return self._sizes

    # -- one latent frame -> a small picture --------------------------------------------------------------------
    def _decode(self, pipe: Any, frame: Any) -> np.ndarray:
        import torch
        import torch.nn.functional as F

        vae = pipe.vae
        if self.tiny is None and getattr(vae, "_hf_hook", None) is not None:
            # Model/sequential CPU offload: calling the VAE now would push the transformer off the GPU.
            raise RuntimeError("the VAE is offloaded and no tiny VAE is installed (<models>/taehv/<family>)")
        z = self._denormalize(pipe, frame)
        ratio = _spatial_ratio(pipe)
        while max(z.shape[-2:]) * ratio > _DECODE_SIDE and min(z.shape[-2:]) >= 8:
            z = F.avg_pool3d(z, kernel_size=(1, 2, 2))
        if self.tiny is not None:
            tiny = self.tiny
            param = next(tiny.parameters())
            out = tiny.decode(z[:, :, 0].to(param.device, param.dtype)).sample  # (1, 3, H, W) in [-1, 1]
        else:
            param = next(vae.parameters())
            z = z.to(param.device, param.dtype)
            kwargs: dict[str, Any] = {}
            if self.family in _PACKED and getattr(vae.config, "timestep_conditioning", False):
                kwargs["temb"] = torch.zeros(1, device=z.device, dtype=z.dtype)  # decode as clean, no noise
            out = vae.decode(z, return_dict=False, **kwargs)[0]
            out = out[:, :, out.shape[2] // 2] if out.ndim == 5 else out
        img = out[:1].float().clamp(-1, 1).add(1).mul(127.5)
        h, w = img.shape[-2:]
        scale = MAX_SIDE / max(h, w)
        if scale < 1:
            img = F.interpolate(img, size=(max(1, round(h * scale)), max(1, round(w * scale))), mode="area")
        return np.ascontiguousarray(img[0].permute(1, 2, 0).round().clamp(0, 255).to(torch.uint8).cpu().numpy())

    def _denormalize(self, pipe: Any, z: Any) -> Any:
        """The pipeline's latent space -> the VAE's (what each pipeline does before its own decode)."""
        import torch

        cfg = pipe.vae.config
        if self.family in _PACKED:
            return pipe._denormalize_latents(z, pipe.vae.latents_mean, pipe.vae.latents_std, cfg.scaling_factor)
        mean, std = getattr(cfg, "latents_mean", None), getattr(cfg, "latents_std", None)
        if mean is not None and std is not None and len(mean) == z.shape[1]:  # Wan, VACE, SkyReels
            c = z.shape[1]
            mean_t = torch.tensor(mean, dtype=z.dtype, device=z.device).view(1, c, 1, 1, 1)
            std_t = torch.tensor(std, dtype=z.dtype, device=z.device).view(1, c, 1, 1, 1)
            return z * std_t + mean_t
        return z / float(getattr(cfg, "scaling_factor", 1.0) or 1.0)  # HunyuanVideo, CogVideoX


def _predict_x0(pipe: Any, before: Any, now: Any) -> Any:
    """Flow matching: the last two latents lie on the line from the clean picture (sigma 0) to noise (sigma 1);
    extrapolate it to sigma 0. The noisy latents when the sampler is not a flow one."""
    scheduler = getattr(pipe, "scheduler", None)
    sigmas = getattr(scheduler, "sigmas", None)
    index = getattr(scheduler, "step_index", None)
    flow = (
        "FlowMatch" in type(scheduler).__name__
        or getattr(getattr(scheduler, "config", None), "prediction_type", None) == "flow_prediction"
    )
    if not flow or sigmas is None or index is None or not 1 <= index < len(sigmas):
        return now
    s_now, s_before = float(sigmas[index]), float(sigmas[index - 1])
    if not (0.0 <= s_now < s_before <= 1.0) or s_before - s_now < 1e-4:
        return now
    velocity = (now - before) / (s_now - s_before)
    return now - s_now * velocity


def _spatial_ratio(pipe: Any) -> int:
    for name in ("vae_spatial_compression_ratio", "vae_scale_factor_spatial", "vae_scale_factor"):
        value = getattr(pipe, name, None)
        if isinstance(value, int) and value > 0:
            return value
    return 8


def _sizes_from_call(pipe: Any) -> tuple[int, int, int]:
    """The latent sizes of the running call, read from its frame (LTX pipelines name them
    ``latent_num_frames``, ``latent_height``, ``latent_width``): read-only, found once per call."""
    frame = sys._getframe(1)
    while frame is not None:
        loc = frame.f_locals
        if loc.get("self") is pipe and "latent_num_frames" in loc and "latent_height" in loc:
            return int(loc["latent_num_frames"]), int(loc["latent_height"]), int(loc["latent_width"])
        frame = frame.f_back
    raise RuntimeError("cannot tell the packed latents' sizes")


# -- tiny VAEs ------------------------------------------------------------------------------------------------------
_TINY_LOCK = threading.Lock()
_TINY: dict[tuple[str, str, str], Any] = {}


def tiny_vae_dir(family: str, models_root: str | os.PathLike[str] | None = None) -> Path | None:
    """``<models>/taehv/<family>`` (or ``<models>/taehv``) holding an ``AutoencoderTiny`` config, if any."""
    from ..locate import models_dir

    root = Path(models_root) if models_root is not None else models_dir()
    for folder in (root / "taehv" / family, root / "taehv"):
        if (folder / "config.json").is_file():
            return folder
    return None


def _tiny_vae(family: str, pipe: Any) -> Any:
    """The tiny VAE for ``family`` on the pipeline's VAE device, loaded once; None when there is none or it does
    not fit this VAE's latents (never an error: previews then use the model's VAE)."""
    try:
        folder = tiny_vae_dir(family)
        if folder is None:
            return None
        vae = pipe.vae
        param = next(vae.parameters())
        device = param.device if getattr(vae, "_hf_hook", None) is None else _execution_device(pipe)
        key = (str(folder), str(device), str(param.dtype))
        with _TINY_LOCK:
            if key not in _TINY:
                from diffusers import AutoencoderTiny

                tiny = AutoencoderTiny.from_pretrained(str(folder), local_files_only=True)
                channels = getattr(vae.config, "z_dim", None) or getattr(vae.config, "latent_channels", None)
                if channels is not None and tiny.config.latent_channels != channels:
                    raise ValueError(f"it takes {tiny.config.latent_channels} latent channels, the VAE {channels}")
                _TINY[key] = tiny.to(device, param.dtype).eval()
            return _TINY[key]
    except Exception as exc:  # noqa: BLE001 - the model's VAE still previews
        print(f"promptcut: tiny VAE not used: {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
        return None


def _execution_device(pipe: Any) -> Any:
    try:
        return pipe._execution_device
    except Exception:  # noqa: BLE001
        return "cpu"


def write_preview_jpeg(frame: PreviewFrame, path: str | os.PathLike[str], *, quality: int = 80) -> Path:
    """Write ``frame`` as a JPEG at ``path`` atomically (a temporary file, then ``os.replace``): a reader never
    sees half a picture."""
    from PIL import Image

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)  # the take's folder is made when the take is written
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        Image.fromarray(np.ascontiguousarray(frame.image, dtype=np.uint8)).save(tmp, format="JPEG", quality=quality)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return path
