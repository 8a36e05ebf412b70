"""Sound effects, ambience and short music from a prompt, with diffusers' audio pipelines.

``StableAudioPipeline`` (Stable Audio Open: stereo 44.1 kHz, up to 47 s) and ``AudioLDM2Pipeline`` (mono
16 kHz) are loaded from their local folder through ``from_pretrained``, exactly as published, and called with
the job's prompt, steps, guidance, length and seed. The take is made exactly ``spec.seconds`` long: the
pipelines round the length to their latent grid, and a clip on the timeline wants what it asked for.

One seed gives one take: the noise comes from a CPU generator seeded with the job's seed (the same on every
device), and torch's global generators are seeded too for the call (forked, so the process's own random state
is left as it was), because some schedulers draw noise without the generator.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..backends.seeding import seeded_global_rng
from ..errors import GenerationError
from ..locate import LocalModel
from .job_spec import AudioJobSpec
from .models import AudioModelInfo
from .result import AudioResult, as_samples

PIPELINES = ("StableAudioPipeline", "AudioLDM2Pipeline")

# Progress the backend has already reported (model loaded) and what is left for decoding after the steps.
_START, _STEPS_END = 0.05, 0.95


@dataclass
class LoadedSound:
    pipe: Any
    device: str
    dtype: Any
    sample_rate: int
    max_seconds: float  # the longest sound the pipeline itself makes (its latent window)


def _pipeline_class(info: AudioModelInfo) -> Any:
    if info.pipeline_class not in PIPELINES:
        raise GenerationError(f"{info.name} uses {info.pipeline_class}, which the sound engine does not run",
                              kind="internal")
    try:
        import diffusers
    except ImportError:
        raise GenerationError("the sound generator needs diffusers", kind="model_missing",
                              hint="Install PromptCut's generator extra: pip install 'promptcut[gen]'.") from None
    return getattr(diffusers, info.pipeline_class)


def _native_facts(pipe: Any, info: AudioModelInfo) -> tuple[int, float]:
    """(sample rate, longest sound in seconds) as the loaded pipeline defines them."""
    if info.pipeline_class == "StableAudioPipeline":
        rate = int(pipe.vae.config.sampling_rate)
        longest = pipe.transformer.config.sample_size * pipe.vae.hop_length / rate
    else:  # AudioLDM2: the vocoder sets the rate; the UNet has no hard window, the registry's limit holds
        rate = int(pipe.vocoder.config.sampling_rate)
        longest = float(info.max_seconds or 30.0)
    return rate, float(longest)


def load(info: AudioModelInfo, local: LocalModel, device: str) -> LoadedSound:
    import torch

    cls = _pipeline_class(info)
    dtype = torch.float16 if device.startswith("cuda") else torch.float32
    from .._quiet import quiet_progress_bars

    try:
        with quiet_progress_bars(), warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)  # Oobleck's weight_norm deprecation, once per load
            pipe = cls.from_pretrained(local.path, torch_dtype=dtype, use_safetensors=True)
    except ImportError as exc:
        # Stable Audio's scheduler (CosineDPMSolverMultistepScheduler) needs torchsde for its Brownian noise.
        first = (str(exc).strip().splitlines() or [""])[-1].strip()
        raise GenerationError(f"{info.name} cannot load: {first or exc}", kind="model_missing",
                              hint="Install the missing package (pip install torchsde for Stable Audio).") from None
    except (OSError, ValueError) as exc:
        first = (str(exc).strip().splitlines() or [""])[0]
        raise GenerationError(f"{info.name} could not be loaded from {local.path.name}: {first}", kind="pipeline",
                              hint="Download the model again (promptcut models download).") from None
    pipe = pipe.to(device)
    pipe.set_progress_bar_config(disable=True)
    rate, longest = _native_facts(pipe, info)
    return LoadedSound(pipe=pipe, device=device, dtype=dtype, sample_rate=rate, max_seconds=longest)


def longest_sound(loaded: LoadedSound, info: AudioModelInfo) -> float:
    """The longest sound one take may be: the registry's limit, or the pipeline's window when shorter."""
    limits = [s for s in (info.max_seconds, loaded.max_seconds) if s and s > 0]
    return min(limits) if limits else 0.0


def fit_length(samples: np.ndarray, n: int) -> np.ndarray:
    """``samples`` cut or padded with silence to exactly ``n`` frames."""
    if len(samples) >= n:
        return samples[:n]
    pad = np.zeros((n - len(samples), samples.shape[1]), dtype=samples.dtype)
    return np.concatenate([samples, pad])


def _call_kwargs(info: AudioModelInfo, spec: AudioJobSpec, seconds: float) -> dict[str, Any]:
    kwargs: dict[str, Any] = dict(
        prompt=spec.prompt,
        negative_prompt=spec.negative_prompt or None,  # None: the pipeline's own empty condition
        num_inference_steps=spec.steps or info.default_steps or 50,
        guidance_scale=spec.guidance,
        num_waveforms_per_prompt=1,
    )
    if info.pipeline_class == "StableAudioPipeline":
        kwargs.update(audio_start_in_s=0.0, audio_end_in_s=seconds, output_type="pt")
    else:
        kwargs.update(audio_length_in_s=seconds, output_type="np")
    return kwargs


def run(loaded: LoadedSound, info: AudioModelInfo, spec: AudioJobSpec, *, progress: Callable[[float], None],
        cancel: Any = None) -> AudioResult:
    import torch

    seconds = float(spec.seconds)
    longest = longest_sound(loaded, info)
    if seconds <= 0:
        raise GenerationError("a sound needs a length in seconds", kind="bad_request")
    if longest and seconds > longest + 1e-6:
        raise GenerationError(f"{info.name} makes at most {longest:g} s in one take; {seconds:g} s was asked",
                              kind="bad_request", hint="Make a shorter sound, or several and place them in a row.",
                              fix={"seconds": longest})
    kwargs = _call_kwargs(info, spec, seconds)
    steps = int(kwargs["num_inference_steps"])

    def on_step(step: int, _timestep: Any, _latents: Any) -> None:
        # progress() raises Cancelled when the job is cancelled: that stops the pipeline between steps.
        progress(_START + (_STEPS_END - _START) * min(1.0, (step + 1) / steps))

    progress(_START)
    try:
        with seeded_global_rng(spec.seed), torch.inference_mode(), warnings.catch_warnings():
            # torchsde's Brownian tree warns on the scheduler's last (zero) sigma; the take is unaffected.
            warnings.filterwarnings("ignore", message="Should have ")
            # AudioLDM 2 drives GPT-2 with the cache argument transformers 5 renames; it still works.
            warnings.filterwarnings("ignore", message=".*past_key_values.* is deprecated", category=FutureWarning)
            out = loaded.pipe(
                **kwargs,
                generator=torch.Generator("cpu").manual_seed(spec.seed),
                callback=on_step,
                callback_steps=1,
            )
    except GenerationError:
        raise
    except Exception as exc:
        _raise_readable(exc, info)
        raise
    audio = out.audios[0]
    samples = as_samples(audio)
    n = int(round(seconds * loaded.sample_rate))
    samples = fit_length(samples, n)
    progress(_STEPS_END)
    channels = samples.shape[1]
    return AudioResult(
        kind="sound",
        model=info.id,
        sample_rate=loaded.sample_rate,
        samples=np.ascontiguousarray(samples, dtype=np.float32),
        notes=[f"{info.name}, {steps} steps, {seconds:g} s", _channel_words(channels, loaded.sample_rate)],
        device=loaded.device,
        pipeline_class=info.pipeline_class,
    )


def _channel_words(channels: int, rate: int) -> str:
    layout = {1: "mono", 2: "stereo"}.get(channels, f"{channels} channels")
    return f"{layout}, {rate / 1000:g} kHz"


def _raise_readable(exc: Exception, info: AudioModelInfo) -> None:
    """Turn the failures a person can act on into one-line GenerationErrors; others propagate."""
    from ..backends.diffusers_backend import is_out_of_memory

    oom, gpu = is_out_of_memory(exc)
    if oom:
        raise GenerationError(f"{info.name} ran out of {'GPU ' if gpu else ''}memory", kind="out_of_memory",
                              hint="Make a shorter sound or close other programs using the GPU.") from None
    if isinstance(exc, ValueError):  # the pipeline's own checks on length and prompt
        first = (str(exc).strip().splitlines() or [""])[0]
        raise GenerationError(f"{info.name} refused the request: {first}", kind="bad_request") from None
